"""Building fact sheets: resolve the names asked for, compute the estimates
under their scenarios, build each sheet's context, render it with the
templates and write it atomically into the output folder (nothing is written
anywhere else)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from derive.engine import evaluate as engine
from derive.engine import report
from derive.engine.compiled import Compiled
from derive.engine.outcomes import DEFAULT_SAMPLES, DEFAULT_SEED, all_estimates
from derive.engine.plan import resolve_scenario, suggest
from derive.errors import DeriveError, UnknownName, UsageError
from derive.kb.cache import ensure_folder, write_output
from derive.kb.locate import KnowledgeBase
from derive.kb.model import Claim, Model
from derive.kb.namespaces import local_name
from derive.render.sheets import entity, estimate, findings, index, source, words
from derive.render.sheets.common import Site, entities_with_claims, page_name
from derive.render.sheets.environment import environment

FORMATS = ("html", "md")
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Sheet:
    kind: str  # "estimate" | "entity" | "source" | "index"
    iri: str
    name: str

    def filename(self, ext: str) -> str:
        return f"index.{ext}" if self.kind == "index" else page_name(self.kind, self.name, ext)


def everything(model: Model, entities: dict[str, list[Claim]]) -> list[Sheet]:
    sheets = [Sheet("estimate", iri, local_name(iri)) for iri in sorted(model.estimates)]
    sheets += [Sheet("entity", iri, local_name(iri)) for iri in sorted(entities)]
    sheets += [Sheet("source", iri, local_name(iri)) for iri in sorted(model.sources)]
    return [*sheets, Sheet("index", "", "index")]


def resolve(model: Model, entities: dict[str, list[Claim]], name: str) -> Sheet:
    """The sheet ``name`` designates: an estimate, an entity or a source."""
    tables = (("estimate", list(model.estimates)), ("entity", list(entities)),
              ("source", list(model.sources)))
    for kind, iris in tables:
        for iri in iris:
            if local_name(iri) == name or iri == name:
                return Sheet(kind, iri, local_name(iri))
    if name == "index":
        return Sheet("index", "", "index")
    candidates = [local_name(iri) for _, iris in tables for iri in iris]
    raise UnknownName("estimate, entity or source", name, suggest(name, candidates))


def compute(compiled: Compiled, scenario: str | None,
            wanted: set[str]) -> dict[str, list[estimate.Computed]]:
    """Each wanted estimate under the scenarios that apply (or the one asked for)."""
    model = compiled.model
    out: dict[str, list[estimate.Computed]] = {iri: [] for iri in wanted}
    if not wanted:
        return out
    if scenario is None:
        for outcome in all_estimates(compiled):
            if outcome.estimate not in wanted:
                continue
            scenario_iri = next((s.iri for s in model.scenarios.values()
                                 if s.name == outcome.scenario), None)
            plan = None
            if outcome.report is not None:
                plan = compiled.plan(outcome.estimate, scenario_iri)
            out[outcome.estimate].append(estimate.Computed(
                outcome.scenario, outcome.report, plan, outcome.error))
        return out
    for iri in sorted(wanted):
        chosen = resolve_scenario(model, scenario, iri)
        name = chosen.name if chosen else None
        try:
            plan = compiled.plan(iri, chosen.iri if chosen else None)
            evaluation = engine.evaluate(plan, samples=DEFAULT_SAMPLES,
                                         seed=DEFAULT_SEED)
            built = report.build(model, plan, evaluation)
        except DeriveError as exc:
            out[iri].append(estimate.Computed(name, error=str(exc)))
            continue
        out[iri].append(estimate.Computed(name, built, plan))
    return out


def _headlines(model: Model, computed: dict[str, list[estimate.Computed]]
               ) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for iri, items in computed.items():
        for item in items:
            scenario = next((s for s in model.scenarios.values() if s.name == item.scenario),
                            None)
            text = None
            if item.report is not None:
                interval = item.report.interval
                text = words.headline(item.report.value, item.report.unit,
                                      interval.low if interval else None,
                                      interval.high if interval else None)
            out.setdefault(iri, []).append({
                "scenario": scenario.label if scenario else item.scenario,
                "headline": text, "error": item.error,
            })
    return out


def check_options(fmt: str, names: list[str] | tuple[str, ...], everything_: bool,
                  templates: Path | None) -> None:
    """Refuse bad options before anything is computed."""
    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}: choose html or md")
    if not names and not everything_:
        raise UsageError("name at least one estimate, entity or source, or pass --all")
    if templates is not None and not templates.is_dir():
        raise UsageError(f"--templates {templates}: not a folder")


def build(kb: KnowledgeBase, compiled: Compiled, out: Path, fmt: str,
          names: list[str] | tuple[str, ...] = (), *, everything_: bool = False,
          templates: Path | None = None, scenario: str | None = None,
          audit_findings: Iterable[Any] | None = None) -> list[Path]:
    """Write the sheets for ``names`` (or every sheet) into ``out``; the paths written.
    Without ``audit_findings`` the sheets say that no audit was run."""
    check_options(fmt, names, everything_, templates)
    model = compiled.model
    if scenario is not None:
        resolve_scenario(model, scenario, next(iter(model.estimates), ""))
    entities = entities_with_claims(model)
    if everything_:
        sheets = everything(model, entities)
    else:
        sheets = list(dict.fromkeys(resolve(model, entities, name) for name in names))
    ensure_folder(out)
    existing = {p.name for p in out.iterdir() if p.suffix == f".{fmt}"}
    site = Site(fmt, existing | {sheet.filename(fmt) for sheet in sheets})
    wanted = {s.iri for s in sheets if s.kind == "estimate"}
    if any(s.kind == "index" for s in sheets):
        wanted = set(model.estimates)
    computed = compute(compiled, scenario, wanted)
    audit = _with_findings(site, audit_findings)
    env = environment(kb, templates)
    written = []
    for sheet in sheets:
        page = _context(model, sheet, computed, entities, site, audit)
        page["scenario_option"] = scenario
        if fmt == "md":
            written += _write_charts(out, page)
        text = _render(env, fmt, sheet, page)
        target = out / sheet.filename(fmt)
        write_output(target, text.encode("utf-8"))
        written.append(target)
    return written


def _with_findings(site: Site, audit_findings: Iterable[Any] | None) -> Any | None:
    """What sheets show of the audit: the findings per page (returned) and each
    claim's attribution outcomes (on ``site``); None without an audit."""
    if audit_findings is None:
        site.attributions = None
        return None
    listed = list(audit_findings)
    site.attributions = findings.attributions(listed)
    return findings.shown(listed)


