"""Which claims, estimates and sources an export covers. No name: everything.
A claim brings its sources; an estimate brings the claims it rests on (under
every scenario) and their sources; a source brings the claims quoted from it
or attributed to it (but a bibliography of one source is that source alone)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from derive.engine.plan import suggest
from derive.errors import UnknownName
from derive.kb.model import Model
from derive.kb.namespaces import local_name, short


@dataclass
class Selection:
    claims: set[str] = field(default_factory=set)
    estimates: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    everything: bool = False


def select(model: Model, names: Iterable[str]) -> Selection:
    """The selection for ``names`` (local names, prefixed names or IRIs)."""
    names = list(names)
    if not names:
        return Selection(set(model.claims), set(model.estimates), set(model.sources), True)
    chosen = Selection()
    for name in names:
        iri = _find(model, name)
        if iri in model.claims:
            _add_claim(model, chosen, iri)
        elif iri in model.estimates:
            _add_estimate(model, chosen, iri, set())
        else:
            chosen.sources.add(iri)  # with its claims, but not their other sources
            chosen.claims.update(c.iri for c in model.claims.values()
                                 if c.stated_in == iri or iri in c.cites)
    return chosen


def _find(model: Model, name: str) -> str:
    tables = (model.claims, model.estimates, model.sources)
    for table in tables:
        for iri in table:
            if name in (iri, local_name(iri), short(iri)):
                return iri
    candidates = [local_name(iri) for table in tables for iri in table]
    raise UnknownName("claim, estimate or source", name, suggest(name, candidates))


def _add_claim(model: Model, chosen: Selection, iri: str) -> None:
    chosen.claims.add(iri)
    claim = model.claims[iri]
    chosen.sources.update(s for s in (claim.stated_in, *claim.cites)
                          if s is not None and s in model.sources)


def _add_estimate(model: Model, chosen: Selection, iri: str, seen: set[str]) -> None:
    if iri in seen:
        return
    seen.add(iri)
    chosen.estimates.add(iri)
    for ref in model.estimates[iri].inputs:
        for target in _resolve(model, ref.target):
            if target in model.estimates:
                _add_estimate(model, chosen, target, seen)
            elif target in model.claims:
                _add_claim(model, chosen, target)


def _resolve(model: Model, target: str) -> list[str]:
    """What an input may stand for: a parameter is every claim a scenario binds
    to it; an assumption the claims it was derived from; a claim itself and what
    a scenario puts in its place."""
    if target in model.parameters:
        return [bound for scenario in model.scenarios.values()
                for param, bound in scenario.bindings if param == target]
    if target in model.assumptions:
        return list(model.assumptions[target].derived_from)
    # a claim some scenario replaces (dv:replaces) stands for its replacement there too
    replacements = [bound for scenario in model.scenarios.values()
                    for param, bound in scenario.bindings if param == target]
    return [target, *replacements]
