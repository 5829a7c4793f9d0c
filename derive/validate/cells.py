"""The verbatim check for imported cells: a quote taken from a table (a
dataset whose distribution has a shipped copy, ``dv:localFile``) selects a row
(``oa:FragmentSelector``, RFC 7111 ``row=N``: the header is row 1) refined by
the cell's text (``oa:exact``) in a column (``dv:column``); that cell of the
shipped file must hold exactly that text. Each table is read once and every
quote is checked against it in one pass over the graph (no query per claim).
The shipped copy's SHA-256 must also match the one recorded at import."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass

from rdflib import RDF, URIRef
from rdflib.term import Node

from derive.kb.namespaces import DV, PREFIXES
from derive.kb.store import LoadedGraph
from derive.validate.report import Problem
from derive.validate.shacl import owning_subject, term_text

OA = PREFIXES["oa"]
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
_ROW = re.compile(r"row=(\d+)")
_MAX_SHOWN = 60


@dataclass
class _Table:
    shown: str
    header: list[str]
    rows: list[list[str]]  # rows[0] is the header (RFC 7111 row 1)


def cell_problems(data: LoadedGraph) -> list[Problem]:
    """Every quote from a shipped table must be the exact text of its cell."""
    graph = data.graph
    tables: dict[Node, _Table | None] = {}
    problems: list[Problem] = []
    for dist, local in graph.subject_objects(URIRef(DV + "localFile")):
        table = _read(data, dist, str(local), problems)
        for dataset in graph.subjects(URIRef(DCAT + "distribution"), dist):
            tables[dataset] = table
    if not tables:
        return problems
    for quote, source in graph.subject_objects(URIRef(OA + "hasSource")):
        if source in tables:
            problem = _check(data, quote, tables[source])
            if problem is not None:
                problems.append(problem)
    return problems


def _read(data: LoadedGraph, dist: Node, local: str, problems: list[Problem]) -> _Table | None:
    root = data.kb.root.resolve()
    path = (root / local).resolve()

    def problem(message: str) -> None:
        # the file is looked up only for a problem: the first look-up indexes
        # every IRI (0.3 s of a revalidation at 100,000 claims)
        problems.append(Problem("violation", data.file_of(dist) or "", term_text(dist),
                                "dv:localFile", message))

    if not path.is_relative_to(root):
        problem(f"dv:localFile {local!r} points outside the knowledge base; give a path "
                "relative to it, e.g. data/epoch/table.csv")
        return None
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except OSError:
        problem(f"dv:localFile {local} does not exist; ship the table there or import it again")
        return None
    except UnicodeDecodeError:
        problem(f"dv:localFile {local} is not UTF-8 text; ship the table as it was imported")
        return None
    recorded = data.graph.value(
        data.graph.value(dist, URIRef(SPDX + "checksum")), URIRef(SPDX + "checksumValue"))
    if recorded is not None and str(recorded) != hashlib.sha256(raw).hexdigest():
        problem(f"{local} changed since it was imported (its SHA-256 differs from the recorded "
                "one); run derive import again")
    try:
        rows = [r for r in csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
                if r]
    except csv.Error as exc:
        problem(f"{local} is not well-formed CSV ({exc}); ship the table as it was imported")
        return None
    return _Table(local, rows[0] if rows else [], rows)


def _check(data: LoadedGraph, quote: Node, table: _Table | None) -> Problem | None:
    graph = data.graph

    def problem(message: str) -> Problem:
        owner = owning_subject(graph, quote)
        return Problem("violation", data.file_of(owner) or "", term_text(owner),
                       "dv:quote/oa:hasSelector", message)

    if table is None:
        return None  # the unreadable table is reported once, on its distribution
    for selector in graph.objects(quote, URIRef(OA + "hasSelector")):
        if (selector, RDF.type, URIRef(OA + "FragmentSelector")) not in graph:
            continue
        match = _ROW.fullmatch(str(graph.value(selector, RDF.value) or ""))
        cell = graph.value(selector, URIRef(OA + "refinedBy"))
        exact = graph.value(cell, URIRef(OA + "exact")) if cell is not None else None
        column = graph.value(cell, URIRef(DV + "column")) if cell is not None else None
        if match is None or exact is None or column is None:
            return problem("a quote from a table needs rdf:value \"row=N\" (RFC 7111) refined "
                           "by a selector with oa:exact and dv:column")
        row = int(match.group(1))
        if str(column) not in table.header:
            return problem(f"{table.shown} has no column {str(column)!r}; fix dv:column or "
                           "import the table again")
        if not 2 <= row <= len(table.rows):
            return problem(f"{table.shown} has no data row {row} (rows 2 to {len(table.rows)}); "
                           "import the table again")
        found = table.rows[row - 1][table.header.index(str(column))]
        if found != str(exact):
            return problem(f"cell at row {row}, column {str(column)!r} of {table.shown} is "
                           f"{_short(found)!r}, not {_short(str(exact))!r}; copy the cell "
                           "exactly or import the table again")
        return None
    return problem("a quote from a table needs an oa:FragmentSelector (RFC 7111 row=N) refined "
                   "by the cell's text")


def _short(text: str) -> str:
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"
