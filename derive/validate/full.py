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

import gc
import multiprocessing
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from rdflib import RDF, RDFS, BNode, Graph, URIRef
from rdflib.term import Node

from derive.kb import forked, fragments, store
from derive.kb.locate import KnowledgeBase
from derive.kb.namespaces import DV, PREFIXES
from derive.kb.store import LoadedGraph
from derive.kb.triples import Triple, TripleIndex
from derive.validate import incremental, one_value, screen
from derive.validate.cells import cell_problems
from derive.validate.indexed import index_of
from derive.validate.quotes import quote_problems
from derive.validate.report import Problem, ValidationReport, distinct
from derive.validate.shacl import owning_subject, shacl_problems
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
T = TypeVar("T")
GROUPS_PER_WORKER = 4
# A worker's replacement is forked from the process holding the whole parse,
# and a fork costs what that process holds (its page tables are copied, its
# pages made copy-on-write again). Each worker is started at most this many
# times; with more groups than that allows, each runs more groups (a million
# claims: 16 groups a worker, 32 forks in all, not 125).
FORKS_PER_WORKER = 16

# Whether the SPARQL constraints are screened first (the tests also run
# without). Even for one claim, filling Oxigraph's store with the triples the
# queries read (50 ms for the non-claim triples of 100,000 claims) costs less
# than pySHACL's parsing its SPARQL constraints (a twentieth of a second each).
SCREEN = True


