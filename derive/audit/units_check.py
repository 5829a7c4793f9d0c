"""Units: a figure printed in a unit of another dimension than the one it is
recorded in, and a figure whose unit does not fit what its metric measures."""

from __future__ import annotations

from derive.audit.context import AuditContext, plain_dimension
from derive.audit.findings import Finding
from derive.kb.model import Claim


def check(context: AuditContext) -> list[Finding]:
    findings: list[Finding] = []
    for claim in sorted(context.model.claims.values(), key=lambda c: c.name):
        if claim.value is None or claim.unit is None:
            continue
        stated = _stated_unit(context, claim)
        if stated is not None:
            findings.append(stated)
        metric = _metric_unit(context, claim)
        if metric is not None:
            findings.append(metric)
    return findings


def _common(context: AuditContext, claim: Claim) -> dict[str, object]:
    return {
        "claims": (context.claim_ref(claim.iri),),
        "sources": context.source_refs([claim]),
        "disputes": (claim.iri,),
        "numbers": {"value": claim.value},
    }


def _stated_unit(context: AuditContext, claim: Claim) -> Finding | None:
    if not claim.stated_unit or context.same_dimension(claim.stated_unit, claim.unit) is not False:
        return None
    symbol = context.model.unit_symbol
    stated_q, unit_q = context.quantity(claim.stated_unit), context.quantity(claim.unit)
    users = [e for e in context.model.estimates.values()
             if e.reproduces == claim.iri or any(r.target == claim.iri for r in e.inputs)]
    why = ""
    if users:
        why = (f" The estimate {users[0].name}, which recomputes or uses it, works in "
               f"{symbol(users[0].unit)}.")
    return Finding(
        id=f"unit-{claim.name}", severity="error", kind="unit",
        message=(
            f"{context.stated_by(claim)} prints “{claim.label}” "
            f"({context.show(claim.value, None, 6)}) in {symbol(claim.stated_unit)}, which is "
            f"{plain_dimension(stated_q)}, but the figure is {plain_dimension(unit_q)} and is "
            f"recorded in {symbol(claim.unit)}. The two measure different things, so the "
            f"printed unit is wrong and a reader comparing it with figures in "
            f"{symbol(claim.stated_unit)} would be misled.{why}"
        ),
        **_common(context, claim),  # type: ignore[arg-type]
    )


def _metric_unit(context: AuditContext, claim: Claim) -> Finding | None:
    metric = context.metrics.get(claim.metric or "")
    if metric is None or not metric.allowed_units:
        return None
    unit_q = context.quantity(claim.unit)
    allowed = [context.quantity(u) for u in metric.allowed_units]
    if unit_q is None or any(q is not None and q.dimensionality == unit_q.dimensionality
                             for q in allowed):
        return None
    symbol = context.model.unit_symbol
    names = ", ".join(symbol(u) or u.rsplit("/", 1)[-1] for u in metric.allowed_units)
    return Finding(
        id=f"unit-metric-{claim.name}", severity="error", kind="unit",
        message=(
            f"“{claim.label}” is a figure of {context.label(metric.iri)}, which is measured "
            f"in {names}, but it is recorded in {symbol(claim.unit) or 'a plain number'} "
            f"({plain_dimension(unit_q)}): either the unit or the metric is wrong."
        ),
        **_common(context, claim),  # type: ignore[arg-type]
    )
