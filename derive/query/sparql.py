"""Read-only SPARQL over the knowledge base, safe by construction.

``parse`` turns query text into an rdflib query and refuses, by looking at
the parsed query (parse tree and algebra) before anything runs, whatever
could change data or reach outside the knowledge base:

* SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ADD, MOVE, COPY);
* ``SERVICE`` anywhere (also inside OPTIONAL, UNION, MINUS, subqueries and
  EXISTS filters), since it would send the query to another endpoint;
* ``FROM`` and ``FROM NAMED``, since rdflib would fetch them from the web or
  the file system, and the query runs over the knowledge base only;
* calls to extension functions (any IRI called as a function other than an
  XSD cast), since an installed package may register one that does anything.

``execute`` then evaluates it over what it is given: the knowledge base's
pyoxigraph store (see ``derive.api.queries``; Oxigraph answers a group-by over
100,000 claims in milliseconds where rdflib takes seconds), or an rdflib graph
(small graphs, tests) with graph loading switched off and rdflib's pluggable
evaluators set aside. Either way, as a last guard, network connections and
file writes are refused for the duration. Everything here returns data and
prints nothing.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
import rdflib.plugins.sparql as sparql
from pyparsing import ParseResults
from rdflib.plugins.sparql import algebra, parser
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import URIRef, Variable

from derive.errors import QueryError, QueryTooLarge
from derive.kb.namespaces import PREFIXES
from derive.kb.store import new_graph
from derive.kb.triples import Converter

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

XSD = PREFIXES["xsd"]
# The only IRIs a query may call as functions: rdflib's built-in XSD casts.
_CASTS = ("string", "boolean", "integer", "decimal", "float", "double", "dateTime")
ALLOWED_FUNCTIONS = frozenset(XSD + name for name in _CASTS)

_UPDATE_NAMES = {
    "InsertData": "INSERT DATA",
    "DeleteData": "DELETE DATA",
    "DeleteWhere": "DELETE WHERE",
    "Load": "LOAD",
    "Clear": "CLEAR",
    "Drop": "DROP",
    "Create": "CREATE",
    "Add": "ADD",
    "Move": "MOVE",
    "Copy": "COPY",
}



@dataclass(frozen=True)
class SelectResult:
    """Rows of a SELECT: one value (or None when unbound) per variable."""

    vars: tuple[str, ...]
    rows: tuple[tuple[Node | None, ...], ...]


@dataclass(frozen=True)
class AskResult:
    value: bool


@dataclass(frozen=True)
class GraphResult:
    """The graph a CONSTRUCT or DESCRIBE query built."""

    graph: Graph


QueryResult = SelectResult | AskResult | GraphResult


class CheckedQuery(Query):
    """A query ``parse`` accepted: rdflib's algebra plus the text, which a
    store that answers SPARQL itself (pyoxigraph) runs."""

    def __init__(self, query: Query, text: str) -> None:
        super().__init__(query.prologue, query.algebra)
        self.text = text


# --------------------------------------------------------------------------
# Parsing and checking
# --------------------------------------------------------------------------


def parse(text: str) -> CheckedQuery:
    """Parse ``text`` with the project's prefixes pre-bound; refuse anything
    that is not a plain read of the knowledge base (see the module docstring)."""
    try:
        tree = parser.parseQuery(text)
    except Exception as exc:
        _refuse_update(text)
        raise _malformed(exc, text) from None
    check(tree)  # before translation, which rewrites parts of the tree
    try:
        query = algebra.translateQuery(tree, initNs=PREFIXES)
    except Exception as exc:  # unknown prefix, bad GROUP BY, ...
        raise QueryError(f"malformed query: {_first_line(exc)}") from None
    check(query.algebra)
    return CheckedQuery(query, text)


def check(tree: object) -> None:
    """Raise QueryError for the first dataset clause, SERVICE or extension
    function anywhere in a parse tree or algebra expression."""
    for node in _comp_values(tree):
        problem = _problem(node)
        if problem:
            raise QueryError(problem)


def _problem(node: CompValue) -> str | None:
    fields = dict(node)  # CompValue.get resolves values and defaults to the key
    if node.name == "DatasetClause":
        clause = (
            f"FROM NAMED {_term(fields['named'])}"
            if "named" in fields
            else f"FROM {_term(fields.get('default'))}"
        )
        return (
            f"derive query refuses {clause}: queries run over the knowledge base only, "
            "never over other graphs, files or web pages; remove the clause"
        )
    if node.name == "ServiceGraphPattern":
        return (
            f"derive query refuses SERVICE {_term(fields.get('term'))}: "
            "queries run over the knowledge base only and never reach the network"
        )
    iri = fields.get("iri")
    if node.name == "Function" and _is_iri(iri) and str(iri) not in ALLOWED_FUNCTIONS:
        # Prefixed names are resolved in the algebra, which is checked too.
        return (
            f"derive query refuses the extension function {_term(iri)}: only "
            "SPARQL's built-in functions and XSD casts (xsd:integer(...), ...) may be called"
        )
    return None


def _is_iri(node: object) -> bool:
    return isinstance(node, URIRef)


def _comp_values(tree: object) -> Iterator[CompValue]:
    """Every CompValue in a parse tree or algebra, in document order."""
    stack: list[object] = [tree]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, CompValue):
            yield item
            children: list[object] = list(dict.values(item))
        elif isinstance(item, list | tuple | ParseResults):
            children = list(item)
        elif isinstance(item, dict):
            children = list(item.values())
        else:
            continue
        stack.extend(reversed(children))


def _term(node: object) -> str:
    """A term as the query wrote it: ``<iri>``, ``prefix:name`` or ``?var``."""
    if isinstance(node, Variable):
        return f"?{node}"
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, CompValue) and node.name == "pname":
        fields = dict(node)
        return f"{fields.get('prefix') or ''}:{fields.get('localname') or ''}"
    return str(node)


def _refuse_update(text: str) -> None:
    """If ``text`` is SPARQL Update, refuse it by name."""
    try:
        update = parser.parseUpdate(text)
    except Exception:
        return
    kinds = list(dict.fromkeys(_update_name(op) for op in update.request))
    if not kinds:
        return
    verb = "is an update" if len(kinds) == 1 else "are updates"
    raise QueryError(f"derive query is read-only: {' and '.join(kinds)} {verb}")


def _update_name(op: CompValue) -> str:
    if op.name != "Modify":
        return _UPDATE_NAMES.get(op.name, op.name.upper())
    clauses = [word.upper() for word in ("delete", "insert") if op.get(word) is not None]
    return "/".join(clauses) + " ... WHERE"


def _malformed(exc: Exception, text: str) -> QueryError:
    line = getattr(exc, "lineno", None)
    column = getattr(exc, "col", None)
    message = re.sub(r"\s*\(at char \d+\),?\s*\(line:\d+, col:\d+\)\s*$", "", str(exc))
    if not isinstance(line, int) or not isinstance(column, int):
        return QueryError(f"malformed query: {message}")
    source_line = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
    pointer = f"\n  {source_line}\n  {' ' * (column - 1)}^" if source_line.strip() else ""
    return QueryError(f"malformed query at line {line}, column {column}: {message}{pointer}")


def _first_line(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


# --------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------


def execute(graph: Graph | ox.Store, query: CheckedQuery, *,
            max_rows: int | None = None) -> QueryResult:
    """Evaluate a query that ``parse`` accepted, inside the sandbox, over a
    pyoxigraph store or an rdflib graph; with ``max_rows``, stop collecting
    (and raise QueryTooLarge) past that many rows or triples."""
    if isinstance(graph, ox.Store):
        return _execute_in_store(graph, query, max_rows)
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
            raise QueryError(f"query failed: {_first_line(exc)}") from None


def _collect(result: Any, max_rows: int | None = None) -> QueryResult:
    """Materialise an rdflib Result (still inside the sandbox: it is lazy),
    never more than ``max_rows`` rows or triples."""
    if result.type == "ASK":
        return AskResult(bool(result.askAnswer))
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        _cap(len(result.graph), max_rows, "triples")
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
        _cap(len(solutions), max_rows, "rows")
    rows = tuple(tuple(row.get(var) for var in result.vars) for row in solutions)
    return SelectResult(names, rows)


def _cap(count: int, max_rows: int | None, what: str) -> None:
    if max_rows is not None and count > max_rows:
        raise QueryTooLarge(
            f"the result has more than {max_rows:,} {what}, the cap on results; "
            "add LIMIT (and OFFSET to page through it) or narrow the query"
        )


def _execute_in_store(store: ox.Store, query: CheckedQuery,
                      max_rows: int | None) -> QueryResult:
    """Oxigraph evaluates the checked text over the store's default graph (the
    union of every file's graph, see ``derive.kb.quadstore``); results come
    back as rdflib terms."""
    convert = Converter()
    with _sandbox():
        try:
            result = store.query(query.text, prefixes=PREFIXES)
            if isinstance(result, ox.QueryBoolean):
                return AskResult(bool(result))
            if isinstance(result, ox.QueryTriples):
                triples = list(itertools.islice(result, None if max_rows is None else max_rows + 1))
                _cap(len(triples), max_rows, "triples")
                graph = new_graph()
                graph.addN((convert(t.subject), convert(t.predicate), convert(t.object), graph)
                           for t in triples)
                return GraphResult(graph)
            names = tuple(v.value for v in result.variables)
            solutions = list(itertools.islice(result, None if max_rows is None else max_rows + 1))
            _cap(len(solutions), max_rows, "rows")
            rows = tuple(
                tuple(None if solution[i] is None else convert(solution[i])
                      for i in range(len(names)))
                for solution in solutions
            )
            return SelectResult(names, rows)
        except MemoryError:
            raise QueryTooLarge("the query needed more memory than it may use") from None
        except QueryError:
            raise
        except Exception as exc:  # pyoxigraph raises OSError/ValueError on evaluation errors
            raise QueryError(f"query failed: {_first_line(exc)}") from None


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
def _sandbox() -> Iterator[None]:
    """While a query runs: no graph loading, the KB as default graph, only
    rdflib's own evaluator, and no network access or file writes."""
    saved = (sparql.SPARQL_LOAD_GRAPHS, sparql.SPARQL_DEFAULT_GRAPH_UNION)
    custom_evals = dict(sparql.CUSTOM_EVALS)
    sparql.SPARQL_LOAD_GRAPHS = False
    sparql.SPARQL_DEFAULT_GRAPH_UNION = True
    sparql.CUSTOM_EVALS.clear()
    _install_guard()
    token = _SANDBOXED.set(True)
    try:
        yield
    finally:
        _SANDBOXED.reset(token)
        sparql.SPARQL_LOAD_GRAPHS, sparql.SPARQL_DEFAULT_GRAPH_UNION = saved
        sparql.CUSTOM_EVALS.update(custom_evals)
