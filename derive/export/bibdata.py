"""A source's bibliographic record, shared by the BibTeX and CSL-JSON
exports: its citation key (the source's own name, so it never changes while
the source exists), its kind of work, its authors in order, split into family
and given names, and its dates. Nothing is filled in that the knowledge base
does not record."""

from __future__ import annotations

import re
from dataclasses import dataclass

from derive.kb.model import Source

# Words that mark a venue as a conference's proceedings rather than a journal.
_PROCEEDINGS = re.compile(r"\b(conference|proceedings|symposium|workshop)\b", re.I)


@dataclass(frozen=True)
class Name:
    family: str
    given: str = ""


@dataclass(frozen=True)
class Reference:
    key: str
    kind: str  # journal-article, article (a periodical's), preprint,
    # proceedings, report, webpage, dataset or document
    title: str
    authors: tuple[Name, ...]
    issued: str | None  # ISO 8601 lexical form: 2025, 2025-04 or 2025-04-23
    url: str | None
    accessed: str | None
    venue: str | None  # journal, proceedings or newspaper
    publisher: str | None  # institution, publisher or data provider
    doi: str | None = None


def reference(source: Source) -> Reference:
    """The bibliographic record of ``source``."""
    venue = source.venue
    kind = _kind(source)
    publisher = source.publisher
    if kind == "report" and venue and not publisher:
        venue, publisher = None, venue  # a report's "venue" is the institution issuing it
    authors = tuple(split_name(name, source.short_name) for name in ordered_authors(source))
    if not authors and kind == "dataset" and publisher:
        authors = (Name(publisher),)  # a dataset without named people is its publisher's
    return Reference(
        key=source.name,
        kind=kind,
        title=source.title,
        authors=authors,
        issued=source.issued,
        url=source.url,
        accessed=source.accessed,
        venue=venue,
        publisher=publisher,
        doi=source.doi,
    )


def _kind(source: Source) -> str:
    kind = source.kind
    if kind == "Dataset":
        return "dataset"
    if kind in ("AcademicArticle", "Article"):
        if source.venue and _PROCEEDINGS.search(source.venue):
            return "proceedings"
        if kind == "AcademicArticle":
            return "journal-article" if source.venue else "preprint"
        return "article"
    if kind == "Report":
        return "report"
    if kind == "Webpage":
        return "webpage"
    return "document"


def ordered_authors(source: Source) -> list[str]:
    """Authors in printed order: ``dv:authorList`` when given (``dcterms:creator``
    is a set), else the creators."""
    if source.author_list:
        text = re.sub(r",?\s+and\s+", ", ", source.author_list)
        return [name.strip() for name in text.split(",") if name.strip()]
    return list(source.authors)


def split_name(name: str, family_hint: str | None = None) -> Name:
    """``K. F. Pilz`` → Pilz, K. F. A known family name (``dv:citationName``,
    e.g. the two-word Ruiloba Portilla) wins over the last-word rule."""
    name = " ".join(name.split())
    if family_hint and name == family_hint:
        return Name(family_hint)  # an organisation, or a single name
    if family_hint and name.endswith(" " + family_hint):
        return Name(family_hint, name[: -len(family_hint) - 1])
    if "," in name:
        family, _, given = name.partition(",")
        return Name(family.strip(), given.strip())
    parts = name.split(" ")
    if len(parts) == 1:
        return Name(name)
    return Name(parts[-1], " ".join(parts[:-1]))


def date_parts(lexical: str) -> list[int]:
    """``2025-04-23`` → [2025, 4, 23]; ``2025`` → [2025]."""
    return [int(part) for part in lexical[:10].split("-") if part.isdigit()]
