"""The derivation methods. Each knows its roles, the unit of its result
(checked with pint quantities at compile time) and how to compute in base
units (time in years) over floats or numpy arrays, so one evaluation serves
both the exact value and every Monte Carlo draw at once."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from derive.errors import ModelError, UnitMismatch

Values = Mapping[str, Any]
Horizons = Mapping[str, float]


@dataclass(frozen=True)
class Method:
    name: str
    label: str
    roles: tuple[str, ...] | None  # None: any number (at least one) of roles
    symbolic: str  # how the trail shows it
    dated_roles: tuple[str, ...] = ()  # roles whose as-of date starts a horizon
    compute: Callable[[Values, Horizons], Any] | None = None
    unit: Callable[[Values, Horizons], Any] | None = None


def _product(values: Values) -> Any:
    result: Any = 1.0
    for key in sorted(values):
        result = result * values[key]
    return result


def _sum(values: Values) -> Any:
    keys = sorted(values)
    result = values[keys[0]]
    for key in keys[1:]:
        result = result + values[key]
    return result


def _growth_unit(v: Values, h: Horizons) -> Any:
    rate = v["rate"]
    per_year = rate * rate._REGISTRY.Quantity(1, "year")
    if not per_year.dimensionless:
        raise UnitMismatch(
            f"role 'rate' must be a rate per unit of time (like %/yr), not {rate.units:~}"
        )
    return v["base"]


def _doubling_unit(v: Values, h: Horizons) -> Any:
    time = v["doublingTime"]
    if time.dimensionality != time._REGISTRY.Quantity(1, "year").dimensionality:
        raise UnitMismatch(
            f"role 'doublingTime' must be a duration (like months), not {time.units:~}"
        )
    return v["base"]


def _dimensionless(name: str, quantity: Any) -> None:
    if not quantity.dimensionless:
        raise UnitMismatch(f"role {name!r} must be dimensionless (a share), not {quantity.units:~}")


def _share_unit(v: Values, h: Horizons) -> Any:
    result = v["part"] / v["total"]
    if not result.dimensionless:
        raise UnitMismatch(
            f"role 'part' is in {v['part'].units:~} but 'total' is in {v['total'].units:~}; "
            "a share needs both in the same dimension"
        )
    return result


def _implied_total_unit(v: Values, h: Horizons) -> Any:
    _dimensionless("share", v["share"])
    return v["part"] / v["share"]


def _sum_unit(v: Values, h: Horizons) -> Any:
    keys = sorted(v)
    first = v[keys[0]]
    for key in keys[1:]:
        if v[key].dimensionality != first.dimensionality:
            raise UnitMismatch(
                f"cannot add role {key!r} in {v[key].units:~} to role {keys[0]!r} in "
                f"{first.units:~}"
            )
    return first


def _over_data(name: str, label: str, formula: str) -> Method:
    """A method over a set of claims: computed when compiled (derive.engine.aggregate);
    the plan carries the result, with its interval, as its one "data" leaf."""
    return Method(name, label, ("data",), formula, compute=lambda v, h: v["data"],
                  unit=lambda v, h: v["data"])


METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method(
            "CompoundGrowth", "compound growth", ("base", "rate"),
            "base × (1 + rate)^years", dated_roles=("base",),
            compute=lambda v, h: v["base"] * (1.0 + v["rate"]) ** h["base"],
            unit=_growth_unit,
        ),
        Method(
            "DoublingProjection", "projection by doubling time", ("base", "doublingTime"),
            "base × 2^(years ÷ doublingTime)", dated_roles=("base",),
            compute=lambda v, h: v["base"] * 2.0 ** (h["base"] / v["doublingTime"]),
            unit=_doubling_unit,
        ),
        Method("Product", "product", None, "product of the inputs",
               compute=lambda v, h: _product(v), unit=lambda v, h: _product(v)),
        Method("Ratio", "ratio", ("denominator", "numerator"), "numerator ÷ denominator",
               compute=lambda v, h: v["numerator"] / v["denominator"],
               unit=lambda v, h: v["numerator"] / v["denominator"]),
        Method("Sum", "sum", None, "sum of the inputs",
               compute=lambda v, h: _sum(v), unit=_sum_unit),
        Method("ShareOfTotal", "share of a total", ("part", "total"), "part ÷ total",
               compute=lambda v, h: v["part"] / v["total"], unit=_share_unit),
        Method("ImpliedTotal", "total implied by a share", ("part", "share"), "part ÷ share",
               compute=lambda v, h: v["part"] / v["share"], unit=_implied_total_unit),
        Method("PerUnitConversion", "conversion by a per-unit figure", ("perUnit", "quantity"),
               "quantity × perUnit",
               compute=lambda v, h: v["quantity"] * v["perUnit"],
               unit=lambda v, h: v["quantity"] * v["perUnit"]),
        Method("Formula", "formula", None, "formula"),
        _over_data("LogLinearTrend", "log-linear trend (OLS on log10 values)",
                   "fit log10(value) = a + b × year"),
        _over_data("TheilSenTrend", "log-linear trend (Theil-Sen on log10 values)",
                   "median of pairwise slopes of log10(value) against year"),
        _over_data("LargestValue", "largest value as of a date",
                   "max over the selected claims"),
        _over_data("CountShare", "count and share",
                   "claims involving an entity, out of the selected (or the top N)"),
        _over_data("SumShare", "sum and share of the sum",
                   "sum over the claims involving an entity, or its share of the total"),
    )
}


def get(name: str, where: str) -> Method:
    method = METHODS.get(name)
    if method is None:
        raise ModelError(
            f"{where}: unknown method {name or '(none)'!r}; use one of "
            + ", ".join("dv:" + m for m in METHODS)
        )
    return method


def check_roles(method: Method, roles: list[str], where: str) -> None:
    if method.roles is None:
        if not roles:
            raise ModelError(f"{where}: method dv:{method.name} needs at least one input")
        return
    missing = sorted(set(method.roles) - set(roles))
    extra = sorted(set(roles) - set(method.roles))
    if missing:
        raise ModelError(
            f"{where}: method dv:{method.name} needs input role(s) {', '.join(missing)}; "
            "add a dv:input with that dv:role"
        )
    if extra:
        raise ModelError(
            f"{where}: method dv:{method.name} has no role(s) {', '.join(extra)}; "
            f"its roles are {', '.join(method.roles)}"
        )
