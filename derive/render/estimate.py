"""Rendering an ``EstimateReport``: plain text (a tree), Markdown and JSON.
Pure formatting; the numbers come from the report."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from derive.engine.report import EstimateReport, TrailNode
from derive.engine.summary import METHODS as AGGREGATES
from derive.kb import citations
from derive.kb.model import Source
from derive.kb.numbers import fmt, stated


def _value(value: float, unit: str, precise: bool = False) -> str:
    number = stated(value) if precise else fmt(value)
    if not unit:
        return number
    return f"{number}{unit}" if unit == "%" else f"{number} {unit}"


def headline(report: EstimateReport) -> str:
    text = f"{report.label} = {_value(report.value, report.unit)}"
    if report.interval is not None:
        text += (f" (90% interval {_value(report.interval.low, report.unit)} – "
                 f"{_value(report.interval.high, report.unit)})")
    return text


def _context(report: EstimateReport) -> list[str]:
    lines = [f"estimate: {report.name}"]
    if report.scenario is not None:
        lines.append(f"scenario: {report.scenario.name} ({report.scenario.label})")
    if report.target_date:
        lines.append(f"for: {report.target_date}")
    if report.interval is not None and report.method in AGGREGATES:
        lines.append("interval: the fit's 90% interval" if "Trend" in report.method
                     else "interval: none of its own")
    elif report.interval is not None:
        lines.append(f"sampling: {report.samples:,} draws, seed {report.seed}; stated ranges "
                     "read as 90% intervals")
    for name, value in report.overrides.items():
        lines.append(f"override: {name} = {value} (--set)")
    return lines


def _source_ref(report: EstimateReport, source: Source) -> str:
    return report.source_ref(source)


@dataclass(frozen=True)
class _Style:
    """How one output format marks up the parts of a trail node."""

    name: Callable[[str], str]
    value: Callable[[str], str]
    role: Callable[[str], str]
    quote: Callable[[str], str]
    code: Callable[[str], str]
    method_sep: str
    interval: Callable[[str], str]


_TEXT = _Style(name=str, value=str, role=str, quote=lambda q: f"“{q}”", code=str,
               method_sep=": ", interval=lambda i: f"  [90%: {i}]")
_MD = _Style(name=lambda n: f"`{n}`", value=lambda v: f"**{v}**", role=lambda r: f"**{r}**",
             quote=lambda q: f"> “{_md_escape(q)}”", code=lambda c: f"`{c}`", method_sep=", ",
             interval=lambda i: f" (90%: {i})")


def _describe(report: EstimateReport, node: TrailNode, style: _Style) -> tuple[str, list[str]]:
    """A node's head line and its detail lines, marked up in ``style``."""
    role = f"{style.role(node.role)}: " if node.role else ""
    details: list[str] = []
    if node.kind == "estimate":
        kind = "estimate " if style is _MD else ""
        head = f"{role}{kind}{style.name(node.name)} = {style.value(_value(node.value, node.unit))}"
        if node.interval is not None and node.interval.low != node.interval.high:
            head += style.interval(f"{_value(node.interval.low, node.unit)} – "
                                   f"{_value(node.interval.high, node.unit)}")
        formula = style.code(node.formula or "")
        details.append(f"method: {node.method_label}{style.method_sep}{formula}")
        if node.horizon:
            details.append(f"horizon: {node.horizon}")
        details.append(f"computed: {style.code(node.computation or '')}")
        return head, details
    if node.kind == "data":
        head = f"{role}selection {style.name(node.name)}: {node.label}"
        details = list(node.details)
        if node.stated_in is not None:
            sources = [node.stated_in, *node.cites]
            details.append("rows quoted from " + ", ".join(
                _source_ref(report, s) + (f" ({s.license})" if s.license else "")
                for s in sources))
        for row in node.rows[: node.shown_rows]:
            mark = "✓" if row.marked else "·"
            where = f", {row.locator}" if row.locator else ""
            ref = f"; {row.reference}" if row.reference else ""
            details.append(f"{mark} {row.label} ({row.date}) = "
                           f"{_value(row.value, row.unit, True)}{where}{ref}")
        return head, details
    via = f" (parameter {style.name(node.via_parameter)})" if node.via_parameter else ""
    kind = {"claim": "claim", "assumption": "assumption", "override": "set"}[node.kind]
    head = (f"{role}{kind} {style.name(node.name)}{via} = "
            f"{style.value(_value(node.value, node.unit, True))}")
    if node.low is not None and node.high is not None:
        head += f" (range {stated(node.low)}–{stated(node.high)})"
    if node.as_of:
        head += f", as of {node.as_of}"
    if node.quote:
        details.append(style.quote(node.quote))
    if node.locator:
        details.append(f"at: {node.locator}")
    if node.stated_in is not None:
        where = f"stated in {_source_ref(report, node.stated_in)}"
        if node.cites:
            where += "; attributed to " + ", ".join(_source_ref(report, s) for s in node.cites)
        details.append(where)
    if node.verification and node.verification != "VerifiedVerbatim":
        details.append(f"verification: {node.verification}")
    if node.kind == "assumption" and node.comment:
        details.append(f"rationale: {node.comment}")
    return head, details


def _node_lines(report: EstimateReport, node: TrailNode, prefix: str, last: bool,
                top: bool) -> list[str]:
    """The trail as a text tree."""
    branch = "" if top else ("└─ " if last else "├─ ")
    pad = prefix + ("" if top else ("   " if last else "│  "))
    head, details = _describe(report, node, _TEXT)
    lines = [prefix + branch + head] + [f"{pad}   {detail}" for detail in details]
    for index, child in enumerate(node.inputs):
        lines += _node_lines(report, child, pad, index == len(node.inputs) - 1, False)
    return lines


