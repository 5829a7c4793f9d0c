"""The SPARQL constraints of the shapes, screened in Oxigraph so that pySHACL
runs them only on the nodes they may fail on.

pySHACL runs a SPARQL constraint once per focus node: it binds ``$this``,
then parses and evaluates the query with rdflib. On 2,000 synthetic claims
that is half of its time (6.4 s with the SPARQL constraints, 3.5 s without;
1.45 s once the ``sh:or`` choices are SPARQL too). Oxigraph runs the same
query once over the whole graph, ``$this`` left free, in milliseconds; its
rows name every node on which the constraint can fail, when ``$this`` is
bound wherever the query matches (``_bound``). pySHACL stays the judge:
the claims those nodes belong to are validated with every shape, all others
with the shapes less the screened constraints, whose verdict there is known
(no result). Every problem is still written by pySHACL, so the report is
that of a plain run (tested against one on a knowledge base that fails every
shape).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef, Variable
from rdflib.paths import Path
from rdflib.term import Node

from derive.kb import cache
from derive.kb.locate import KnowledgeBase, stamp
from derive.kb.namespaces import PREFIXES
from derive.kb.store import load
from derive.kb.triples import Triple, TripleIndex, to_ox

SH = PREFIXES["sh"]
RDF_TYPE = URIRef(PREFIXES["rdf"] + "type")
RDFS_SUBCLASS = URIRef(PREFIXES["rdfs"] + "subClassOf")
_TARGETS = tuple(URIRef(SH + t) for t in (
    "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf"))
# Only a node shape's own targets and its sh:property shapes have the focus
# nodes that ``$this`` stands for; a shape used inside another (sh:node,
# sh:or, a list...) validates value nodes its rows would not name.
_ATTACHING = URIRef(SH + "property")
_NOT_CONSTRAINTS = frozenset(URIRef(n) for n in (
    *(SH + p for p in ("path", "severity", "message", "name", "description", "order", "group",
                       "deactivated")),
    PREFIXES["rdf"] + "type", PREFIXES["rdfs"] + "label", PREFIXES["rdfs"] + "comment"))
# Pre-bound variables other than $this have no value outside pySHACL's loop.
_OTHER_BOUND = re.compile(r"\$(PATH|currentShape|shapesGraph|value)\b|[?$]failure\b")


@dataclass(frozen=True)
class Check:
    """A screened constraint: its query (prefixes declared, ``$this`` free) and
    the targets of its shape (for a property shape, of the node shapes it is
    part of), as (``sh:`` target predicate, object) pairs."""

    query: str
    targets: tuple[tuple[str, Node], ...]


@dataclass(frozen=True)
class Screen:
    """The shapes, the shapes less the screened constraints, and those constraints."""

    shapes: Graph
    core: Graph
    checks: tuple[Check, ...]
    # the IRIs the queries name (the only predicates their patterns can
    # match), or None when a pattern's predicate is a variable
    predicates: frozenset[URIRef] | None = frozenset()


def of(kb: KnowledgeBase) -> Screen:
    """``screen`` of ``kb``'s shapes (``ontology/shapes*.ttl``), kept in the
    cache under their files' stamps: parsing the shapes into rdflib's store
    takes a tenth of a second, and rdflib's SPARQL parser 0.4 s over the
    queries. Raises ``LoadError``, naming the file, if a shapes file cannot
    be parsed."""
    key = f"{cache.code_key()}:{stamp(kb.shapes_files())}"
    found = cache.read(kb, "screen", key=key)
    if isinstance(found, Screen):
        return found
    found = screen(load(kb, kb.shapes_files()).graph)
    cache.write(kb, found, "screen", key=key)
    return found


class Collector:
    """The store a screen reads, filled as each file is parsed from
    pyoxigraph's own quads: they cost nothing to convert (from rdflib's terms
    the million a screen reads at 100,000 claims take 4 s), and no list of
    them is kept (a third of a kilobyte each)."""

    def __init__(self, found: Screen) -> None:
        self._predicates = found.predicates
        self._wanted = (None if found.predicates is None
                        else {ox.NamedNode(str(p)) for p in found.predicates})
        self.store: Any = ox.Store()
        self.unsure: set[Node] = set()  # subjects of triples pyoxigraph cannot hold

    def add(self, _path: object, quads: list[Any] | None, triples: list[Triple]) -> None:
        """Add a parsed file's quads (``store.load_index``'s ``each``)."""
        if quads is None:  # a file rdflib's parser read
            quads = _converted(_wanted(triples, self._predicates), {}, self.unsure)
        elif self._wanted is not None:
            quads = [q for q in quads if q.predicate in self._wanted]
        self.store.bulk_extend(quads)

    def take(self) -> tuple[Any, set[Node]]:
        """The store and the unsure subjects, which the collector no longer
        holds (so that the store is freed once screened, before workers fork)."""
        found, self.store = (self.store, self.unsure), None
        return found


def screen(shapes: Graph) -> Screen:
    """Which SPARQL constraints of ``shapes`` can be screened, and the shapes without them."""
    screened: list[tuple[Node, Node, Check]] = []
    predicates: set[URIRef] | None = set()
    for shape, constraint in shapes.subject_objects(URIRef(SH + "sparql")):
        text = _query(shapes, constraint)
        owners = _focus_shapes(shapes, shape)
        named = _analysed(text) if text is not None and owners else False
        if named is False:
            continue
        targets = tuple(sorted({(str(p)[len(SH):], o) for owner in owners
                                for p in _TARGETS for o in shapes.objects(owner, p)}))
        screened.append((shape, constraint, Check(text, targets)))  # type: ignore[arg-type]
        predicates = None if predicates is None or named is None else predicates | named
    if not screened:
        return Screen(shapes, shapes, ())
    dropped = {(shape, URIRef(SH + "sparql"), constraint) for shape, constraint, _ in screened}
    # a property shape left without constraints still costs pySHACL a run per
    # focus node: it goes too
    emptied = {shape for shape, _, _ in screened
               if shapes.value(shape, URIRef(SH + "path")) is not None
               and all(p in _NOT_CONSTRAINTS or (shape, p, o) in dropped
                       for p, o in shapes.predicate_objects(shape))}
    dropped |= {(owner, _ATTACHING, shape) for shape in emptied
                for owner in shapes.subjects(_ATTACHING, shape)}
    # rdflib's plain store: pySHACL reads the shapes again for every focus
    # node of a property shape, a fifth of its time in the context-aware one
    core = Graph(store="SimpleMemory")
    core.namespace_manager = shapes.namespace_manager
    for triple in shapes:
        if triple not in dropped:
            core.add(triple)
    checks = tuple(sorted((check for _, _, check in screened), key=lambda c: c.query))
    return Screen(shapes, core, checks, None if predicates is None else frozenset(predicates))


def flagged(found: Screen, graph: TripleIndex | Graph, collected: Collector | None = None
            ) -> set[Node] | None:
    """Every focus node of a screened constraint that its query, run over
    ``graph`` with ``$this`` free, binds ``$this`` to: all it may fail on.
    None when a literal may fail one (a literal where a source belongs):
    Oxigraph rewrites literals in canonical form, so which literal of the
    graph it is cannot be told, and every node must be run with every shape.
    ``collected``: the ``Collector`` that filled a store as the files of
    ``graph`` were parsed, if one did (else only the triples whose predicate
    a query names are put in a store here)."""
    if not found.checks:
        return set()
    store, unsure = collected.take() if collected is not None else (None, set())
    if store is None:
        store = ox.Store()
        store.bulk_extend(_converted(_with_predicates(graph, found.predicates), {}, unsure))
    nodes: set[Node] = set()
    for check in found.checks:
        for row in store.query(check.query):  # type: ignore[union-attr]
            this = row["this"]
            node: Node
            if isinstance(this, ox.NamedNode):
                node = URIRef(this.value)
            elif isinstance(this, ox.BlankNode):
                node = BNode(this.value)
            else:
                return None
            if node not in nodes and _is_focus(graph, node, check.targets):
                nodes.add(node)
    return nodes | unsure  # a triple the store could not hold may fail anything


def _converted(triples: Iterable[Triple], memo: dict[Node, Any], unsure: set[Node]
               ) -> Iterable[Any]:
    """``triples`` as pyoxigraph's quads; the subject of one with a term
    pyoxigraph refuses (a language tag rdflib accepts) goes to ``unsure``."""
    for triple in triples:
        terms = []
        for term in triple:
            converted = memo.get(term)
            if converted is None:
                try:
                    converted = memo[term] = to_ox(term)
                except ValueError:
                    break
            terms.append(converted)
        if len(terms) < 3:
            unsure.add(triple[0])
            continue
        yield ox.Quad(*terms)


def _wanted(triples: list[Triple], predicates: frozenset[URIRef] | None) -> Iterable[Triple]:
    return iter(triples) if predicates is None else (t for t in triples if t[1] in predicates)


def _is_focus(graph: TripleIndex | Graph, node: Node, targets: tuple[tuple[str, Node], ...]
              ) -> bool:
    """Whether ``node`` is a focus node of ``targets`` in ``graph`` (SHACL's
    class instances follow rdfs:subClassOf, with no other inference)."""
    for kind, value in targets:
        if kind == "targetNode" and node == value:
            return True
        if kind == "targetSubjectsOf" and next(iter(graph.objects(node, value)), None) is not None:  # type: ignore[arg-type]
            return True
        if kind == "targetObjectsOf" and next(iter(graph.subjects(value, node)), None) is not None:  # type: ignore[arg-type]
            return True
        if kind == "targetClass":
            classes = set(graph.objects(node, RDF_TYPE))  # type: ignore[arg-type]
            if classes & set(graph.transitive_subjects(RDFS_SUBCLASS, value)):  # type: ignore[arg-type]
                return True
    return False


def _with_predicates(graph: TripleIndex | Graph, predicates: frozenset[URIRef] | None
                     ) -> Iterable[Triple]:
    if predicates is None:
        return iter(graph)  # type: ignore[arg-type]
    if isinstance(graph, TripleIndex):
        return graph.with_predicates(predicates)  # type: ignore[arg-type]
    return (t for p in predicates for t in graph.triples((None, p, None)))  # type: ignore[misc]


def _query(shapes: Graph, constraint: Node) -> str | None:
    """The constraint's SELECT with its sh:prefixes declared, if Oxigraph can
    run it with only ``$this`` left free."""
    select = shapes.value(constraint, URIRef(SH + "select"))
    if select is None or _OTHER_BOUND.search(str(select)):
        return None
    declared = []
    for source in shapes.objects(constraint, URIRef(SH + "prefixes")):
        for declaration in shapes.objects(source, URIRef(SH + "declare")):
            prefix = shapes.value(declaration, URIRef(SH + "prefix"))
            namespace = shapes.value(declaration, URIRef(SH + "namespace"))
            if prefix is not None and namespace is not None:
                declared.append(f"PREFIX {prefix}: <{namespace}>")
    text = "\n".join([*sorted(set(declared)), str(select)])
    try:
        ox.Store().query(text)
    except SyntaxError:
        return None  # pySHACL runs it, and names the problem if there is one
    return text


def _focus_shapes(shapes: Graph, shape: Node) -> list[Node]:
    """The node shapes whose focus nodes ``$this`` stands for in ``shape``'s
    constraints: itself, if a node shape with targets used in no other shape;
    for a property shape, the node shapes it is a property of, if all are such
    (else none, and the constraint is not screened)."""
    uses = list(shapes.subject_predicates(shape))
    if not uses:
        return [shape] if _targeted(shapes, shape) else []
    owners = [s for s, p in uses if p == _ATTACHING and shapes.value(s, URIRef(SH + "path")) is None
              and next(shapes.subject_predicates(s), None) is None and _targeted(shapes, s)]
    return owners if len(owners) == len(uses) else []


def _targeted(shapes: Graph, shape: Node) -> bool:
    return any(shapes.value(shape, target) is not None for target in _TARGETS)


@functools.lru_cache(maxsize=64)
def _analysed(text: str) -> frozenset[URIRef] | Literal[False] | None:
    """Whether the query may be screened (False if not) and, if so, the IRIs
    it names (None: a pattern's predicate is a variable). Kept per process:
    rdflib's parser takes a twentieth of a second a query."""
    from rdflib.plugins.sparql import prepareQuery

    try:
        algebra = prepareQuery(text).algebra
    except Exception:  # rdflib refuses it: pySHACL runs it, and says why
        return False
    if Variable("this") not in (_bound(algebra["p"]) or ()):
        return False
    named = _iris(algebra)
    return None if named is None else frozenset(named)


def _iris(node: Any) -> set[URIRef] | None:
    """Every IRI in the algebra ``node`` (None: a triple pattern's predicate is
    a variable, so any triple may match)."""
    found: set[URIRef] = set()
    todo = [node]
    while todo:
        item = todo.pop()
        if isinstance(item, URIRef):
            found.add(item)
        elif isinstance(item, dict):  # rdflib's CompValue
            for key, value in item.items():
                if key == "triples" and any(isinstance(t[1], Variable) for t in value):
                    return None
                todo.append(value)
        elif isinstance(item, (list, tuple)):
            todo.extend(item)
        elif isinstance(item, Path):
            todo.extend(vars(item).values())
    return found


def _bound(node: Any) -> set[Variable] | None:
    """The variables every solution of ``node`` binds (None: not analysed).

    ``$this`` must be among them at the top: then evaluating the query once
    with ``$this`` free yields each focus node it fails on, as pySHACL's run
    with ``$this`` bound to that node would. So ``$this`` must be projected and
    bound by a triple pattern every solution matches (not only under OPTIONAL,
    or on one side of a UNION), and no LIMIT or OFFSET may cut rows across
    focus nodes."""
    name = getattr(node, "name", None)
    if name == "BGP":
        return {term for triple in node["triples"] for term in triple
                if isinstance(term, Variable)}
    if name in ("Filter", "OrderBy", "Distinct", "Reduced", "ToMultiSet", "Group"):
        return _bound(node["p"])
    if name == "LeftJoin" or name == "Minus":
        return _bound(node["p1"]) if _bound(node["p2"]) is not None else None
    if name in ("Join", "Union"):
        first, second = _bound(node["p1"]), _bound(node["p2"])
        if first is None or second is None:
            return None
        return first | second if name == "Join" else first & second
    if name == "Project":
        inner = _bound(node["p"])
        return None if inner is None else inner & set(node["PV"])
    if name == "Extend":
        inner = _bound(node["p"])
        if inner is None:
            return None
        expr = node["expr"]
        if isinstance(expr, Variable) and expr.startswith("__agg_") and expr in inner:
            return inner | {node["var"]}  # rdflib's name for a GROUP BY key it projects
        return None if node["var"] == Variable("this") else inner - {node["var"]}
    if name == "AggregateJoin":
        group = node["p"]
        inner = _bound(group)
        if inner is None:
            return None
        keys = {e for e in group["expr"] or () if isinstance(e, Variable)} & inner
        return keys | {a["res"] for a in node["A"]
                       if a.name == "Aggregate_Sample" and a["vars"] in keys}
    return None  # VALUES, GRAPH, SERVICE, LIMIT/OFFSET (Slice)...
