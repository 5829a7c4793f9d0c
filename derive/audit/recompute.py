"""Recomputing the figures a source derived itself (estimates with
dv:reproduces) and saying what would reconcile a stated figure with its
recomputation."""

from __future__ import annotations

import math

from derive.audit.context import AuditContext, plain_dimension, plural, with_unit
from derive.audit.findings import Finding, Ref
from derive.audit.runs import Run, runs
from derive.kb.model import Claim, Estimate
from derive.kb.namespaces import short
from derive.kb.numbers import fmt

TOLERANCE = 0.05  # relative, when the stated figure lies outside the recomputed interval


def check(context: AuditContext) -> list[Finding]:
    findings: list[Finding] = []
    for estimate in sorted(context.model.estimates.values(), key=lambda e: e.name):
        claim = context.model.claims.get(estimate.reproduces or "")
        if claim is None or claim.value is None:
            continue
        found = runs(context, estimate.iri)
        # a scenario that replaces premises with data is no recomputation of the
        # source's own figure: derive.audit.evidence compares premises with data
        found = [run for run in found
                 if not getattr(context.model.scenarios.get(run.scenario or ""), "replaces", ())]
        for run in found:
            suffix = ""
            if len(found) > 1:
                scenario = context.model.scenarios.get(run.scenario or "")
                suffix = "-" + (scenario.name if scenario else "no-scenario")
            finding = _compare(context, estimate, claim, run, suffix)
            if finding is not None:
                findings.append(finding)
    return findings


def _compare(context: AuditContext, estimate: Estimate, claim: Claim, run: Run,
             suffix: str) -> Finding | None:
    assert claim.value is not None
    claims = [claim, *_input_claims(context, run)]
    common = {
        "claims": tuple(context.claim_ref(c.iri) for c in claims),
        "sources": context.source_refs(claims),
        "disputes": (claim.iri,),
        "estimate": Ref(estimate.iri, short(estimate.iri)),
        "scenario": context.model.scenarios[run.scenario].name if run.scenario else None,
    }
    if context.same_dimension(claim.unit, estimate.unit) is False:
        q_claim, q_est = context.quantity(claim.unit), context.quantity(estimate.unit)
        return Finding(
            id=f"recompute-unit-{estimate.name}{suffix}", severity="error", kind="unit",
            message=(
                f"{context.stated_by(claim)} gives “{claim.label}” in "
                f"{context.model.unit_symbol(claim.unit)} ({plain_dimension(q_claim)}), but "
                f"recomputing it from its premises gives {plain_dimension(q_est)} "
                f"({context.model.unit_symbol(estimate.unit)}): the two cannot be compared "
                "until one of them is corrected."
            ),
            **common,  # type: ignore[arg-type]
        )
    claim_factor = context.factor(claim.unit)
    step = run.plan.step(run.plan.target)
    if claim_factor is None or step is None:
        return None
    stated_base = claim.value * claim_factor
    recomputed = run.evaluation.value
    recomputed_base = recomputed * step.factor
    if recomputed_base == 0:
        return None
    ratio = stated_base / recomputed_base
    interval = run.evaluation.interval
    if abs(ratio - 1) <= TOLERANCE:
        return None
    if interval is not None and interval.low * step.factor <= stated_base <= (
            interval.high * step.factor):
        return None
    if claim.has_bounds:
        assert claim.low is not None and claim.high is not None
        low, high = sorted((claim.low * claim_factor, claim.high * claim_factor))
        r_low, r_high = ((interval.low, interval.high) if interval else (recomputed, recomputed))
        if low <= r_high * step.factor and r_low * step.factor <= high:
            return None
    numbers: dict[str, float] = {"stated": claim.value, "recomputed": recomputed,
                                 "ratio": ratio}
    unit = context.model.unit_symbol(estimate.unit)
    shown = fmt(recomputed) + (f" {unit}" if unit else "")
    if interval is not None:
        numbers["recomputed_low"] = interval.low
        numbers["recomputed_high"] = interval.high
        shown += (f" (90% interval {fmt(interval.low)} to {fmt(interval.high)}"
                  + (f" {unit})" if unit else ")"))
    scenario = context.model.scenarios.get(run.scenario or "")
    bound = any(leaf.via for leaf in run.plan.leaves.values())
    under = f", under the scenario “{scenario.label}”," if scenario and bound else ""
    parts = [
        f"{context.stated_by(claim)} states {context.show(claim.value, claim.unit, 6)} for "
        f"“{claim.label}”. Recomputing it from the premises it rests on "
        f"({_describe_inputs(context, run)}){under} gives {shown}: the stated figure is "
        f"{fmt(ratio)} times the recomputed one."
    ]
    parts.append(_reconcile(context, run, stated_base, numbers))
    if claim.stated_unit and context.same_dimension(claim.stated_unit, estimate.unit) is False:
        stated_q = context.quantity(claim.stated_unit)
        est_q = context.quantity(estimate.unit)
        parts.append(
            f"The figure is also printed in {context.model.unit_symbol(claim.stated_unit)} "
            f"({plain_dimension(stated_q)}), while the computation gives "
            f"{context.model.unit_symbol(estimate.unit)} ({plain_dimension(est_q)})."
        )
    return Finding(
        id=f"recompute-{estimate.name}{suffix}", severity="error", kind="recompute",
        message=" ".join(p for p in parts if p), numbers=numbers,
        **common,  # type: ignore[arg-type]
    )


