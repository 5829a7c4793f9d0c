"""The knowledge base's named graphs described as one DCAT dataset whose parts
they are. The description is a graph of its own beside them, in the store
``derive query`` reads and in a store ``derive publish`` writes to: there it
tells the next publish which graphs it wrote before, so that the graph of a
file since deleted is removed instead of lingering in the store."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph, URIRef

from derive.kb.namespaces import PREFIXES
from derive.kb.store import new_graph

CATALOGUE = "derived/catalogue"  # its name after the graphs' base
HAS_PART = URIRef(PREFIXES["dcterms"] + "hasPart")
RDF_TYPE = URIRef(PREFIXES["rdf"] + "type")
DATASET = URIRef(PREFIXES["dcat"] + "Dataset")


def catalogue(base: str, parts: Iterable[str]) -> Graph:
    """``base`` (the prefix of the graphs' names) as a ``dcat:Dataset`` with
    each of ``parts`` as a ``dcterms:hasPart``."""
    graph = new_graph()
    dataset = URIRef(base)
    graph.add((dataset, RDF_TYPE, DATASET))
    for part in sorted(set(parts)):
        graph.add((dataset, HAS_PART, URIRef(part)))
    return graph


def listed(graph: Graph, base: str) -> set[str]:
    """The graphs a catalogue (read back from a store) lists under ``base``:
    only names that start with ``base``, and never the catalogue itself, so
    that a catalogue edited by hand cannot make ``derive publish`` remove a
    graph it did not write."""
    own = base + CATALOGUE
    return {str(part) for part in graph.objects(URIRef(base), HAS_PART)
            if isinstance(part, URIRef) and str(part).startswith(base)
            and str(part) not in (base, own)}
