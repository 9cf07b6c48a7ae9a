"""Small SQL pieces the repositories and the read side share."""

from __future__ import annotations

CHUNK = 5000  # ids per IN list: well under SQLite's and PostgreSQL's parameter limits


def like_prefix(path: str) -> str:
    # Paths hold only id characters and '/', so no LIKE wildcard needs escaping.
    return path + "%"
