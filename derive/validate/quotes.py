"""The verbatim check: every quote taken from a source with a stored text
(``dv:localText``, relative to facts/) must occur in that text, runs of
whitespace counting as one space. A source may hold its full text itself, or
parts of it (``dv:SourceText``s that are ``dcterms:isPartOf`` it, each with a
``bibo:locator`` such as "abstract"); a quote whose selector names a part
held is checked against that part."""

from __future__ import annotations

from collections.abc import Iterator

import ahocorasick
from rdflib import URIRef
from rdflib.term import Node

from derive.kb.namespaces import DV, PREFIXES
from derive.kb.store import LoadedGraph
from derive.validate.report import Problem
from derive.validate.shacl import owning_subject, term_text

OA = PREFIXES["oa"]
DCT = PREFIXES["dcterms"]
BIBO = PREFIXES["bibo"]
_MAX_QUOTE = 80
_FEW = 8  # fewer needles than this are searched for one by one


def collapse_whitespace(text: str) -> str:
    return " ".join(text.split())


def quote_problems(data: LoadedGraph, skip: frozenset[str] = frozenset()) -> list[Problem]:
    """Every quote from a source with dv:localText must occur in that text;
    the quotes of the claims in ``skip`` (unchanged since the last run, whose
    verdict is kept) are not checked again."""
    graph = data.graph
    texts: dict[Node, str] = {}
    parts: dict[tuple[Node, str], Node] = {}  # (source, locator) -> the dv:SourceText
    problems: list[Problem] = []
    for holder, local in graph.subject_objects(URIRef(DV + "localText")):
        text = _read_local_text(data, holder, str(local))
        if isinstance(text, Problem):
            problems.append(text)
            continue
        texts[holder] = text
        whole = graph.value(holder, URIRef(DCT + "isPartOf"))
        locator = graph.value(holder, URIRef(BIBO + "locator"))
        if whole is not None and locator is not None:
            parts[(whole, _locator_key(str(locator)))] = holder
    pending: dict[Node, list[Node]] = {}  # text holder -> the quotes to find in its text
    for quote, source in graph.subject_objects(URIRef(OA + "hasSource")):
        if source in texts:
            if not (skip and str(owning_subject(graph, quote)) in skip):
                pending.setdefault(source, []).append(quote)
            continue
        for selector in graph.objects(quote, URIRef(OA + "hasSelector")):
            locator = graph.value(selector, URIRef(BIBO + "locator"))
            holder = parts.get((source, _locator_key(str(locator)))) if locator else None
            if holder is not None:
                pending.setdefault(holder, []).append(quote)
    for holder, quotes in pending.items():
        problems.extend(_check_quotes(data, quotes, holder, collapse_whitespace(texts[holder])))
    return problems


def _locator_key(locator: str) -> str:
    return " ".join(locator.lower().split())


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
            # read (a text that cannot be is a problem in every run), but
            # collapsed only if a quote is to be found in it
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problem = f"dv:localText file {shown} cannot be read ({exc}); save it as UTF-8 text"
    file = data.file_of(source) or ""
    return Problem("violation", file, term_text(source), "dv:localText", problem)


def _check_quotes(data: LoadedGraph, quotes: list[Node], holder: Node, text: str
                  ) -> Iterator[Problem]:
    """A problem for each of ``quotes`` (in order) whose exact words are not in
    ``text``, the text ``holder`` keeps."""
    graph = data.graph
    exacts = [(quote, str(exact)) for quote in quotes
              for selector in graph.objects(quote, URIRef(OA + "hasSelector"))
              for exact in graph.objects(selector, URIRef(OA + "exact"))]
    found = occurring({collapse_whitespace(exact) for _, exact in exacts}, text)
    shown = None
    for quote, exact in exacts:
        if collapse_whitespace(exact) in found:
            continue
        owner = owning_subject(graph, quote)
        shown = shown or data.kb.display(
            data.kb.facts_dir / str(graph.value(holder, URIRef(DV + "localText"))))
        yield Problem(
            "violation",
            data.file_of(owner) or "",
            term_text(owner),
            "dv:quote/oa:hasSelector/oa:exact",
            f"quote is not verbatim in {shown}: {_abbreviate(exact)!r}; copy the words "
            "exactly as the text has them (only whitespace may differ)",
        )


def occurring(needles: set[str], text: str) -> set[str]:
    """Which of ``needles`` occur in ``text``: one pass over the text with an
    Aho-Corasick automaton of them all (pyahocorasick), where searching for
    each in turn reads the text once per needle (5,000 quotes from one
    400-kilobyte text: 0.27 s against 0.07 s)."""
    if len(needles) < _FEW:
        return {needle for needle in needles if needle in text}
    automaton = ahocorasick.Automaton()
    for needle in needles:
        if needle:
            automaton.add_word(needle, needle)
    automaton.make_automaton()
    found: set[str] = {needle for _, needle in automaton.iter(text)}
    return found | ({""} & needles)


def _abbreviate(text: str) -> str:
    text = collapse_whitespace(text)
    return text if len(text) <= _MAX_QUOTE else text[: _MAX_QUOTE - 1] + "…"
