"""Numbers as a reader says them: "about 3.5 × 10²⁴ FLOP, 90% interval
3.2–3.8 × 10²⁴". Only for display: values are never rounded where stored."""

from __future__ import annotations

import math

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_SCIENTIFIC_FROM = 1e5
_SCIENTIFIC_BELOW = 1e-3


def power_of_ten(exponent: int) -> str:
    """``10²⁴`` for 24."""
    return "10" + str(exponent).translate(_SUPERSCRIPT)


def _exponent(value: float) -> int:
    return math.floor(math.log10(abs(value)))


def _scientific(value: float) -> bool:
    magnitude = abs(value)
    return magnitude >= _SCIENTIFIC_FROM or 0 < magnitude < _SCIENTIFIC_BELOW


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def mantissa(value: float, exponent: int, digits: int) -> str:
    """``value / 10^exponent`` with ``digits`` significant digits (for ``exponent``
    the value's own exponent), trailing zeros dropped."""
    scaled = value / 10.0**exponent
    decimals = max(digits - 1 - (_exponent(scaled) if scaled else 0), 0)
    return _trim(f"{scaled:.{decimals}f}")


def number(value: float, digits: int = 2) -> str:
    """A number for reading: ``3.5 × 10²⁴``, ``5.1``, ``0.33``, ``72``."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    rounded = float(f"{value:.{digits}g}")
    exponent = _exponent(rounded)
    for size, word in ((1e9, "billion"), (1e6, "million")):
        if size <= abs(rounded) < size * 1000:
            return f"{_trim(f'{rounded / size:.{digits}g}')} {word}"
    if _scientific(rounded):
        head = mantissa(rounded, exponent, digits)
        return f"{head} × {power_of_ten(exponent)}"
    if abs(rounded) >= 10 ** (digits - 1):
        return f"{round(rounded):,}".replace(",", " ") if abs(rounded) >= 1e4 else str(
            round(rounded))
    decimals = max(digits - 1 - exponent, 0)
    return _trim(f"{rounded:.{decimals}f}")


def with_unit(text: str, unit: str) -> str:
    if not unit:
        return text
    return f"{text}{unit}" if unit.startswith("%") else f"{text} {unit}"


def quantity(value: float, unit: str, digits: int = 2) -> str:
    """``about 3.5 × 10²⁴ FLOP`` (``about`` whenever rounding hides digits)."""
    text = number(value, digits)
    exact = math.isfinite(value) and value != 0 and float(f"{value:.{digits}g}") == value
    prefix = "" if exact or value == 0 else "about "
    return prefix + with_unit(text, unit)


def _distinct_digits(value: float, low: float, high: float) -> int:
    """The fewest significant digits (2 to 4) that tell low, value and high apart."""
    for digits in (2, 3, 4):
        shown = {f"{x:.{digits}g}" for x in (low, value, high)}
        if len(shown) == 3 or (low == high and len(shown) == 2):
            return digits
    return 4


def interval(low: float, high: float, unit: str, reference: float | None = None) -> str:
    """``3.2–3.8 × 10²⁴ FLOP`` when both ends share a power of ten, otherwise
    ``9.1 × 10²³ – 1.2 × 10²⁴ FLOP``."""
    digits = _distinct_digits(reference if reference is not None else (low + high) / 2, low,
                              high)
    if low > 0 and high > 0 and _scientific(low) and _scientific(high):
        exp_low, exp_high = _exponent(float(f"{low:.{digits}g}")), _exponent(
            float(f"{high:.{digits}g}"))
        if exp_low == exp_high:
            text = (f"{mantissa(low, exp_low, digits)}–{mantissa(high, exp_high, digits)}"
                    f" × {power_of_ten(exp_low)}")
            return with_unit(text, unit)
        return with_unit(f"{number(low, digits)} – {number(high, digits)}", unit)
    return with_unit(f"{number(low, digits)}–{number(high, digits)}", unit)


def headline(value: float, unit: str, low: float | None = None, high: float | None = None,
             level: float = 0.9) -> str:
    """The sentence an estimate sheet opens with."""
    if low is None or high is None:
        return quantity(value, unit)
    digits = _distinct_digits(value, low, high)
    main = quantity(value, unit, digits)
    return f"{main}, {round(level * 100)}% interval {interval(low, high, unit, value)}"


def stated(value: float | None, unit: str, low: float | None = None,
           high: float | None = None) -> str:
    """A claim's figure as the source gave it: all its digits, and its range."""
    if value is None:
        return ""
    text = with_unit(number(value, 6), unit)
    if low is not None and high is not None and (low, high) != (value, value):
        text += f" (range {interval(low, high, unit)})"
    return text
