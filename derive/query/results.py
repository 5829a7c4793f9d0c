"""What a query returns, whichever store answered it: plain data that
crosses a process boundary and renders in any format (``derive.query.formats``).

A SELECT's values are ``Term``s, the four fields of a term in the SPARQL 1.1
results formats, not rdflib's terms: a query the store answers then never
imports rdflib (a tenth of a second on every warm query). A literal reads as
the engine that answered wrote it (Oxigraph writes the double ``1.5E1`` as
``15``), as any client of the same store over HTTP sees it."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import pyoxigraph as ox

from derive.errors import QueryError, QueryTooLarge
from derive.kb.namespaces import PREFIXES

if TYPE_CHECKING:
    from rdflib import Graph

XSD_STRING = PREFIXES["xsd"] + "string"
LANG_STRING = PREFIXES["rdf"] + "langString"


class Term(NamedTuple):
    """An IRI (``uri``), a blank node (``bnode``) or a literal, with its
    datatype or language; a plain string has neither (``xsd:string`` is
    implicit, as SPARQL's JSON results leave it)."""

    kind: str
    value: str
    datatype: str | None = None
    language: str | None = None

    def __str__(self) -> str:
        return self.value


def iri(value: str) -> Term:
    return Term("uri", value)


def bnode(label: str) -> Term:
    return Term("bnode", label)


def literal(value: str, datatype: str | None = None, language: str | None = None) -> Term:
    """The one rule for every engine: a language makes a language-tagged
    string, and ``xsd:string`` (or ``rdf:langString``) is left implicit."""
    if language:
        return Term("literal", value, None, language)
    if datatype in (XSD_STRING, LANG_STRING):
        datatype = None
    return Term("literal", value, datatype or None)


@dataclass(frozen=True)
class SelectResult:
    """Rows of a SELECT: one value (or None when unbound) per variable."""

    vars: tuple[str, ...]
    rows: tuple[tuple[Term | None, ...], ...]


@dataclass(frozen=True)
class AskResult:
    value: bool


@dataclass(frozen=True)
class GraphResult:
    """The graph a CONSTRUCT or DESCRIBE query built."""

    graph: Graph


QueryResult = SelectResult | AskResult | GraphResult


def from_ox(node: Any) -> Term:
    """A term pyoxigraph made (a store's answer, or an endpoint's results it
    parsed) as a ``Term``. An RDF-star triple term has no place in derive's
    results: the query is refused with what to select instead."""
    if isinstance(node, ox.NamedNode):
        return iri(node.value)
    if isinstance(node, ox.BlankNode):
        return bnode(node.value)
    if isinstance(node, ox.Literal):
        return literal(node.value, node.datatype.value, node.language)
    raise QueryError("query failed: a result holds an RDF-star triple term, "
                     "which derive does not return; select the triple's parts instead")


def cap(count: int, max_rows: int | None, what: str) -> None:
    """Refuse a result of more than ``max_rows`` rows or triples (None: no cap)."""
    if max_rows is not None and count > max_rows:
        raise QueryTooLarge(
            f"the result has more than {max_rows:,} {what}, the cap on results; "
            "add LIMIT (and OFFSET to page through it) or narrow the query"
        )


def select_of(solutions: Any, max_rows: int | None) -> SelectResult:
    """pyoxigraph's solutions (``QuerySolutions``) as a ``SelectResult``,
    taking at most one more than ``max_rows``: a result past the cap is
    refused without being read to its end."""
    names = tuple(v.value for v in solutions.variables)
    taken = list(itertools.islice(solutions, None if max_rows is None else max_rows + 1))
    cap(len(taken), max_rows, "rows")
    return SelectResult(names, tuple(
        tuple(None if solution[i] is None else from_ox(solution[i]) for i in range(len(names)))
        for solution in taken))


def graph_of(triples: Iterable[Any], max_rows: int | None) -> GraphResult:
    """pyoxigraph's triples as a ``GraphResult``, refused past ``max_rows``
    as ``select_of`` refuses rows."""
    taken = list(itertools.islice(triples, None if max_rows is None else max_rows + 1))
    cap(len(taken), max_rows, "triples")
    # rdflib holds (and later writes) a graph result: only then is it imported
    from derive.kb.store import new_graph
    from derive.kb.triples import Converter

    convert = Converter()
    graph = new_graph()
    graph.addN((convert(t.subject), convert(t.predicate), convert(t.object), graph)
               for t in taken)
    return GraphResult(graph)
