"""Dimensional analysis, with pint over a small registry of our own.

The registry knows only what compute estimates need: FLOP (its own base
dimension, so a FLOP count never mixes with FLOP/s silently), time with the
year as base (so growth rates per year are plain numbers), percent and plain
counts. Units in the knowledge base map onto it through their
``dv:unitExpression``. pint is imported only when a plan is compiled, never on
a warm run: the compiled plan keeps each unit's factor to base units.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import pint

from derive.errors import UnitMismatch
from derive.kb.namespaces import short

if TYPE_CHECKING:
    from derive.kb.model import Model

_DEFINITIONS = """
FLOP = [computation]
year = [time] = yr = a
month = year / 12 = mo
day = year / 365.25 = d
hour = day / 24 = h
minute = hour / 60 = min
second = minute / 60 = s
percent = 0.01 = %
"""


@functools.cache
def registry() -> pint.UnitRegistry:
    ureg = pint.UnitRegistry(None, autoconvert_offset_to_baseunit=False)
    for line in _DEFINITIONS.strip().splitlines():
        ureg.define(line)
    return ureg


def quantity_of(model: Model, unit_iri: str) -> Any:
    """The pint quantity of one ``unit_iri``: its size in base units and its dimension."""
    unit = model.units.get(unit_iri)
    if unit is None:
        raise UnitMismatch(
            f"unit {short(unit_iri)} is not defined: declare it as a qudt:Unit with "
            "dv:unitExpression in ontology/units.ttl"
        )
    return parse(unit.expression, short(unit_iri))


@functools.lru_cache(maxsize=1024)
def parse(expression: str, name: str | None = None) -> Any:
    """The pint quantity of a unit expression. Kept per expression: a large
    knowledge base has few units and thousands of plans that ask for them
    (8,000 parses, 1 s of compiling 100,000 claims), and nothing here changes
    a quantity in place (an error is raised again each time, never kept)."""
    try:
        quantity = registry().parse_expression(expression)
    except Exception as exc:  # hostile text: pint's parser also raises AssertionError & co.
        detail = str(exc).strip() or "it is not a unit expression (e.g. percent/year, FLOP/s)"
        raise UnitMismatch(f"cannot read unit {name or expression!r}: {detail}") from None
    if not isinstance(quantity, registry().Quantity):
        quantity = registry().Quantity(quantity)
    return quantity


def factor(model: Model, unit_iri: str) -> float:
    """Multiply a value in ``unit_iri`` by this to get base units."""
    return float(quantity_of(model, unit_iri).to_base_units().magnitude)


def dimension(quantity: Any) -> str:
    dims = quantity.dimensionality
    return str(dims) if dims else "dimensionless"


def same_dimension(a: Any, b: Any) -> bool:
    return bool(a.dimensionality == b.dimensionality)


def describe(quantity: Any) -> str:
    """A readable unit for a pint quantity, e.g. 'FLOP / year'."""
    units = format(quantity.units, "~")
    return units or "dimensionless"
