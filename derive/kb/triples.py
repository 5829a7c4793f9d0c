"""Turtle parsed by pyoxigraph into a read-only, in-memory triple index with
the part of rdflib's ``Graph`` reading API that extraction and the audit use.

rdflib parses Turtle at about 40,000 triples a second and its graph costs as
much again to fill; pyoxigraph's parser (Rust) is over ten times faster, and
plain dictionaries answer ``value``/``objects``/``subjects`` faster than
rdflib's store. Terms handed out are rdflib terms (``URIRef``, ``BNode``,
``Literal`` with the lexical form as written), so code written against an
rdflib graph reads an index unchanged. ``to_graph`` builds the rdflib graph
where one is needed (pySHACL, small graphs, serialisation).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

Triple = tuple[Node, Node, Node]


class Converter:
    """pyoxigraph terms as rdflib terms, each distinct term converted once."""

    def __init__(self) -> None:
        self._memo: dict[Any, Node] = {}

    def triples(self, quads: Iterable[Any]) -> list[Triple]:
        """The quads' triples converted: most terms recur, so the memo is asked
        first inline (a call per term costs more than the lookup)."""
        get, convert = self._memo.get, self
        return [((s if (s := get(q.subject)) is not None else convert(q.subject)),
                 (p if (p := get(q.predicate)) is not None else convert(q.predicate)),
                 (o if (o := get(q.object)) is not None else convert(q.object)))
                for q in quads]

    def __call__(self, term: Any) -> Node:
        found = self._memo.get(term)
        if found is not None:
            return found
        converted: Node
        if isinstance(term, ox.NamedNode):
            # pyoxigraph has checked the IRI; rdflib's constructor would check
            # it again at a third of the cost of parsing.
            converted = str.__new__(URIRef, term.value)
        elif isinstance(term, ox.BlankNode):
            converted = BNode(term.value)
        elif isinstance(term, ox.Literal):
            converted = to_literal(term)
        else:  # RDF-star triples are not part of derive's vocabulary
            raise ValueError(f"unsupported term {term!r}")
        self._memo[term] = converted
        return converted


def to_literal(term: ox.Literal, *, normalize: bool | None = None) -> Literal:
    """``normalize=False`` keeps the form as written (to check it)."""
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype == _XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(datatype), normalize=normalize)


def to_ox(node: Node) -> Any:
    """An rdflib term as a pyoxigraph term."""
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype is not None:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    raise ValueError(f"unsupported term {node!r}")


class TripleIndex:
    """Triples indexed by subject (and, built on first use, by predicate-object
    and by object). Read-only once filled."""

    def __init__(self) -> None:
        self._spo: dict[Node, dict[Node, list[Node]]] = {}
        self._pos: dict[Node, dict[Node, list[Node]]] | None = None
        self._os: dict[Node, list[Node]] | None = None
        self._count = 0

    # ---- filling
    def add_all(self, triples: Iterable[Triple]) -> None:
        spo = self._spo
        count = 0
        for s, p, o in triples:
            objects = spo.setdefault(s, {}).setdefault(p, [])
            if o not in objects:
                objects.append(o)
                count += 1
        self._count += count
        self._pos = self._os = None

    # ---- reading (the subset of rdflib.Graph's API derive uses)
    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Triple]:
        for s, by_predicate in self._spo.items():
            for p, objects in by_predicate.items():
                for o in objects:
                    yield s, p, o

    def with_predicates(self, predicates: frozenset[Node]) -> Iterator[Triple]:
        """The triples whose predicate is one of ``predicates``, without the
        predicate index (a scan costs less than building it, once)."""
        for s, by_predicate in self._spo.items():
            for p, objects in by_predicate.items():
                if p in predicates:
                    for o in objects:
                        yield s, p, o

    def __contains__(self, pattern: object) -> bool:
        """``(s, p, o) in index``, as for an rdflib graph (None matches anything).
        Without it Python would answer by iterating over every triple."""
        s, p, o = pattern  # type: ignore[misc]
        if s is not None and p is not None and o is not None:
            return o in self._spo.get(s, {}).get(p, ())
        return next(self.triples((s, p, o)), None) is not None

    def value(self, subject: Node, predicate: Node) -> Node | None:
        objects = self._spo.get(subject, {}).get(predicate)
        return objects[0] if objects else None

    def objects(self, subject: Node | None, predicate: Node | None) -> Iterator[Node]:
        if subject is None:
            for _s, _p, o in self.triples((None, predicate, None)):
                yield o
            return
        by_predicate = self._spo.get(subject, {})
        if predicate is None:
            for objects in by_predicate.values():
                yield from objects
        else:
            yield from by_predicate.get(predicate, ())

    def several(self, predicate: Node) -> Iterator[tuple[Node, list[Node]]]:
        """Each subject with two or more ``predicate`` values, and the values
        (the one-value check looks only at these, not at every subject)."""
        spo = self._spo
        for subject in self._by_predicate().get(predicate, {}).get(None, ()):  # type: ignore[call-overload]
            objects = spo[subject][predicate]
            if len(objects) > 1:
                yield subject, objects

    def predicate_objects(self, subject: Node) -> Iterator[tuple[Node, Node]]:
        for p, objects in self._spo.get(subject, {}).items():
            for o in objects:
                yield p, o

    def subjects(self, predicate: Node | None = None, obj: Node | None = None
                 ) -> Iterator[Node]:
        if predicate is None and obj is None:
            yield from self._spo
        elif predicate is None:
            yield from dict.fromkeys(self._by_object().get(obj, ()))  # type: ignore[arg-type]
        elif obj is None:
            yield from self._by_predicate().get(predicate, {}).get(None, ())  # type: ignore[call-overload]
        else:
            yield from self._by_predicate().get(predicate, {}).get(obj, ())

    def subject_objects(self, predicate: Node) -> Iterator[tuple[Node, Node]]:
        for obj, subjects in self._by_predicate().get(predicate, {}).items():
            if obj is None:
                continue
            for s in subjects:
                yield s, obj

    def triples(self, pattern: tuple[Node | None, Node | None, Node | None]) -> Iterator[Triple]:
        s, p, o = pattern
        if s is not None and p is not None:  # pySHACL's most frequent question, by far
            for obj in self._spo.get(s, {}).get(p, ()):
                if o is None or o == obj:
                    yield s, p, obj
        elif s is not None:
            for predicate, obj in self.predicate_objects(s):
                if o is None or o == obj:
                    yield s, predicate, obj
        elif p is not None and o is not None:
            # pySHACL's target-class look-up, (?, rdf:type, class): from the
            # index, not by comparing every object of the predicate.
            for subject in self._by_predicate().get(p, {}).get(o, ()):
                yield subject, p, o
        elif p is not None:
            for subject, obj in self.subject_objects(p):
                if o is None or o == obj:
                    yield subject, p, obj
        elif o is not None:
            for subject in self.subjects(None, o):
                for predicate in self._spo[subject]:
                    if o in self._spo[subject][predicate]:
                        yield subject, predicate, o
        else:
            yield from self

    def transitive_subjects(self, predicate: Node, obj: Node) -> Iterator[Node]:
        seen = {obj}
        frontier = [obj]
        yield obj
        while frontier:
            for sub in self.subjects(predicate, frontier.pop()):
                if sub not in seen:
                    seen.add(sub)
                    frontier.append(sub)
                    yield sub

    def to_graph(self, graph: Graph) -> Graph:
        """Add every triple to the rdflib ``graph`` (for pySHACL and serialisation)."""
        graph.addN((s, p, o, graph) for s, p, o in self)
        return graph

    def prepare(self) -> None:
        """Build the secondary indexes now (before forking, so that the
        processes that read them share one copy)."""
        self._by_predicate()
        self._by_object()

    def copy(self) -> TripleIndex:
        """Another index of the same triples, to add to without changing this one."""
        other = TripleIndex()
        other._spo = {s: {p: list(objects) for p, objects in by_predicate.items()}
                      for s, by_predicate in self._spo.items()}
        other._count = self._count
        return other

    # ---- secondary indexes, built when first asked for
    def _by_predicate(self) -> dict[Node, dict[Node, list[Node]]]:
        """predicate -> object -> subjects; the key None lists every subject once."""
        if self._pos is None:
            pos: dict[Node, dict[Node, list[Node]]] = {}
            for s, by_predicate in self._spo.items():
                for p, objects in by_predicate.items():
                    index = pos.setdefault(p, {})
                    index.setdefault(None, []).append(s)  # type: ignore[index]
                    for o in objects:
                        index.setdefault(o, []).append(s)
            self._pos = pos
        return self._pos

    def _by_object(self) -> dict[Node, list[Node]]:
        if self._os is None:
            by_object: dict[Node, list[Node]] = {}
            for s, by_predicate in self._spo.items():
                for objects in by_predicate.values():
                    for o in objects:
                        by_object.setdefault(o, []).append(s)
            self._os = by_object
        return self._os


def quad_digest(quads: list[Any], rows: dict[Any, list[int]], subject: Any) -> str:
    """``digest`` of ``subject`` read from pyoxigraph's quads (``rows``: each
    subject's quads by position), with no rdflib term made. Terms are written
    as N-Triples, so the text differs from ``digest``'s; the ``q:`` mark keeps
    the two kinds apart, so that a digest of one kind never equals one of the
    other (a claim digested both ways counts as changed, never the reverse)."""
    lines: list[str] = []

    def walk(node: Any, label: str, seen: frozenset[Any]) -> None:
        for i in rows.get(node, ()):
            predicate, obj = str(quads[i].predicate), quads[i].object
            if isinstance(obj, ox.BlankNode) and obj not in seen:
                lines.append(f"{label} {predicate} _:")
                walk(obj, f"{label}/{predicate}", seen | {obj})
            else:
                lines.append(f"{label} {predicate} {obj}")

    walk(subject, "", frozenset({subject}))
    return "q:" + hashlib.blake2b("\n".join(sorted(lines)).encode(), digest_size=16).hexdigest()


def digest(graph: Graph | TripleIndex, subject: Node) -> str:
    """A digest of ``subject``'s triples and, recursively, of its blank nodes'
    (named by the path that reaches them, so that a re-parse, which renames
    blank nodes, gives the same digest)."""
    lines: list[str] = []

    def walk(node: Node, label: str, seen: frozenset[Node]) -> None:
        for predicate, obj in graph.predicate_objects(node):
            if isinstance(obj, BNode) and obj not in seen:
                lines.append(f"{label} {predicate.n3()} _:")
                walk(obj, f"{label}/{predicate.n3()}", seen | {obj})
            else:
                lines.append(f"{label} {predicate.n3()} {obj.n3()}")

    walk(subject, "", frozenset({subject}))
    return hashlib.blake2b("\n".join(sorted(lines)).encode(), digest_size=16).hexdigest()
