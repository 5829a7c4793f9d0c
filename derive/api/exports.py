"""Exports for front ends that need only the compiled model (cached, so a
warm run imports no rdflib): the sources as BibTeX or CSL-JSON, the claims as
CSV. JSON-LD and nanopublications, which need the graph, are in
``graph_exports``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from derive.engine.compiled import load
from derive.errors import UsageError
from derive.export import bibdata, bibtex, claims_csv, csljson
from derive.export.select import select
from derive.kb.cache import write_output
from derive.kb.locate import KnowledgeBase

FORMATS = ("bibtex", "csl-json", "csv")


@dataclass
class Export:
    """An export's text and what it holds (for the command's summary line)."""

    text: str
    count: int
    noun: str


def export(kb: KnowledgeBase, fmt: str, names: Iterable[str] = ()) -> Export:
    """The sources (``bibtex``, ``csl-json``) or claims (``csv``) that ``names`` select."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    model = load(kb).model
    chosen = select(model, names)
    if fmt in ("bibtex", "csl-json"):
        refs = [bibdata.reference(model.sources[iri]) for iri in sorted(chosen.sources)
                if model.sources[iri].kind != "Distribution"]  # cite the dataset, not its file
        text = bibtex.render(refs) if fmt == "bibtex" else csljson.render(refs)
        return Export(text, len(refs), "source")
    claims = [model.claims[iri] for iri in sorted(chosen.claims)]
    return Export(claims_csv.render(claims), len(claims), "claim")


def write(path: Path, text: str) -> None:
    """Write an export atomically (the folder is created if missing)."""
    if path.is_dir():
        raise UsageError(f"--out {path} is a folder; give a file name, e.g. {path / 'kb.out'}")
    write_output(path, text.encode("utf-8"))


