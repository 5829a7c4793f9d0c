"""What an estimate over a set of claims gives: the fit of a trend and the
``Aggregate`` a plan carries (plain data, cached with the plan: nothing here
imports numpy, scipy or pint, so a warm command stays fast)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from derive.engine.selection import Point, Selected

LOG10_2 = math.log10(2.0)
TREND_METHODS = {"LogLinearTrend": "ols", "TheilSenTrend": "theil-sen"}
METHODS = (*TREND_METHODS, "LargestValue", "CountShare", "SumShare")  # over sets of claims


@dataclass(frozen=True)
class Fit:
    """log10(value) = intercept + slope × (year − x_mean)."""

    method: str  # "ols" | "theil-sen"
    n: int
    slope: float  # orders of magnitude per year
    slope_low: float
    slope_high: float
    intercept: float  # log10 of the fitted value at x_mean
    x_mean: float
    r2: float
    x_min: float
    x_max: float
    level: float = 0.9

    def log10_at(self, year: float) -> float:
        return self.intercept + self.slope * (year - self.x_mean)

    @property
    def growth_per_year(self) -> float:
        """The factor the value grows by in a year, minus one (1.0 = +100%/yr)."""
        return float(10.0**self.slope - 1.0)

    @property
    def doubling_years(self) -> float:
        return LOG10_2 / self.slope if self.slope > 0 else math.inf



@dataclass(frozen=True)
class Aggregate:
    estimate: str
    method: str
    selection: str
    description: str  # the selection in words
    value: float  # in the estimate's unit
    low: float | None
    high: float | None
    unit_factor: float
    summary: str  # the computation, in words and numbers
    selected: Selected
    fit: Fit | None = None
    winner: str | None = None  # LargestValue: the claim
    pool: tuple[str, ...] = ()  # CountShare/SumShare: the claims counted
    matched: tuple[str, ...] = ()  # ... and those involving the condition
    details: tuple[str, ...] = ()  # extra lines for the trail
    groups: tuple[tuple[str, float], ...] = field(default=())  # SumShare: entity, sum

    @property
    def n(self) -> int:
        return len(self.selected.points)

    def extremes(self) -> list[tuple[str, Point]]:
        """(role, point): the earliest, latest, smallest and largest rows, one
        entry per row ("earliest and smallest" when one row is both)."""
        points = self.selected.points
        if not points:
            return []
        picks = [("earliest", points[0]), ("latest", points[-1]),
                 ("smallest", min(points, key=lambda p: (p.value, p.claim))),
                 ("largest", max(points, key=lambda p: (p.value, p.claim)))]
        roles: dict[str, list[str]] = {}
        chosen: dict[str, Point] = {}
        for role, point in picks:
            roles.setdefault(point.claim, []).append(role)
            chosen[point.claim] = point
        return [(" and ".join(names), chosen[claim]) for claim, names in roles.items()]
