"""Checking a knowledge base: the SHACL shapes of ontology/shapes*.ttl run over
ontology and facts, plus a plain-Python check that every quote taken from a
source with a stored text (dv:localText) occurs verbatim in that text.

``validate(kb)`` returns a ``ValidationReport``; it prints nothing and writes
no file. Each ``Problem`` names the knowledge-base file and the claim (or
source) concerned, so that a curator knows where to look and what to fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from derive.kb import KnowledgeBase
from derive.namespaces import DV, PREFIXES, short

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from derive.store import LoadedGraph

SH = PREFIXES["sh"]
OA = PREFIXES["oa"]
RDF = PREFIXES["rdf"]

SEVERITIES = {SH + "Violation": "violation", SH + "Warning": "warning", SH + "Info": "info"}
_SEVERITY_ORDER = {"violation": 0, "warning": 1, "info": 2}

# Classes whose instances count as described sources in the summary line.
SOURCE_CLASSES = (
    *(PREFIXES["bibo"] + name for name in (
        "Document", "Article", "AcademicArticle", "Report", "Webpage", "Book", "BookSection",
        "Chapter", "Thesis", "Manual", "Standard", "Patent", "Slideshow", "Note", "Manuscript",
    )),
    PREFIXES["schema"] + "Dataset",
    PREFIXES["schema"] + "DigitalDocument",
)  # fmt: skip

_IRI = re.compile(r"<?(https?://[^\s<>\"{},;()]*[^\s<>\"{},;().])>?")
_MAX_QUOTE = 80
_NUMERIC = {PREFIXES["xsd"] + t for t in ("double", "decimal", "integer", "float")}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the knowledge base."""

    severity: str  # "violation", "warning" or "info"
    file: str  # knowledge-base-relative file, or "" when no file describes the node
    focus: str  # prefixed IRI of the claim or source, e.g. claim:us-share
    path: str  # the property concerned (prefixed, "/" for sequences), or ""
    message: str  # what is wrong and what to fix
    value: str = ""  # the offending value, when there is one

    def sort_key(self) -> tuple[str, str, int, str, str]:
        return (self.file, self.focus, _SEVERITY_ORDER[self.severity], self.path, self.message)

    def line(self) -> str:
        where = self.file or "(no file)"
        return f"{where}: {self.focus}: {self.severity}: {self.message}"


@dataclass
class ValidationReport:
    problems: list[Problem] = field(default_factory=list)
    claims: int = 0
    sources: int = 0

    @property
    def conforms(self) -> bool:
        return self.count("violation") == 0

    def count(self, severity: str) -> int:
        return sum(1 for p in self.problems if p.severity == severity)

    @property
    def files(self) -> list[str]:
        return sorted({p.file for p in self.problems})

    def summary(self) -> str:
        if not self.problems:
            claims, sources = _plural(self.claims, "claim"), _plural(self.sources, "source")
            return f"valid: {claims}, {sources}, no problems"
        counts = [
            _plural(self.count("violation"), "violation"),
            _plural(self.count("warning"), "warning"),
        ]
        if self.count("info"):
            counts.append(_plural(self.count("info"), "info"))
        return f"{', '.join(counts)} in {_plural(len(self.files), 'file')}"

    def as_dict(self) -> dict[str, object]:
        return {
            "conforms": self.conforms,
            "claims": self.claims,
            "sources": self.sources,
            "violations": self.count("violation"),
            "warnings": self.count("warning"),
            "problems": [asdict(p) for p in self.problems],
            "summary": self.summary(),
        }


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 or word == "info" else f"{n} {word}s"


