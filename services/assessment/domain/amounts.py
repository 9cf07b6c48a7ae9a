"""Scores and weights as exact decimals: rounded half-up to 0.01 on input, stored as hundredths.

SQLite has no exact decimal type and the proto carries `double`, so a value crosses each border
through here: `hundredths` on the way in, `centi` / `from_centi` for integer columns.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
# Beyond this a score, a weight or a measured bound is a typo, and a double loses the cents.
MAGNITUDE_MAX = Decimal("1000000000")


def hundredths(value: float | int | str | Decimal) -> Decimal | None:
    """The value rounded half-up to 0.01; None for what is not a finite number within the magnitude."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        if not number.is_finite() or abs(number) > MAGNITUDE_MAX:
            return None
        return number.quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return None


def bounded(value: float | int) -> Decimal | None:
    """A number as the checks judge it: rounded to 0.01; beyond the magnitude, +-Infinity (so the
    check names the bound it passes rather than calling it unset); NaN, None."""
    if value != value:  # NaN
        return None
    rounded = hundredths(value)
    if rounded is None:
        return Decimal("Infinity") if value > 0 else Decimal("-Infinity")
    return rounded


def centi(value: Decimal) -> int:
    """A Decimal as integer hundredths (what a `*_centi` column stores)."""
    return int((value * 100).to_integral_value(rounding=ROUND_HALF_UP))


def from_centi(value: int) -> Decimal:
    return (Decimal(value) / 100).quantize(CENT)


def plain(value: Decimal) -> int | float:
    """A Decimal as a YAML/JSON number people read: 20 rather than 20.00, 2.5 rather than 2.50."""
    return int(value) if value == value.to_integral_value() else float(value)
