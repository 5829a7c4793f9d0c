"""An estimate's result with its whole citation trail: the value, the
interval, each step's method with its numbers filled in, each input's quote
and source, and the list of citations. Renderers (text, JSON, Markdown,
HTML) take this and never compute anything."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from derive.engine.evaluate import Evaluation, Interval
from derive.engine.methods import METHODS
from derive.engine.plan import Leaf, Plan, Step
from derive.engine.summary import Aggregate
from derive.kb import citations
from derive.kb.model import Model, Scenario, Source
from derive.kb.namespaces import local_name, short
from derive.kb.numbers import fmt, stated


@dataclass(frozen=True)
class Row:
    """One claim of a selection, as the trail lists it."""

    name: str
    label: str
    date: str
    value: float
    unit: str
    locator: str | None
    reference: str | None  # short form of the source the row cites
    marked: bool = False  # counted (involves the entity), or the largest


@dataclass
class TrailNode:
    key: str
    name: str
    kind: str  # "estimate" | "claim" | "assumption" | "override" | "data" (a selection)
    label: str
    value: float
    unit: str
    role: str | None = None
    interval: Interval | None = None  # estimates, when sampled
    low: float | None = None  # a claim's stated range
    high: float | None = None
    method: str | None = None
    method_label: str | None = None
    formula: str | None = None
    computation: str | None = None
    horizon: str | None = None
    via_parameter: str | None = None
    quote: str | None = None
    locator: str | None = None
    as_of: str | None = None
    approximate: bool = False
    verification: str | None = None
    stated_in: Source | None = None
    cites: list[Source] = field(default_factory=list)
    citation_label: str | None = None
    comment: str | None = None
    inputs: list[TrailNode] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # a selection: what it holds
    rows: list[Row] = field(default_factory=list)  # a selection's rows (all of them)
    shown_rows: int = 0  # how many of ``rows`` the text trail lists (a pool, not a trend)
    data: Aggregate | None = None


@dataclass(frozen=True)
class Driver:
    name: str
    label: str
    input_low: str
    input_high: str
    at_low: float
    at_high: float
    swing: float
    share: float  # of the sum of swings


@dataclass
class EstimateReport:
    name: str
    iri: str
    label: str
    value: float
    unit: str
    unit_iri: str
    interval: Interval | None
    method: str
    scenario: Scenario | None
    target_date: str | None
    samples: int
    seed: int | None
    trail: TrailNode
    drivers: list[Driver]
    citations: list[Source]
    overrides: dict[str, str]
    comment: str | None = None

    def citation_key(self, source: Source) -> str:
        return source.citation_label or f"[{citations.short(source)}]"

    def source_ref(self, source: Source) -> str:
        """``[6] Pilz et al. 2025``, or ``[Ruiloba Portilla 2025]`` for an unnumbered source."""
        if source.citation_label:
            return f"{source.citation_label} {citations.short(source)}"
        return self.citation_key(source)


def _horizon_text(plan: Plan, step: Step, role: str, years: float) -> str:
    key = dict(step.inputs)[role]
    leaf = plan.leaves.get(key)
    start = leaf.as_of if leaf else (plan.step(key).target_date if plan.step(key) else None)  # type: ignore[union-attr]
    end = step.target_date
    span = f"{start.lexical} → {end.lexical}" if start and end else ""
    return f"{fmt(years)} yr ({span})" if span else f"{fmt(years)} yr"


def _computation(plan: Plan, step: Step, shown: dict[str, str], result: str) -> str:
    ins = {role: shown[key] for role, key in step.inputs}
    horizons = dict(step.horizons)
    method = step.method
    if method == "CompoundGrowth":
        return f"{ins['base']} × (1 + {ins['rate']})^{fmt(horizons['base'])} = {result}"
    if method == "DoublingProjection":
        return (f"{ins['base']} × 2^({fmt(horizons['base'])} yr ÷ {ins['doublingTime']})"
                f" = {result}")
    if method in ("Ratio",):
        return f"{ins['numerator']} ÷ {ins['denominator']} = {result}"
    if method == "ShareOfTotal":
        return f"{ins['part']} ÷ {ins['total']} = {result}"
    if method == "ImpliedTotal":
        return f"{ins['part']} ÷ {ins['share']} = {result}"
    if method == "PerUnitConversion":
        return f"{ins['quantity']} × {ins['perUnit']} = {result}"
    if method == "Product":
        return " × ".join(ins[r] for r in sorted(ins)) + f" = {result}"
    if method == "Sum":
        return " + ".join(ins[r] for r in sorted(ins)) + f" = {result}"
    if step.key in plan.aggregates:
        return plan.aggregates[step.key].summary
    text = step.expression or ""
    for role in sorted(ins, key=len, reverse=True):
        text = re.sub(rf"years\(\s*{re.escape(role)}\s*\)", fmt(horizons.get(role, 0.0)), text)
        text = re.sub(rf"\b{re.escape(role)}\b", f"({ins[role]})", text)
    return f"{' '.join(text.split())} = {result}"


def _value_text(value: float, unit: str, precise: bool = False) -> str:
    number = stated(value) if precise else fmt(value)
    if not unit:
        return number
    return f"{number}{unit}" if unit == "%" else f"{number} {unit}"


class _Builder:
    def __init__(self, model: Model, plan: Plan, evaluation: Evaluation) -> None:
        self.model = model
        self.plan = plan
        self.evaluation = evaluation
        self.sources: dict[str, Source] = {}

    def _source(self, iri: str | None) -> Source | None:
        if iri is None:
            return None
        source = self.model.sources.get(iri) or Source(iri, local_name(iri))
        self.sources.setdefault(iri, source)
        return source

    def data_node(self, leaf: Leaf, role: str) -> TrailNode:
        found = self.plan.aggregates[leaf.source]
        selection = self.model.selections[found.selection]
        selected = found.selected
        details = [found.description + ".", f"{len(selected.points)} rows"
                   + (f", dated {selected.points[0].date} to {selected.points[-1].date}"
                      if selected.points else "")]
        if selected.skipped:
            reasons: dict[str, int] = {}
            for _, why in selected.skipped:
                reasons[why] = reasons.get(why, 0) + 1
            details.append("left out: " + "; ".join(f"{n} {why}" for why, n in
                                                    sorted(reasons.items())))
        if selected.duplicates:
            details.append(f"{len(selected.duplicates)} duplicates left out (same subject and "
                           "date as a row kept)")
        details += list(found.details)
        node = TrailNode(found.selection, selection.name, "data", selection.label,
                         float(len(selected.points)), "rows", role=role, details=details,
                         comment=selection.comment, data=found)
        stated = sorted({self.model.claims[p.claim].stated_in or "" for p in selected.points})
        for iri in stated:
            source = self._source(iri or None)
            if source is not None and node.stated_in is None:
                node.stated_in = source
            elif source is not None:
                node.cites.append(source)
        marked = set(found.matched) | ({found.winner} if found.winner else set())
        rows: dict[str, Row] = {}
        for point in selected.points:
            claim = self.model.claims[point.claim]
            cited = self.model.sources.get(claim.cites[0]) if claim.cites else None
            rows[point.claim] = Row(
                claim.name, claim.label, point.date,
                claim.value if claim.value is not None else float("nan"),
                self.model.unit_symbol(claim.unit), claim.locator,
                citations.short(cited) if cited else None, point.claim in marked,
            )
        node.rows = [rows[iri] for iri in found.pool] if found.pool else list(rows.values())
        if found.pool and len(found.pool) <= 30:  # a count among the top N: list them
            node.shown_rows = len(found.pool)
        extremes = ([("largest", found.winner)] if found.winner else
                    [(r, p.claim) for r, p in found.extremes()] if found.fit else [])
        for name, iri in extremes:
            if iri:
                node.inputs.append(self.claim_node(iri, name))
        return node

    def leaf(self, leaf: Leaf, role: str) -> TrailNode:
        if leaf.kind == "data":
            return self.data_node(leaf, role)
        value = self.evaluation.values[leaf.key]
        via = local_name(leaf.via) if leaf.via else None
        if leaf.kind == "override":
            return TrailNode(leaf.key, local_name(leaf.key), "override",
                             f"{local_name(leaf.key)} (set on the command line)", value,
                             leaf.unit_text, role=role, via_parameter=via,
                             as_of=leaf.as_of.lexical if leaf.as_of else None)
        if leaf.kind == "assumption":
            item = self.model.assumptions[leaf.source]
            node = TrailNode(leaf.source, item.name, "assumption", item.label, value,
                             leaf.unit_text, role=role, low=item.low, high=item.high,
                             via_parameter=via, comment=item.comment,
                             as_of=item.as_of.lexical if item.as_of else None)
            for claim_iri in item.derived_from:
                if claim_iri in self.model.claims:
                    node.inputs.append(self.claim_node(claim_iri, "motivated by"))
            return node
        node = self.claim_node(leaf.source, role)
        node.value = value
        node.via_parameter = via
        return node

    def claim_node(self, iri: str, role: str) -> TrailNode:
        claim = self.model.claims[iri]
        return TrailNode(
            iri, claim.name, "claim", claim.label,
            claim.value if claim.value is not None else float("nan"),
            self.model.unit_symbol(claim.unit), role=role, low=claim.low, high=claim.high,
            quote=claim.quote, locator=claim.locator,
            as_of=claim.as_of.lexical if claim.as_of else None,
            approximate=claim.approximate, verification=claim.verification,
            stated_in=self._source(claim.stated_in),
            cites=[s for s in (self._source(c) for c in claim.cites) if s is not None],
            citation_label=claim.citation_label, comment=claim.comment,
        )

    def node(self, key: str, role: str | None) -> TrailNode:
        leaf = self.plan.leaves.get(key)
        if leaf is not None:
            return self.leaf(leaf, role or "")
        step = self.plan.step(key)
        assert step is not None
        estimate = self.model.estimates[key]
        method = METHODS[step.method]
        children = [self.node(child, r) for r, child in step.inputs]
        shown = {}
        for (_, child_key), child in zip(step.inputs, children, strict=True):
            precise = child.kind != "estimate"
            shown[child_key] = _value_text(self.evaluation.values[child_key], child.unit,
                                           precise)
        value = self.evaluation.values[key]
        result = _value_text(value, step.unit_text)
        horizon = None
        if step.horizons:
            horizon = "; ".join(_horizon_text(self.plan, step, role, years)
                                for role, years in step.horizons)
        formula = method.symbolic if step.method != "Formula" else (step.expression or "")
        return TrailNode(
            key, estimate.name, "estimate", estimate.label, value, step.unit_text, role=role,
            interval=self.evaluation.intervals.get(key), method=step.method,
            method_label=method.label, formula=formula,
            computation=_computation(self.plan, step, shown, result), horizon=horizon,
            as_of=step.target_date.lexical if step.target_date else None,
            comment=estimate.comment, inputs=children,
        )


def _ordered_sources(node: TrailNode, out: dict[str, Source]) -> None:
    for source in ([node.stated_in] if node.stated_in else []) + node.cites:
        out.setdefault(source.iri, source)
    for child in node.inputs:
        _ordered_sources(child, out)


def build(model: Model, plan: Plan, evaluation: Evaluation,
          overrides: dict[str, str] | None = None) -> EstimateReport:
    builder = _Builder(model, plan, evaluation)
    trail = builder.node(plan.target, None)
    ordered: dict[str, Source] = {}
    _ordered_sources(trail, ordered)
    estimate = model.estimates[plan.target]
    step = plan.step(plan.target)
    assert step is not None
    total = sum(item.swing for item in evaluation.sensitivity) or 1.0
    drivers = []
    for item in evaluation.sensitivity:
        leaf = plan.leaves[item.key]
        name = local_name(leaf.source or leaf.key)
        drivers.append(Driver(
            name, model.label(leaf.source or leaf.key),
            _value_text(leaf.low or 0.0, leaf.unit_text, True),
            _value_text(leaf.high or 0.0, leaf.unit_text, True),
            item.at_low, item.at_high, item.swing, item.swing / total,
        ))
    return EstimateReport(
        name=estimate.name, iri=estimate.iri, label=estimate.label, value=evaluation.value,
        unit=step.unit_text, unit_iri=step.unit, interval=evaluation.interval,
        method=step.method,
        scenario=model.scenarios.get(plan.scenario) if plan.scenario else None,
        target_date=step.target_date.lexical if step.target_date else None,
        samples=evaluation.samples, seed=evaluation.seed, trail=trail, drivers=drivers,
        citations=list(ordered.values()), overrides=dict(overrides or {}),
        comment=estimate.comment,
    )


__all__ = ["Driver", "EstimateReport", "TrailNode", "build", "short"]
