"""Estimates over a set of claims: a log-linear trend (OLS or Theil-Sen), the
largest value as of a date, a count or share of claims involving an entity
(optionally among the top N by value), and a sum or share of the sum. Each
gives an ``Aggregate``: the value in the estimate's unit, its 90% interval when
it has one, and what the trail and the sheets show about the rows."""

from __future__ import annotations

import math
from typing import Any

from derive.engine import trends, units
from derive.engine.selection import Involvement, Point, Selected, describe, select
from derive.engine.summary import LOG10_2, TREND_METHODS, Aggregate
from derive.errors import ModelError, UnitMismatch
from derive.kb.model import DatedValue, Estimate, Model
from derive.kb.namespaces import short
from derive.kb.numbers import fmt


class _Units:
    def __init__(self, model: Model) -> None:
        self.model = model
        self.memo: dict[str, Any] = {}

    def quantity(self, unit: str) -> Any:
        if unit not in self.memo:
            try:
                self.memo[unit] = units.quantity_of(self.model, unit)
            except UnitMismatch:
                self.memo[unit] = None
        return self.memo[unit]

    def factor_within(self, dimension: Any) -> Any:
        def factor(unit: str) -> float | None:
            quantity = self.quantity(unit)
            if quantity is None or quantity.dimensionality != dimension:
                return None
            return float(quantity.to_base_units().magnitude)

        return factor


class Prepared:
    """An estimate over claims, checked and ready to be computed on rows."""

    def __init__(self, model: Model, estimate: Estimate) -> None:
        where = f"estimate {estimate.name}"
        if estimate.selection is None:
            raise ModelError(f"{where}: method dv:{estimate.method} needs a dv:selection")
        selection = model.selections.get(estimate.selection)
        if selection is None:
            raise ModelError(f"{where}: dv:selection {short(estimate.selection)} is not "
                             "declared; declare it as a dv:Selection")
        if estimate.inputs:
            raise ModelError(f"{where}: dv:{estimate.method} takes a dv:selection, not dv:input")
        if estimate.unit is None:
            raise ModelError(f"{where} has no dv:unit; declare the unit it is reported in")
        helper = _Units(model)
        declared = helper.quantity(estimate.unit)
        if declared is None:
            raise UnitMismatch(f"{where}: unit {short(estimate.unit)} is not defined")
        self.model = model
        self.estimate = estimate
        self.selection = selection
        self.declared = declared
        self.dimension = _values_dimension(model, selection.metric, helper)
        self.factor_of = helper.factor_within(self.dimension)
        self.involvement = Involvement(model)
        self.unit_factor = float(declared.to_base_units().magnitude)
        self.description = describe(model, selection)

    def select(self, as_of: DatedValue | None) -> Selected:
        return select(self.model, self.selection, self.factor_of, as_of, self.involvement)

    def on(self, selected: Selected, estimate: Estimate | None = None) -> Aggregate:
        """The estimate computed on ``selected`` (``estimate`` may differ from the
        declared one in its date only)."""
        context = (self.model, estimate or self.estimate, selected, self.declared,
                   self.dimension, self.unit_factor, self.involvement, self.description)
        method = self.estimate.method
        if method in TREND_METHODS:
            return _trend(*context)
        if method == "LargestValue":
            return _largest(*context)
        if method == "CountShare":
            return _count(*context)
        return _sum(*context)


def compute(model: Model, estimate: Estimate) -> Aggregate:
    """The aggregate ``estimate`` declares, from the claims of its selection
    dated up to the end of its dv:targetDate."""
    prepared = Prepared(model, estimate)
    return prepared.on(prepared.select(estimate.target_date))


def _values_dimension(model: Model, metric: str | None, helper: _Units) -> Any:
    """The dimension of the selection's values: that of the metric's claims (the
    most common one, so that one stray unit does not change it)."""
    counts: dict[Any, int] = {}
    for claim in model.claims.values():
        if claim.metric == metric and claim.unit and claim.value is not None:
            quantity = helper.quantity(claim.unit)
            if quantity is not None:
                key = quantity.dimensionality
                counts[key] = counts.get(key, 0) + 1
    if not counts:
        return units.registry().Quantity(1.0).dimensionality
    return max(counts.items(), key=lambda item: (item[1], str(item[0])))[0]


