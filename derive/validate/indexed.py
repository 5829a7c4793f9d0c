"""An rdflib graph that reads ``TripleIndex``es in place, for pySHACL.

pySHACL reads an rdflib graph. Copying triples into rdflib's in-memory store
costs about 8 µs a triple, and each run of the shapes needs every triple no
claim owns (35,000 at 100,000 claims, a quarter of a second) beside its own
claims. Served from the indexes that already hold them, the same triples
cost nothing to put together, and pySHACL reads them as fast (measured: the
same verdicts in the same time). The graph is read-only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rdflib import Graph
from rdflib.store import Store
from rdflib.term import Node

from derive.kb.triples import Triple, TripleIndex


class IndexStore(Store):
    """The union of indexes that share no triple, as an rdflib store of one
    (default) graph. rdflib's datasets, which pySHACL wraps any graph in, ask
    for a store that knows about graphs and contexts: this one has only one."""

    context_aware = True
    graph_aware = True
    formula_aware = False
    transaction_aware = False

    def __init__(self, *indexes: TripleIndex) -> None:
        super().__init__()
        self.indexes = indexes
        self._namespaces: dict[str, Any] = {}

    def triples(self, triple_pattern: Any, context: Any = None
                ) -> Iterator[tuple[Triple, Iterator[Any]]]:
        for index in self.indexes:
            for found in index.triples(triple_pattern):
                yield found, iter(())

    def __len__(self, context: Any = None) -> int:
        return sum(len(index) for index in self.indexes)

    def contexts(self, triple: Any = None) -> Iterator[Any]:
        return iter(())

    def add_graph(self, graph: Graph) -> None:
        """rdflib's datasets name their default graph when they are made; there is one."""

    def add(self, triple: Any, context: Any, quoted: bool = False) -> None:
        raise TypeError("the graph of a validation run is read-only")

    def remove(self, triple: Any, context: Any = None) -> None:
        raise TypeError("the graph of a validation run is read-only")

    def bind(self, prefix: str, namespace: Any, override: bool = True) -> None:
        self._namespaces[prefix] = namespace

    def namespace(self, prefix: str) -> Any:
        return self._namespaces.get(prefix)

    def prefix(self, namespace: Any) -> str | None:
        return next((p for p, n in self._namespaces.items() if n == namespace), None)

    def namespaces(self) -> Iterator[tuple[str, Any]]:
        yield from self._namespaces.items()


def graph_of(*indexes: TripleIndex) -> Graph:
    """An rdflib graph of the triples of ``indexes`` (which share none)."""
    return Graph(store=IndexStore(*indexes))


def index_of(triples: list[Triple] | Iterator[tuple[Node, Node, Node]]) -> TripleIndex:
    index = TripleIndex()
    index.add_all(triples)
    return index
