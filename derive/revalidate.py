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

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from derive.kb import KnowledgeBase
from derive.namespaces import DV, short

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from derive.store import LoadedGraph
    from derive.validate import Problem, ValidationReport

CACHE_NAME = "validation"


@dataclass
class State:
    """What the last validation saw and found."""

    context: str  # stamp of ontology, shapes and stored texts
    files: dict[str, str]  # facts file -> size and mtime
    subjects: dict[str, frozenset[str]]  # facts file -> IRIs it describes
    claims: frozenset[str]
    shacl: list[Problem] = field(default_factory=list)
    report: ValidationReport | None = None


def _stamp(path: object) -> str:
    stat = path.stat()  # type: ignore[attr-defined]
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def context_stamp(kb: KnowledgeBase) -> str:
    digest = hashlib.sha256()
    for path in kb.ontology_files() + sorted(kb.facts_dir.rglob("*.txt")):
        digest.update(f"{path}\0{_stamp(path)}\n".encode())
    return digest.hexdigest()


def file_stamps(kb: KnowledgeBase) -> dict[str, str]:
    return {kb.display(path): _stamp(path) for path in kb.fact_files()}


def previous(kb: KnowledgeBase) -> State | None:
    from derive import cache

    state = cache.read(kb, CACHE_NAME, any_files=True)
    return state if isinstance(state, State) else None


def save(kb: KnowledgeBase, state: State) -> None:
    from derive import cache

    cache.write(kb, state, CACHE_NAME)


def claims_of(graph: Graph) -> frozenset[str]:
    from rdflib import RDF, RDFS, URIRef

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
    from rdflib import URIRef

    return {name: frozenset(str(s) for s in subjects if isinstance(s, URIRef))
            for name, subjects in data.subjects_by_file.items()
            if not name.startswith("ontology/")}


def affected_claims(data: LoadedGraph, state: State, stamps: dict[str, str],
                    claims: frozenset[str]) -> frozenset[str]:
    """Claims whose verdict may differ from the last run."""
    from rdflib import URIRef

    from derive.validate import owning_subject

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
    from rdflib import BNode, URIRef

    from derive.store import new_graph

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
