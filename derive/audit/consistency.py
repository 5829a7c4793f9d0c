"""Consistency across claims: absolute values against the shares they are
given with, counts against stated shares, and claims that disagree."""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

from derive.audit.context import AuditContext, overlap, rounding
from derive.audit.findings import Finding
from derive.kb.model import Claim
from derive.kb.namespaces import local_name
from derive.kb.numbers import fmt

SPREAD = 0.01  # implied totals closer than this are not worth a finding


def _date(claim: Claim) -> str | None:
    return claim.as_of.lexical if claim.as_of else None


def _quantitative(context: AuditContext) -> list[Claim]:
    return sorted((c for c in context.model.claims.values()
                   if c.value is not None and c.metric and c.unit), key=lambda c: c.name)


def _fraction(context: AuditContext, claim: Claim) -> tuple[float, float, float] | None:
    """A share claim as a fraction: central value and the range it rounds from."""
    factor = context.factor(claim.unit)
    interval = context.base_interval(claim)
    if factor is None or interval is None or claim.value is None:
        return None
    return claim.value * factor, interval[0], interval[1]


# -- shares against absolute values -----------------------------------------
def share_totals(context: AuditContext) -> list[Finding]:
    claims = _quantitative(context)
    # (total metric, date) -> [(entity, share claim, absolute claim)]
    groups: dict[tuple[str, str | None], list[tuple[str, Claim, Claim]]] = defaultdict(list)
    for share in claims:
        metric = context.metrics.get(share.metric or "")
        if metric is None or not metric.is_share or metric.part_of is None:
            continue
        for entity in share.about:
            for absolute in claims:
                if (absolute.metric == metric.part_of and entity in absolute.about
                        and _date(absolute) == _date(share)):
                    groups[(metric.part_of, _date(share))].append((entity, share, absolute))
    findings = []
    for (total_metric, date), members in sorted(groups.items(), key=lambda item: str(item[0])):
        finding = _share_total(context, total_metric, date, members)
        if finding is not None:
            findings.append(finding)
    return findings


def _share_total(context: AuditContext, total_metric: str, date: str | None,
                 members: list[tuple[str, Claim, Claim]]) -> Finding | None:
    totals = []  # (entity, share, absolute, total in base units, low, high)
    for entity, share, absolute in members:
        fraction = _fraction(context, share)
        factor = context.factor(absolute.unit)
        interval = context.base_interval(absolute)
        if fraction is None or factor is None or interval is None or fraction[0] <= 0:
            continue
        assert absolute.value is not None
        total = absolute.value * factor / fraction[0]
        low = interval[0] / fraction[2]
        high = interval[1] / fraction[1] if fraction[1] > 0 else float("inf")
        totals.append((entity, share, absolute, total, low, high))
    if len(totals) < 2:
        return None
    values = [t[3] for t in totals]
    spread = max(values) / min(values) - 1
    if spread <= SPREAD:
        return None
    consistent = overlap([(t[4], t[5]) for t in totals])
    unit = totals[0][2].unit
    factor = context.factor(unit) or 1.0
    numbers: dict[str, float] = {"spread": spread}
    lines = []
    for entity, share, absolute, total, low, high in totals:
        key = local_name(entity)
        numbers[f"implied_total_{key}"] = total / factor
        numbers[f"implied_total_{key}_low"] = low / factor
        numbers[f"implied_total_{key}_high"] = high / factor
        lines.append(
            f"{context.label(entity)}: {context.show(absolute.value, absolute.unit)} at "
            f"{context.show(share.value, share.unit)} implies {context.show(total / factor, unit)}"
        )
    metric_label = context.label(total_metric)
    when = f" for {date}" if date else ""
    message = (
        f"The figures{when} give both shares of total {metric_label} and absolute values, "
        f"and each pair implies its own total ({'; '.join(lines)}). These totals differ by "
        f"{fmt(spread * 100, 2)}%. "
    )
    if consistent:
        message += (
            "The difference is within the rounding of the printed figures (each could be "
            "half a unit of its last digit off, or anywhere in its stated range), so the "
            "figures are compatible, but they cannot all be exact."
        )
    else:
        message += (
            "Even allowing for the rounding of the printed figures, the totals cannot be "
            "the same: at least one share or one absolute value is wrong."
        )
    involved = [c for t in totals for c in (t[1], t[2])]
    return Finding(
        id=f"share-total-{local_name(total_metric)}" + (f"-{date}" if date else ""),
        severity="info" if consistent else "warning", kind="share-total", message=message,
        claims=tuple(context.claim_ref(c.iri) for c in involved),
        sources=context.source_refs(involved), numbers=numbers,
        disputes=() if consistent else tuple(c.iri for c in involved),
    )


