"""Premises against the data they rest on. Every estimate over data that
declares ``dv:evidenceFor`` a premise is computed for the premise's own date
and compared with it: a gap beyond the premise's precision (its stated range,
or the rounding of its printed digits) is an error, agreement is said so. For
each, the audit also looks for the cut-off dates at which the stated figure
would have been true (a figure may be right for the paper it cites rather than
for the essay's year). Premises no data address are listed as unchecked."""

from __future__ import annotations

import dataclasses
from typing import Any

from derive.audit.context import AuditContext, with_unit
from derive.audit.findings import Finding, Ref
from derive.engine.aggregate import Prepared
from derive.engine.selection import Selected
from derive.engine.summary import Aggregate
from derive.errors import DeriveError
from derive.kb import citations
from derive.kb.model import Claim, DatedValue, Estimate
from derive.kb.namespaces import short
from derive.kb.numbers import fmt

LOOK_BACK_YEARS = 15  # how far before the premise's date the cut-off search goes


def check(context: AuditContext) -> list[Finding]:
    model = context.model
    findings: list[Finding] = []
    checked: set[str] = set()
    for estimate in sorted(model.estimates.values(), key=lambda e: e.name):
        claim = model.claims.get(estimate.evidence_for or "")
        if claim is None or estimate.selection is None:
            continue
        checked.add(claim.iri)
        findings.append(_compare(context, estimate, claim))
    # the other premises of the sources whose premises the data check (the essay's,
    # not the rows of the tables themselves)
    stating = {model.claims[iri].stated_in for iri in checked}
    unchecked = sorted((c for c in model.claims.values()
                        if c.stated_as == "Premise" and c.value is not None
                        and c.iri not in checked and c.stated_in in stating),
                       key=lambda c: c.name)
    if unchecked:
        names = ", ".join(c.name for c in unchecked)
        findings.append(Finding(
            id="evidence-unchecked", severity="info", kind="evidence-unchecked",
            message=(f"{len(unchecked)} premises have no data in the knowledge base to check "
                     f"them against (no estimate over data declares dv:evidenceFor them), so "
                     f"they are not checked: {names}."),
            claims=tuple(context.claim_ref(c.iri) for c in unchecked),
            sources=context.source_refs(unchecked),
            evidence={"unchecked": [c.name for c in unchecked]},
        ))
    return findings


def _interval(result: Aggregate) -> tuple[float, float]:
    """The data's value in base units, as its interval when it has one."""
    low = result.low if result.low is not None else result.value
    high = result.high if result.high is not None else result.value
    return low * result.unit_factor, high * result.unit_factor


def _compare(context: AuditContext, estimate: Estimate, claim: Claim) -> Finding:
    model = context.model
    common: dict[str, Any] = {
        "claims": (context.claim_ref(claim.iri),),
        "estimate": Ref(estimate.iri, short(estimate.iri)),
    }
    stated = context.base_interval(claim)
    factor = context.factor(claim.unit)
    where = f"{context.stated_by(claim)} states {_claim_value(context, claim)} for " \
            f"“{claim.label}”"
    if stated is None or factor is None or claim.as_of is None or not context.same_dimension(
            claim.unit, estimate.unit):
        return Finding(
            id=f"evidence-{claim.name}", severity="warning", kind="evidence",
            message=(f"{where}, but it cannot be compared with estimate {estimate.name}: "
                     "the premise has no date, no figure, or a unit of another dimension."),
            sources=context.source_refs([claim]), disputes=(), **common)
    try:
        prepared = Prepared(model, estimate)
        at_date = dataclasses.replace(estimate, target_date=claim.as_of)
        result = prepared.on(prepared.select(claim.as_of), at_date)
    except DeriveError as exc:
        return Finding(
            id=f"evidence-{claim.name}", severity="warning", kind="evidence",
            message=(f"{where}; the data cannot check it: estimate {estimate.name} gives no "
                     f"value for {claim.as_of.lexical} ({exc})."),
            sources=context.source_refs([claim]), **common)
    low, high = _interval(result)
    consistent = low <= stated[1] and stated[0] <= high
    data_claims = [model.claims[iri] for iri in _named_rows(result)]
    dataset = _dataset(context, result)
    shown = _data_value(context, claim, result, factor)
    precision = ("its stated range" if claim.has_bounds else
                 f"the rounding of its printed figure ({_show(context, claim, stated[0] / factor)}"
                 f" to {_show(context, claim, stated[1] / factor)})")
    rows = f"{result.n} rows of {dataset}, selection {short(result.selection)}"
    held, crossing = _held(prepared, estimate, claim, stated)
    text = (f"{where} as of {claim.as_of.lexical}. The data ({rows}) give {shown} for the "
            f"same date: {result.summary}. ")
    if consistent:
        text += f"Checked against {dataset}: consistent, within {precision}."
    else:
        central = result.value * result.unit_factor
        ratio = (claim.value or 0.0) * factor / central if central else float("inf")
        if estimate.method == "CountShare" and result.unit_factor == 1.0:
            gap = (claim.value or 0.0) * factor - central
            text += (f"The stated count is {fmt(abs(gap))} {'fewer' if gap < 0 else 'more'} "
                     f"than the data's, outside {precision}.")
        else:
            text += f"The stated figure is {fmt(ratio)} times the data's, outside {precision}."
    text += " " + _held_text(held, claim)
    if crossing:
        text += " " + crossing
    evidence = {
        "premise": {"claim": claim.name, "value": claim.value, "unit": short(claim.unit or ""),
                    "low": stated[0] / factor, "high": stated[1] / factor,
                    "as_of": claim.as_of.lexical},
        "data": {"estimate": estimate.name, "selection": short(result.selection),
                 "rows": result.n, "value": result.value * result.unit_factor / factor,
                 "low": low / factor, "high": high / factor, "unit": short(claim.unit or ""),
                 "as_of": claim.as_of.lexical, "dataset": dataset},
        "consistent": consistent,
        "ratio": ((claim.value or 0.0) * factor / (result.value * result.unit_factor)
                  if result.value else None),
        "held_for_cutoffs": [{"from": a, "to": b} for a, b in held],
    }
    return Finding(
        id=f"evidence-{claim.name}", severity="info" if consistent else "error",
        kind="evidence", message=text.strip(),
        claims=(context.claim_ref(claim.iri),
                *(context.claim_ref(c.iri) for c in data_claims)),
        sources=context.source_refs([claim, *data_claims]),
        numbers={"stated": (claim.value or 0.0), "data": result.value * result.unit_factor
                 / factor, "data_low": low / factor, "data_high": high / factor,
                 "rows": float(result.n)},
        disputes=() if consistent else (claim.iri,),
        estimate=common["estimate"], evidence=evidence,
    )


