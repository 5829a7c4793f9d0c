"""Adding sources from a BibTeX file. The entries are checked (parsed, keys
unique in the file and in the knowledge base, titles present), turned into
sources, validated with the knowledge base's shapes together with everything
else, and only then written, atomically, to ``facts/sources-added.ttl``: a
file of derive's own, so that no file written by hand is ever edited. Any
problem adds nothing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from derive import __version__
from derive.errors import UsageError
from derive.ingest import bibtex
from derive.kb import store
from derive.kb.cache import write_output
from derive.kb.locate import KnowledgeBase
from derive.kb.namespaces import short
from derive.kb.store import LoadedGraph
from derive.validate.shacl import shacl_problems

TARGET = "sources-added.ttl"
HEADER = (
    "# Sources added with `derive sources add --bibtex FILE` (derive {version}).\n"
    "# derive rewrites this file when sources are added; other facts files are never\n"
    "# touched. Edit an entry here if you must, or remove it and add it again.\n\n"
)

# A shape's message in BibTeX's words, by the property it is about.
BIBTEX_HINTS = {
    "dcterms:issued": "has no date; add year = {2024} or date = {2024-05-17} "
                      "(or make it a @dataset, which needs none)",
    "dcterms:title": "has no title; add title = {...}",
}


@dataclass
class Added:
    keys: list[str]
    file: str


def add_bibtex(kb: KnowledgeBase, path: Path) -> Added:
    """Add the entries of the BibTeX file ``path`` as sources; all or nothing."""
    display = str(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise UsageError(f"{display}: cannot read the file: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{display}: not UTF-8 text; save the BibTeX file as UTF-8") from None
    entries = bibtex.parse(text, display)
    target = kb.facts_dir / TARGET
    others = [p for p in kb.data_files() if p.resolve() != target.resolve()]
    data = store.load(kb, others)
    existing = store.load(kb, [target]).graph if target.exists() else store.new_graph()
    for entry in entries:
        node = bibtex.source_iri(entry.key)
        if (node, None, None) in data.graph or (node, None, None) in existing:
            where = data.file_of(node) or kb.display(target)
            raise UsageError(f"{display}: entry {entry.label}: a source named {entry.key} "
                             f"already exists ({where}); give the entry another key")
    added = bibtex.to_graph(entries, path.name)
    turtle = HEADER.format(version=__version__) + (existing + added).serialize(format="turtle")
    _validate(kb, data, turtle, entries, display)
    write_output(target, turtle.encode("utf-8"))
    return Added([e.key for e in entries], kb.display(target))


def _validate(kb: KnowledgeBase, data: LoadedGraph, turtle: str,
              entries: list[bibtex.BibEntry], display: str) -> None:
    """The shapes over the knowledge base with the new file in it; a violation
    on a new source is an error naming its entry."""
    shown = kb.display(kb.facts_dir / TARGET)
    graph = store.parse_turtle(turtle, shown)
    data.graph += graph
    data.subjects_by_file[shown] = set(graph.subjects())
    shapes = store.load(kb, kb.shapes_files()).graph
    new = {short(str(bibtex.source_iri(e.key))): e for e in entries}
    for problem in shacl_problems(data, shapes):
        entry = new.get(problem.focus)
        if problem.severity == "violation" and entry is not None:
            message = BIBTEX_HINTS.get(problem.path, problem.message)
            raise UsageError(f"{display}: entry {entry.label}: {message}")


__all__ = ["Added", "add_bibtex"]
