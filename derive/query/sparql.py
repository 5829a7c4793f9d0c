"""Running a query that ``derive.query.safety`` accepted, sandboxed.

``execute`` evaluates it over what it is given: the knowledge base's
pyoxigraph store (see ``derive.api.queries``; Oxigraph answers a group-by over
100,000 claims in a fraction of a second where rdflib takes seconds), or an
rdflib graph (small graphs, tests) with graph loading switched off and
rdflib's pluggable evaluators set aside. Either way, as a last guard, network
connections and file writes are refused for the duration. Everything here
returns data and prints nothing. rdflib is imported only to evaluate over an
rdflib graph or to hold a CONSTRUCT's graph: a SELECT or ASK over the store
needs none of it (its rows are plain ``Term``s).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from derive.errors import QueryError, QueryTooLarge, first_line
from derive.kb.namespaces import PREFIXES
from derive.query.results import (
    AskResult,
    GraphResult,
    QueryResult,
    SelectResult,
    Term,
    bnode,
    cap,
    graph_of,
    iri,
    literal,
    select_of,
)

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from derive.query.known import SafeText
    from derive.query.safety import CheckedQuery

def execute(graph: Graph | ox.Store, query: CheckedQuery | SafeText, *,
            max_rows: int | None = None) -> QueryResult:
    """Evaluate a query that ``safety.parse`` accepted (now, or as ``known``
    remembers), inside the sandbox, over a pyoxigraph store or an rdflib graph;
    with ``max_rows``, stop collecting (and raise QueryTooLarge) past that many
    rows or triples."""
    if isinstance(graph, ox.Store):
        return _execute_in_store(graph, query.text, max_rows)
    from derive.query.safety import CheckedQuery, parse

    if not isinstance(query, CheckedQuery):  # rdflib evaluates the algebra
        query = parse(query.text)
    with _sandbox():
        try:
            # rdflib's own evaluator on the checked algebra, even if a store
            # that answers SPARQL itself is swapped in later.
            result = graph.query(query, use_store_provided=False)
            return _collect(result, max_rows)
        except MemoryError:
            raise QueryTooLarge("the query needed more memory than it may use") from None
        except QueryError:
            raise
        except Exception as exc:  # rdflib raises many types for evaluation errors
            raise QueryError(f"query failed: {first_line(exc)}") from None


def _collect(result: Any, max_rows: int | None = None) -> QueryResult:
    """Materialise an rdflib Result (still inside the sandbox: it is lazy),
    never more than ``max_rows`` rows or triples."""
    if result.type == "ASK":
        return AskResult(bool(result.askAnswer))
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        from derive.kb.store import new_graph

        cap(len(result.graph), max_rows, "triples")
        graph = new_graph()
        graph += result.graph
        return GraphResult(graph)
    names = tuple(str(var) for var in result.vars)
    # rdflib keeps SELECT solutions in a generator until ``bindings`` drains
    # it whole; taking them one by one lets the cap stop a huge result early.
    pending = getattr(result, "_genbindings", None)
    solutions = itertools.chain(getattr(result, "_bindings", ()), pending) if pending else (
        result.bindings
    )
    if max_rows is not None:
        solutions = list(itertools.islice(solutions, max_rows + 1))
        cap(len(solutions), max_rows, "rows")
    rows = tuple(tuple(_from_rdflib(row.get(var)) for var in result.vars) for row in solutions)
    return SelectResult(names, rows)


def _from_rdflib(node: Node | None) -> Term | None:
    from rdflib.term import BNode, Literal  # loaded already: rdflib evaluated the query

    if node is None:
        return None
    if isinstance(node, Literal):
        datatype = node.datatype
        return literal(str(node), None if datatype is None else str(datatype), node.language)
    return bnode(str(node)) if isinstance(node, BNode) else iri(str(node))


def _execute_in_store(store: ox.Store, text: str, max_rows: int | None) -> QueryResult:
    """Oxigraph evaluates the checked text over the store's default graph (the
    union of every file's graph, see ``derive.kb.quadstore``); results come
    back as plain terms (a CONSTRUCT's graph as an rdflib graph)."""
    with _guarded():
        try:
            result = store.query(text, prefixes=PREFIXES)
            if isinstance(result, ox.QueryBoolean):
                return AskResult(bool(result))
            if isinstance(result, ox.QueryTriples):
                return graph_of(result, max_rows)
            return select_of(result, max_rows)
        except MemoryError:
            raise QueryTooLarge("the query needed more memory than it may use") from None
        except QueryError:
            raise
        except Exception as exc:  # pyoxigraph raises OSError/ValueError on evaluation errors
            raise QueryError(f"query failed: {first_line(exc)}") from None


_SANDBOXED: ContextVar[bool] = ContextVar("derive_query_sandboxed", default=False)
_GUARD_INSTALLED = False
# Audit events that reach the network or start programs.
_BLOCKED_EVENTS = frozenset(
    {
        "socket.connect",
        "socket.getaddrinfo",
        "socket.gethostbyname",
        "socket.gethostbyname_ex",
        "socket.gethostbyaddr",
        "socket.sendto",
        "urllib.Request",
        "http.client.connect",
        "ftplib.connect",
        "smtplib.connect",
        "subprocess.Popen",
        "os.system",
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "webbrowser.open",
    }
)


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _SANDBOXED.get():
        return
    if event in _BLOCKED_EVENTS or (event == "open" and _opens_for_writing(args)):
        # PermissionError is an OSError: callers that tolerate I/O failures
        # (the import system caching bytecode) carry on without writing.
        raise PermissionError(f"derive query may not do {event!r} while a query runs")


def _opens_for_writing(args: tuple[Any, ...]) -> bool:
    flags = args[2] if len(args) > 2 else 0
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
    return isinstance(flags, int) and bool(flags & write_flags)


def _install_guard() -> None:
    global _GUARD_INSTALLED
    if not _GUARD_INSTALLED:
        sys.addaudithook(_audit)  # inert unless a query is running
        _GUARD_INSTALLED = True


@contextlib.contextmanager
def _guarded() -> Iterator[None]:
    """While a query runs: no network access, no programs started, no file writes."""
    _install_guard()
    token = _SANDBOXED.set(True)
    try:
        yield
    finally:
        _SANDBOXED.reset(token)


@contextlib.contextmanager
def _sandbox() -> Iterator[None]:
    """While rdflib evaluates a query: no graph loading, the KB as default
    graph, only rdflib's own evaluator, and the guard (``_guarded``)."""
    import rdflib.plugins.sparql as sparql

    saved = (sparql.SPARQL_LOAD_GRAPHS, sparql.SPARQL_DEFAULT_GRAPH_UNION)
    custom_evals = dict(sparql.CUSTOM_EVALS)
    sparql.SPARQL_LOAD_GRAPHS = False
    sparql.SPARQL_DEFAULT_GRAPH_UNION = True
    sparql.CUSTOM_EVALS.clear()
    try:
        with _guarded():
            yield
    finally:
        sparql.SPARQL_LOAD_GRAPHS, sparql.SPARQL_DEFAULT_GRAPH_UNION = saved
        sparql.CUSTOM_EVALS.update(custom_evals)
