"""A validation run that has to look at the graph: load the files, run the
shapes (in full, or over the claims that changed since ``state``) and the
quote check, and keep the new state for next time.

pySHACL needs an rdflib graph and costs a few ms a claim. A claim's verdict
depends on its own triples, on what is not a claim (sources, metrics,
entities, the ontology) and on the claims it refers to, so the claims are
validated in groups, each over the non-claim triples, its own claims and the
claims they refer to (transitively), in parallel processes; the problems are
the same as one run over the whole graph (tested on a knowledge base that
violates every shape)."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable

from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.term import Node

from derive.kb import forked, fragments, store
from derive.kb.locate import KnowledgeBase
from derive.kb.namespaces import DV, PREFIXES
from derive.kb.store import LoadedGraph
from derive.kb.triples import Triple, TripleIndex
from derive.validate import incremental, one_value
from derive.validate.cells import cell_problems
from derive.validate.indexed import index_of
from derive.validate.quotes import quote_problems
from derive.validate.report import Problem, ValidationReport, distinct
from derive.validate.shacl import shacl_problems, shapes_graph
from derive.validate.state import State, save
from derive.validate.values import value_problems

# Classes whose instances count as described sources in the summary line.
SOURCE_CLASSES = (
    *(PREFIXES["bibo"] + name for name in (
        "Document", "Article", "AcademicArticle", "Report", "Webpage", "Book", "BookSection",
        "Chapter", "Thesis", "Manual", "Standard", "Patent", "Slideshow", "Note", "Manuscript",
    )),
    PREFIXES["schema"] + "Dataset",
    PREFIXES["schema"] + "DigitalDocument",
)  # fmt: skip


# Claims per pySHACL run: small enough to spread over the cores, large enough
# that the non-claim triples each run also checks stay a small share. Below
# PART claims the run is still split over the cores once there are SPLIT or
# more (the shipped essay and tables: 1,389 claims, about 5 s of pySHACL in
# one process), since each run repeats only the checks of what is not a claim.
PART = 2000
SPLIT = 400


def run(kb: KnowledgeBase, state: State | None, context: str, stamps: dict[str, str],
        parse: Callable[[], LoadedGraph] | None = None) -> ValidationReport:
    """Validate ``kb``; with a ``state`` of an earlier run, only the claims that
    may have changed are run through the shapes again. ``parse`` gives the
    files' triple index when the caller shares one parse (else they are parsed)."""
    data = parse() if parse is not None else store.load_index(
        kb, each=fragments.Keeper(kb).add)  # the next change then parses only what changed
    shapes = shapes_graph(kb)
    claims = incremental.claims_of(data.graph)  # type: ignore[arg-type]
    # a claim's digest as the fragments keep it (the sliced revalidation
    # compares with it), where the parse kept them
    kept_digests = fragments.claim_digests(kb)
    if state is None:
        digests = {**incremental.digests(data, skip=frozenset(kept_digests)), **kept_digests}
        groups = incremental.parts(claims, _part_size(len(claims)))
        shacl = shacl_in_parts(data, shapes, claims, groups)
        quotes = quote_problems(data)
    else:
        affected, digests = incremental.affected_claims(data, state, stamps, claims)
        digests.update(kept_digests)
        groups = incremental.parts(affected, _part_size(len(affected)))
        shacl = [*incremental.kept_problems(state, affected, claims),
                 *shacl_in_parts(data, shapes, claims, groups)]
        quotes = [*incremental.kept_problems(state, affected, claims, state.quotes),
                  *quote_problems(data, skip=claims - affected)]
    report = ValidationReport(
        problems=distinct([*one_value.merged(shacl, data), *quotes, *value_problems(data),
                           *cell_problems(data)]),
        claims=_count_instances(data.graph, (DV + "Claim",)),
        sources=_count_instances(data.graph, SOURCE_CLASSES),
    )
    save(kb, State(context, stamps, incremental.iris_by_file(data), claims, shacl, report,
                   digests, quotes))
    return report


def _part_size(claims: int) -> int:
    """Claims per pySHACL run for ``claims`` claims to validate."""
    cores = os.cpu_count() or 1
    if claims < SPLIT or cores == 1:
        return PART
    return min(PART, -(-claims // cores))


def shacl_in_parts(data: LoadedGraph, shapes: Graph, claims: frozenset[str],
                   groups: list[frozenset[str]],
                   parts: tuple[TripleIndex, dict[str, list[Triple]]] | None = None,
                   ) -> list[Problem]:
    """The shapes over each group of claims (with every non-claim triple), in
    parallel processes when there are several groups and cores. ``parts``:
    the triples no claim owns and each claim's, when the caller has them
    apart (else ``data`` is split here)."""
    if parts is None:
        wanted = frozenset().union(*groups)
        triples, owned = incremental.split(data.graph, claims, wanted)  # type: ignore[arg-type]
        rest = index_of(triples)
    else:
        rest, owned = parts
    workers = min(len(groups), os.cpu_count() or 1)
    global _SHARED
    _SHARED = (data, shapes, rest, owned, claims)  # inherited by forked workers
    try:
        # A daemonic process (a query's forked evaluator, which fills the
        # store and so validates) may not start processes of its own.
        if (workers <= 1 or multiprocessing.current_process().daemon
                or "fork" not in multiprocessing.get_all_start_methods()):
            return [p for group in groups for p in _shacl_job(group)]
        rest.prepare()  # its indexes, built once and shared with every worker
        with forked.shared_after_fork():  # the workers start here
            pool = multiprocessing.get_context("fork").Pool(workers)
        with pool:
            found = pool.map(_shacl_job, groups, chunksize=1)
    finally:
        _SHARED = None
    return [p for problems in found for p in problems]


_SHARED: tuple[LoadedGraph, Graph, TripleIndex, dict[str, list[Triple]],
               frozenset[str]] | None = None


def _shacl_job(group: frozenset[str]) -> list[Problem]:
    assert _SHARED is not None
    data, shapes, rest, owned, claims = _SHARED
    graph = incremental.assemble(data.graph, rest, owned, group, claims)  # type: ignore[arg-type]
    return shacl_problems(LoadedGraphView(graph, data), shapes)  # type: ignore[arg-type]


class LoadedGraphView:
    """A reduced graph that still knows which file describes each node."""

    def __init__(self, graph: Graph, full: LoadedGraph) -> None:
        self.graph = graph
        self.kb = full.kb
        self.subjects_by_file = full.subjects_by_file
        self._full = full

    def file_of(self, node: Node) -> str | None:
        return self._full.file_of(node)


def _count_instances(graph: Graph, classes: tuple[str, ...]) -> int:
    """Distinct instances of ``classes`` or their rdfs:subClassOf descendants."""
    members: set[Node] = set()
    for cls in classes:
        for sub in graph.transitive_subjects(RDFS.subClassOf, URIRef(cls)):
            members.update(graph.subjects(RDF.type, sub))
    return len(members)
