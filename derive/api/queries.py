"""Queries for front ends: the store users query (ontology, facts, the
estimates derived from them and the audit's findings, recomputed whenever the
facts change), running a checked query over it, the shipped queries and the
result formats."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from derive.kb import quadstore
from derive.kb.locate import KnowledgeBase
from derive.query import formats, shipped
from derive.query import limits as bounds
from derive.query.limits import Limits, WorkerPool
from derive.query.results import AskResult, GraphResult, QueryResult, SelectResult
from derive.query.shipped import ShippedQuery

if TYPE_CHECKING:
    from pyoxigraph import Store
    from rdflib import Graph

    from derive.kb.triples import TripleIndex

FORMATS = formats.FORMATS
RESULT_FORMATS = formats.RESULT_FORMATS
GRAPH_FORMATS = formats.GRAPH_FORMATS
__all__ = ["FORMATS", "GRAPH_FORMATS", "RESULT_FORMATS", "AskResult", "GraphResult", "Limits",
           "QueryResult", "SelectResult", "WorkerPool"]


# Recomputed from the facts; named as ``derive publish`` names them (``derive.api.remote``).
ESTIMATES_GRAPH = quadstore.GRAPH_BASE + "derived/estimates"
FINDINGS_GRAPH = quadstore.GRAPH_BASE + "derived/findings"


def query_graph(kb: KnowledgeBase) -> Store:
    """Everything ``derive query`` sees: ontology, facts (one named graph per
    file), derived estimates, the audit's findings and the catalogue of these
    graphs (``derive.kb.catalogue``), in a pyoxigraph store
    kept in the cache folder and updated file by file when files change."""
    return quadstore.open_store(kb, "query-store", lambda: _derived(kb))


def _derived(kb: KnowledgeBase) -> list[tuple[str, bytes]]:
    """The estimates and findings the facts imply, and the catalogue of every
    graph, as N-Triples."""
    from derive.kb.catalogue import CATALOGUE, catalogue  # rdflib: on a miss only

    results, findings = derived_graphs(kb)
    files = [quadstore.file_graph(kb, path).value for path in kb.data_files()]
    listing = catalogue(quadstore.GRAPH_BASE, [*files, ESTIMATES_GRAPH, FINDINGS_GRAPH])
    return [(name, graph.serialize(format="nt", encoding="utf-8"))
            for name, graph in ((ESTIMATES_GRAPH, results), (FINDINGS_GRAPH, findings),
                                (quadstore.GRAPH_BASE + CATALOGUE, listing))]


def derived_graphs(kb: KnowledgeBase) -> tuple[Graph, Graph]:
    """What queries see beyond the files (here and in a store ``derive
    publish`` writes to): the estimates as PROV-O results, and the audit's findings."""
    # The cache boundary: only a change computes them.
    from derive.api.checked import kept_slices, load_checked, parse_keeping
    from derive.audit import audit, findings_graph
    from derive.engine import provenance
    from derive.engine.outcomes import all_estimates

    # No estimate on a value validation rejects. Once a validation has kept
    # each file's fragment, only the changed files are parsed (the fragments
    # refuse a bad file as the loader does, with file and line), and the
    # audit reads the metrics and entities from the triples no claim owns;
    # otherwise every file is parsed, once for compiling, validating and the audit.
    sliced = kept_slices(kb)
    if sliced is not None:
        compiled = load_checked(kb, slices=lambda: sliced)
        described: Graph | TripleIndex = sliced.rest
    else:
        # refuses what the loader refuses, with file and line, and keeps each
        # file's fragment for the next change
        facts = parse_keeping(kb)
        compiled = load_checked(kb, parse=lambda: facts)
        described = facts.graph
    results = provenance.results_graph(all_estimates(compiled), compiled.model)
    return results, findings_graph(audit(compiled, described))


def run(kb: KnowledgeBase, text: str, limits: Limits | None = None) -> QueryResult:
    """Parse, check and evaluate ``text`` over the knowledge base, stopped at
    the time limit and the row cap (defaults: ``Limits()``)."""
    # After a change the store is brought up to date here, before the bounded
    # child starts: validating and compiling then run on every core (a child
    # that may be killed at the limit may not start processes of its own),
    # and the time limit counts the query alone, as it always did.
    quadstore.refresh(kb, "query-store", lambda: _derived(kb))
    return bounds.run_forked(functools.partial(query_graph, kb), text, limits or Limits())


def worker_pool(kb: KnowledgeBase, size: int, limits: Limits) -> WorkerPool:
    """Query workers over ``kb``'s query graph, for a server (not yet started)."""
    return WorkerPool(query_graph, (kb,), size, limits)


def render(result: QueryResult, fmt: str) -> str:
    """A result as ``table``, ``csv``, ``tsv``, ``json`` or ``xml`` (Turtle for graphs)."""
    return formats.render(result, fmt)


def render_graph(result: GraphResult, syntax: str) -> str:
    """A CONSTRUCT or DESCRIBE result as ``turtle``, ``nt``, ``json-ld`` or ``xml`` (RDF/XML)."""
    return formats.render_graph(result, syntax)


def shipped_queries(kb: KnowledgeBase) -> list[ShippedQuery]:
    return shipped.shipped_queries(kb)


def shipped_query(kb: KnowledgeBase, name: str) -> ShippedQuery:
    return shipped.shipped_query(kb, name)


def queries_dir(kb: KnowledgeBase) -> Path:
    return shipped.queries_dir(kb)


def read_query_file(path: Path) -> str:
    return shipped.read_query_file(path)
