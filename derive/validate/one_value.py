"""One value where one is expected, whichever files give it.

A claim's triples may be spread over several files: an import, a hand-made
correction, a second author. What derive allows:

- any file may add values to a property that holds many (``dv:about``,
  ``cito:citesAsEvidence``, ``rdf:type``, ``dv:input``, ``dv:binding``...):
  they add up;
- a property that holds one value (``ONE_VALUE``) may be repeated with the
  same value in another file (RDF merges the two), never given a different
  one. A quantity, a quote or an input is a blank node, new in each file, so
  a second file's ``dv:quantity`` for a claim is always a second value;
- an estimate has one input per role, a scenario binds a parameter once, and
  one scenario at most is the default.

Anything else is a violation naming every file that gives a value, so an
estimate never runs on a value the user did not see chosen (rdflib's
``Graph.value`` would pick one of them silently).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from derive.kb import store
from derive.kb.namespaces import PREFIXES, expand, short
from derive.kb.store import LoadedGraph
from derive.kb.triples import TripleIndex
from derive.validate.report import Problem
from derive.validate.shacl import _nested_path as nested_path
from derive.validate.shacl import owning_subject, term_text

# Properties that hold one value (one per language for labels and comments).
ONE_VALUE: tuple[str, ...] = (
    # claims
    "prov:wasQuotedFrom", "dv:quote", "dv:asOf", "dv:metric", "dv:quantity", "dv:statedUnit",
    "dv:approximate", "dv:statedAs", "dv:citationLabel", "dv:statement", "dv:verification",
    # quantities, quotes and their selectors
    "qudt:value", "qudt:hasUnit", "schema:minValue", "schema:maxValue",
    "oa:hasSource", "oa:hasSelector", "oa:exact", "bibo:locator",
    # estimates and their inputs, scenarios and their bindings
    "dv:method", "dv:unit", "dv:targetDate", "dv:expression", "dv:reproduces", "dv:inScenario",
    "dv:role", "dv:from", "dv:parameter", "dv:isDefault", "dcterms:description",
    # sources and citations
    "dcterms:title", "dcterms:issued", "bibo:uri", "dv:localText", "dv:accessed",
    "dv:citationName", "cito:hasCitedEntity", "cito:hasCitingEntity",
    "dcterms:bibliographicCitation",
    # units and metrics
    "dv:unitExpression", "qudt:symbol", "dv:isShare", "dv:isDuration",
    # anything
    "rdfs:label", "rdfs:comment",
)  # fmt: skip

# Blank nodes of one subject that are told apart by a key: (list property, key property).
KEYED: tuple[tuple[str, str], ...] = (("dv:input", "dv:role"), ("dv:binding", "dv:parameter"))


def _iri(prefixed: str) -> URIRef:
    return URIRef(expand(prefixed))


def one_value_problems(data: LoadedGraph) -> list[Problem]:
    """Every place with two values where one is expected."""
    return [problem for problem, _files in _found(data)]


def merged(shacl: list[Problem], data: LoadedGraph) -> list[Problem]:
    """``shacl`` and the problems of this module, each said once: where a
    shape already says "more than one" of values given in one file, its line
    stays; where the values come from several files, this module's line,
    which names them all, replaces it."""
    shape_says = {(p.focus, p.path) for p in shacl if p.severity == "violation"}
    own = [p for p, files in _found(data) if files > 1 or (p.focus, p.path) not in shape_says]
    covered = {(p.focus, p.path) for p in own}
    kept = [p for p in shacl if p.severity != "violation" or (p.focus, p.path) not in covered]
    return [*kept, *own]


def _found(data: LoadedGraph) -> list[tuple[Problem, int]]:
    files = _FileIndex(data)
    found = [p for prop in ONE_VALUE for p in _one_value(data, files, prop)]
    found += [p for lst, key in KEYED for p in _keyed(data, files, lst, key)]
    found += list(_defaults(data, files))
    return found


def _one_value(data: LoadedGraph, files: _FileIndex,
               prop: str) -> Iterator[tuple[Problem, int]]:
    graph = data.graph
    predicate = _iri(prop)
    values: dict[tuple[Node, str], list[Node]] = defaultdict(list)
    for subject, objects in _several(graph, predicate):
        for value in objects:
            language = value.language if isinstance(value, Literal) else None
            values[(subject, language or "")].append(value)
    for (subject, _language), found in values.items():
        if len(found) < 2 or not files.in_facts(subject):
            continue
        given = sorted((term_text(v) if not isinstance(v, BNode) else _describe(graph, v),
                        files.giving(subject, predicate, v)) for v in found)
        yield _problem(data, subject, prop, f"{prop} has {len(found)} values where one is "
                       f"expected: {_listing(given)}; keep the one that holds and delete the "
                       f"{'other' if len(found) == 2 else 'others'}", given)


def _several(graph: Graph | TripleIndex, predicate: URIRef
             ) -> Iterator[tuple[Node, list[Node]]]:
    """The subjects with more than one ``predicate`` value, and their values."""
    if isinstance(graph, TripleIndex):
        yield from graph.several(predicate)
        return
    values: dict[Node, list[Node]] = defaultdict(list)
    for subject, value in graph.subject_objects(predicate):
        values[subject].append(value)
    yield from ((s, found) for s, found in values.items() if len(found) > 1)


def _keyed(data: LoadedGraph, files: _FileIndex, list_prop: str,
           key_prop: str) -> Iterator[tuple[Problem, int]]:
    graph = data.graph
    by_key: dict[tuple[Node, Node], list[Node]] = defaultdict(list)
    for subject, item in graph.subject_objects(_iri(list_prop)):
        for key in graph.objects(item, _iri(key_prop)):
            by_key[(subject, key)].append(item)
    for (subject, key), items in by_key.items():
        if len(items) < 2 or not files.in_facts(subject):
            continue
        given = sorted((_describe(graph, item), files.giving(subject, _iri(list_prop), item))
                       for item in items)
        yield _problem(data, subject, list_prop,
                       f"{len(items)} {list_prop} with {key_prop} {term_text(key)} where one "
                       f"is expected: {_listing(given)}; keep one", given)


def _defaults(data: LoadedGraph, files: _FileIndex) -> Iterator[tuple[Problem, int]]:
    graph = data.graph
    defaults = sorted((s for s, v in graph.subject_objects(_iri("dv:isDefault"))
                       if isinstance(v, Literal) and v.toPython() is True), key=str)
    if len(defaults) < 2:
        return
    given = [(term_text(s), files.of(s)) for s in defaults]
    for scenario in defaults:
        yield _problem(data, scenario, "dv:isDefault",
                       f"{len(defaults)} scenarios are the default: {_listing(given)}; "
                       "keep dv:isDefault true on one", given)


def _problem(data: LoadedGraph, subject: Node, prop: str, message: str,
             given: list[tuple[str, list[str]]]) -> tuple[Problem, int]:
    """The problem, reported in the first file that gives a value, and how
    many files give one."""
    owner = owning_subject(data.graph, subject)
    path = "/".join(p for p in (nested_path(data.graph, subject, owner), prop) if p)
    named = sorted({f for _, fs in given for f in fs})
    file = named[0] if named else data.file_of(owner) or ""
    return Problem("violation", file, term_text(owner), path, message), len(named)


def _listing(given: list[tuple[str, list[str]]]) -> str:
    parts = [f"{text} ({', '.join(files) or 'no file'})" for text, files in given]
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]


def _describe(graph: Graph, node: Node, limit: int = 60) -> str:
    """A blank node as the reader wrote it, shortened: ``[ qudt:value 1.9e20 ; ... ]``."""
    pairs = sorted(graph.predicate_objects(node), key=str)
    parts = [f"{short(str(p))} {term_text(o)}" for p, o in pairs
             if str(p) != PREFIXES["rdf"] + "type"]
    text = " ; ".join(parts)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"[ {text} ]"


class _FileIndex:
    """Which file gives a value. A blank node belongs to the one file that
    describes it; a literal or an IRI is looked up in the files that describe
    its subject, parsed again one by one (only when two values disagree)."""

    def __init__(self, data: LoadedGraph) -> None:
        self.data = data
        self.paths = {data.kb.display(p): p for p in data.kb.data_files()}
        self.parsed: dict[str, Graph] = {}

    def of(self, node: Node) -> list[str]:
        return sorted(f for f, subjects in self.data.subjects_by_file.items() if node in subjects)

    def in_facts(self, node: Node) -> bool:
        owner = owning_subject(self.data.graph, node)
        return any(not f.startswith("ontology/") for f in self.of(owner))

    def giving(self, subject: Node, predicate: URIRef, value: Node) -> list[str]:
        if isinstance(value, BNode):
            return self.of(value) or self.of(subject)
        candidates = self.of(subject)
        if len(candidates) < 2 or isinstance(subject, BNode):
            return candidates
        return [f for f in candidates if (subject, predicate, value) in self._graph(f)]

    def _graph(self, name: str) -> Graph:
        if name not in self.parsed:
            path: Path = self.paths[name]
            self.parsed[name] = store.parse_turtle(
                path.read_text(encoding="utf-8"), name, path.resolve().as_uri())
        return self.parsed[name]
