"""The SHACL half of validation: ontology/shapes*.ttl run by pySHACL over the
ontology and the facts (no inference), each result mapped to a ``Problem`` on
the IRI that owns the offending node, with the property path spelled out."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from derive.errors import LoadError
from derive.kb.namespaces import PREFIXES, short
from derive.kb.store import LoadedGraph
from derive.validate.report import Problem

SH = PREFIXES["sh"]
RDF = PREFIXES["rdf"]

SEVERITIES = {SH + "Violation": "violation", SH + "Warning": "warning", SH + "Info": "info"}

_IRI = re.compile(r"<?(https?://[^\s<>\"{},;()]*[^\s<>\"{},;().])>?")
_NUMERIC = {PREFIXES["xsd"] + t for t in ("double", "decimal", "integer", "float")}


class _Parameters(list[Any]):
    """pySHACL's list of constraint parameters, with a set's membership test.

    For every focus node a shape is run on, pySHACL tests each predicate of
    the shape with ``in`` against this list of some seventy IRIs: 4.3 million
    comparisons for 2,000 claims, a third of its time. It takes the list from
    ``pyshacl.shape.CONSTRAINT_PARAMS`` when that is set; the list's contents,
    order and answers are unchanged."""

    def __init__(self, items: list[Any]) -> None:
        super().__init__(items)
        self._members = set(items)

    def __contains__(self, item: object) -> bool:
        return item in self._members

    def append(self, item: Any) -> None:
        super().append(item)
        self._members.add(item)

    def extend(self, items: Any) -> None:
        items = list(items)
        super().extend(items)
        self._members.update(items)


def _fast_parameters() -> None:
    """Hand pySHACL the list above (a pySHACL without that hook ignores it)."""
    from pyshacl import constraints, shape

    parameters = getattr(constraints, "ALL_CONSTRAINT_PARAMETERS", None)
    mapping = getattr(constraints, "CONSTRAINT_PARAMETERS_MAP", None)
    if isinstance(parameters, list) and isinstance(mapping, dict):
        shape.CONSTRAINT_PARAMS = (_Parameters(parameters), mapping)  # type: ignore[attr-defined]


_fast_parameters()


def shacl_problems(data: LoadedGraph, shapes: Graph) -> list[Problem]:
    """Run the shapes over the data graph (no inference) and map the results."""
    if len(shapes) == 0:
        return []

    try:
        _conforms, results, _text = pyshacl.validate(
            _prepared_query_view(data.graph),
            shacl_graph=shapes,
            inference="none",
            advanced=False,
            abort_on_first=False,
            allow_warnings=True,
        )
    except Exception as exc:  # a shape pySHACL cannot run (bad SPARQL, unknown prefix)

        files = ", ".join(data.kb.display(p) for p in data.kb.shapes_files())
        raise LoadError(files, f"the shapes cannot be run: {exc}; fix the shape") from None
    return [p for r in _results(results) for p in _problems_from_result(data, results, r)]


def _prepared_query_view(graph: Graph) -> Graph:
    """The same triples (shared store, no copy), but each SPARQL text is parsed once.

    pySHACL runs a SPARQL constraint once per focus node with the same text and
    a different ``$this`` binding; rdflib would parse the text every time,
    which costs far more than evaluating it. The parsed texts are kept for
    the process: each run of the shapes would parse them again.
    """
    class PreparedQueryGraph(Graph):
        def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(query_object, str):
                query_object = _prepared(query_object)
            return super().query(query_object, *args, **kwargs)

    view = PreparedQueryGraph(store=graph.store, identifier=graph.identifier)
    view.namespace_manager = graph.namespace_manager
    return view


@functools.lru_cache(maxsize=256)
def _prepared(text: str) -> Any:
    """A SPARQL text parsed once per process (and inherited by forked workers)."""
    return prepareQuery(text)


def _results(results: Graph) -> Iterator[Node]:
    yield from results.subjects(URIRef(RDF + "type"), URIRef(SH + "ValidationResult"))


def _problems_from_result(data: LoadedGraph, results: Graph, result: Node) -> list[Problem]:
    """One SHACL result as problems, each on a node that a file describes."""
    def one(prop: str) -> Node | None:
        return results.value(result, URIRef(SH + prop))

    focus = one("focusNode")
    if focus is None:
        return []
    value = one("value")
    value_text = term_text(value) if value is not None and value != focus else ""
    message = _tidy_message(
        str(one("resultMessage") or "does not conform to the shapes"),
        value=value_text,
        this=term_text(focus),
    )
    severity = SEVERITIES.get(str(one("resultSeverity")), "violation")
    result_path = render_path(results, one("resultPath"))
    problems = []
    for anchor in _anchors(data, focus):
        nested = _nested_path(data.graph, focus, anchor)
        path = "/".join(p for p in (nested, result_path) if p)
        file = data.file_of(anchor) or ""
        problems.append(Problem(severity, file, term_text(anchor), path, message, value_text))
    return problems


def _anchors(data: LoadedGraph, focus: Node) -> list[Node]:
    """Where a problem with ``focus`` is reported: the IRI owning it, or, when no
    file describes it (a source that does not exist), everything referring to it."""
    owner = owning_subject(data.graph, focus)
    if data.file_of(owner) is not None:
        return [owner]
    referrers = {owning_subject(data.graph, s) for s in data.graph.subjects(None, focus)}
    return sorted(referrers, key=str) or [owner]


def _tidy_message(message: str, value: str, this: str) -> str:
    """Fill in ``{$value}`` and ``{$this}``; shorten full IRIs to prefixed names."""
    message = re.sub(r"\{[$?]value\}", value or "(none)", message)
    message = re.sub(r"\{[$?]this\}", this, message)
    return _IRI.sub(lambda m: short(m.group(1)), message)


def term_text(node: Node) -> str:
    if isinstance(node, Literal):
        if node.datatype is not None and str(node.datatype) in _NUMERIC and not node.ill_typed:
            return str(node.toPython())
        if node.datatype is not None:
            return f'"{node}"^^{short(str(node.datatype))}'
        return f'"{node}"'
    if isinstance(node, BNode):
        return "[]"
    return short(str(node))


def owning_subject(graph: Graph, node: Node) -> Node:
    """The nearest IRI that (transitively) owns the blank node ``node``.

    Quantities, quotes and selectors are blank nodes inside a claim; problems
    with them are reported on the claim. An IRI is returned unchanged; a blank
    node nobody points at is its own owner.
    """
    seen = {node}
    current = node
    while isinstance(current, BNode):
        parent = next(graph.subjects(None, current), None)
        if parent is None or parent in seen:
            return current
        seen.add(parent)
        current = parent
    return current


def _nested_path(graph: Graph, node: Node, owner: Node) -> str:
    """The predicates from ``owner`` down to ``node``, e.g. ``dv:quote/oa:hasSelector``
    (searched downwards from ``owner`` through its blank nodes, shortest first)."""
    if node == owner:
        return ""
    frontier: list[tuple[Node, list[str]]] = [(owner, [])]
    seen = {owner}
    while frontier:
        nxt: list[tuple[Node, list[str]]] = []
        for subject, steps in frontier:
            for predicate, obj in sorted(graph.predicate_objects(subject), key=str):
                if obj == node:
                    return "/".join([*steps, short(str(predicate))])
                if isinstance(obj, BNode) and obj not in seen:
                    seen.add(obj)
                    nxt.append((obj, [*steps, short(str(predicate))]))
        frontier = nxt
    return ""


def render_path(graph: Graph, path: Node | None) -> str:
    """A SHACL property path as text: ``dv:quote/oa:hasSource``, ``^dv:about``, ``(a|b)``."""
    if path is None:
        return ""
    if isinstance(path, URIRef):
        return short(str(path))
    if not isinstance(path, BNode):
        return str(path)
    if graph.value(path, URIRef(RDF + "first")) is not None:
        return "/".join(render_path(graph, step) for step in Collection(graph, path))
    inverse = graph.value(path, URIRef(SH + "inversePath"))
    if inverse is not None:
        return f"^{render_path(graph, inverse)}"
    alternatives = graph.value(path, URIRef(SH + "alternativePath"))
    if alternatives is not None:
        return "(" + "|".join(render_path(graph, a) for a in Collection(graph, alternatives)) + ")"
    for modifier, mark in (("zeroOrMorePath", "*"), ("oneOrMorePath", "+"), ("zeroOrOnePath", "?")):
        inner = graph.value(path, URIRef(SH + modifier))
        if inner is not None:
            return f"{render_path(graph, inner)}{mark}"
    return "[]"