def _context(model: Model, sheet: Sheet, computed: dict[str, list[estimate.Computed]],
             entities: dict[str, list[Claim]], site: Site,
             audit: Any | None) -> dict[str, Any]:
    if sheet.kind == "estimate":
        page = estimate.context(model, sheet.iri, computed[sheet.iri], site, audit)
    elif sheet.kind == "entity":
        page = entity.context(model, sheet.iri, entities[sheet.iri], site, audit)
    elif sheet.kind == "source":
        page = source.context(model, sheet.iri, site, audit)
    else:
        page = index.context(model, _headlines(model, computed), entities, site)
    page["audit_available"] = audit is not None
    return page


def _render(env: Any, fmt: str, sheet: Sheet, page: dict[str, Any]) -> str:
    text: str = env.get_template(f"{fmt}/{sheet.kind}.{fmt}").render(page=page, format=fmt)
    return _BLANK_LINES.sub("\n\n", text) if fmt == "md" else text


class LiveSite:
    """Every HTML sheet of a knowledge base, rendered on demand by file name
    (for a server): the same contexts and templates as ``build``, with every
    estimate computed once under each scenario that applies."""

    def __init__(self, kb: KnowledgeBase, compiled: Compiled,
                 audit_findings: Iterable[Any] | None = None,
                 templates: Path | None = None) -> None:
        self.model = compiled.model
        self.entities = entities_with_claims(self.model)
        self.sheets = {s.filename("html"): s for s in everything(self.model, self.entities)}
        self.site = Site("html", set(self.sheets))
        self.computed = compute(compiled, None, set(self.model.estimates))
        self.audit = _with_findings(self.site, audit_findings)
        self.env = environment(kb, templates)

    def render(self, filename: str) -> str | None:
        """The page ``filename`` (``index.html``, ``estimate-NAME.html``, ...), or None."""
        sheet = self.sheets.get(filename)
        if sheet is None:
            return None
        page = _context(self.model, sheet, self.computed, self.entities, self.site, self.audit)
        page["scenario_option"] = None
        return _render(self.env, "html", sheet, page)


def _write_charts(out: Path, page: dict[str, Any]) -> list[Path]:
    written = []
    for scenario in page.get("scenarios", []):
        if scenario.get("chart") and scenario.get("chart_file"):
            target = out / scenario["chart_file"]
            write_output(target, (scenario["chart"] + "\n").encode("utf-8"))
            written.append(target)
        for item in scenario.get("data_charts", []):
            if item.get("file"):
                target = out / item["file"]
                write_output(target, (item["svg"] + "\n").encode("utf-8"))
                written.append(target)
    return written
