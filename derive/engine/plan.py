"""What a compiled estimate is: a ``Plan`` of leaves (inputs with plain
numbers, each unit's factor to base units already applied) and steps in
evaluation order, plus the look-ups that name estimates and scenarios. It holds
no pint or networkx object, so it can be cached and evaluated without them;
``compile`` builds it."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from derive.engine.formula import Formula
from derive.engine.summary import Aggregate
from derive.errors import UnknownName
from derive.kb.model import DatedValue, Model, Scenario
from derive.kb.namespaces import short


@dataclass(frozen=True)
class Override:
    """``--set NAME=VALUE [UNIT]``: replaces an input for one run."""

    name: str
    value: float
    unit: str | None = None  # a unit expression, e.g. "percent / year"


@dataclass(frozen=True)
class Leaf:
    """A value that enters the computation: a claim, an assumption or an override."""

    key: str  # IRI used by the estimate's input (claim, assumption, parameter or estimate)
    source: str  # IRI of the claim or assumption that supplies the value ("" for overrides)
    kind: str  # "claim" | "assumption" | "override" | "data" (an estimate over claims)
    value: float  # in ``unit``
    low: float | None
    high: float | None
    unit: str | None  # unit IRI, or None for an override given as an expression
    unit_text: str
    factor: float  # value * factor = base units
    as_of: DatedValue | None
    via: str | None = None  # parameter IRI when reached through a scenario binding


@dataclass(frozen=True)
class Step:
    """One estimate of the plan: its method applied to its inputs."""

    key: str
    method: str
    inputs: tuple[tuple[str, str], ...]  # (role, key of a leaf or step)
    horizons: tuple[tuple[str, float], ...]  # (role, years from its as-of to target date)
    unit: str
    unit_text: str
    factor: float
    target_date: DatedValue | None
    expression: str | None = None


@dataclass
class Plan:
    target: str
    scenario: str | None
    leaves: dict[str, Leaf] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    formulas: dict[str, Formula] = field(default_factory=dict)
    aggregates: dict[str, Aggregate] = field(default_factory=dict)  # estimates over data

    def step(self, key: str) -> Step | None:
        for step in self.steps:
            if step.key == key:
                return step
        return None


def resolve_scenario(model: Model, name: str | None, estimate_iri: str) -> Scenario | None:
    """The scenario to use: ``name``, else the estimate's own, else the default one."""
    if name is not None:
        for scenario in model.scenarios.values():
            if scenario.name == name or scenario.iri == name:
                return scenario
        names = [s.name for s in model.scenarios.values()]
        raise UnknownName("scenario", name, suggest(name, names))
    own = model.estimates[estimate_iri].default_scenario
    if own and own in model.scenarios:
        return model.scenarios[own]
    return model.default_scenario()


def suggest(name: str, candidates: list[str]) -> list[str]:
    close = difflib.get_close_matches(name, candidates, n=3, cutoff=0.5)
    contains = [c for c in candidates if name and name in c and c not in close]
    return (close + contains)[:3]


def find_estimate(model: Model, name: str) -> str:
    for estimate in model.estimates.values():
        if estimate.name == name or estimate.iri == name or short(estimate.iri) == name:
            return estimate.iri
    raise UnknownName("estimate", name, suggest(name, [e.name for e in model.estimates.values()]))