def _dates(selected: Selected) -> str:
    if not selected.points:
        return "no rows"
    return f"{selected.points[0].date} to {selected.points[-1].date}"


def _trend(model: Model, estimate: Estimate, selected: Selected, declared: Any,
           dimension: Any, unit_factor: float, involvement: Involvement,
           description: str) -> Aggregate:
    where = f"estimate {estimate.name}"
    year = units.registry().Quantity(1.0, "year")
    doubling = declared.dimensionality == year.dimensionality
    if not doubling and declared.dimensionality != (1 / year).dimensionality:
        raise UnitMismatch(
            f"{where}: a trend is reported as a doubling time (a duration, like unit:MO) or "
            f"as growth per year (like unit:PERCENT-PER-YR), not in {short(estimate.unit or '')}"
        )
    positive = [p for p in selected.points if p.value > 0]
    dropped = len(selected.points) - len(positive)
    try:
        fit = trends.fit([p.x for p in positive], [p.value for p in positive],
                         TREND_METHODS[estimate.method])
    except ModelError as exc:
        raise ModelError(f"{where}: {exc}") from None
    if doubling:
        if fit.slope <= 0:
            raise ModelError(
                f"{where}: the fitted trend does not grow (slope {fmt(fit.slope)} orders of "
                "magnitude a year), so it has no doubling time; report growth per year instead"
            )
        value = fit.doubling_years
        low = LOG10_2 / fit.slope_high
        high = LOG10_2 / fit.slope_low if fit.slope_low > 0 else math.inf
        what = "doubling time"
    else:
        value = fit.growth_per_year
        low, high = 10**fit.slope_low - 1, 10**fit.slope_high - 1
        what = "growth per year"
    shown = value / unit_factor
    unit = model.unit_symbol(estimate.unit)
    name = "OLS" if fit.method == "ols" else "Theil-Sen"
    summary = (f"{name} fit of log10 values on {fit.n} rows ({_dates(selected)}): "
               f"{fmt(fit.slope)} orders of magnitude a year (90% {fmt(fit.slope_low)} to "
               f"{fmt(fit.slope_high)}), R² {fit.r2:.2f}; {what} = {fmt(shown)} {unit}")
    details = [f"growth {fmt(fit.growth_per_year * 100)}% a year, doubling every "
               f"{fmt(fit.doubling_years * 12)} months" if fit.slope > 0 else
               f"growth {fmt(fit.growth_per_year * 100)}% a year"]
    if dropped:
        details.append(f"{dropped} rows with a value of zero or less left out of the log fit")
    return Aggregate(
        estimate.iri, estimate.method, selected.selection, description, shown,
        low / unit_factor, (high / unit_factor) if math.isfinite(high) else None,
        unit_factor, summary, selected, fit=fit, details=tuple(details),
    )


def _largest(model: Model, estimate: Estimate, selected: Selected, declared: Any,
             dimension: Any, unit_factor: float, involvement: Involvement,
             description: str) -> Aggregate:
    where = f"estimate {estimate.name}"
    if declared.dimensionality != dimension:
        raise UnitMismatch(f"{where}: the selected values cannot be expressed in its dv:unit "
                           f"{short(estimate.unit or '')}")
    if not selected.points:
        raise ModelError(f"{where}: its selection has no rows"
                         + (f" up to {estimate.target_date.lexical}"
                            if estimate.target_date else ""))
    best = max(selected.points, key=lambda p: (p.value, -p.x, p.claim))
    shown = best.value / unit_factor
    claim = model.claims[best.claim]
    as_of = f" as of {estimate.target_date.lexical}" if estimate.target_date else ""
    summary = (f"largest of {len(selected.points)} rows{as_of}: {claim.label} "
               f"({best.date}) = {fmt(shown)} {model.unit_symbol(estimate.unit)}")
    return Aggregate(estimate.iri, estimate.method, selected.selection, description, shown,
                     None, None, unit_factor, summary, selected, winner=best.claim)