def validate(kb: KnowledgeBase, *, incremental: bool = True) -> ValidationReport:
    """Validate ``kb``. Raises ``LoadError`` when a file cannot be parsed.

    With ``incremental`` (the default) only what changed since the last run is
    validated again (see ``derive.revalidate``); the report is the same.
    """
    from derive import revalidate, store

    context, stamps = revalidate.context_stamp(kb), revalidate.file_stamps(kb)
    state = revalidate.previous(kb) if incremental else None
    if state is not None and state.context != context:
        state = None
    if state is not None and state.files == stamps and state.report is not None:
        return state.report
    data = store.load(kb)
    shapes = store.load(kb, kb.shapes_files()).graph
    claims = revalidate.claims_of(data.graph)
    if state is None:
        shacl = shacl_problems(data, shapes)
    else:
        affected = revalidate.affected_claims(data, state, stamps, claims)
        reduced = revalidate.reduced_graph(data.graph, claims - affected)
        partial = LoadedGraphView(reduced, data)
        shacl = [*revalidate.kept_problems(state, affected, claims),
                 *shacl_problems(partial, shapes)]  # type: ignore[arg-type]
    report = ValidationReport(
        problems=_distinct([*shacl, *quote_problems(data)]),
        claims=_count_instances(data.graph, (DV + "Claim",)),
        sources=_count_instances(data.graph, SOURCE_CLASSES),
    )
    revalidate.save(kb, revalidate.State(
        context, stamps, revalidate.iris_by_file(data), claims, shacl, report))
    return report


class LoadedGraphView:
    """A reduced graph that still knows which file describes each node."""

    def __init__(self, graph: Graph, full: LoadedGraph) -> None:
        self.graph = graph
        self.kb = full.kb
        self.subjects_by_file = full.subjects_by_file
        self._full = full

    def file_of(self, node: Node) -> str | None:
        return self._full.file_of(node)


def _distinct(problems: list[Problem]) -> list[Problem]:
    """Sorted, each (file, focus, severity, path, message) once."""
    unique: dict[tuple[str, str, int, str, str], Problem] = {}
    for problem in problems:
        unique.setdefault(problem.sort_key(), problem)
    return [unique[key] for key in sorted(unique)]


###########################################################################
# SHACL
###########################################################################


def shacl_problems(data: LoadedGraph, shapes: Graph) -> list[Problem]:
    """Run the shapes over the data graph (no inference) and map the results."""
    if len(shapes) == 0:
        return []
    import pyshacl

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
        from derive.errors import LoadError

        files = ", ".join(data.kb.display(p) for p in data.kb.shapes_files())
        raise LoadError(files, f"the shapes cannot be run: {exc}; fix the shape") from None
    return [p for r in _results(results) for p in _problems_from_result(data, results, r)]


def _prepared_query_view(graph: Graph) -> Graph:
    """The same triples (shared store, no copy), but each SPARQL text is parsed once.

    pySHACL runs a SPARQL constraint once per focus node with the same text and
    a different ``$this`` binding; rdflib would parse the text every time,
    which costs far more than evaluating it.
    """
    from rdflib import Graph
    from rdflib.plugins.sparql import prepareQuery

    prepared_queries: dict[str, Any] = {}

    class PreparedQueryGraph(Graph):
        def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(query_object, str):
                if query_object not in prepared_queries:
                    prepared_queries[query_object] = prepareQuery(query_object)
                query_object = prepared_queries[query_object]
            return super().query(query_object, *args, **kwargs)

    view = PreparedQueryGraph(store=graph.store, identifier=graph.identifier)
    view.namespace_manager = graph.namespace_manager
    return view


def _results(results: Graph) -> Iterator[Node]:
    from rdflib import URIRef

    yield from results.subjects(URIRef(RDF + "type"), URIRef(SH + "ValidationResult"))


