"""An estimate larger than a stock it should be part of: a result exceeding
a stated figure of the same kind of quantity about an entity that the
estimate's inputs are about or are located in (a company's chips against the
total of its country)."""

from __future__ import annotations

from derive.audit.context import AuditContext
from derive.audit.findings import Finding, Ref
from derive.audit.runs import Run, input_claims, runs
from derive.engine import report
from derive.kb.model import Claim, Estimate
from derive.kb.namespaces import short
from derive.kb.numbers import fmt

# A total implied by a share is larger than its part by construction.
WHOLES = {"ImpliedTotal"}


def check(context: AuditContext) -> list[Finding]:
    findings: dict[str, Finding] = {}
    # the claims that can be a stock, the same for every run (of 100,000
    # claims, the few premises)
    stocks = sorted((c for c in context.model.claims.values() if c.value is not None
                     and c.stated_as == "Premise" and not _is_share(context, c)),
                    key=lambda c: c.name)
    for estimate in sorted(context.model.estimates.values(), key=lambda e: e.name):
        quantity = context.quantity(estimate.unit)
        if estimate.method in WHOLES or quantity is None or quantity.dimensionless:
            continue  # a ratio or a share is no part of a stock
        for run in runs(context, estimate.iri):
            for finding in _check_run(context, estimate, run, stocks):
                findings.setdefault(finding.id, finding)
    return list(findings.values())


def _within(context: AuditContext, inputs: list[Claim]) -> dict[str, str]:
    """Each entity the inputs are about or located in -> the input entity that leads there."""
    found: dict[str, str] = {}
    for claim in inputs:
        for entity in claim.about:
            for container in context.containers(entity):
                found.setdefault(container, entity)
    return found


def _is_share(context: AuditContext, claim: Claim) -> bool:
    metric = context.metrics.get(claim.metric or "")
    return bool(metric and metric.is_share)


def _check_run(context: AuditContext, estimate: Estimate, run: Run,
               stocks: list[Claim]) -> list[Finding]:
    model = context.model
    used = set(input_claims(run))
    inputs = [model.claims[iri] for iri in sorted(used) if iri in model.claims]
    within = _within(context, inputs)
    countries = {e for e in within if context.entities.get(e) and context.entities[e].is_country}
    if len(countries) > 1:
        return []  # about several countries (a sum, a comparison): part of none of them
    step = run.plan.step(run.plan.target)
    assert step is not None
    value_base = run.evaluation.value * step.factor
    findings = []
    for stock in stocks:
        if (stock.iri in used or stock.iri == estimate.reproduces
                or context.same_dimension(stock.unit, estimate.unit) is not True):
            continue
        entity = next((e for e in stock.about if e in within), None)
        if entity is None:
            continue
        if (estimate.target_date and stock.as_of
                and stock.as_of.decimal_year < estimate.target_date.decimal_year):
            continue  # a stock from before the estimate's date need not contain it
        interval = context.base_interval(stock)
        if interval is None or value_base <= interval[1]:
            continue
        findings.append(_finding(context, estimate, run, stock, entity, within[entity],
                                 value_base / (stock.value * (context.factor(stock.unit) or 1))))
    return findings


def _finding(context: AuditContext, estimate: Estimate, run: Run, stock: Claim, entity: str,
             via: str, ratio: float) -> Finding:
    model = context.model
    value = run.evaluation.value
    inputs = [model.claims[iri] for iri in input_claims(run) if iri in model.claims]
    how = report.build(model, run.plan, run.evaluation).trail.computation
    link = (f"{context.label(via)} is {context.label(entity)}" if via == entity
            else f"{context.label(via)} is located in {context.label(entity)}")
    date = estimate.target_date.lexical if estimate.target_date else "its date"
    stock_date = f" in {stock.as_of.lexical}" if stock.as_of else ""
    message = (
        f"“{estimate.label}” comes to {context.show(value, estimate.unit)} for {date}"
        + (f" ({how})" if how else "") + ", "
        f"{fmt(ratio, 2)} times “{stock.label}”{stock_date} "
        f"({context.show(stock.value, stock.unit)}), a total it should be part of since "
        f"{link}. Both cannot hold as they stand: the estimate may count capacity the total "
        "does not (chips not yet built or deployed, or peak datasheet performance rather than "
        "measured performance), the total may leave some of it out, or one of the figures "
        "is too high or too low."
    )
    involved = [stock, *inputs]
    scenario = model.scenarios.get(run.scenario or "")
    return Finding(
        id=f"exceeds-stock-{estimate.name}-{stock.name}", severity="warning",
        kind="exceeds-stock", message=message,
        claims=tuple(context.claim_ref(c.iri) for c in involved),
        sources=context.source_refs(involved),
        numbers={"estimate": value, "stock": stock.value or 0.0, "ratio": ratio},
        disputes=tuple(c.iri for c in involved),
        estimate=Ref(estimate.iri, short(estimate.iri)),
        scenario=scenario.name if scenario else None,
    )
