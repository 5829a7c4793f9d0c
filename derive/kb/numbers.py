"""How numbers are shown: rounded only when rendered, never when stored."""

from __future__ import annotations

import math


def fmt(value: float | None, digits: int = 3) -> str:
    """``digits`` significant digits; scientific notation for very large or small
    magnitudes (3.46e24), trailing zeros dropped (6e23, 1.9e20, 72)."""
    if value is None:
        return "n/a"
    if value == 0:
        return "0"
    if not math.isfinite(value):
        return str(value)
    magnitude = abs(value)
    if magnitude >= 1e5 or magnitude < 1e-3:
        mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}e{int(exponent)}"
    text = f"{value:.{digits}g}"
    if "e" in text:  # %g switched to exponent form for e.g. 99999.9
        text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def stated(value: float | None) -> str:
    """A claim's figure, with enough digits to show what the source wrote."""
    return fmt(value, digits=6)


def with_unit(value: float | None, unit: str, digits: int = 3) -> str:
    number = fmt(value, digits)
    if not unit:
        return number
    return f"{number}{unit}" if unit == "%" else f"{number} {unit}"
