"""The operator's own work on the service databases: a county's dump and restore, its archive and purge.

Everything a county does goes through the API; only this package (and migrations) reads and
writes the services' tables directly (docs/operations.md).
"""
