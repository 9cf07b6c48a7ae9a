"""The points exchange's RPCs (爱心超市: stores, goods, Redeem), mixed into PointsServicer."""


class ExchangeMethods:
    """Exchange RPCs of PointsService; filled by the exchange's section (points_exchange.proto)."""