def _ranked(selected: Selected, top: int | None) -> list[Point]:
    ranked = sorted(selected.points, key=lambda p: (-p.value, p.x, p.claim))
    return ranked[:top] if top is not None else ranked


def _count(model: Model, estimate: Estimate, selected: Selected, declared: Any,
           dimension: Any, unit_factor: float, involvement: Involvement,
           description: str) -> Aggregate:
    where = f"estimate {estimate.name}"
    if estimate.condition is None:
        raise ModelError(f"{where}: dv:CountShare needs dv:involving (the entity to count)")
    if not declared.dimensionless:
        raise UnitMismatch(f"{where}: a count or share is dimensionless; use unit:NUM for a "
                           "count or unit:PERCENT for a share")
    pool = _ranked(selected, estimate.top)
    matched = [p for p in pool if involvement.involves(model.claims[p.claim],
                                                      (estimate.condition,))]
    share = unit_factor != 1.0
    count, total = len(matched), len(pool)
    if share and total == 0:
        raise ModelError(f"{where}: its selection has no rows, so there is no share")
    value = count / total if share else float(count)
    among = f"the {total} largest by value" if estimate.top is not None else f"{total} rows"
    as_of = f" as of {estimate.target_date.lexical}" if estimate.target_date else ""
    summary = (f"{count} of {among}{as_of} involve {model.label(estimate.condition)}"
               + (f" = {fmt(100 * value)}%" if share else ""))
    if estimate.top is not None and total < estimate.top:
        summary += f" (only {total} rows are dated by then)"
    return Aggregate(estimate.iri, estimate.method, selected.selection, description,
                     value / unit_factor, None, None, unit_factor, summary, selected,
                     pool=tuple(p.claim for p in pool),
                     matched=tuple(p.claim for p in matched))


def _sum(model: Model, estimate: Estimate, selected: Selected, declared: Any,
         dimension: Any, unit_factor: float, involvement: Involvement,
         description: str) -> Aggregate:
    where = f"estimate {estimate.name}"
    share = bool(declared.dimensionless) and not _dimensionless(dimension)
    if not share and declared.dimensionality != dimension:
        raise UnitMismatch(f"{where}: a sum is in the unit of its values, a share of the sum "
                           f"in unit:PERCENT, not {short(estimate.unit or '')}")
    pool = _ranked(selected, estimate.top)
    total = sum(p.value for p in pool)
    condition = estimate.condition
    matched = [p for p in pool if condition is None
               or involvement.involves(model.claims[p.claim], (condition,))]
    part = sum(p.value for p in matched)
    if share:
        if condition is None:
            raise ModelError(f"{where}: a share of the sum needs dv:involving")
        if total == 0:
            raise ModelError(f"{where}: its selection sums to zero, so there is no share")
        value = part / total
    else:
        value = part
    groups: dict[str, float] = {}
    for point in pool:
        for about in model.claims[point.claim].about:
            groups[about] = groups.get(about, 0.0) + point.value
    ordered = tuple(sorted(groups.items(), key=lambda item: (-item[1], item[0])))
    symbol = model.unit_symbol(estimate.unit)
    who = model.label(condition) if condition else "all"
    summary = (f"{who}: {fmt(part)} of {fmt(total)} summed over {len(pool)} rows"
               + (f" = {fmt(100 * value)}%" if share else f" = {fmt(value / unit_factor)} "
                  f"{symbol}"))
    return Aggregate(estimate.iri, estimate.method, selected.selection, description,
                     value / unit_factor, None, None, unit_factor, summary, selected,
                     pool=tuple(p.claim for p in pool),
                     matched=tuple(p.claim for p in matched), groups=ordered)


def _dimensionless(dimension: Any) -> bool:
    return not dict(dimension)
