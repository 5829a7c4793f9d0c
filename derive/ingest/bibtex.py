"""BibTeX entries as sources: each entry becomes ``src:KEY``, typed with the
BIBO class of its entry type, with its title, authors (in order), date,
venue, publisher, URL, access date and DOI. LaTeX in field values is decoded.
Any broken entry, duplicate key, key that cannot be a name, or entry without
a title is an error naming the entry and its line, so that nothing is added
from a file that is partly wrong."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import bibtexparser
from bibtexparser import middlewares
from bibtexparser.model import DuplicateBlockKeyBlock, Entry, ParsingFailedBlock
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import XSD

from derive.errors import UsageError
from derive.kb.namespaces import DV, PREFIXES
from derive.kb.store import new_graph

BIBO = PREFIXES["bibo"]
DCT = PREFIXES["dcterms"]

# BibTeX/biblatex entry type -> BIBO class (a dataset is a schema:Dataset).
CLASSES = {
    "article": "AcademicArticle", "inproceedings": "AcademicArticle",
    "conference": "AcademicArticle", "techreport": "Report", "report": "Report",
    "book": "Book", "inbook": "BookSection", "incollection": "BookSection",
    "phdthesis": "Thesis", "mastersthesis": "Thesis", "thesis": "Thesis",
    "manual": "Manual", "unpublished": "Manuscript", "online": "Webpage",
    "webpage": "Webpage", "www": "Webpage", "misc": "Document", "booklet": "Document",
    "patent": "Patent", "standard": "Standard",
}
DATASET_TYPES = {"dataset", "data"}
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}


@dataclass(frozen=True)
class BibEntry:
    """One parsed entry: its key, type, line (1-based) and decoded fields."""

    key: str
    entry_type: str
    line: int
    fields: dict[str, str]
    raw_author: str = ""  # as written, braces kept: {World Bank} is one name

    @property
    def label(self) -> str:
        return f"@{self.entry_type}{{{self.key}}} (line {self.line})"


def parse(text: str, display: str) -> list[BibEntry]:
    """The entries of a BibTeX file; a ``UsageError`` naming the first bad one."""
    logger = logging.getLogger("bibtexparser")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)  # its warnings would reach the user's terminal
    try:
        library = bibtexparser.parse_string(
            text, append_middleware=[middlewares.LatexDecodingMiddleware()])
        raw = bibtexparser.parse_string(text)  # URLs as written: % and _ are not LaTeX there
    finally:
        logger.setLevel(previous)
    for block in library.failed_blocks:
        line = block.start_line + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            raise UsageError(f"{display}: entry {block.key!r} (line {line}) repeats a key used "
                             "earlier in the file; give each entry its own key")
        head = re.match(r"\s*@(\w+)\s*[{(]\s*([^,\s]*)", block.raw)
        what = f"@{head.group(1)}{{{head.group(2)}}}" if head else "an entry"
        reason = ""
        if isinstance(block, ParsingFailedBlock) and block.error is not None:
            reason = str(block.error).strip().splitlines()[-1].strip() if str(block.error) else ""
        hint = f" ({reason})" if reason else ""
        raise UsageError(f"{display}: {what} (line {line}) is not valid BibTeX{hint}; "
                         "check its braces, commas and quotes")
    verbatim = {e.key: {f.key.lower(): str(f.value).strip() for f in e.fields}
                for e in raw.entries}
    entries = [_entry(e, verbatim.get(e.key, {})) for e in library.entries]
    if not entries:
        raise UsageError(f"{display}: no BibTeX entries found")
    for entry in entries:
        _check(entry, display)
    return entries


VERBATIM = ("url", "doi", "urldate")


def _entry(entry: Entry, verbatim: dict[str, str]) -> BibEntry:
    fields = {f.key.lower(): " ".join(str(f.value).split()) for f in entry.fields}
    fields.update({k: v for k, v in verbatim.items() if k in VERBATIM})
    return BibEntry(entry.key, entry.entry_type.lower(), entry.start_line + 1, fields,
                    " ".join(verbatim.get("author", "").split()))


def _check(entry: BibEntry, display: str) -> None:
    where = f"{display}: entry {entry.label}"
    if not _KEY.match(entry.key):
        raise UsageError(f"{where}: the key {entry.key!r} cannot name a source; use letters, "
                         "digits, '.', '_' and '-' only")
    if not entry.fields.get("title"):
        raise UsageError(f"{where} has no title; add title = {{...}}")
    if entry.entry_type not in CLASSES and entry.entry_type not in DATASET_TYPES:
        known = ", ".join(sorted({*CLASSES, *DATASET_TYPES}))
        raise UsageError(f"{where}: unknown entry type @{entry.entry_type}; use one of {known}")
    issued = entry.fields.get("date") or entry.fields.get("year")
    if issued and issued_literal(entry) is None:
        raise UsageError(f"{where}: cannot read the date {issued!r}; write year = {{2024}} or "
                         "date = {2024-05-17}")
    accessed = entry.fields.get("urldate")
    if accessed and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", accessed):
        raise UsageError(f"{where}: urldate {accessed!r} is not a date; write it as 2025-11-01")


def author_names(entry: BibEntry) -> list[tuple[str, str]]:
    """The authors in order as (family, given); an organisation (``{World Bank}``)
    has no given name."""
    text = entry.fields.get("author", "")
    names = [n.strip() for n in re.split(r"\s+and\s+", text) if n.strip()]
    raw = [n.strip() for n in re.split(r"\s+and\s+", entry.raw_author) if n.strip()]
    out = []
    for i, name in enumerate(names):
        whole = i < len(raw) and raw[i].startswith("{") and raw[i].endswith("}") \
            and raw[i].count("{") == 1
        if whole:
            out.append((name, ""))
        elif "," in name:
            family, _, given = name.partition(",")
            out.append((family.strip(), given.strip()))
        else:
            parts = name.rsplit(" ", 1)
            out.append((parts[-1], parts[0] if len(parts) == 2 else ""))
    return out


def authors(entry: BibEntry) -> list[str]:
    """The authors in order, each as ``Given Family``."""
    return [f"{given} {family}".strip() for family, given in author_names(entry)]


def issued_literal(entry: BibEntry) -> Literal | None:
    """``date`` (ISO 8601) or ``year`` and ``month`` as xsd:date, gYearMonth or gYear."""
    date = entry.fields.get("date")
    if date:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
            return Literal(date, datatype=XSD.date)
        if re.fullmatch(r"\d{4}-\d{2}", date):
            return Literal(date, datatype=XSD.gYearMonth)
        if re.fullmatch(r"\d{4}", date):
            return Literal(date, datatype=XSD.gYear)
        return None
    year = entry.fields.get("year")
    if year is None:
        return None
    if not re.fullmatch(r"\d{4}", year):
        return None
    month = entry.fields.get("month", "").strip().lower()[:3]
    number = _MONTHS.get(month) or (int(month) if month.isdigit() and 1 <= int(month) <= 12
                                    else None)
    if number:
        return Literal(f"{year}-{number:02d}", datatype=XSD.gYearMonth)
    return Literal(year, datatype=XSD.gYear)


def source_iri(key: str) -> URIRef:
    return URIRef(PREFIXES["src"] + key)


def to_graph(entries: list[BibEntry], display: str) -> Graph:
    """The sources as RDF, in the terms ``facts/sources.ttl`` uses."""
    graph = new_graph()
    for entry in entries:
        node = source_iri(entry.key)
        f = entry.fields
        if entry.entry_type in DATASET_TYPES:
            graph.add((node, RDF.type, URIRef(PREFIXES["schema"] + "Dataset")))
        else:
            graph.add((node, RDF.type, URIRef(BIBO + CLASSES[entry.entry_type])))
        graph.add((node, RDF.type, URIRef(PREFIXES["prov"] + "Entity")))
        graph.add((node, URIRef(DCT + "title"), Literal(f["title"])))
        names = authors(entry)
        for name in names:
            graph.add((node, URIRef(DCT + "creator"), Literal(name)))
        if names:
            listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
            graph.add((node, URIRef(DV + "authorList"), Literal(listed)))
        structured = author_names(entry)
        if len(structured) == 1 and (" " in structured[0][0] or not structured[0][1]):
            # one author whose family name is not simply the last word
            # (Ruiloba Portilla) or an organisation: say how to cite it
            graph.add((node, URIRef(DV + "citationName"), Literal(structured[0][0])))
        issued = issued_literal(entry)
        if issued is not None:
            graph.add((node, URIRef(DCT + "issued"), issued))
        venue = f.get("journal") or f.get("booktitle") or f.get("institution")
        if venue:
            graph.add((node, URIRef(DV + "venue"), Literal(venue)))
        publisher = f.get("publisher") or f.get("organization")
        if publisher:
            graph.add((node, URIRef(DCT + "publisher"), Literal(publisher)))
        if f.get("url"):
            graph.add((node, URIRef(BIBO + "uri"), Literal(f["url"], datatype=XSD.anyURI)))
        if f.get("urldate"):
            graph.add((node, URIRef(DV + "accessed"), Literal(f["urldate"], datatype=XSD.date)))
        if f.get("doi"):
            graph.add((node, URIRef(BIBO + "doi"), Literal(f["doi"])))
        graph.add((node, RDFS.comment, Literal(
            f"Added by derive sources add from the BibTeX entry {entry.key} of {display}.",
            lang="en")))
    return graph
