"""The graph users query: ontology, facts and the estimates derived from
them (recomputed whenever the facts change), assembled in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

from derive.kb import KnowledgeBase

if TYPE_CHECKING:
    from rdflib import Graph


def query_graph(kb: KnowledgeBase, *, derived: bool = True) -> Graph:
    """Everything ``derive query`` sees: ontology, facts and derived estimates."""
    from derive import cache, store

    name = "query-graph" if derived else "facts-graph"
    graph = cache.read(kb, name)
    if graph is not None:
        return graph  # type: ignore[no-any-return]
    graph = store.load(kb).graph
    if derived:
        from derive import api, provenance

        compiled = api.load(kb)
        graph += provenance.results_graph(api.all_estimates(kb), compiled.model)
    cache.write(kb, graph, name)
    return graph
