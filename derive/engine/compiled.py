"""The compiled knowledge base: the ``Model`` with a plan (or the error it
gives) for every estimate under every scenario, cached in the user's cache
folder. This is the cache boundary: a hit unpickles plain data and imports
neither rdflib, pint nor networkx; only a miss imports the parser and the
compiler, inside ``compile_kb``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from derive.engine.plan import Override, Plan
from derive.engine.summary import METHODS as AGGREGATE_METHODS
from derive.errors import DeriveError, ModelError, UnitMismatch
from derive.kb import cache
from derive.kb.locate import KnowledgeBase
from derive.kb.model import Model, Scenario
from derive.kb.namespaces import local_name, short

if TYPE_CHECKING:
    from derive.kb.fragments import Sliced
    from derive.kb.store import LoadedGraph

_ERRORS: dict[str, type[DeriveError]] = {
    "ModelError": ModelError, "UnitMismatch": UnitMismatch, "UnknownName": ModelError,
}


@dataclass
class Compiled:
    """The knowledge base as values, with a plan (or the error it gives) for
    every estimate under every scenario."""

    model: Model
    plans: dict[tuple[str, str | None], Plan | tuple[str, str]] = field(default_factory=dict)
    rejected: dict[str, str] = field(default_factory=dict)  # see ``withhold``

    def for_estimates(self) -> Compiled:
        """The same plans over a model that keeps, of the claims and sources,
        only those a plan's trail shows (its leaves, the claims an assumption
        was derived from, the rows of an estimate over data, and their
        sources): all an estimate's report reads."""
        model = self.model
        claims: set[str] = set()
        for plan in self.plans.values():
            if isinstance(plan, tuple):
                continue
            for leaf in plan.leaves.values():
                claims.add(leaf.source)
                if leaf.source in model.assumptions:
                    claims.update(model.assumptions[leaf.source].derived_from)
            for aggregate in plan.aggregates.values():  # estimates over data show their rows
                selected = aggregate.selected
                claims.update(point.claim for point in selected.points)
                claims.update(claim for claim, _why in selected.skipped)
                claims.update(iri for pair in selected.duplicates for iri in pair)
                claims.update((*aggregate.pool, *aggregate.matched))
                if aggregate.winner:
                    claims.add(aggregate.winner)
        kept = {iri: model.claims[iri] for iri in sorted(claims) if iri in model.claims}
        sources = {s for claim in kept.values() for s in (claim.stated_in, *claim.cites) if s}
        trimmed = replace(model, claims=kept, sources={
            iri: source for iri, source in model.sources.items() if iri in sources})
        return Compiled(trimmed, self.plans)

    def plan(self, estimate: str, scenario: str | None) -> Plan:
        found = self.plans.get((estimate, scenario))
        if found is None:
            raise KeyError((estimate, scenario))
        if isinstance(found, tuple):
            kind, message = found
            raise _ERRORS.get(kind, ModelError)(message)
        return found

    def withhold(self, rejected: dict[str, str]) -> None:
        """Replace every plan that uses a claim, assumption, parameter or
        estimate in ``rejected`` (prefixed name -> the line validation gives)
        by the error that says so: an estimate never runs on a value that
        validation rejects."""
        self.rejected = dict(rejected)
        for iri, claim in list(self.model.claims.items()):
            if short(iri) in rejected and claim.value is not None:
                # shown and checked (audit, sheets) without the figure validation rejects
                self.model.claims[iri] = replace(claim, value=None, low=None, high=None)
        for key, found in self.plans.items():
            if isinstance(found, Plan):
                blocked = withheld(found, rejected)
                if blocked is not None:
                    self.plans[key] = ("ModelError", blocked)


def withheld(plan: Plan, rejected: dict[str, str]) -> str | None:
    """Why ``plan`` may not run, if it uses anything in ``rejected``."""
    used = [plan.target, *(step.key for step in plan.steps)]
    for leaf in plan.leaves.values():
        used += [leaf.key, leaf.source, leaf.via or ""]
    for iri in used:
        line = rejected.get(short(iri)) if iri else None
        if line is not None:
            return (f"estimate {local_name(plan.target)} uses {short(iri)}, which derive "
                    f"validate rejects ({line}); fix it first")
    return None


