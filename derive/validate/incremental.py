"""Validating only what changed since the last run.

pySHACL costs about 8 ms per claim, so a knowledge base of 100,000 claims
would take a quarter of an hour to validate in full. After the first run the
result is kept (in the user's cache folder, never in the knowledge base) with
a stamp of every file. The next run:

- returns the kept report at once when no file changed;
- validates in full when the ontology, the shapes or a stored source text
  changed (they can change the verdict on any claim);
- otherwise validates the claims that changed files define (now or before the
  change) and the claims that refer to anything those files define, over a
  graph from which every other claim has been left out, and keeps the earlier
  verdict on the claims left out.

Problems whose focus is not a claim (sources, metrics) are always recomputed:
their triples stay in the reduced graph.
"""

from __future__ import annotations

from rdflib import RDF, RDFS, BNode, Graph, URIRef
from rdflib.term import Node

from derive.kb.namespaces import DV, short
from derive.kb.store import LoadedGraph, new_graph
from derive.validate.report import Problem
from derive.validate.shacl import owning_subject
from derive.validate.state import State


def claims_of(graph: Graph) -> frozenset[str]:
    classes = {URIRef(DV + "Claim")}
    frontier = list(classes)
    while frontier:
        for sub in graph.subjects(RDFS.subClassOf, frontier.pop()):
            if sub not in classes:
                classes.add(sub)  # type: ignore[arg-type]
                frontier.append(sub)  # type: ignore[arg-type]
    return frozenset(str(s) for c in classes for s in graph.subjects(RDF.type, c)
                     if isinstance(s, URIRef))


def iris_by_file(data: LoadedGraph) -> dict[str, frozenset[str]]:
    return {name: frozenset(str(s) for s in subjects if isinstance(s, URIRef))
            for name, subjects in data.subjects_by_file.items()
            if not name.startswith("ontology/")}


def affected_claims(data: LoadedGraph, state: State, stamps: dict[str, str],
                    claims: frozenset[str]) -> frozenset[str]:
    """Claims whose verdict may differ from the last run."""

    now = iris_by_file(data)
    changed = {f for f, stamp in stamps.items() if state.files.get(f) != stamp}
    changed |= set(state.files) - set(stamps)
    touched: set[str] = set()
    for name in changed:
        touched |= now.get(name, frozenset()) | state.subjects.get(name, frozenset())
    affected = {iri for iri in touched if iri in claims or iri in state.claims}
    for iri in touched:
        for referrer in data.graph.subjects(None, URIRef(iri)):
            owner = str(owning_subject(data.graph, referrer))
            if owner in claims:
                affected.add(owner)
    return frozenset(affected & claims)


def reduced_graph(graph: Graph, leave_out: frozenset[str]) -> Graph:
    """``graph`` without the claims in ``leave_out`` and the blank nodes they own."""

    excluded: set[Node] = {URIRef(iri) for iri in leave_out}
    frontier = list(excluded)
    while frontier:
        for obj in graph.objects(frontier.pop(), None):
            if isinstance(obj, BNode) and obj not in excluded:
                excluded.add(obj)
                frontier.append(obj)
    reduced = new_graph()
    reduced.addN((s, p, o, reduced) for s, p, o in graph if s not in excluded)
    return reduced


def kept_problems(state: State, affected: frozenset[str], claims: frozenset[str]) -> list[Problem]:
    """Earlier problems on claims that are still there and were not revalidated."""
    keep = {short(iri) for iri in claims - affected}
    return [p for p in state.shacl if p.focus in keep]
