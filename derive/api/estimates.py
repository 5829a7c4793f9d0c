"""Estimates for front ends: compute and explain one, render it, list what
exists, compute everything for write-back. Nothing here prints."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from derive.api.checked import load_checked
from derive.engine import evaluate as engine
from derive.engine import outcomes, report
from derive.engine.compiled import Compiled, load, plan_with, withheld
from derive.engine.outcomes import DEFAULT_SAMPLES, DEFAULT_SEED, Outcome
from derive.engine.plan import Override, find_estimate, resolve_scenario, suggest
from derive.engine.report import EstimateReport
from derive.errors import ModelError, UnknownName, UsageError
from derive.kb.locate import KnowledgeBase
from derive.kb.model import Model
from derive.kb.namespaces import local_name
from derive.render import estimate as render_estimate
from derive.render import listing as render_listing

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def parse_override(text: str) -> Override:
    """``NAME=VALUE`` or ``NAME=VALUE UNIT`` (e.g. ``china-compute-growth=40 percent/year``)."""
    name, rest = _split_override(text)
    if not rest:
        raise UsageError(f"--set {text!r}: write NAME=VALUE, e.g. --set china-compute-growth=40")
    number, _, unit = rest.partition(" ")
    # A decimal or scientific number as written in the facts (float() would
    # also take "nan", "inf", "1_000" and other scripts' digits).
    if not _NUMBER.fullmatch(number):
        raise UsageError(f"--set {text!r}: {number!r} is not a number; write e.g. 40, "
                         "0.4 or 4e1") from None
    value = float(number)
    if not math.isfinite(value):
        raise UsageError(f"--set {text!r}: {number!r} is too large to compute with")
    return Override(name, value, unit.strip() or None)


def _split_override(text: str) -> tuple[str, str]:
    name, sep, rest = text.partition("=")
    if not sep or not name.strip():
        raise UsageError(f"--set {text!r}: write NAME=VALUE, e.g. --set china-compute-growth=40")
    return name.strip(), rest.strip()


def _overrides(model: Model, given: Sequence[Override | str]) -> list[Override]:
    """The ``--set`` values, their names checked first: an unknown name is
    reported before a malformed value, an unknown estimate or scenario."""
    names = {local_name(iri) for table in (model.estimates, model.claims, model.parameters,
                                           model.assumptions) for iri in table}
    for item in given:
        name = item.name if isinstance(item, Override) else _split_override(item)[0]
        if name not in names:
            raise UnknownName("claim, parameter, assumption or estimate (for --set)",
                              name, suggest(name, sorted(names)))
    return [item if isinstance(item, Override) else parse_override(item) for item in given]


def estimate(kb: KnowledgeBase, name: str, *, scenario: str | None = None,
             samples: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED,
             overrides: Sequence[Override | str] = ()) -> EstimateReport:
    """Compute estimate ``name`` and its citation trail. ``overrides`` are
    ``Override``s or the ``NAME=VALUE [UNIT]`` texts of ``--set``."""
    compiled = load_checked(kb, light=not overrides)
    return estimate_in(compiled, name, scenario=scenario, samples=samples, seed=seed,
                       overrides=overrides)


def estimate_in(compiled: Compiled, name: str, *, scenario: str | None = None,
                samples: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED,
                overrides: Sequence[Override | str] = ()) -> EstimateReport:
    """``estimate`` over a compiled knowledge base already in memory (a server's;
    ``derive.api.checked.load_checked`` gives one that withholds rejected values)."""
    if samples < 0 or seed < 0:
        raise UsageError(f"samples ({samples}) and seed ({seed}) must be 0 or more")
    model = compiled.model
    sets = _overrides(model, overrides)
    iri = find_estimate(model, name)
    chosen = resolve_scenario(model, scenario, iri)
    if sets:
        plan = plan_with(model, iri, chosen, {o.name: o for o in sets})
        blocked = withheld(plan, compiled.rejected)
        if blocked is not None:
            raise ModelError(blocked)
    else:
        plan = compiled.plan(iri, chosen.iri if chosen else None)
    evaluation = engine.evaluate(plan, samples=samples, seed=seed)
    shown = {o.name: f"{o.value:g}" + (f" {o.unit}" if o.unit else "") for o in sets}
    return report.build(model, plan, evaluation, shown)


def all_estimates(kb: KnowledgeBase, samples: int = DEFAULT_SAMPLES,
                  seed: int = DEFAULT_SEED) -> list[Outcome]:
    """Every estimate under every scenario that applies to it (deduplicated)."""
    return outcomes.all_estimates(load_checked(kb), samples, seed)


def find_name(model: Model, name: str) -> str:
    """The IRI of whatever ``name`` is (estimate, claim, source, scenario...)."""
    tables = [model.estimates, model.claims, model.sources, model.scenarios, model.parameters,
              model.assumptions]
    for table in tables:
        for iri in table:
            if local_name(iri) == name or iri == name:
                return iri
    candidates = [local_name(iri) for table in tables for iri in table]
    raise UnknownName("estimate, claim, source or scenario", name, suggest(name, candidates))


def render(report: EstimateReport, fmt: str = "text", *, explain: bool = False) -> str:
    """The report as ``text`` (with the trail when ``explain``), ``md`` or ``json``."""
    if fmt == "json":
        return render_estimate.as_json(report)
    if fmt == "md":
        return render_estimate.markdown(report, explain=True)
    return render_estimate.text(report, explain=explain)


def listing(kb: KnowledgeBase, kind: str | None = None) -> list[str]:
    """One line per estimate, claim, source and scenario (or only ``kind``)."""
    return render_listing.listing(load(kb).model, kind)
