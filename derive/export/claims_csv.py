"""Claims as CSV (RFC 4180, UTF-8, a header row), one row per claim, for
spreadsheets. IRIs are written as prefixed names (``ent:china``,
``unit:FLOPS``) as ``derive query`` shows them; numbers in Python's shortest
round-tripping form; a qualitative claim has no value but its statement. The
locator says where in the source the quote is (a page, a section, a table row)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from derive.kb.model import Claim
from derive.kb.namespaces import short

COLUMNS = ("claim", "label", "value", "unit", "low", "high", "as_of", "entity", "metric",
           "quote", "locator", "source", "attributed_to", "statement")


def _number(value: float | None) -> str:
    return "" if value is None else repr(value)


def row(claim: Claim) -> dict[str, str]:
    return {
        "claim": short(claim.iri),
        "label": claim.label,
        "value": _number(claim.value),
        "unit": short(claim.unit) if claim.unit else "",
        "low": _number(claim.low),
        "high": _number(claim.high),
        "as_of": claim.as_of.lexical if claim.as_of else "",
        "entity": " ".join(short(a) for a in claim.about),
        "metric": short(claim.metric) if claim.metric else "",
        "quote": claim.quote or "",
        "locator": claim.locator or "",
        "source": short(claim.stated_in) if claim.stated_in else "",
        "attributed_to": " ".join(short(c) for c in claim.cites),
        "statement": claim.statement or "",
    }


def render(claims: Iterable[Claim]) -> str:
    """The CSV text, rows sorted by claim."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for claim in sorted(claims, key=lambda c: c.iri):
        writer.writerow(row(claim))
    return out.getvalue()
