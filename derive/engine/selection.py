"""Selecting a set of claims: the rows an estimate over data (a trend, the
largest value, a count or a sum) works on. A ``Selection`` is declared in the
knowledge base; ``select`` applies it to the model and keeps what it left out
and why, so that the trail can say so."""

from __future__ import annotations

import bisect
import calendar
from collections.abc import Callable
from dataclasses import dataclass

from derive.kb.model import Claim, DatedValue, Model, Selection


@dataclass(frozen=True)
class Point:
    """One selected claim: its date in decimal years and its value in base units."""

    claim: str
    date: str
    x: float
    value: float


@dataclass(frozen=True)
class Selected:
    selection: str
    points: tuple[Point, ...]  # sorted by date, then claim IRI
    skipped: tuple[tuple[str, str], ...] = ()  # (claim, why it was left out)
    duplicates: tuple[tuple[str, str], ...] = ()  # (claim left out, the claim kept)
    candidates: int = 0  # claims of the metric that passed the source and entity filters


def half_period(date: DatedValue) -> float:
    """Half the length, in years, of the period a date names."""
    if date.precision == "year":
        return 0.5
    if date.precision == "month":
        return 1 / 24
    year = int(date.lexical[:4])
    return 0.5 / (366 if calendar.isleap(year) else 365)


def period_start(date: DatedValue) -> float:
    return date.decimal_year - half_period(date)


def period_end(date: DatedValue) -> float:
    return date.decimal_year + half_period(date)


class Involvement:
    """Which entities a claim involves: what it is about and, transitively,
    what those belong to (a model's developer, the developer's country)."""

    def __init__(self, model: Model) -> None:
        self.links = model.links
        self.memo: dict[str, frozenset[str]] = {}

    def reach(self, entity: str) -> frozenset[str]:
        found = self.memo.get(entity)
        if found is not None:
            return found
        seen = {entity}
        stack = [entity]
        while stack:
            for target in self.links.get(stack.pop(), ()):
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        self.memo[entity] = frozenset(seen)
        return self.memo[entity]

    def involves(self, claim: Claim, entities: tuple[str, ...] | frozenset[str]) -> bool:
        return any(not self.reach(node).isdisjoint(entities)
                   for node in (claim.iri, *claim.about))


def select(model: Model, selection: Selection, factor_of: Callable[[str], float | None],
           as_of: DatedValue | None = None,
           involvement: Involvement | None = None) -> Selected:
    """The claims of ``selection`` dated up to the end of ``as_of`` (if given).

    ``factor_of(unit)`` gives a unit's factor to base units, or None when the
    unit does not fit the selection (its claims are then skipped, with why).
    """
    involvement = involvement or Involvement(model)
    skipped: list[tuple[str, str]] = []
    pool: list[tuple[Claim, float, float]] = []  # (claim, x, value in base units)
    candidates = 0
    for claim in sorted(model.claims.values(), key=lambda c: c.iri):
        if selection.metric is not None and claim.metric != selection.metric:
            continue
        if selection.sources and claim.stated_in not in selection.sources:
            continue
        if selection.involving and not involvement.involves(claim, selection.involving):
            continue
        candidates += 1
        if claim.value is None:
            skipped.append((claim.iri, "states no figure"))
            continue
        if claim.as_of is None:
            skipped.append((claim.iri, "has no date"))
            continue
        factor = factor_of(claim.unit) if claim.unit else None
        if factor is None:
            skipped.append((claim.iri, f"unit {claim.unit or '(none)'} does not fit"))
            continue
        pool.append((claim, claim.as_of.decimal_year, claim.value * factor))
    pool, duplicates = _deduplicate(pool)
    if selection.frontier is not None:
        pool = _frontier(pool, selection.frontier)
    low = period_start(selection.since) if selection.since else float("-inf")
    high = period_end(selection.until) if selection.until else float("inf")
    if as_of is not None:
        high = min(high, period_end(as_of))
    points = [Point(c.iri, c.as_of.lexical if c.as_of else "", x, v)
              for c, x, v in pool if low <= x < high]
    points.sort(key=lambda p: (p.x, p.claim))
    return Selected(selection.iri, tuple(points), tuple(skipped), tuple(duplicates),
                    candidates)


def _deduplicate(pool: list[tuple[Claim, float, float]]
                 ) -> tuple[list[tuple[Claim, float, float]], list[tuple[str, str]]]:
    """One claim per subject and date: a second claim about the same entities
    on the same date (the same row imported twice, a figure restated) is left
    out, keeping the first by IRI."""
    kept: dict[tuple[tuple[str, ...], str], str] = {}
    out: list[tuple[Claim, float, float]] = []
    duplicates: list[tuple[str, str]] = []
    for item in pool:
        claim = item[0]
        if not claim.about:
            out.append(item)
            continue
        key = (claim.about, claim.as_of.lexical if claim.as_of else "")
        if key in kept:
            duplicates.append((claim.iri, kept[key]))
            continue
        kept[key] = claim.iri
        out.append(item)
    return out, duplicates


def _frontier(pool: list[tuple[Claim, float, float]], top: int
              ) -> list[tuple[Claim, float, float]]:
    """The claims that were among the ``top`` largest of the pool on their own
    date: fewer than ``top`` claims dated no later had a larger value."""
    ordered = sorted(pool, key=lambda item: (item[1], item[0].iri))
    seen: list[float] = []  # values dated no later, sorted
    kept = []
    index = 0
    while index < len(ordered):
        same = index
        while same < len(ordered) and ordered[same][1] == ordered[index][1]:
            bisect.insort(seen, ordered[same][2])
            same += 1
        for item in ordered[index:same]:
            larger = len(seen) - bisect.bisect_right(seen, item[2])
            if larger < top:
                kept.append(item)
        index = same
    return kept


def describe(model: Model, selection: Selection) -> str:
    """The selection in words, for the trail."""
    parts = [f"claims of {model.label(selection.metric)}" if selection.metric else "claims"]
    if selection.sources:
        parts.append("quoted from " + ", ".join(model.label(s) for s in selection.sources))
    if selection.involving:
        parts.append("involving " + " or ".join(model.label(e) for e in selection.involving))
    if selection.since and selection.until:
        parts.append(f"dated {selection.since.lexical} to {selection.until.lexical}")
    elif selection.since:
        parts.append(f"dated {selection.since.lexical} or later")
    elif selection.until:
        parts.append(f"dated up to {selection.until.lexical}")
    if selection.frontier is not None:
        parts.append(f"among the {selection.frontier} largest of their metric when they appeared")
    return ", ".join(parts)
