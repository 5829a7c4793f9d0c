"""The lexical forms XML Schema allows for the datatypes claims carry values
in. rdflib accepts more than the standard (``"1_000"``, ``"inf"`` and
``"Infinity"`` as xsd:double, ``"25"`` as xsd:gYear, month 13 in an
xsd:gYearMonth); a literal outside these forms is ill-typed and refused when
the file is loaded, with its line."""

from __future__ import annotations

import calendar
import re

XSD = "http://www.w3.org/2001/XMLSchema#"

_TZ = r"(?:Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00))?"
_YEAR = r"-?(?:[1-9]\d{3,}|0\d{3})"
_MONTH = r"(?:0[1-9]|1[0-2])"
_DAY = r"(?:0[1-9]|[12]\d|3[01])"
_DECIMAL = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"

_FORMS = {
    "integer": r"[+-]?\d+",
    "decimal": _DECIMAL,
    "double": rf"{_DECIMAL}(?:[eE][+-]?\d+)?|[+-]?INF|NaN",
    "float": rf"{_DECIMAL}(?:[eE][+-]?\d+)?|[+-]?INF|NaN",
    "gYear": rf"{_YEAR}{_TZ}",
    "gYearMonth": rf"{_YEAR}-{_MONTH}{_TZ}",
    "date": rf"(?P<year>{_YEAR})-(?P<month>{_MONTH})-(?P<day>{_DAY}){_TZ}",
    "boolean": r"true|false|1|0",
}
# re.ASCII: \d is 0-9 only (Python's str.isdigit also takes other scripts' digits).
PATTERNS = {XSD + name: re.compile(form, re.ASCII) for name, form in _FORMS.items()}


def is_well_formed(lexical: str, datatype: str) -> bool:
    """Whether ``lexical`` is a valid form of ``datatype`` (True for datatypes
    not listed here: they are left to rdflib). Surrounding whitespace is
    allowed, as XML Schema collapses it for these datatypes."""
    pattern = PATTERNS.get(datatype)
    if pattern is None:
        return True
    text = lexical.strip(" \t\n\r")
    match = pattern.fullmatch(text)
    if match is None:
        return False
    if datatype == XSD + "date":
        year, month, day = (int(match.group(g)) for g in ("year", "month", "day"))
        # calendar covers years 1-9999; XML Schema's proleptic calendar has the
        # same leap years, shifted by 400-year cycles for the others.
        leap_year = 2000 + year % 400 if not 1 <= year <= 9999 else year
        return day <= calendar.monthrange(leap_year, month)[1]
    return True
