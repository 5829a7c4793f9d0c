"""The graph users query: ontology, facts, the estimates derived from them
and the audit's findings (recomputed whenever the facts change), assembled in
one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

from derive.kb import KnowledgeBase

if TYPE_CHECKING:
    from rdflib import Graph


def query_graph(kb: KnowledgeBase, *, derived: bool = True) -> Graph:
    """Everything ``derive query`` sees: ontology, facts, derived estimates and findings."""
    from derive import cache, store

    name = "query-graph" if derived else "facts-graph"
    graph = cache.read(kb, name)
    if graph is not None:
        return graph  # type: ignore[no-any-return]
    graph = store.load(kb).graph
    if derived:
        from derive import api, provenance
        from derive.audit import audit, findings_graph

        compiled = api.load(kb)
        graph += provenance.results_graph(api.all_estimates(kb), compiled.model)
        graph += findings_graph(audit(compiled, graph))
    cache.write(kb, graph, name)
    return graph
