"""What a query returns, whichever store answered it: plain data that
crosses a process boundary and renders in any format (``derive.query.formats``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node


@dataclass(frozen=True)
class SelectResult:
    """Rows of a SELECT: one value (or None when unbound) per variable."""

    vars: tuple[str, ...]
    rows: tuple[tuple[Node | None, ...], ...]


@dataclass(frozen=True)
class AskResult:
    value: bool


@dataclass(frozen=True)
class GraphResult:
    """The graph a CONSTRUCT or DESCRIBE query built."""

    graph: Graph


QueryResult = SelectResult | AskResult | GraphResult