def _named_rows(result: Aggregate) -> list[str]:
    if result.winner:
        return [result.winner]
    if result.pool:  # a count: the rows it counted
        return list(result.pool)
    points = result.selected.points
    return [p.claim for p in (points[0], points[-1])] if points else []


def _dataset(context: AuditContext, result: Aggregate) -> str:
    sources = sorted({context.model.claims[p.claim].stated_in or ""
                      for p in result.selected.points} - {""})
    names = []
    for iri in sources:
        source = context.model.sources.get(iri)
        names.append(f"{source.publisher}'s table “{source.title}”"
                     if source and source.publisher else
                     (citations.short(source) if source else short(iri)))
    return ", ".join(names) or "no table"


def _show(context: AuditContext, claim: Claim, value: float) -> str:
    return with_unit(value, context.model.unit_symbol(claim.unit))


def _claim_value(context: AuditContext, claim: Claim) -> str:
    if claim.has_bounds:
        return (f"{fmt(claim.low)}–{_show(context, claim, claim.high or 0.0)}")
    return _show(context, claim, claim.value or 0.0)


def _data_value(context: AuditContext, claim: Claim, result: Aggregate, factor: float) -> str:
    value = _show(context, claim, result.value * result.unit_factor / factor)
    if result.low is not None and result.high is not None:
        return (f"{value} (90% interval {fmt(result.low * result.unit_factor / factor)} to "
                f"{_show(context, claim, result.high * result.unit_factor / factor)})")
    return value


def _months(start: float, end: float) -> list[tuple[str, float]]:
    """(YYYY-MM, the end of that month in decimal years) from ``start`` to ``end``."""
    year, month = int(start), 1
    out = []
    while True:
        cut = year + month / 12
        if cut > end + 1 / 12:
            return out
        if cut > start:
            out.append((f"{year:04d}-{month:02d}", cut))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _held(prepared: Prepared, estimate: Estimate, claim: Claim,
          stated: tuple[float, float]) -> tuple[list[tuple[str, str]], str]:
    """The runs of month-end cut-offs at which the data would give the stated
    figure, ``[(first month, last month), ...]``, and when the data last lay on
    the other side of it."""
    assert claim.as_of is not None
    everything = prepared.select(None)
    points = everything.points
    if not points:
        return [], ""
    start = max(points[0].x, claim.as_of.decimal_year - LOOK_BACK_YEARS)
    end = max(points[-1].x, claim.as_of.decimal_year)
    runs: list[list[str]] = []
    sides: list[tuple[str, int]] = []  # (month, -1 below / 0 within / 1 above the figure)
    previous = False
    index = 0
    for label, cut in _months(start, end):
        while index < len(points) and points[index].x < cut:
            index += 1
        subset = Selected(everything.selection, points[:index])
        date = DatedValue(label, "month", cut - 1 / 24)
        try:
            result = prepared.on(subset, dataclasses.replace(estimate, target_date=date))
        except DeriveError:
            previous = False
            continue
        low, high = _interval(result)
        holds = low <= stated[1] and stated[0] <= high
        sides.append((label, 0 if holds else (1 if low > stated[1] else -1)))
        if holds and previous:
            runs[-1][1] = label
        elif holds:
            runs.append([label, label])
        previous = holds
    return [(a, b) for a, b in runs], _crossing(sides)


def _crossing(sides: list[tuple[str, int]]) -> str:
    """'Up to the end of 2021-09 the data gave no more than the stated figure.'"""
    if not sides or sides[-1][1] == 0:
        return ""
    final = sides[-1][1]
    other = [month for month, side in sides if side != final]
    if not other:
        return ""
    word = "no more" if final > 0 else "no less"
    return (f"Up to the end of {other[-1]} the data gave {word} than the stated figure; "
            f"since then {'more' if final > 0 else 'less'}.")


def _held_text(held: list[tuple[str, str]], claim: Claim) -> str:
    if not held:
        return ("At no cut-off date in the data (up to "
                f"{LOOK_BACK_YEARS} years before {claim.as_of.lexical if claim.as_of else '?'})"
                " would the stated figure have held.")
    spans = [a if a == b else f"{a} to {b}" for a, b in held]
    shown = ", ".join(spans[-3:])
    more = f" (and {len(spans) - 3} earlier spans)" if len(spans) > 3 else ""
    return f"The stated figure holds for data published up to the end of: {shown}{more}."
