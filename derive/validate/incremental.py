"""Validating only what changed since the last run.

pySHACL costs about 8 ms per claim, so a knowledge base of 100,000 claims
would take a quarter of an hour to validate in full. After the first run the
result is kept (in the user's cache folder, never in the knowledge base) with
a stamp of every file. The next run:

- returns the kept report at once when no file changed;
- validates in full when the ontology, the shapes or a stored source text
  changed (they can change the verdict on any claim);
- otherwise compares, for every IRI a changed file describes (now or before
  the change), a digest of its triples (with its blank nodes) with the digest
  the last run kept, and validates the claims whose digest changed and the
  claims that refer to an IRI whose digest changed, over a graph from which
  every other claim has been left out, keeping the earlier verdict on the
  claims left out. Editing one claim in a file of 5,000 revalidates one claim.

Problems whose focus is not a claim (sources, metrics) are always recomputed:
their triples stay in the reduced graph.
"""

from __future__ import annotations

from rdflib import RDF, RDFS, BNode, Graph, URIRef
from rdflib.term import Node

from derive.kb.namespaces import DV, short
from derive.kb.store import LoadedGraph
from derive.kb.triples import Triple, TripleIndex, digest
from derive.validate.indexed import graph_of
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


def digests(data: LoadedGraph, files: set[str] | None = None, *,
            skip: frozenset[str] = frozenset()) -> dict[str, str]:
    """The digest of every IRI the facts ``files`` (default: all) describe
    (but those in ``skip``)."""
    now = iris_by_file(data)
    names = now if files is None else files
    return {iri: digest(data.graph, URIRef(iri))
            for name in names for iri in now.get(name, frozenset()) if iri not in skip}


def changed_files(state: State, stamps: dict[str, str]) -> set[str]:
    changed = {f for f, stamp in stamps.items() if state.files.get(f) != stamp}
    return changed | (set(state.files) - set(stamps))


def affected_claims(data: LoadedGraph, state: State, stamps: dict[str, str],
                    claims: frozenset[str]) -> tuple[frozenset[str], dict[str, str]]:
    """Claims whose verdict may differ from the last run, and the digests now."""
    changed = changed_files(state, stamps)
    fresh = digests(data, changed)
    touched = touched_iris(state, changed, iris_by_file(data), fresh)
    affected = {iri for iri in touched if iri in claims}
    for iri in touched:
        for referrer in data.graph.subjects(None, URIRef(iri)):
            owner = str(owning_subject(data.graph, referrer))
            if owner in claims:
                affected.add(owner)
    return frozenset(affected & claims), digests_now(state, fresh, touched)


def touched_iris(state: State, changed: set[str], files_now: dict[str, frozenset[str]],
                 fresh: dict[str, str]) -> set[str]:
    """The IRIs the ``changed`` files describe (now or before the change)
    whose triples differ from the last run's (``fresh``: their digests now),
    or that another file describes now (problems name the file)."""
    touched: set[str] = set()
    moved: set[str] = set()
    for name in changed:
        before, now = state.subjects.get(name, frozenset()), files_now.get(name, frozenset())
        touched |= before | now
        moved |= before ^ now
    return {iri for iri in touched
            if iri in moved or fresh.get(iri) != state.digests.get(iri)}


def digests_now(state: State, fresh: dict[str, str], touched: set[str]) -> dict[str, str]:
    """The last run's digests updated with ``fresh`` ones, without the IRIs no
    changed file describes any longer."""
    now = {**state.digests, **fresh}
    for iri in touched - set(fresh):
        now.pop(iri, None)
    return now


def split(graph: Graph, claims: frozenset[str], wanted: frozenset[str]
          ) -> tuple[list[Triple], dict[str, list[Triple]]]:
    """The triples no claim owns (those of every other IRI, of the blank nodes
    they reach and of blank nodes nothing refers to), and the triples of each
    claim in ``wanted`` with its blank nodes', so that a graph for any group of
    them is put together without a scan. Costs what the claims in ``wanted``
    and the non-claims hold, not what every claim holds."""
    owned = {iri: _closure(graph, URIRef(iri), set()) for iri in wanted}
    claim_nodes = {URIRef(iri) for iri in claims}
    rest: list[Triple] = []
    seen: set[Node] = set()
    for subject in list(graph.subjects()):
        if isinstance(subject, BNode):
            if next(iter(graph.subjects(None, subject)), None) is not None:
                continue  # owned by whoever refers to it
        elif subject in claim_nodes:
            continue
        if subject not in seen:
            rest.extend(_closure(graph, subject, seen))
    return rest, owned


def _closure(graph: Graph, start: Node, seen: set[Node]) -> list[Triple]:
    """``start``'s triples and those of the blank nodes it reaches (not in ``seen``)."""
    triples: list[Triple] = []
    frontier = [start]
    seen.add(start)
    while frontier:
        node = frontier.pop()
        for predicate, obj in graph.predicate_objects(node):
            triples.append((node, predicate, obj))
            if isinstance(obj, BNode) and obj not in seen:
                seen.add(obj)
                frontier.append(obj)
    return triples


def assemble(graph: Graph, rest: TripleIndex, owned: dict[str, list[Triple]],
             group: frozenset[str], claims: frozenset[str]) -> Graph:
    """An rdflib graph of the triples no claim owns (``rest``, read in place)
    plus those of ``group``'s claims and of every claim they refer to,
    transitively (a claim that cites another must see it whole, or the other
    would look like a missing source)."""
    own = TripleIndex()
    todo, done = list(group), set(group)
    while todo:
        iri = todo.pop()
        triples = owned.get(iri)
        if triples is None:
            triples = _closure(graph, URIRef(iri), set())
        own.add_all(triples)
        for _s, _p, obj in triples:
            if isinstance(obj, URIRef) and str(obj) in claims and str(obj) not in done:
                done.add(str(obj))
                todo.append(str(obj))
    return graph_of(rest, own)


def parts(claims: frozenset[str], size: int) -> list[frozenset[str]]:
    """``claims`` in groups of at most ``size`` (sorted, so runs split alike)."""
    ordered = sorted(claims)
    return [frozenset(ordered[i:i + size]) for i in range(0, len(ordered), size)] or [frozenset()]


def kept_problems(state: State, affected: frozenset[str], claims: frozenset[str],
                  problems: list[Problem] | None = None) -> list[Problem]:
    """Earlier problems (default: the shapes') on claims that are still there
    and were not revalidated."""
    keep = {short(iri) for iri in claims - affected}
    return [p for p in (state.shacl if problems is None else problems) if p.focus in keep]
