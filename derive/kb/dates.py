"""Dates with precision. A claim's ``dv:asOf`` is an xsd:gYear, xsd:gYearMonth
or xsd:date; its datatype is its precision. For arithmetic a date stands for
the middle of the period it names, in decimal years, so that two year-precision
dates are a whole number of years apart (2025 -> 2027 is exactly 2 years)."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from derive.errors import ModelError
from derive.kb.model import DatedValue

XSD = "http://www.w3.org/2001/XMLSchema#"


# Years derive computes with (those of Python's calendar): a claim's date is
# checked against them by validation, and an estimate never sees another.
FIRST_YEAR, LAST_YEAR = 1, 9999
_DATE = re.compile(r"\s*(-?\d{4,})(?:-(\d{2}))?(?:-(\d{2}))?(?:Z|[+-]\d{2}:\d{2})?\s*", re.ASCII)
_PARTS = {"gYear": 1, "gYearMonth": 2, "date": 3}


def year_of(lexical: str) -> int | None:
    """The year an xsd:gYear, xsd:gYearMonth or xsd:date names, if it has that form."""
    match = _DATE.fullmatch(lexical)
    return int(match.group(1)) if match else None


def parse(lexical: str, datatype: str | None) -> DatedValue:
    """``lexical`` (any form XML Schema allows, time zone included) as a dated value."""
    kind = (datatype or "").removeprefix(XSD)
    match = _DATE.fullmatch(lexical)
    parts = [p for p in match.groups() if p is not None] if match else []
    if kind not in _PARTS or len(parts) != _PARTS[kind]:
        raise ModelError(
            f"date {lexical!r} ({kind or 'untyped'}) is not an xsd:gYear, xsd:gYearMonth "
            "or xsd:date"
        )
    year = int(parts[0])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ModelError(
            f"date {lexical!r}: the year is outside {FIRST_YEAR}-{LAST_YEAR}, the years derive "
            "computes with"
        )
    try:
        if kind == "gYear":
            return DatedValue(lexical, "year", year + 0.5)
        month = int(parts[1])
        if kind == "gYearMonth":
            if not 1 <= month <= 12:
                raise ValueError(month)
            return DatedValue(lexical, "month", year + (month - 0.5) / 12)
        day = dt.date(year, month, int(parts[2]))
    except ValueError:
        raise ModelError(f"date {lexical!r} ({kind}) names no day of the calendar") from None
    length = 366 if calendar.isleap(day.year) else 365
    return DatedValue(lexical, "day", day.year + (day.timetuple().tm_yday - 0.5) / length)


def years_between(start: DatedValue, end: DatedValue) -> float:
    return end.decimal_year - start.decimal_year
