"""The context of an estimate sheet: for each scenario, the value in words,
the derivation as numbered steps, every input with its quote and footnotes,
the sensitivity ranking and the projection chart (or why it cannot be
computed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from derive.engine import units
from derive.engine.plan import Plan
from derive.engine.report import EstimateReport, TrailNode
from derive.engine.summary import Aggregate
from derive.errors import DeriveError
from derive.kb import citations
from derive.kb.model import Model
from derive.kb.numbers import fmt
from derive.render.sheets import chart, datachart, words
from derive.render.sheets.common import Footnotes, Site, claim_dict, estimate_claims
from derive.render.sheets.findings import Shown, touching
from derive.render.sheets.projection import project


@dataclass
class Computed:
    """One estimate under one scenario: its report and plan, or the error."""

    scenario: str | None
    report: EstimateReport | None = None
    plan: Plan | None = None
    error: str | None = None


def _value_text(node: TrailNode) -> str:
    if node.kind == "estimate":
        if node.interval is not None:
            return words.headline(node.value, node.unit, node.interval.low, node.interval.high,
                                  node.interval.level)
        return words.quantity(node.value, node.unit)
    text = words.stated(node.value, node.unit, node.low, node.high)
    return ("about " + text) if node.approximate else text


def _leaves_and_steps(node: TrailNode, leaves: list[TrailNode],
                      steps: list[TrailNode]) -> None:
    for child in node.inputs:
        if child.kind == "estimate":
            _leaves_and_steps(child, leaves, steps)
        elif all(child.key != seen.key for seen in leaves):
            leaves.append(child)
    if node.kind == "estimate" and all(node.key != seen.key for seen in steps):
        steps.append(node)


class _Scenario:
    def __init__(self, model: Model, notes: Footnotes, site: Site, target: str) -> None:
        self.model = model
        self.notes = notes
        self.site = site
        self.target = target

    def input(self, number: int, node: TrailNode) -> dict[str, Any]:
        item: dict[str, Any] = {
            "number": number, "anchor": f"input-{number}", "role": node.role, "kind": node.kind,
            "name": node.name, "label": node.label, "value": _value_text(node),
            "as_of": node.as_of, "via_parameter": node.via_parameter, "comment": node.comment,
            "claim": None, "motivated_by": [],
        }
        if node.kind == "data":
            item["selection"] = self.selection(node)
        claim = self.model.claims.get(node.key)
        if node.kind == "claim" and claim is not None:
            item["claim"] = claim_dict(self.model, claim, self.notes, self.site)
        for child in node.inputs if node.kind != "data" else ():  # a selection's extremes
            motive = self.model.claims.get(child.key)
            if motive is not None:
                item["motivated_by"].append(claim_dict(self.model, motive, self.notes,
                                                       self.site))
        return item

    def selection(self, node: TrailNode) -> dict[str, Any]:
        """A selection's rows, for the sheet's table (all of them, largest marked)."""
        sources = [node.stated_in, *node.cites] if node.stated_in else []
        return {
            "details": node.details,
            "datasets": [{"ref": self.notes.ref(s.iri), "license": s.license,
                          "title": s.title, "publisher": s.publisher} for s in sources],
            "rows": [{"label": r.label, "date": r.date,
                      "value": words.stated(r.value, r.unit, None, None),
                      "locator": r.locator, "reference": r.reference, "marked": r.marked}
                     for r in node.rows],
            "examples": [claim_dict(self.model, self.model.claims[c.key], self.notes,
                                    self.site) | {"role": c.role}
                         for c in node.inputs if c.key in self.model.claims],
        }

    def data_charts(self, plan: Plan) -> list[dict[str, Any]]:
        charts = []
        for iri, result in sorted(plan.aggregates.items()):
            if result.fit is None and result.winner is None:
                continue
            estimate = self.model.estimates[iri]
            title = f"{estimate.label}: the rows"
            svg = datachart.render(result, title, _axis(self.model, result),
                                   _premise(self.model, estimate.evidence_for, result))
            if svg is not None:
                charts.append({"svg": Markup(svg), "name": estimate.name,
                               "caption": _caption(self.model, result)})
        return charts

    def step(self, number: int, node: TrailNode, refs: dict[str, str]) -> dict[str, Any]:
        return {
            "number": number, "name": node.name, "label": node.label,
            "href": None if node.key == self.target else self.site.href("estimate", node.name),
            "method": node.method_label or node.method, "formula": node.formula,
            "computation": node.computation, "horizon": node.horizon, "target_date": node.as_of,
            "result": _value_text(node),
            "inputs": [{"role": child.role, "label": child.label, "ref": refs[child.key]}
                       for child in node.inputs],
        }

    def build(self, computed: Computed, title: str, chart_file: str | None) -> dict[str, Any]:
        scenario = self.model.scenarios.get(computed.scenario or "") or next(
            (s for s in self.model.scenarios.values() if s.name == computed.scenario), None)
        out: dict[str, Any] = {
            "name": computed.scenario, "label": scenario.label if scenario else "no scenario",
            "description": scenario.description if scenario else None,
            "is_default": bool(scenario and scenario.is_default),
            "anchor": f"scenario-{computed.scenario or 'none'}",
            "error": computed.error, "steps": [], "inputs": [], "drivers": [], "chart": None,
            "chart_file": None, "data_charts": [],
        }
        report = computed.report
        if report is None:
            return out
        leaves: list[TrailNode] = []
        steps: list[TrailNode] = []
        _leaves_and_steps(report.trail, leaves, steps)
        refs = {leaf.key: f"input {i}" for i, leaf in enumerate(leaves, 1)}
        refs.update({step.key: f"step {i}" for i, step in enumerate(steps, 1)})
        interval = report.interval
        out.update({
            "headline": words.headline(report.value, report.unit, interval.low, interval.high,
                                       interval.level) if interval else words.quantity(
                report.value, report.unit),
            "exact": f"{report.value:.6g}" + (f" {report.unit}" if report.unit else ""),
            "interval_level": round(interval.level * 100) if interval else None,
            "interval_note": ("The interval is the fit's: the 90% interval of the slope "
                              "(Student's t), not a Monte Carlo one."
                              if "Trend" in report.method else None),
            "method": report.trail.method_label or report.method,
            "target_date": report.target_date,
            "samples": report.samples, "seed": report.seed,
            "inputs": [self.input(i, leaf) for i, leaf in enumerate(leaves, 1)],
            "steps": [self.step(i, step, refs) for i, step in enumerate(steps, 1)],
            "drivers": [{
                "label": d.label, "name": d.name, "range": f"{d.input_low} to {d.input_high}",
                "at_low": words.quantity(d.at_low, report.unit, 3),
                "at_high": words.quantity(d.at_high, report.unit, 3),
                "share": round(d.share * 100),
            } for d in report.drivers],
        })
        if computed.plan is not None:
            out["data_charts"] = self.data_charts(computed.plan)
            for number, item in enumerate(out["data_charts"], 1):
                item["file"] = (f"{chart_file.removesuffix('.svg')}--data-{number}.svg"
                                if chart_file else None)
            curve = project(computed.plan, seed=report.seed or 0)
            if curve is not None:
                axis = report.unit or "value"
                out["chart"] = Markup(chart.render(curve, title, axis))
                out["chart_file"] = chart_file
        return out


def context(model: Model, iri: str, outcomes: list[Computed], site: Site,
            findings: list[Shown] | None) -> dict[str, Any]:
    estimate = model.estimates[iri]
    notes = Footnotes(model, site)
    builder = _Scenario(model, notes, site, iri)
    scenarios = []
    for computed in outcomes:
        chart_file = f"estimate-{estimate.name}--{computed.scenario or 'none'}.svg"
        title = f"{estimate.label}: projection"
        scenarios.append(builder.build(computed, title, chart_file))
    reproduces = model.claims.get(estimate.reproduces or "")
    claims = estimate_claims(model, iri)
    for scenario in scenarios:  # the rows a selection shows, with their attribution links
        for item in scenario["inputs"]:
            for example in (item.get("selection") or {}).get("examples", []):
                claims.add(example["name"])
    return {
        "kind": "estimate", "name": estimate.name, "title": estimate.label,
        "comment": estimate.comment,
        "target_date": estimate.target_date.lexical if estimate.target_date else None,
        "scenarios": scenarios,
        "reproduces": claim_dict(model, reproduces, notes, site) if reproduces else None,
        "findings": touching(findings, claims=claims, names=[estimate.name]),
        "footnotes": notes.entries(),
        "index_href": site.href("index", ""),
    }


def _axis(model: Model, result: Aggregate) -> str:
    selection = model.selections[result.selection]
    metric = model.label(selection.metric) if selection.metric else "value"
    first = result.selected.points[0].claim if result.selected.points else None
    unit = model.claims[first].unit if first else None
    return f"{metric} ({model.unit_symbol(unit)})" if unit else metric


def _premise(model: Model, claim_iri: str | None,
             result: Aggregate) -> datachart.Premise | None:
    """The premise an estimate over data checks, in the chart's terms."""
    claim = model.claims.get(claim_iri or "")
    if claim is None or claim.value is None or claim.unit is None:
        return None
    try:
        quantity = units.quantity_of(model, claim.unit)
    except DeriveError:
        return None
    factor = float(quantity.to_base_units().magnitude)
    source = model.sources.get(claim.stated_in or "")
    who = citations.short(source) if source else "the source"
    shown = f"{fmt(claim.value)} {model.unit_symbol(claim.unit)}".strip()
    if result.fit is not None:
        year = units.registry().Quantity(1.0, "year")
        if quantity.dimensionality != year.dimensionality:
            return None
        return datachart.Premise(f"{who}: doubling every {shown}",
                                 doubling_years=claim.value * factor)
    return datachart.Premise(f"{who}: {shown}", value=claim.value * factor,
                             year=claim.as_of.decimal_year if claim.as_of else None)


def _caption(model: Model, result: Aggregate) -> str:
    n = len(result.selected.points)
    text = f"{n} rows of the selection “{model.label(result.selection)}”, by date (log scale)"
    if result.fit is not None:
        text += "; the line is the fitted trend, the band the 90% interval of its slope"
    if result.winner:
        text += "; the largest as of the date is marked in red"
    return text + "; the dashed line is the premise the data check, where there is one."
