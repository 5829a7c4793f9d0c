"""Every estimate evaluated under each scenario that changes what it uses,
computed once and shared by the checks that need results."""

from __future__ import annotations

from dataclasses import dataclass

from derive.audit.context import AuditContext
from derive.engine.evaluate import Evaluation, evaluate
from derive.engine.plan import Plan
from derive.errors import DeriveError

SAMPLES = 10_000
SEED = 0


@dataclass(frozen=True)
class Run:
    estimate: str
    scenario: str | None  # scenario IRI
    plan: Plan
    evaluation: Evaluation

    def base(self, key: str) -> float:
        """A node's value in base units (time in years)."""
        value = self.evaluation.values[key]
        leaf = self.plan.leaves.get(key)
        if leaf is not None:
            return value * leaf.factor
        step = self.plan.step(key)
        assert step is not None
        return value * step.factor


def runs(context: AuditContext, estimate: str) -> list[Run]:
    """The distinct computable runs of ``estimate``: its own or the default
    scenario first, then the others by name; scenarios that bind nothing the
    estimate uses give the same plan and are skipped."""
    cache = context.run_cache
    if estimate in cache:
        return cache[estimate]
    model = context.model
    own = model.estimates[estimate].default_scenario
    first = model.scenarios.get(own or "") or model.default_scenario()
    others = sorted((s for s in model.scenarios.values() if s is not first),
                    key=lambda s: s.name)
    found: list[Run] = []
    seen: set[tuple[str, ...]] = set()
    for scenario in [first, *others]:
        key = scenario.iri if scenario else None
        try:
            plan = context.compiled.plan(estimate, key)
        except (DeriveError, KeyError):
            continue
        signature = tuple(sorted(f"{k}={leaf.source}" for k, leaf in plan.leaves.items()))
        if signature in seen:
            continue
        seen.add(signature)
        found.append(Run(estimate, key, plan, evaluate(plan, samples=SAMPLES, seed=SEED)))
    cache[estimate] = found
    return found


def input_claims(run: Run) -> list[str]:
    """The claims (and assumptions) the run's leaves come from."""
    return sorted({leaf.source for leaf in run.plan.leaves.values() if leaf.source})