def run(kb: KnowledgeBase, state: State | None, context: str, stamps: dict[str, str],
        parse: Callable[[], LoadedGraph] | None = None) -> ValidationReport:
    """Validate ``kb``; with a ``state`` of an earlier run, only the claims that
    may have changed are run through the shapes again. ``parse`` gives the
    files' triple index when the caller shares one parse (else they are parsed)."""
    found = screen.of(kb)
    collector = None
    if parse is not None:
        data = parse()
    else:
        collector = screen.Collector(found)
        keeper = fragments.Keeper(kb)  # the next change then parses only what changed

        def each(path: Path, quads: list[Any] | None, triples: list[Triple]) -> None:
            keeper.add(path, quads, triples)
            collector.add(path, quads, triples)

        data = store.load_index(kb, each=each)
        keeper.done()
    claims = incremental.claims_of(data.graph)  # type: ignore[arg-type]
    # a claim's digest as the fragments keep it (the sliced revalidation
    # compares with it), where the parse kept them
    kept_digests = fragments.claim_digests(kb)
    if state is None:
        digests = {**incremental.digests(data, skip=frozenset(kept_digests)), **kept_digests}
        affected, earlier, earlier_quotes = claims, [], []
    else:
        affected, digests = incremental.affected_claims(data, state, stamps, claims)
        digests.update(kept_digests)
        earlier = incremental.kept_problems(state, affected, claims)
        earlier_quotes = incremental.kept_problems(state, affected, claims, state.quotes)
    groups = incremental.parts(affected, _part_size(len(affected)))

    def beside() -> tuple[list[Problem], list[Problem]]:
        """The checks in plain Python, run while the workers run pySHACL."""
        return (quote_problems(data, skip=claims - affected),
                [*value_problems(data), *cell_problems(data)])

    found_shacl, (found_quotes, checked) = shacl_in_parts(
        data, found, claims, groups, collected=collector, meanwhile=beside)
    shacl, quotes = [*earlier, *found_shacl], [*earlier_quotes, *found_quotes]
    report = ValidationReport(
        problems=distinct([*one_value.merged(shacl, data), *quotes, *checked]),
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


def shacl_in_parts(data: LoadedGraph, found: screen.Screen, claims: frozenset[str],
                   groups: list[frozenset[str]],
                   parts: tuple[TripleIndex, dict[str, list[Triple]]] | None = None,
                   collected: screen.Collector | None = None,
                   meanwhile: Callable[[], T] = lambda: None,  # type: ignore[assignment,return-value]
                   ) -> tuple[list[Problem], T]:
    """The shapes over each group of claims (with every non-claim triple), in
    parallel processes when there are several groups and cores, and what
    ``meanwhile`` returns, run in this process beside them. ``parts``: the
    triples no claim owns and each claim's, when the caller has them apart
    (else each process gathers its own claims' triples).

    With SCREEN, the SPARQL constraints are first screened in
    Oxigraph (``derive.validate.screen``; ``collected``: the collector that
    filled a store as the files were parsed, if one did): the claims that
    may fail one (and the non-claim triples, if a node of theirs may) run
    with every shape, the others without the screened constraints. The
    screen runs before the workers start, so that they do not inherit its
    store."""
    if parts is None:
        triples, owned = incremental.split(data.graph, claims, frozenset())  # type: ignore[arg-type]
        rest = index_of(triples)
    else:
        rest, owned = parts
    jobs = [(group, True) for group in groups]  # (claims, with every shape)
    if SCREEN and found.checks:
        nodes = screen.flagged(found, data.graph, collected)
        if nodes is not None:  # else a literal may fail: every shape everywhere
            suspect, rest_suspect = _suspects(data.graph, claims, owned, nodes)  # type: ignore[arg-type]
            jobs = [(group - suspect, False) for group in groups if group - suspect]
            wanted = frozenset().union(*groups) & suspect
            if wanted or rest_suspect:
                jobs += [(group, True) for group in incremental.parts(wanted, PART)]
            jobs = jobs or [(frozenset(), False)]
    elif collected is not None:
        collected.take()  # not needed: let it go before the workers start
    workers = min(len(jobs), os.cpu_count() or 1)
    global _SHARED
    _SHARED = (data, found, rest, owned, claims)  # inherited by forked workers
    try:
        # A daemonic process (a query's forked evaluator, which fills the
        # store and so validates) may not start processes of its own.
        if (workers <= 1 or multiprocessing.current_process().daemon
                or "fork" not in multiprocessing.get_all_start_methods()):
            return [p for job in jobs for p in _shacl_job(job, collect=False)], meanwhile()
        rest.prepare()  # its indexes, built once and shared with every worker
        # Each worker is replaced after a few groups: the pages of what it
        # inherited and touched (its claims' triples) are copied into it, and
        # a worker that ran 25 groups held 650 MB. Its replacement is forked
        # from this process, frozen as the first workers were.
        per_worker = max(GROUPS_PER_WORKER, -(-len(jobs) // (workers * FORKS_PER_WORKER)))
        with forked.shared_after_fork(), multiprocessing.get_context("fork").Pool(
                workers, maxtasksperchild=per_worker) as pool:
            pending = pool.map_async(_shacl_job, jobs, chunksize=1)
            extra = meanwhile()
            done = [p for problems in pending.get() for p in problems]
    finally:
        _SHARED = None
    return done, extra


def _suspects(graph: TripleIndex, claims: frozenset[str], owned: dict[str, list[Triple]],
              nodes: set[Node]) -> tuple[frozenset[str], bool]:
    """The claims to run with every shape, as screening ``nodes`` calls for,
    and whether the non-claim triples must be too. A node may fail where it
    is a focus node: a claim or its blank node, in its claim's run; anything
    else (a source, say) in the non-claim triples and in the run of every
    claim that refers to it."""
    owner_of = {s: URIRef(iri) for iri, triples in owned.items() for s, _p, _o in triples
                if isinstance(s, BNode)}

    def owner(node: Node) -> str | None:
        if isinstance(node, BNode):
            node = owner_of.get(node) or owning_subject(graph, node)  # type: ignore[arg-type]
        return str(node) if isinstance(node, URIRef) and str(node) in claims else None

    suspect: set[str] = set()
    rest = False
    for node in nodes:
        found = owner(node)
        if found is not None:
            suspect.add(found)
            continue
        rest = True
        suspect.update(o for o in map(owner, graph.subjects(None, node)) if o is not None)
    return frozenset(suspect), rest


_SHARED: tuple[LoadedGraph, screen.Screen, TripleIndex, dict[str, list[Triple]],
               frozenset[str]] | None = None


def _shacl_job(job: tuple[frozenset[str], bool], *, collect: bool = True) -> list[Problem]:
    assert _SHARED is not None
    data, found, rest, owned, claims = _SHARED
    group, every = job
    graph = incremental.assemble(data.graph, rest, owned, group, claims)  # type: ignore[arg-type]
    try:
        return shacl_problems(LoadedGraphView(graph, data),  # type: ignore[arg-type]
                              found.shapes if every else found.core)
    finally:
        # pySHACL leaves cycles (graphs, shapes, results) that the collector
        # would reach only in a full collection; a worker runs 25 groups at
        # 100,000 claims, and each left it larger. What the worker inherited
        # is frozen, so this scans only the group's own objects. Run in the
        # calling process (one group, a revalidation), it would scan all it
        # holds instead (0.1 s), for cycles the command's end frees anyway.
        del graph
        if collect:
            gc.collect()


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
