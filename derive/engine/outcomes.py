"""Every estimate under every scenario that applies to it, computed: what
write-back, the query graph and the fact sheets all need."""

from __future__ import annotations

from dataclasses import dataclass, field

from derive.engine import report
from derive.engine.compiled import Compiled
from derive.engine.evaluate import evaluate
from derive.engine.report import EstimateReport
from derive.errors import DeriveError

DEFAULT_SAMPLES = 10_000
DEFAULT_SEED = 0


@dataclass
class Outcome:
    """One estimate under one scenario: its report, or why it cannot be computed."""

    estimate: str
    scenario: str | None
    report: EstimateReport | None = None
    error: str | None = None
    # Other scenarios that change nothing this estimate uses: this outcome is
    # their result too (results under them are not computed again).
    also: list[str | None] = field(default_factory=list)


def all_estimates(compiled: Compiled, samples: int = DEFAULT_SAMPLES,
                  seed: int = DEFAULT_SEED) -> list[Outcome]:
    """Every estimate under every scenario that applies to it (deduplicated)."""
    model = compiled.model
    outcomes = []
    for iri in sorted(model.estimates):
        seen_plans: dict[tuple[str, ...], Outcome] = {}
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
                seen_plans[signature].also.append(name)  # it changes nothing this estimate uses
                continue
            evaluation = evaluate(plan, samples=samples, seed=seed)
            outcome = Outcome(iri, name, report=report.build(model, plan, evaluation))
            seen_plans[signature] = outcome
            outcomes.append(outcome)
    return outcomes