def _input_claims(context: AuditContext, run: Run) -> list[Claim]:
    found = {leaf.source for leaf in run.plan.leaves.values() if leaf.source}
    return [context.model.claims[iri] for iri in sorted(found) if iri in context.model.claims]


def _describe_inputs(context: AuditContext, run: Run) -> str:
    parts = []
    for leaf in sorted(run.plan.leaves.values(), key=lambda item: item.key):
        label = context.model.label(leaf.source or leaf.key)
        text = with_unit(leaf.value, leaf.unit_text)
        if leaf.low is not None and leaf.high is not None and leaf.low != leaf.high:
            text += f", {fmt(leaf.low)} to {fmt(leaf.high)}"
        if leaf.as_of is not None:
            text += f", as of {leaf.as_of.lexical}"
        parts.append(f"{label}: {text}")
    return "; ".join(parts)


def _reconcile(context: AuditContext, run: Run, stated_base: float,
               numbers: dict[str, float]) -> str:
    step = run.plan.step(run.plan.target)
    assert step is not None
    roles = dict(step.inputs)
    horizons = dict(step.horizons)
    if step.method not in ("DoublingProjection", "CompoundGrowth") or "base" not in horizons:
        return ""
    base = run.base(roles["base"])
    horizon = horizons["base"]
    if base <= 0 or stated_base <= 0 or horizon <= 0:
        return ""
    start = run.plan.leaves[roles["base"]].as_of if roles["base"] in run.plan.leaves else None
    span = "the " + (plural(horizon * 12, "month") if step.method == "DoublingProjection"
                     else plural(horizon, "year"))
    if start is not None and step.target_date is not None:
        span += f" from {start.lexical} to {step.target_date.lexical}"
    if step.method == "DoublingProjection":
        doubling = run.base(roles["doublingTime"]) * 12  # months
        doublings = math.log2(stated_base / base)
        numbers.update(horizon_months=horizon * 12, doubling_time_months=doubling,
                       implied_doublings=doublings,
                       implied_horizon_months=doublings * doubling)
        text = (f"The stated figure is {plural(doublings, 'doubling')} of the starting value: "
                f"at a doubling time of {plural(doubling, 'month')} it corresponds to "
                f"{plural(doublings * doubling, 'month')} of growth instead of {span}")
        if doublings > 0:
            implied = horizon * 12 / doublings
            numbers["implied_doubling_time_months"] = implied
            text += (f"; over that span it would need a doubling time of "
                     f"{plural(implied, 'month')} rather than {fmt(doubling)}")
        return text + "."
    rate = run.base(roles["rate"])  # per year
    if rate <= -1:
        return ""
    growth = stated_base / base
    implied_rate = growth ** (1 / horizon) - 1
    numbers.update(horizon_years=horizon, rate_percent_per_year=rate * 100,
                   implied_rate_percent_per_year=implied_rate * 100)
    text = ""
    if rate != 0:
        implied_years = math.log(growth) / math.log1p(rate)
        numbers["implied_horizon_years"] = implied_years
        text = (f"At {fmt(rate * 100)}% a year, the stated figure corresponds to "
                f"{plural(implied_years, 'year')} of growth instead of {span}; ")
    return (text + f"over that span it would need growth of {fmt(implied_rate * 100)}% a year "
            f"rather than {fmt(rate * 100)}%.")
