"""An estimate's value over time: the plan re-evaluated with the target date
moved, for the steps whose value depends on it (projections: compound growth,
doubling, formulas using ``years(...)``). Each point carries the central value
and, when inputs have ranges, the 90% interval of the Monte Carlo draws."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from derive.engine.evaluate import evaluate
from derive.engine.plan import Plan, Step

POINTS = 17
SAMPLES = 4_000


@dataclass(frozen=True)
class Point:
    year: float  # decimal year
    value: float
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Projection:
    points: list[Point]
    start_label: str  # the inputs' as-of date, as stored
    end_label: str  # the estimate's target date, as stored
    unit: str


def _moving_steps(plan: Plan) -> list[Step]:
    """Steps with horizons that end on the estimate's own target date."""
    target = plan.step(plan.target)
    if target is None or target.target_date is None:
        return []
    return [step for step in plan.steps if step.horizons and step.target_date is not None
            and step.target_date.decimal_year == target.target_date.decimal_year]


def _shifted(plan: Plan, moving: list[Step], delta: float) -> Plan:
    keys = {step.key for step in moving}
    steps = [
        dataclasses.replace(step, horizons=tuple((role, years + delta)
                                                 for role, years in step.horizons))
        if step.key in keys else step
        for step in plan.steps
    ]
    return dataclasses.replace(plan, steps=steps)


def _start_label(plan: Plan, moving: list[Step], span: float) -> str:
    for step in moving:
        for role, years in step.horizons:
            if years != span:
                continue
            key = dict(step.inputs)[role]
            leaf = plan.leaves.get(key)
            if leaf is not None and leaf.as_of is not None:
                return leaf.as_of.lexical
            source = plan.step(key)
            if source is not None and source.target_date is not None:
                return source.target_date.lexical
    return ""


def project(plan: Plan, seed: int = 0, samples: int = SAMPLES,
            points: int = POINTS) -> Projection | None:
    """The curve from the earliest input date to the target date, or None when
    the estimate does not depend on its target date."""
    moving = _moving_steps(plan)
    target = plan.step(plan.target)
    if not moving or target is None or target.target_date is None:
        return None
    span = max(years for step in moving for _, years in step.horizons)
    if span <= 0:
        return None
    end = target.target_date.decimal_year
    curve = []
    for index in range(points):
        delta = -span + span * index / (points - 1)
        evaluation = evaluate(_shifted(plan, moving, delta), samples=samples, seed=seed)
        interval = evaluation.interval
        curve.append(Point(end + delta, evaluation.value,
                           interval.low if interval else None,
                           interval.high if interval else None))
    return Projection(curve, _start_label(plan, moving, span), target.target_date.lexical,
                      target.unit_text)
