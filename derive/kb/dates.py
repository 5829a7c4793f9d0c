"""Dates with precision. A claim's ``dv:asOf`` is an xsd:gYear, xsd:gYearMonth
or xsd:date; its datatype is its precision. For arithmetic a date stands for
the middle of the period it names, in decimal years, so that two year-precision
dates are a whole number of years apart (2025 -> 2027 is exactly 2 years)."""

from __future__ import annotations

import calendar
import datetime as dt

from derive.errors import ModelError
from derive.kb.model import DatedValue

XSD = "http://www.w3.org/2001/XMLSchema#"


def parse(lexical: str, datatype: str | None) -> DatedValue:
    kind = (datatype or "").removeprefix(XSD)
    try:
        if kind == "gYear":
            year = int(lexical[:4])
            return DatedValue(lexical, "year", year + 0.5)
        if kind == "gYearMonth":
            year, month = int(lexical[:4]), int(lexical[5:7])
            return DatedValue(lexical, "month", year + (month - 0.5) / 12)
        if kind == "date":
            day = dt.date.fromisoformat(lexical[:10])
            length = 366 if calendar.isleap(day.year) else 365
            return DatedValue(lexical, "day", day.year + (day.timetuple().tm_yday - 0.5) / length)
    except ValueError:
        pass
    raise ModelError(
        f"date {lexical!r} ({kind or 'untyped'}) is not an xsd:gYear, xsd:gYearMonth or xsd:date"
    )


def years_between(start: DatedValue, end: DatedValue) -> float:
    return end.decimal_year - start.decimal_year
