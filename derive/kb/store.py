"""Parsing the knowledge base: the single place where Turtle is read.

pyoxigraph parses (over ten times faster than rdflib's parser); its triples
go into a ``TripleIndex`` (``load_index``: extraction, the audit) or into an
rdflib graph (``load``: pySHACL, small graphs). A file pyoxigraph refuses,
or that holds an ill-typed literal or an invalid IRI, is parsed again by
rdflib's parser so that the error names the file and line the way users know;
every parse error becomes a ``LoadError``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
import rdflib
from rdflib import Graph, Literal, URIRef

from derive.errors import LoadError
from derive.kb import lexical
from derive.kb.locate import KnowledgeBase
from derive.kb.namespaces import PREFIXES, short
from derive.kb.triples import Converter, Triple, TripleIndex

if TYPE_CHECKING:
    from rdflib.term import Node

_LINE = re.compile(r"(?:line|at line)\s*(\d+)", re.I)


@dataclass
class LoadedGraph:
    """The merged graph (an rdflib graph or a ``TripleIndex``) plus, per file,
    the subjects it defines."""

    graph: Graph | TripleIndex
    kb: KnowledgeBase
    subjects_by_file: dict[str, set[Node]] = field(default_factory=dict)
    # IRI -> the first file that describes it, made on the first question
    # once the files are in (asking each file in turn is a scan of 200 files
    # for each of a million claims); remade if a file is added after
    _files: tuple[int, dict[Node, str]] = field(default=(-1, {}), repr=False, compare=False)

    def file_of(self, node: Node) -> str | None:
        """The knowledge-base-relative file that describes ``node``, if any."""
        if not isinstance(node, URIRef):  # blank nodes are not indexed (three a claim)
            return next((name for name, subjects in self.subjects_by_file.items()
                         if node in subjects), None)
        if self._files[0] != len(self.subjects_by_file):
            files: dict[Node, str] = {}
            for name, subjects in self.subjects_by_file.items():
                for subject in subjects:
                    if isinstance(subject, URIRef):
                        files.setdefault(subject, name)
            self._files = (len(self.subjects_by_file), files)
        return self._files[1].get(node)


def new_graph() -> Graph:
    graph = Graph()
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    return graph


def _decode(path: Path, display: str) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(display, f"cannot read file: {exc.strerror}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise LoadError(
            display,
            f"byte 0x{data[exc.start]:02x} is not valid UTF-8; save the file as UTF-8",
            line,
        ) from None


def parse_turtle(text: str, display: str, base: str | None = None) -> Graph:
    """Parse Turtle ``text``; any error names ``display`` and the line."""
    graph = new_graph()
    _parse_into(graph, text, display, base)
    return graph


def _parse_into(graph: Graph, text: str, display: str, base: str | None) -> set[Node]:
    """Parse ``text`` straight into ``graph`` (no copy: merging graphs costs nearly
    as much as parsing them) and return the subjects it adds. Invalid IRIs and
    ill-typed literals, which rdflib accepts silently, are refused with their line."""
    subjects: set[Node] = set()
    bad: list[Node] = []
    add = graph.add

    def recording_add(triple: Any) -> Any:
        subjects.add(triple[0])
        if not bad:
            bad.extend(term for term in triple if _is_bad_term(term))
        literal = triple[2]
        if isinstance(literal, Literal) and literal.datatype is not None:
            triple = (triple[0], triple[1], Literal(
                str(literal), datatype=literal.datatype, normalize=normalize))
        return add(triple)

    rdflib_logger = logging.getLogger("rdflib")
    previous = rdflib_logger.level
    rdflib_logger.setLevel(logging.CRITICAL)  # rdflib logs bad IRIs before raising
    graph.add = recording_add  # type: ignore[method-assign]
    # Check each literal as written: normalising first would turn "NaN" into
    # "nan" and "1_000" into "1000.0", hiding forms XML Schema does not allow.
    # What is stored is normalised as usual (recording_add).
    normalize, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        graph.parse(data=text, format="turtle", publicID=base)
    except Exception as exc:  # rdflib raises many unrelated types for bad input
        raise _as_load_error(exc, text, display) from None
    finally:
        rdflib.NORMALIZE_LITERALS = normalize
        del graph.add
        rdflib_logger.setLevel(previous)
    if bad:
        raise _bad_term_error(bad[0], text, display)
    return subjects


def _as_load_error(exc: Exception, text: str, display: str) -> LoadError:
    line = getattr(exc, "lines", None)
    message = str(getattr(exc, "_why", None) or exc)
    if isinstance(line, int):
        line = line + 1
    else:
        match = _LINE.search(str(exc))
        line = int(match.group(1)) if match else None
    message = message.splitlines()[0] if message else type(exc).__name__
    prefix = re.search(r"Prefix \"?([\w-]*):\"? not bound", str(exc))
    if prefix:
        message = f"prefix '{prefix.group(1)}:' is not declared; add an @prefix line for it"
    return LoadError(display, message, line)


_BAD_IRI_CHARS = re.compile(r'[\s<>"{}|\\^`]')


def _line_of(text: str, needle: str) -> int | None:
    pos = text.find(needle)
    return text.count("\n", 0, pos) + 1 if pos >= 0 else None


def _is_bad_term(term: Node) -> bool:
    if isinstance(term, Literal):
        return bool(term.ill_typed) or (
            term.datatype is not None and not lexical.is_well_formed(str(term), str(term.datatype))
        )
    return isinstance(term, URIRef) and bool(_BAD_IRI_CHARS.search(term) or ":" not in term)


def _is_ill_typed(literal: ox.Literal, convert: Converter) -> bool:
    """``_is_bad_term`` of the literal as written, from the term ``convert``
    already made of it: rdflib finds a form ill-typed whether or not it
    normalises it afterwards, so no second literal is made to ask."""
    converted = convert(literal)
    return bool(getattr(converted, "ill_typed", False)) or not lexical.is_well_formed(
        literal.value, literal.datatype.value)


def _bad_term_error(term: Node, text: str, display: str) -> LoadError:
    if isinstance(term, Literal):
        return LoadError(
            display,
            f'"{term}" is not a valid {short(str(term.datatype))} value; '
            "fix the literal or its datatype",
            _line_of(text, f'"{term}"'),
        )
    needle = str(term).split("/")[-1] or str(term)
    return LoadError(
        display,
        f"invalid IRI <{term}>: IRIs may not contain spaces or any of <>\"{{}}|\\^`",
        _line_of(text, needle),
    )


def parse_triples(text: str, display: str, base: str | None,
                  convert: Converter | None = None) -> list[Triple]:
    """The triples of one Turtle file as rdflib terms, parsed by pyoxigraph."""
    return parse_quads(text, display, base, convert)[1]


def parse_quads(text: str, display: str, base: str | None, convert: Converter | None = None,
                *, terms: bool = True) -> tuple[list[Any] | None, list[Triple]]:
    """``parse_triples``, with the quads pyoxigraph read (None when rdflib's
    parser read the file instead). Without ``terms`` the triples are left out
    (empty) when the quads stand for them: a caller that reads the quads only
    (a fragment for validation) need not make a term of each."""
    convert = convert or Converter()
    try:
        quads = list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=base))
        triples = convert.triples(quads) if terms else []
    except (SyntaxError, ValueError):
        triples = quads = None
    if triples is None or any(_is_ill_typed(o, convert) for o in {
            q.object for q in quads or () if isinstance(q.object, ox.Literal)
            and not q.object.language}):
        # rdflib's parser names the problem and its line as users know it
        # (and raises); if it accepts the file after all, its triples stand.
        graph = new_graph()
        _parse_into(graph, text, display, base)
        return None, list(graph)
    return quads, triples


def parsed_quads(kb: KnowledgeBase, files: list[Path] | None = None, *, terms: bool = True
                 ) -> Iterator[tuple[Path, list[Any] | None, list[Triple]]]:
    """Each of ``files`` (default: ontology without shapes, and facts) parsed:
    its quads and triples (see ``parse_quads``, also for ``terms``)."""
    convert = Converter()
    for path in kb.data_files() if files is None else files:
        display = kb.display(path)
        text = _decode(path, display)
        yield (path, *parse_quads(text, display, path.resolve().as_uri(), convert, terms=terms))


def load_index(kb: KnowledgeBase, files: list[Path] | None = None, *,
               each: Callable[[Path, list[Any] | None, list[Triple]], None] | None = None
               ) -> LoadedGraph:
    """``files`` (default: ontology without shapes, and facts) in a ``TripleIndex``;
    ``each`` is handed every file as it is parsed, with its quads and triples
    (``derive.kb.fragments.Keeper`` keeps each facts file's fragment that way)."""
    index = TripleIndex()
    loaded = LoadedGraph(index, kb)
    for path, quads, triples in parsed_quads(kb, files):
        loaded.subjects_by_file[kb.display(path)] = {t[0] for t in triples}
        index.add_all(triples)
        if each is not None:
            each(path, quads, triples)
    return loaded


def load(kb: KnowledgeBase, files: list[Path] | None = None) -> LoadedGraph:
    """Parse ``files`` (default: ontology without shapes, and facts) into one rdflib graph."""
    merged = new_graph()
    loaded = LoadedGraph(merged, kb)
    for path, _quads, triples in parsed_quads(kb, files):
        loaded.subjects_by_file[kb.display(path)] = {t[0] for t in triples}
        merged.addN((s, p, o, merged) for s, p, o in triples)
    return loaded