def text(report: EstimateReport, explain: bool = False) -> str:
    lines = [headline(report)]
    if not explain:
        return "\n".join(lines) + "\n"
    lines += ["", *_context(report), "", "Derivation"]
    lines += _node_lines(report, report.trail, "", True, True)
    if report.drivers:
        lines += ["", "What drives the spread (result at each end of an input's range)"]
        for driver in report.drivers:
            lines.append(
                f"  {driver.name}: {driver.input_low} → {_value(driver.at_low, report.unit)}, "
                f"{driver.input_high} → {_value(driver.at_high, report.unit)} "
                f"({driver.share:.0%} of the total swing)"
            )
    lines += ["", "Citations"]
    for source in report.citations:
        lines.append(f"  {report.citation_key(source)} {citations.full(source)}")
    return "\n".join(lines) + "\n"


def _md_node(report: EstimateReport, node: TrailNode, depth: int) -> list[str]:
    """The trail as nested Markdown lists."""
    indent = "  " * depth
    head, details = _describe(report, node, _MD)
    lines = [f"{indent}- {head}"]
    for detail in details:
        lines.append(f"{indent}  {detail}" if detail.startswith(">") else f"{indent}  - {detail}")
    for child in node.inputs:
        lines += _md_node(report, child, depth + 1)
    return lines


def _md_escape(value: str) -> str:
    for char in "\\`*_[]<>|$":
        value = value.replace(char, "\\" + char)
    return value


def markdown(report: EstimateReport, explain: bool = True) -> str:
    lines = [f"# {report.label}", "", f"**{headline(report)}**", ""]
    lines += [f"- {line}" for line in _context(report)]
    if explain:
        lines += ["", "## Derivation", ""]
        lines += _md_node(report, report.trail, 0)
        if report.drivers:
            lines += ["", "## What drives the spread", "",
                      "| input | low end | result | high end | result | share of swing |",
                      "|---|---|---|---|---|---|"]
            for d in report.drivers:
                lines.append(f"| `{d.name}` | {d.input_low} | {_value(d.at_low, report.unit)} | "
                             f"{d.input_high} | {_value(d.at_high, report.unit)} | "
                             f"{d.share:.0%} |")
        lines += ["", "## Citations", ""]
        for source in report.citations:
            lines.append(f"- {_md_escape(report.citation_key(source))} "
                         f"{_md_escape(citations.full(source))}")
    return "\n".join(lines) + "\n"


def _source_json(source: Source) -> dict[str, Any]:
    return {
        "id": source.name, "iri": source.iri, "title": source.title,
        "authors": source.author_list or ", ".join(source.authors),
        "year": int(source.year) if source.year and source.year.isdigit() else None,
        "issued": source.issued, "url": source.url, "accessed": source.accessed,
        "venue": source.venue or source.publisher, "label": source.citation_label,
    }


def _node_json(node: TrailNode) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": node.name, "iri": node.key, "kind": node.kind, "role": node.role,
        "label": node.label, "value": node.value, "unit": node.unit,
    }
    if node.kind == "estimate":
        data.update({
            "method": node.method, "formula": node.formula, "computation": node.computation,
            "horizon": node.horizon,
            "interval": None if node.interval is None else {
                "low": node.interval.low, "high": node.interval.high,
                "level": node.interval.level},
        })
    elif node.kind == "data":
        data.update({
            "details": node.details,
            "stated_in": None if node.stated_in is None else _source_json(node.stated_in),
            "sources": [_source_json(s) for s in node.cites],
            "rows": [{"id": r.name, "label": r.label, "date": r.date, "value": r.value,
                      "unit": r.unit, "locator": r.locator, "reference": r.reference,
                      "marked": r.marked} for r in node.rows],
        })
        if node.data is not None and node.data.fit is not None:
            fit = node.data.fit
            data["fit"] = {"method": fit.method, "n": fit.n, "slope_log10_per_year": fit.slope,
                           "slope_interval": [fit.slope_low, fit.slope_high],
                           "r2": fit.r2, "window": [fit.x_min, fit.x_max],
                           "growth_per_year": fit.growth_per_year,
                           "doubling_months": fit.doubling_years * 12, "level": fit.level}
    else:
        data.update({
            "low": node.low, "high": node.high, "as_of": node.as_of, "quote": node.quote,
            "locator": node.locator, "via_parameter": node.via_parameter,
            "verification": node.verification,
            "stated_in": None if node.stated_in is None else _source_json(node.stated_in),
            "sources": [_source_json(s) for s in node.cites],
            "citation_label": node.citation_label,
        })
    data["inputs"] = [_node_json(child) for child in node.inputs]
    return data


def as_dict(report: EstimateReport) -> dict[str, Any]:
    return {
        "estimate": report.name, "iri": report.iri, "label": report.label,
        "value": report.value, "unit": report.unit, "unit_iri": report.unit_iri,
        "interval": None if report.interval is None else {
            "low": report.interval.low, "high": report.interval.high,
            "level": report.interval.level},
        "method": report.method,
        "scenario": None if report.scenario is None else report.scenario.name,
        "target_date": report.target_date,
        "samples": report.samples, "seed": report.seed, "overrides": report.overrides,
        "inputs": [_node_json(child) for child in report.trail.inputs],
        "computation": report.trail.computation,
        "sensitivity": [{"input": d.name, "low": d.input_low, "high": d.input_high,
                         "result_at_low": d.at_low, "result_at_high": d.at_high,
                         "share": d.share} for d in report.drivers],
        "citations": [_source_json(s) for s in report.citations],
    }


def as_json(report: EstimateReport) -> str:
    return json.dumps(as_dict(report), indent=2, ensure_ascii=False) + "\n"
