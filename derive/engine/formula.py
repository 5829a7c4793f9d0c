"""Safe arithmetic for ``dv:Formula`` estimates.

The expression is parsed with ``ast`` and only a whitelist of nodes is
accepted: numbers, input roles, + - * / **, unary minus, parentheses, the
constants ``year``, ``month`` and ``day`` (durations), and the functions
``exp``, ``log``, ``sqrt``, ``min``, ``max`` and ``years(role)`` (the time in
years from that input's as-of date to the estimate's target date). Nothing is
ever passed to ``eval``. The same tree is evaluated twice: once over pint
quantities to check units, once over numbers or numpy arrays to compute.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from derive.errors import ModelError

FUNCTIONS = ("exp", "log", "sqrt", "min", "max", "years")
CONSTANTS = {"year": 1.0, "month": 1.0 / 12.0, "day": 1.0 / 365.25}  # in base unit: year
_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


@dataclass(frozen=True)
class Formula:
    source: str
    tree: ast.Expression
    names: frozenset[str]


def parse(source: str, roles: set[str], where: str) -> Formula:
    """Parse and check ``source``; unknown names or constructs name ``where``."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ModelError(
            f"{where}: formula {source!r} is not valid arithmetic ({exc.msg})"
        ) from None
    names: set[str] = set()
    for node in ast.walk(tree):
        _check_node(node, roles, source, where)
        if isinstance(node, ast.Name) and node.id not in FUNCTIONS and node.id not in CONSTANTS:
            names.add(node.id)
    return Formula(source, tree, frozenset(names))


def _check_node(node: ast.AST, roles: set[str], source: str, where: str) -> None:
    allowed = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.USub, ast.UAdd, ast.Constant,
               ast.Name, ast.Load, ast.Call, *_BINOPS)
    if not isinstance(node, allowed):
        raise ModelError(
            f"{where}: formula {source!r} uses {type(node).__name__}, which is not allowed; "
            "use numbers, input roles, + - * / ** and " + ", ".join(FUNCTIONS)
        )
    if isinstance(node, ast.Constant) and not isinstance(node.value, int | float):
        raise ModelError(f"{where}: formula {source!r} contains {node.value!r}; only numbers")
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords:
            raise ModelError(
                f"{where}: formula {source!r} calls something other than "
                + ", ".join(FUNCTIONS)
            )
        if node.func.id == "years" and (
            len(node.args) != 1 or not isinstance(node.args[0], ast.Name)
        ):
            raise ModelError(f"{where}: years() takes one input role, e.g. years(base)")
    if isinstance(node, ast.Name) and node.id not in roles | set(FUNCTIONS) | set(CONSTANTS):
        known = ", ".join(sorted(roles)) or "none"
        raise ModelError(
            f"{where}: formula {source!r} uses {node.id!r}, which is not one of its input "
            f"roles ({known})"
        )


class Algebra:
    """How to compute: over floats/arrays (numeric) or pint quantities (units)."""

    def __init__(self, exp: Callable[[Any], Any], log: Callable[[Any], Any],
                 sqrt: Callable[[Any], Any], minimum: Callable[[Any, Any], Any],
                 maximum: Callable[[Any, Any], Any], constant: Callable[[str], Any]) -> None:
        self.exp, self.log, self.sqrt = exp, log, sqrt
        self.minimum, self.maximum, self.constant = minimum, maximum, constant


def numeric_algebra() -> Algebra:
    return Algebra(np.exp, np.log, np.sqrt, np.minimum, np.maximum, CONSTANTS.__getitem__)


def evaluate(formula: Formula, values: Mapping[str, Any], horizons: Mapping[str, float],
             algebra: Algebra) -> Any:
    def visit(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return visit(node.body)
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id in CONSTANTS:
                return algebra.constant(node.id)
            return values[node.id]
        if isinstance(node, ast.UnaryOp):
            operand = visit(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            left, right = visit(node.left), visit(node.right)
            op = type(node.op)
            if op is ast.Add:
                return left + right
            if op is ast.Sub:
                return left - right
            if op is ast.Mult:
                return left * right
            if op is ast.Div:
                return left / right
            return left**right
        if isinstance(node, ast.Call):
            name = node.func.id  # type: ignore[attr-defined]
            if name == "years":
                return horizons[node.args[0].id]  # type: ignore[attr-defined]
            args = [visit(arg) for arg in node.args]
            if name in ("min", "max"):
                reduce = algebra.minimum if name == "min" else algebra.maximum
                result = args[0]
                for arg in args[1:]:
                    result = reduce(result, arg)
                return result
            return getattr(algebra, name)(*args)
        raise AssertionError(type(node).__name__)  # unreachable: checked in parse()

    return visit(formula.tree)


def pretty(source: str) -> str:
    """The expression as a reader sees it: × and ÷ and ^."""
    return (" ".join(source.split())).replace("**", "^").replace("*", "×").replace("/", "÷")


def is_finite(value: float) -> bool:
    return math.isfinite(value)
