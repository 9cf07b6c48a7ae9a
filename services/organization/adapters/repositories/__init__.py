"""One repository per aggregate, tenant-scoped, each touching only its own tables; reads that
join aggregates or count live in adapters/queries.py."""