# -- counts against stated shares -------------------------------------------
def count_shares(context: AuditContext) -> list[Finding]:
    claims = _quantitative(context)
    groups: dict[tuple[str, str | None], list[Claim]] = defaultdict(list)
    for claim in claims:
        metric = context.metrics.get(claim.metric or "")
        if metric is not None and not metric.is_share:
            groups[(claim.metric or "", _date(claim))].append(claim)
    findings = []
    for (metric_iri, date), members in sorted(groups.items(), key=lambda item: str(item[0])):
        totals = [c for c in members
                  if any(context.entities.get(e) and context.entities[e].is_aggregate
                         for e in c.about)]
        if not totals or len(members) < 2:
            continue
        total = max(totals, key=lambda c: c.value or 0.0)
        for part in members:
            if part is total or set(part.about) & set(total.about):
                continue
            for share in _stated_shares(context, claims, metric_iri, part, date):
                finding = _count_share(context, total, part, share)
                if finding is not None:
                    findings.append(finding)
    return findings


def _stated_shares(context: AuditContext, claims: list[Claim], metric_iri: str, part: Claim,
                   date: str | None) -> list[Claim]:
    found = []
    for claim in claims:
        metric = context.metrics.get(claim.metric or "")
        if (metric is not None and metric.is_share and metric.part_of == metric_iri
                and set(claim.about) & set(part.about) and _date(claim) == date):
            found.append(claim)
    return found


def _count_share(context: AuditContext, total: Claim, part: Claim, share: Claim) -> Finding | None:
    fraction = _fraction(context, share)
    if fraction is None or not total.value or part.value is None:
        return None
    implied = part.value / total.value
    part_low, part_high = rounding(part.value)
    total_low, total_high = rounding(total.value)
    consistent = overlap([(part_low / total_high, part_high / total_low),
                          (fraction[1], fraction[2])])
    numbers = {"part": part.value, "total": total.value,
               "implied_share_percent": implied * 100, "stated_share_percent": fraction[0] * 100}
    message = (
        f"{fmt(part.value)} of {fmt(total.value)} ({context.label(part.about[0])} of "
        f"{context.label(total.about[0])}) is {fmt(implied * 100)}%, and the stated share is "
        f"{context.show(share.value, share.unit)}: "
        + ("they agree within rounding." if consistent
           else "they do not agree, even allowing for rounding; one of the figures is wrong.")
    )
    involved = [part, total, share]
    return Finding(
        id=f"count-share-{part.name}-{share.name}", severity="info" if consistent else "warning",
        kind="count-share", message=message,
        claims=tuple(context.claim_ref(c.iri) for c in involved),
        sources=context.source_refs(involved), numbers=numbers,
        disputes=() if consistent else (share.iri,),
    )


# -- claims that disagree ----------------------------------------------------
def disagreements(context: AuditContext) -> list[Finding]:
    groups: dict[tuple[str, tuple[str, ...], str | None], list[Claim]] = defaultdict(list)
    for claim in _quantitative(context):
        if claim.about:
            groups[(claim.metric or "", claim.about, _date(claim))].append(claim)
    findings = []
    for _key, members in sorted(groups.items(), key=lambda item: str(item[0])):
        for a, b in combinations(members, 2):
            if _attribution_pair(a, b):
                continue  # the attribution check reports these
            if context.same_dimension(a.unit, b.unit) is not True:
                continue  # the unit check reports a unit that does not fit the metric
            ia, ib = context.base_interval(a), context.base_interval(b)
            if ia is None or ib is None or overlap([ia, ib]):
                continue
            findings.append(_disagreement(context, a, b))
    return findings


def _attribution_pair(a: Claim, b: Claim) -> bool:
    return bool((a.stated_in and a.stated_in in b.cites)
                or (b.stated_in and b.stated_in in a.cites))


def _disagreement(context: AuditContext, a: Claim, b: Claim) -> Finding:
    factor_a, factor_b = context.factor(a.unit) or 1.0, context.factor(b.unit) or 1.0
    assert a.value is not None and b.value is not None
    ratio = (b.value * factor_b) / (a.value * factor_a) if a.value else float("inf")
    when = f" for {a.as_of.lexical}" if a.as_of else ""
    message = (
        f"Two claims give {context.label(a.metric or '')} of "
        f"{', '.join(context.label(e) for e in a.about)}{when} and disagree beyond their "
        f"stated ranges and rounding: {context.stated_by(a)} says "
        f"{context.show(a.value, a.unit)} (“{a.label}”), {context.stated_by(b)} says "
        f"{context.show(b.value, b.unit)} (“{b.label}”), {fmt(ratio)} times as much. "
        "At most one of them can be right."
    )
    return Finding(
        id=f"disagreement-{a.name}-{b.name}", severity="warning", kind="disagreement",
        message=message, claims=(context.claim_ref(a.iri), context.claim_ref(b.iri)),
        sources=context.source_refs([a, b]),
        numbers={"value_a": a.value, "value_b": b.value, "ratio": ratio},
        disputes=(a.iri, b.iri),
    )
