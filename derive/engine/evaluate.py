"""Evaluating a plan: the exact value from central inputs, Monte Carlo draws
for inputs with bounds (vectorised with numpy: one pass over the DAG computes
every draw), a 90% interval, and a one-at-a-time sensitivity ranking.

A stated range ("9-10 months") is read as the 90% interval of a lognormal
distribution when both ends are positive (a normal one otherwise), as
Guesstimate and Squiggle read "5 to 10". Draws of one claim are shared by every
input that uses it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from derive.engine import methods
from derive.engine.formula import evaluate as evaluate_formula
from derive.engine.formula import numeric_algebra
from derive.engine.plan import Leaf, Plan
from derive.errors import ModelError
from derive.kb.namespaces import local_name

LEVEL = 0.9
_Z95 = 1.6448536269514722  # standard normal quantile at 0.95


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    level: float = LEVEL


@dataclass(frozen=True)
class Sensitivity:
    """How far the result moves when one input goes from its low to its high end."""

    key: str
    at_low: float
    at_high: float

    @property
    def swing(self) -> float:
        return abs(self.at_high - self.at_low)


@dataclass
class Evaluation:
    plan: Plan
    values: dict[str, float]  # every node, in its own unit (leaf unit or step unit)
    intervals: dict[str, Interval] = field(default_factory=dict)  # steps, when sampled
    samples: int = 0
    seed: int | None = None
    sensitivity: list[Sensitivity] = field(default_factory=list)

    @property
    def value(self) -> float:
        return self.values[self.plan.target]

    @property
    def interval(self) -> Interval | None:
        return self.intervals.get(self.plan.target)


def uncertain_leaves(plan: Plan) -> list[Leaf]:
    return [leaf for leaf in plan.leaves.values()
            if leaf.low is not None and leaf.high is not None and leaf.low != leaf.high]


def _run(plan: Plan, base: dict[str, Any]) -> dict[str, Any]:
    """Compute every step in base units; ``base`` holds the leaves."""
    values = dict(base)
    algebra = None
    for step in plan.steps:
        inputs = {role: values[key] for role, key in step.inputs}
        horizons = dict(step.horizons)
        if step.method == "Formula":
            algebra = algebra or numeric_algebra()
            values[step.key] = evaluate_formula(plan.formulas[step.key], inputs, horizons,
                                                algebra)
        else:
            compute = methods.METHODS[step.method].compute
            assert compute is not None
            values[step.key] = compute(inputs, horizons)
    return values


def _central_base(plan: Plan) -> dict[str, float]:
    return {key: leaf.value * leaf.factor for key, leaf in plan.leaves.items()}


def _in_units(plan: Plan, key: str, base_value: Any) -> Any:
    leaf = plan.leaves.get(key)
    if leaf is not None:
        return base_value / leaf.factor
    step = plan.step(key)
    assert step is not None
    return base_value / step.factor


def _draw(leaf: Leaf, size: int, rng: Any) -> Any:
    assert leaf.low is not None and leaf.high is not None
    low, high = sorted((leaf.low, leaf.high))
    if low > 0:
        mu = (math.log(low) + math.log(high)) / 2
        sigma = (math.log(high) - math.log(low)) / (2 * _Z95)
        return np.exp(rng.normal(mu, sigma, size)) * leaf.factor
    mean, sd = (low + high) / 2, (high - low) / (2 * _Z95)
    return rng.normal(mean, sd, size) * leaf.factor


def _central(plan: Plan) -> dict[str, float]:
    """Every node's central value in its own unit; an overflow, a division by
    zero or a result that is not a finite number is an error naming the step."""
    try:
        with np.errstate(all="ignore"):
            central_base = _run(plan, _central_base(plan))
            _check_rates(plan, central_base)
            values = {key: float(_in_units(plan, key, v)) for key, v in central_base.items()}
    except (OverflowError, ZeroDivisionError) as exc:
        what = "it divides by zero" if isinstance(exc, ZeroDivisionError) else "a number overflows"
        raise ModelError(f"estimate {local_name(plan.target)} cannot be computed: {what}; "
                         "check its inputs with --explain or --set") from None
    for step in plan.steps:
        if not math.isfinite(values[step.key]):
            raise ModelError(
                f"estimate {local_name(plan.target)}: step {local_name(step.key)} gives "
                f"{values[step.key]}, not a finite number (an input is too large, or a divisor "
                "is zero); check its inputs with --explain or --set")
    return values


def _check_rates(plan: Plan, central_base: dict[str, Any]) -> None:
    """A compound growth rate of -100 %/yr or less is no growth rate: (1 + rate)
    would be zero or negative, and its powers meaningless (or complex)."""
    for step in plan.steps:
        if step.method != "CompoundGrowth":
            continue
        key = dict(step.inputs)["rate"]
        if not float(np.real(central_base[key])) > -1.0:
            rate = _in_units(plan, key, central_base[key])
            unit = plan.leaves[key].unit_text if key in plan.leaves else ""
            raise ModelError(
                f"estimate {local_name(step.key)}: a growth rate of {float(np.real(rate)):g}"
                f"{' ' + unit if unit else ''} is not above -100% a year, so nothing can grow "
                "or shrink by it; check the rate (--explain, --set)")


def evaluate(plan: Plan, samples: int = 10_000, seed: int = 0) -> Evaluation:
    values = _central(plan)
    evaluation = Evaluation(plan, values)
    uncertain = uncertain_leaves(plan)
    if not uncertain or samples <= 0:
        return evaluation

    rng = np.random.default_rng(seed)
    draws: dict[str, Any] = {}
    by_source: dict[str, Any] = {}
    for leaf in sorted(uncertain, key=lambda item: item.key):
        shared = leaf.source or leaf.key
        if shared not in by_source:
            by_source[shared] = _draw(leaf, samples, rng)
        draws[leaf.key] = by_source[shared]
    base = _central_base(plan)
    base.update(draws)
    with np.errstate(all="ignore"):
        sampled = _run(plan, base)
    for step in plan.steps:
        array = np.broadcast_to(np.asarray(sampled[step.key], dtype=float), (samples,))
        low, high = np.percentile(array / step.factor, [5.0, 95.0])
        # no interval rather than inf, nor for a step no uncertain input reaches
        if math.isfinite(low) and math.isfinite(high) and low != high:
            evaluation.intervals[step.key] = Interval(float(low), float(high))
    for step in plan.steps:  # an estimate over claims keeps its own interval, unsampled
        leaf = plan.leaves.get(step.key + "#data")
        if leaf is not None and leaf.kind == "data" and leaf.low is not None \
                and leaf.high is not None:
            evaluation.intervals[step.key] = Interval(leaf.low, leaf.high)
    evaluation.samples = samples
    evaluation.seed = seed
    evaluation.sensitivity = _tornado(plan, uncertain)
    return evaluation


def _tornado(plan: Plan, uncertain: list[Leaf]) -> list[Sensitivity]:
    ranking = []
    target_step = plan.step(plan.target)
    assert target_step is not None
    for leaf in uncertain:
        ends = []
        for end in (leaf.low, leaf.high):
            assert end is not None
            base = _central_base(plan)
            for other in plan.leaves.values():  # inputs sharing the claim move together
                if (other.source or other.key) == (leaf.source or leaf.key):
                    base[other.key] = end * other.factor
            try:
                with np.errstate(all="ignore"):
                    ends.append(float(_run(plan, base)[plan.target]) / target_step.factor)
            except (OverflowError, ZeroDivisionError):
                ends.append(math.nan)
        if all(math.isfinite(end) for end in ends):  # an end that overflows ranks nothing
            ranking.append(Sensitivity(leaf.key, ends[0], ends[1]))
    return sorted(ranking, key=lambda item: (-item.swing, item.key))