def compile_kb(kb: KnowledgeBase, loaded: LoadedGraph | None = None,
               parse: Callable[[], LoadedGraph] | None = None,
               slices: Callable[[], Sliced | None] | None = None) -> Compiled:
    """Parse (unless ``loaded`` or ``parse`` gives the parsed files, or
    ``slices`` the files' fragments), extract and plan the knowledge base
    (the cold path)."""
    from derive.engine.compile import compile_plan  # the cache boundary: a miss only
    from derive.kb import extract, store

    sliced = slices() if slices is not None and loaded is None else None
    if sliced is not None and not sliced.extracted:
        sliced = None  # extraction refuses a value: read whole, it stops with the error
    model = (sliced.model() if sliced is not None else
             extract.extract(loaded or (parse() if parse else store.load_index(kb))))
    compiled = Compiled(model)
    scenarios = [None, *model.scenarios.values()]
    results = aggregates(model)  # estimates over claims: computed once, shared by plans
    for estimate in model.estimates:
        for scenario in scenarios:
            key = (estimate, scenario.iri if scenario else None)
            try:
                compiled.plans[key] = compile_plan(model, estimate, scenario,
                                                   aggregates=results)
            except DeriveError as exc:
                compiled.plans[key] = (type(exc).__name__, str(exc))
    return compiled


def aggregates(model: Model) -> dict[str, Any]:
    """The result (or the error) of every estimate over a set of claims."""
    if not any(e.method in AGGREGATE_METHODS for e in model.estimates.values()):
        return {}
    # the cache boundary: scipy (and pint) only when the knowledge base has such estimates
    from derive.engine import aggregate

    out: dict[str, Any] = {}
    for estimate in model.estimates.values():
        if estimate.method in AGGREGATE_METHODS:
            try:
                out[estimate.iri] = aggregate.compute(model, estimate)
            except DeriveError as exc:
                out[estimate.iri] = exc
    return out


def load(kb: KnowledgeBase, loaded: LoadedGraph | None = None,
         parse: Callable[[], LoadedGraph] | None = None,
         slices: Callable[[], Sliced | None] | None = None) -> Compiled:
    """The compiled knowledge base, from the cache when the files have not changed
    (else compiled from ``loaded``, when the caller has parsed the files already,
    from ``slices()``, the files' fragments, when there are, or from ``parse()``,
    when it shares one parse with validation)."""
    compiled = cache.read(kb)
    if isinstance(compiled, Compiled):
        return compiled
    compiled = compile_kb(kb, loaded, parse, slices)
    cache.write(kb, compiled)
    return compiled




def load_for_estimates(kb: KnowledgeBase,
                       parse: Callable[[], LoadedGraph] | None = None,
                       slices: Callable[[], Sliced | None] | None = None) -> Compiled:
    """The compiled knowledge base trimmed to what computing and explaining a
    planned estimate reads (see ``Compiled.for_estimates``), cached apart: on
    100,000 claims the whole model takes longer to unpickle than an estimate
    may take."""
    light = cache.read(kb, "compiled-estimates")
    if isinstance(light, Compiled):
        return light
    light = load(kb, parse=parse, slices=slices).for_estimates()
    cache.write(kb, light, "compiled-estimates")
    return light


def is_cached(kb: KnowledgeBase, *, light: bool = False) -> bool:
    """Whether ``load`` (or, with ``light``, ``load_for_estimates``) would answer
    from the cache without compiling."""
    return cache.is_fresh(kb, "compiled-estimates" if light else "compiled") or (
        light and cache.is_fresh(kb))


def plan_with(model: Model, estimate_iri: str, scenario: Scenario | None,
              overrides: dict[str, Override]) -> Plan:
    """A plan for values set by the user (``--set``): not cached, so compiled now."""
    from derive.engine.compile import compile_plan  # the cache boundary: pint only when needed

    return compile_plan(model, estimate_iri, scenario, overrides, aggregates(model))
