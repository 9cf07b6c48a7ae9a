"""The ledger's RPCs (RecordEntry, GetBalance, ...), mixed into PointsServicer."""


class LedgerMethods:
    """Ledger RPCs of PointsService; filled by the ledger's section (points_ledger.proto)."""
