"""The use cases the command line (and any other front end) calls: load the
compiled knowledge base, compute and explain an estimate, list what exists,
compute everything for write-back. Nothing here prints."""

from __future__ import annotations

from dataclasses import dataclass, field

from derive import cache
from derive.errors import DeriveError, ModelError, UnitMismatch, UnknownName
from derive.kb import KnowledgeBase
from derive.model import Model
from derive.plan import Override, Plan, compile_plan, find_estimate, resolve_scenario
from derive.report import EstimateReport

DEFAULT_SAMPLES = 10_000
DEFAULT_SEED = 0

_ERRORS: dict[str, type[DeriveError]] = {
    "ModelError": ModelError, "UnitMismatch": UnitMismatch, "UnknownName": ModelError,
}


@dataclass
class Compiled:
    """The knowledge base as values, with a plan (or the error it gives) for
    every estimate under every scenario."""

    model: Model
    plans: dict[tuple[str, str | None], Plan | tuple[str, str]] = field(default_factory=dict)

    def plan(self, estimate: str, scenario: str | None) -> Plan:
        found = self.plans.get((estimate, scenario))
        if found is None:
            raise KeyError((estimate, scenario))
        if isinstance(found, tuple):
            kind, message = found
            raise _ERRORS.get(kind, ModelError)(message)
        return found


def compile_kb(kb: KnowledgeBase) -> Compiled:
    """Parse, extract and plan the knowledge base (the cold path)."""
    from derive import extract, store

    model = extract.extract(store.load(kb))
    compiled = Compiled(model)
    scenarios = [None, *model.scenarios.values()]
    for estimate in model.estimates:
        for scenario in scenarios:
            key = (estimate, scenario.iri if scenario else None)
            try:
                compiled.plans[key] = compile_plan(model, estimate, scenario)
            except DeriveError as exc:
                compiled.plans[key] = (type(exc).__name__, str(exc))
    return compiled


def load(kb: KnowledgeBase) -> Compiled:
    """The compiled knowledge base, from the cache when the files have not changed."""
    compiled = cache.read(kb)
    if isinstance(compiled, Compiled):
        return compiled
    compiled = compile_kb(kb)
    cache.write(kb, compiled)
    return compiled


def parse_override(text: str) -> Override:
    """``NAME=VALUE`` or ``NAME=VALUE UNIT`` (e.g. ``china-compute-growth=40 percent/year``)."""
    from derive.errors import UsageError

    name, sep, rest = text.partition("=")
    rest = rest.strip()
    if not sep or not name.strip() or not rest:
        raise UsageError(f"--set {text!r}: write NAME=VALUE, e.g. --set china-compute-growth=40")
    number, _, unit = rest.partition(" ")
    try:
        value = float(number)
    except ValueError:
        raise UsageError(f"--set {text!r}: {number!r} is not a number") from None
    return Override(name.strip(), value, unit.strip() or None)


def estimate(kb: KnowledgeBase, name: str, *, scenario: str | None = None,
             samples: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED,
             overrides: list[Override] | tuple[Override, ...] = ()) -> EstimateReport:
    """Compute estimate ``name`` and its citation trail."""
    from derive import engine, report

    compiled = load(kb)
    model = compiled.model
    iri = find_estimate(model, name)
    chosen = resolve_scenario(model, scenario, iri)
    if overrides:
        plan = compile_plan(model, iri, chosen, {o.name: o for o in overrides})
    else:
        plan = compiled.plan(iri, chosen.iri if chosen else None)
    evaluation = engine.evaluate(plan, samples=samples, seed=seed)
    shown = {o.name: f"{o.value:g}" + (f" {o.unit}" if o.unit else "") for o in overrides}
    return report.build(model, plan, evaluation, shown)


@dataclass
class Outcome:
    """One estimate under one scenario: its report, or why it cannot be computed."""

    estimate: str
    scenario: str | None
    report: EstimateReport | None = None
    error: str | None = None


def all_estimates(kb: KnowledgeBase, samples: int = DEFAULT_SAMPLES,
                  seed: int = DEFAULT_SEED) -> list[Outcome]:
    """Every estimate under every scenario that applies to it (deduplicated)."""
    from derive import engine, report

    compiled = load(kb)
    model = compiled.model
    outcomes = []
    for iri in sorted(model.estimates):
        seen_plans: set[tuple[str, ...]] = set()
        default = model.default_scenario()
        others = sorted((s for s in model.scenarios.values() if s is not default),
                        key=lambda s: s.name)
        for scenario in [default, *others]:
            key = scenario.iri if scenario else None
            name = scenario.name if scenario else None
            try:
                plan = compiled.plan(iri, key)
            except DeriveError as exc:
                if scenario is None or scenario.is_default:
                    outcomes.append(Outcome(iri, name, error=str(exc)))
                continue
            signature = tuple(sorted(f"{k}={leaf.source}" for k, leaf in plan.leaves.items()))
            if signature in seen_plans:
                continue  # the scenario changes nothing this estimate uses
            seen_plans.add(signature)
            evaluation = engine.evaluate(plan, samples=samples, seed=seed)
            outcomes.append(Outcome(iri, name, report=report.build(model, plan, evaluation)))
    return outcomes


def find_name(model: Model, name: str) -> str:
    """The IRI of whatever ``name`` is (estimate, claim, source, scenario...)."""
    from derive.namespaces import local_name
    from derive.plan import suggest

    tables = [model.estimates, model.claims, model.sources, model.scenarios, model.parameters,
              model.assumptions]
    for table in tables:
        for iri in table:
            if local_name(iri) == name or iri == name:
                return iri
    candidates = [local_name(iri) for table in tables for iri in table]
    raise UnknownName("estimate, claim, source or scenario", name, suggest(name, candidates))
