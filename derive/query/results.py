"""What a query returns, whichever store answered it: plain data that
crosses a process boundary and renders in any format (``derive.query.formats``).

A SELECT's values are ``Term``s, the four fields of a term in the SPARQL 1.1
results formats, not rdflib's terms: a query the store answers then never
imports rdflib (a tenth of a second on every warm query). A literal reads as
the engine that answered wrote it (Oxigraph writes the double ``1.5E1`` as
``15``), as any client of the same store over HTTP sees it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

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


def from_json(value: dict[str, Any] | None) -> Term | None:
    """A term of the SPARQL 1.1 Query Results JSON format (None: unbound);
    any type but ``uri`` and ``bnode`` is a literal (some stores still write
    ``typed-literal``)."""
    if value is None:
        return None
    kind, text = value.get("type"), str(value.get("value", ""))
    if kind == "uri":
        return iri(text)
    if kind == "bnode":
        return bnode(text)
    language, datatype = value.get("xml:lang"), value.get("datatype")
    return literal(text, str(datatype) if datatype else None,
                   str(language) if language else None)


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
