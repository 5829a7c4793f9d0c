"""What a source is said to say against what it says: a claim that cites a
source, compared with a claim quoted from that source itself on the same
metric, subject and date."""

from __future__ import annotations

from derive.audit.context import AuditContext, overlap
from derive.audit.findings import Finding
from derive.kb.model import Claim
from derive.kb.numbers import fmt


def check(context: AuditContext) -> list[Finding]:
    claims = sorted((c for c in context.model.claims.values()
                     if c.value is not None and c.metric), key=lambda c: c.name)
    findings = []
    for citing in claims:
        for cited in citing.cites:
            for primary in claims:
                if (primary.stated_in != cited or primary is citing
                        or primary.metric != citing.metric
                        or not set(primary.about) & set(citing.about)
                        or _date(primary) != _date(citing)):
                    continue
                finding = _compare(context, citing, primary)
                if finding is not None:
                    findings.append(finding)
    return findings


def _date(claim: Claim) -> str | None:
    return claim.as_of.lexical if claim.as_of else None


def _compare(context: AuditContext, citing: Claim, primary: Claim) -> Finding | None:
    assert citing.value is not None and primary.value is not None
    same = context.same_dimension(citing.unit, primary.unit)
    if same is None:
        return None
    numbers = {"attributed": citing.value, "primary": primary.value}
    if same:
        a, b = context.base_interval(citing), context.base_interval(primary)
        if a is None or b is None or overlap([a, b]):
            return None
        ratio = (citing.value * (context.factor(citing.unit) or 1.0)) / (
            primary.value * (context.factor(primary.unit) or 1.0))
        numbers["ratio"] = ratio
        gap = f", {fmt(ratio)} times what the source says"
    else:
        gap = ", in a unit that measures something else"
    source = context.model.sources.get(primary.stated_in or "")
    name = context.stated_by(primary)
    title = f" (“{source.title}”)" if source else ""
    message = (
        f"{context.stated_by(citing)} attributes {context.show(citing.value, citing.unit)} for "
        f"“{citing.label}” to {name}{title}, but {name} itself gives "
        f"{context.show(primary.value, primary.unit)} (“{primary.label}”){gap}. The figure "
        "does not match its cited source beyond rounding and stated ranges."
    )
    involved = [citing, primary]
    return Finding(
        id=f"attribution-{citing.name}-{primary.name}", severity="warning", kind="attribution",
        message=message, claims=tuple(context.claim_ref(c.iri) for c in involved),
        sources=context.source_refs(involved, cited=True), numbers=numbers,
        disputes=(citing.iri,),
    )