def _problems_from_result(data: LoadedGraph, results: Graph, result: Node) -> list[Problem]:
    """One SHACL result as problems, each on a node that a file describes."""
    from rdflib import URIRef

    def one(prop: str) -> Node | None:
        return results.value(result, URIRef(SH + prop))

    focus = one("focusNode")
    if focus is None:
        return []
    value = one("value")
    value_text = _term_text(value) if value is not None and value != focus else ""
    message = _tidy_message(
        str(one("resultMessage") or "does not conform to the shapes"),
        value=value_text,
        this=_term_text(focus),
    )
    severity = SEVERITIES.get(str(one("resultSeverity")), "violation")
    result_path = render_path(results, one("resultPath"))
    problems = []
    for anchor in _anchors(data, focus):
        nested = _nested_path(data.graph, focus, anchor)
        path = "/".join(p for p in (nested, result_path) if p)
        file = data.file_of(anchor) or ""
        problems.append(Problem(severity, file, _term_text(anchor), path, message, value_text))
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


def _term_text(node: Node) -> str:
    from rdflib import BNode, Literal

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
    from rdflib import BNode

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
    from rdflib import BNode

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
    from rdflib import BNode, URIRef
    from rdflib.collection import Collection

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


###########################################################################
# Quotes against stored texts
###########################################################################


def collapse_whitespace(text: str) -> str:
    return " ".join(text.split())


def quote_problems(data: LoadedGraph) -> list[Problem]:
    """Every quote from a source with dv:localText must occur in that text."""
    from rdflib import URIRef

    graph = data.graph
    texts: dict[Node, str] = {}
    problems: list[Problem] = []
    for source, local in graph.subject_objects(URIRef(DV + "localText")):
        text = _read_local_text(data, source, str(local))
        if isinstance(text, Problem):
            problems.append(text)
        else:
            texts[source] = text
    for quote, source in graph.subject_objects(URIRef(OA + "hasSource")):
        if source in texts:
            problems.extend(_check_quote(data, quote, source, texts[source]))
    return problems


def _read_local_text(data: LoadedGraph, source: Node, local: str) -> str | Problem:
    facts = data.kb.facts_dir.resolve()
    path = (facts / local).resolve()
    shown = data.kb.display(data.kb.facts_dir / local)
    problem = None
    if not path.is_relative_to(facts):
        problem = f"dv:localText {local!r} points outside facts/; give a path relative to facts/"
    elif not path.is_file():
        problem = (
            f"dv:localText file {shown} does not exist; store the source's text there "
            "or fix the path (it is relative to facts/)"
        )
    else:
        try:
            return collapse_whitespace(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            problem = f"dv:localText file {shown} cannot be read ({exc}); save it as UTF-8 text"
    file = data.file_of(source) or ""
    return Problem("violation", file, _term_text(source), "dv:localText", problem)


def _check_quote(data: LoadedGraph, quote: Node, source: Node, text: str) -> Iterator[Problem]:
    from rdflib import URIRef

    graph = data.graph
    owner = owning_subject(graph, quote)
    shown = data.kb.display(data.kb.facts_dir / str(graph.value(source, URIRef(DV + "localText"))))
    for selector in graph.objects(quote, URIRef(OA + "hasSelector")):
        for exact in graph.objects(selector, URIRef(OA + "exact")):
            if collapse_whitespace(str(exact)) in text:
                continue
            yield Problem(
                "violation",
                data.file_of(owner) or "",
                _term_text(owner),
                "dv:quote/oa:hasSelector/oa:exact",
                f"quote is not verbatim in {shown}: {_abbreviate(str(exact))!r}; copy the words "
                "exactly as the text has them (only whitespace may differ)",
            )


def _abbreviate(text: str) -> str:
    text = collapse_whitespace(text)
    return text if len(text) <= _MAX_QUOTE else text[: _MAX_QUOTE - 1] + "…"


###########################################################################
# Counts for the summary line
###########################################################################


def _count_instances(graph: Graph, classes: tuple[str, ...]) -> int:
    """Distinct instances of ``classes`` or their rdfs:subClassOf descendants."""
    from rdflib import RDF as RDF_NS
    from rdflib import RDFS, URIRef

    members: set[Node] = set()
    for cls in classes:
        for sub in graph.transitive_subjects(RDFS.subClassOf, URIRef(cls)):
            members.update(graph.subjects(RDF_NS.type, sub))
    return len(members)
