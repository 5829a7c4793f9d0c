"""Every constraint ``derive validate`` enforces, as a table: one row per
constraint of ``ontology/shapes.ttl`` (read from the shapes themselves) and
per plain-Python check (``values.RULES``, ``one_value`` and the quote check).
The README's "What is rejected" table is this table, and the test suite has
a violating example for every row: a constraint without one fails it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from derive.kb.namespaces import PREFIXES, local_name, short
from derive.validate import one_value, values
from derive.validate.shacl import render_path

SH = PREFIXES["sh"]
_SEVERITY = {SH + "Violation": "violation", SH + "Warning": "warning", SH + "Info": "info"}
# Constraint components, in the order a row's id names them.
_COMPONENTS = ("minCount", "maxCount", "datatype", "or", "class", "equals", "lessThanOrEquals",
               "in", "minExclusive", "minInclusive", "maxInclusive", "pattern", "minLength",
               "nodeKind", "sparql")


@dataclass(frozen=True)
class Constraint:
    id: str  # stable: the shape's name, or node shape, path and components
    source: str  # "shapes", "values", "one value", "quotes", "cells" or "loader"
    severity: str
    rejects: str  # what it rejects, in words
    message: str  # the message it prints ({$value}, {?x}: the offending value)
    properties: tuple[str, ...] = ()  # a Python rule's properties, each tested on its own

    @property
    def case_ids(self) -> list[str]:
        """The ids of the tests it needs: one per property it checks."""
        return [f"{self.id} {p}" for p in self.properties] or [self.id]


def constraints(shapes_files: list[Path]) -> list[Constraint]:
    """The whole table: the shapes in ``shapes_files``, then the Python checks."""
    graph = Graph()
    for path in shapes_files:
        graph.parse(path, format="turtle")
    return [*shape_constraints(graph), *python_constraints()]


def shape_constraints(graph: Graph) -> list[Constraint]:
    """One row per shape (or SPARQL constraint) that carries an sh:message."""
    rows = []
    for shape, message in sorted(graph.subject_objects(URIRef(SH + "message")), key=str):
        owner = graph.value(None, URIRef(SH + "sparql"), shape)
        if owner is not None and isinstance(shape, BNode):
            ident = _name(graph, owner)  # a property shape's name says sparql already
            ident = ident if ident.endswith(" sparql") else f"{ident} sparql"
        else:
            ident = _name(graph, shape)
        severity = _severity(graph, shape)
        rows.append(Constraint(ident, "shapes", severity, _rejects(graph, shape), str(message)))
    return sorted(rows, key=lambda row: row.id)


def _name(graph: Graph, shape: Node | None) -> str:
    if isinstance(shape, URIRef):
        return local_name(str(shape))
    owner = graph.value(None, URIRef(SH + "property"), shape)
    path = render_path(graph, graph.value(shape, URIRef(SH + "path")))
    present = [c for c in _COMPONENTS if graph.value(shape, URIRef(SH + c)) is not None]
    return " ".join(p for p in (_name(graph, owner) if owner else "", path, "+".join(present)) if p)


def _severity(graph: Graph, shape: Node) -> str:
    found = graph.value(shape, URIRef(SH + "severity"))
    if found is None:  # a SPARQL constraint or property shape takes its node shape's
        owner = graph.value(None, URIRef(SH + "sparql"), shape) or graph.value(
            None, URIRef(SH + "property"), shape)
        if owner is not None:
            return _severity(graph, owner)
    return _SEVERITY.get(str(found), "violation")


def _rejects(graph: Graph, shape: Node) -> str:
    """Where the constraint applies: its targets and path, in prefixed names."""
    node = shape
    for link in ("sparql", "property"):
        owner = graph.value(None, URIRef(SH + link), node)
        if owner is not None:
            node = owner
            if link == "sparql":
                shape = owner  # a property shape's constraint: the path is the shape's
    targets = []
    for kind, label in (("targetClass", "every"), ("targetSubjectsOf", "subjects of"),
                        ("targetObjectsOf", "objects of")):
        for target in sorted(graph.objects(node, URIRef(SH + kind)), key=str):
            targets.append(f"{label} {short(str(target))}")
    path = graph.value(shape, URIRef(SH + "path"))
    where = ", ".join(targets[:3]) + (", ..." if len(targets) > 3 else "")
    return f"{where}: {render_path(graph, path)}" if path is not None else where


def python_constraints() -> list[Constraint]:
    """The plain-Python checks, one row per rule and property."""
    rows = [
        Constraint(rule.id, "values", "violation",
                   f"{rule.what}: {', '.join(f'`{p}`' for p in rule.properties)}",
                   rule.message, rule.properties)
        for rule in values.RULES
    ]
    rows.append(Constraint(
        "one-value", "one value", "violation",
        "two different values, in one file or several, of a property that holds one: "
        + ", ".join(f"`{p}`" for p in one_value.ONE_VALUE)
        + " (labels and comments: one per language)",
        "{property} has 2 values where one is expected: ... (file) and ... (file); "
        "keep the one that holds and delete the other", one_value.ONE_VALUE))
    rows.append(Constraint(
        "one-per-key", "one value", "violation",
        "two " + " or ".join(f"`{lst}` with the same `{key}`" for lst, key in one_value.KEYED),
        "2 {property} with {key} ... where one is expected: ... (file) and ... (file); keep one",
        tuple(lst for lst, _ in one_value.KEYED)))
    rows.append(Constraint("one-default-scenario", "one value", "violation",
                           "more than one scenario with dv:isDefault true",
                           "2 scenarios are the default: ... (file) and ... (file); keep "
                           "dv:isDefault true on one"))
    rows += QUOTE_CHECKS
    rows += CELL_CHECKS
    return rows


# The verbatim check of derive/validate/quotes.py.
QUOTE_CHECKS = [
    Constraint("quote-verbatim", "quotes", "violation",
               "a quote (`oa:exact`) that does not occur verbatim in its source's stored text "
               "(`dv:localText`; runs of whitespace count as one space)",
               "quote is not verbatim in FILE: '...'; copy the words exactly as the text has "
               "them (only whitespace may differ)"),
    Constraint("local-text-missing", "quotes", "violation",
               "a `dv:localText` file that does not exist",
               "dv:localText file FILE does not exist; store the source's text there or fix "
               "the path (it is relative to facts/)"),
    Constraint("local-text-outside", "quotes", "violation",
               "a `dv:localText` path that leads outside `facts/`",
               "dv:localText '...' points outside facts/; give a path relative to facts/"),
    Constraint("local-text-unreadable", "quotes", "violation",
               "a `dv:localText` file that is not UTF-8 text",
               "dv:localText file FILE cannot be read (...); save it as UTF-8 text"),
]

# The cell check of derive/validate/cells.py: quotes from a shipped table.
CELL_CHECKS = [
    Constraint("table-file-missing", "cells", "violation",
               "a table's `dv:localFile` that does not exist",
               "dv:localFile FILE does not exist; ship the table there or import it again"),
    Constraint("table-file-outside", "cells", "violation",
               "a `dv:localFile` path that leads outside the knowledge base",
               "dv:localFile '...' points outside the knowledge base; give a path relative to "
               "it, e.g. data/epoch/table.csv"),
    Constraint("table-file-unreadable", "cells", "violation",
               "a shipped table that is not UTF-8 text",
               "dv:localFile FILE is not UTF-8 text; ship the table as it was imported"),
    Constraint("table-file-changed", "cells", "violation",
               "a shipped table whose SHA-256 differs from the one recorded at import",
               "FILE changed since it was imported (its SHA-256 differs from the recorded one); "
               "run derive import again"),
    Constraint("table-file-not-csv", "cells", "violation",
               "a shipped table that is not well-formed CSV",
               "FILE is not well-formed CSV (...); ship the table as it was imported"),
    Constraint("table-cell-verbatim", "cells", "violation",
               "a quote from a table (`oa:exact` of the selector refining `row=N`) that is not "
               "the exact text of its cell",
               "cell at row N, column '...' of FILE is '...', not '...'; copy the cell exactly "
               "or import the table again"),
    Constraint("table-cell-column", "cells", "violation",
               "a quote from a table naming a column (`dv:column`) the table lacks",
               "FILE has no column '...'; fix dv:column or import the table again"),
    Constraint("table-cell-row", "cells", "violation",
               "a quote from a table naming a row the table lacks",
               "FILE has no data row N (rows 2 to M); import the table again"),
    Constraint("table-cell-selector", "cells", "violation",
               "a quote from a table whose fragment selector lacks `rdf:value \"row=N\"`, "
               "`oa:exact` or `dv:column`",
               "a quote from a table needs rdf:value \"row=N\" (RFC 7111) refined by a selector "
               "with oa:exact and dv:column"),
    Constraint("table-fragment-selector", "cells", "violation",
               "a quote from a table without an `oa:FragmentSelector`",
               "a quote from a table needs an oa:FragmentSelector (RFC 7111 row=N) refined by "
               "the cell's text"),
]

# Modules of derive/validate that report problems, and the rows above that
# cover them: a new checking module must add its rows here (a test checks).
MODULES = {"shacl": "shapes", "values": "values", "one_value": "one value", "quotes": "quotes",
           "cells": "cells"}


def markdown(rows: list[Constraint]) -> str:
    """The table as Markdown, for the README."""
    lines = ["| constraint | severity | applies to | the line it prints |", "|---|---|---|---|"]
    for row in rows:
        cells = [f"`{row.id}`", row.severity, row.rejects, row.message]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")

