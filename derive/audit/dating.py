"""Premises dated after the source that states them was issued. Figures a
source derived itself (projections) are legitimately dated later."""

from __future__ import annotations

import datetime as dt

from derive.audit.context import AuditContext
from derive.audit.findings import Finding
from derive.kb.model import DatedValue


def _start(value: DatedValue) -> dt.date:
    text = value.lexical
    if value.precision == "year":
        return dt.date(int(text[:4]), 1, 1)
    if value.precision == "month":
        return dt.date(int(text[:4]), int(text[5:7]), 1)
    return dt.date.fromisoformat(text[:10])


def _end(lexical: str) -> dt.date | None:
    """The last day of the period an issue date names (2025 -> 31 December 2025)."""
    try:
        if len(lexical) == 4:
            return dt.date(int(lexical), 12, 31)
        if len(lexical) == 7:
            year, month = int(lexical[:4]), int(lexical[5:7])
            following = dt.date(year + month // 12, month % 12 + 1, 1)
            return following - dt.timedelta(days=1)
        return dt.date.fromisoformat(lexical[:10])
    except ValueError:
        return None


def check(context: AuditContext) -> list[Finding]:
    findings = []
    for claim in sorted(context.model.claims.values(), key=lambda c: c.name):
        source = context.model.sources.get(claim.stated_in or "")
        if claim.stated_as != "Premise" or claim.as_of is None or source is None:
            continue
        issued = _end(source.issued) if source.issued else None
        if issued is None or _start(claim.as_of) <= issued:
            continue
        findings.append(Finding(
            id=f"dated-after-source-{claim.name}", severity="warning", kind="dated-after-source",
            message=(
                f"“{claim.label}” is given as a premise holding for {claim.as_of.lexical}, but "
                f"{context.stated_by(claim)}, which states it, was issued {source.issued}: a "
                "source cannot report as fact what had not happened yet. Either the date is "
                "wrong or the figure is a projection and should be marked as one."
            ),
            claims=(context.claim_ref(claim.iri),), sources=context.source_refs([claim]),
            numbers={"as_of_year": claim.as_of.decimal_year},
            disputes=(claim.iri,),
        ))
    return findings
