"""Refusing, before anything runs, whatever query could change data or reach
outside the knowledge base. ``parse`` turns query text into an rdflib query
(parse tree and algebra, both checked) and refuses:

* SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ADD, MOVE, COPY);
* ``SERVICE`` anywhere (also inside OPTIONAL, UNION, MINUS, subqueries and
  EXISTS filters), since it would send the query to another endpoint;
* ``FROM`` and ``FROM NAMED``, since rdflib would fetch them from the web or
  the file system, and the query runs over the knowledge base only;
* calls to extension functions (any IRI called as a function other than an
  XSD cast), since an installed package may register one that does anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pyparsing import ParseResults
from rdflib.plugins.sparql import algebra, parser
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import URIRef, Variable

from derive.errors import QueryError, first_line
from derive.kb.namespaces import PREFIXES

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


class CheckedQuery(Query):
    """A query ``parse`` accepted: rdflib's algebra plus the text, which a
    store that answers SPARQL itself (pyoxigraph) runs."""

    def __init__(self, query: Query, text: str) -> None:
        super().__init__(query.prologue, query.algebra)
        self.text = text


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
        raise QueryError(f"malformed query: {first_line(exc)}") from None
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
