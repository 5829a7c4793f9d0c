"""Rendering query results: an aligned text table for people, and the
standard SPARQL 1.1 result formats (CSV, TSV, JSON) for programs.
CONSTRUCT and DESCRIBE results are Turtle whatever the format.

Each function returns the complete text, ending with a line break.
"""

from __future__ import annotations

import csv
import io
import json
from html import escape as _html_escape
from typing import TYPE_CHECKING

from derive.kb.lexical import is_well_formed
from derive.kb.namespaces import PREFIXES, short
from derive.query.results import AskResult, GraphResult

if TYPE_CHECKING:
    from rdflib import Graph

    from derive.query.results import QueryResult, SelectResult, Term

FORMATS = ("table", "csv", "tsv", "json")
# What a SPARQL endpoint serves: result formats for SELECT and ASK, RDF
# syntaxes (rdflib's names) for CONSTRUCT and DESCRIBE.
RESULT_FORMATS = ("json", "xml", "csv", "tsv")
GRAPH_FORMATS = ("turtle", "nt", "json-ld", "xml")

_XSD = PREFIXES["xsd"]
_NUMERIC = {_XSD + name for name in ("integer", "decimal", "double", "float", "int", "long")}
_FLOATING = {_XSD + "double", _XSD + "float"}


def render(result: QueryResult, fmt: str) -> str:
    """``result`` in ``fmt`` (one of FORMATS or RESULT_FORMATS); a graph as Turtle."""
    if isinstance(result, GraphResult):
        return _turtle(result.graph)
    if isinstance(result, AskResult):
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": result.value}) + "\n"
        if fmt == "xml":
            return _xml_document("<head/>", f"<boolean>{str(result.value).lower()}</boolean>")
        return ("true" if result.value else "false") + "\n"
    renderers = {"table": table, "csv": to_csv, "tsv": to_tsv, "json": to_json, "xml": to_xml}
    return renderers[fmt](result)


def render_graph(result: GraphResult, syntax: str) -> str:
    """A CONSTRUCT or DESCRIBE result in one of GRAPH_FORMATS."""
    if syntax == "turtle":
        return _turtle(result.graph)
    text = result.graph.serialize(format=syntax)
    return text if text.endswith("\n") else text + "\n"


# --------------------------------------------------------------------------
# Table
# --------------------------------------------------------------------------


def table(result: SelectResult) -> str:
    """An aligned table; IRIs as prefixed names, literals as their text."""
    header = list(result.vars)
    cells = [[_cell(value) for value in row] for row in result.rows]
    widths = [max([len(name), *(len(row[i]) for row in cells)]) for i, name in enumerate(header)]
    right = [_is_numeric_column(result, i) for i in range(len(header))]
    lines = [
        _line(header, widths, [False] * len(header)),
        _line(["-" * w for w in widths], widths, right),
    ]
    lines += [_line(row, widths, right) for row in cells]
    count = len(cells)
    lines.append(f"({count} row{'' if count == 1 else 's'})")
    return "\n".join(lines) + "\n"


def _line(values: list[str], widths: list[int], right: list[bool]) -> str:
    padded = [
        value.rjust(width) if align_right else value.ljust(width)
        for value, width, align_right in zip(values, widths, right, strict=True)
    ]
    return "  ".join(padded).rstrip()


def _cell(node: Term | None) -> str:
    if node is None:
        return ""
    if node.kind == "uri":
        return short(node.value)
    if node.kind == "bnode":
        return f"_:{node.value}"
    if node.datatype in _FLOATING and is_well_formed(node.value, node.datatype):
        return _number(float(node.value))
    return " ".join(node.value.split())  # one line per row


def _number(value: float) -> str:
    """Short and exact: ``65``, ``9.5``, ``9.894e14``, ``3.135e20``."""
    if value.is_integer() and abs(value) < 1e6:
        return str(int(value))
    if value == 0 or 1e-4 <= abs(value) < 1e6 or value != value or abs(value) == float("inf"):
        return repr(value)
    for digits in range(17):
        text = f"{value:.{digits}e}"
        if float(text) == value:
            mantissa, exponent = text.split("e")
            return f"{mantissa}e{int(exponent)}"
    return repr(value)


def _is_numeric_column(result: SelectResult, index: int) -> bool:
    values = [row[index] for row in result.rows if row[index] is not None]
    return bool(values) and all(
        value.kind == "literal" and value.datatype in _NUMERIC for value in values  # type: ignore[union-attr]
    )


# --------------------------------------------------------------------------
# SPARQL 1.1 Query Results CSV, TSV and JSON
# --------------------------------------------------------------------------


def to_csv(result: SelectResult) -> str:
    """SPARQL 1.1 CSV: plain values, no types; CRLF line ends (RFC 4180)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.vars)
    for row in result.rows:
        writer.writerow([_csv_value(value) for value in row])
    return out.getvalue()


def _csv_value(node: Term | None) -> str:
    if node is None:
        return ""
    if node.kind == "bnode":
        return f"_:{node.value}"
    return node.value


def to_tsv(result: SelectResult) -> str:
    """SPARQL 1.1 TSV: terms in Turtle syntax, ``?var`` header, LF line ends."""
    lines = ["\t".join(f"?{name}" for name in result.vars)]
    lines += ["\t".join(_tsv_value(value) for value in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def _tsv_value(node: Term | None) -> str:
    if node is None:
        return ""
    if node.kind == "bnode":
        return f"_:{node.value}"
    if node.kind == "uri":
        return f"<{node.value}>"
    text = '"' + _escape(node.value) + '"'
    if node.language:
        return f"{text}@{node.language}"
    if node.datatype is not None:
        return f"{text}^^<{node.datatype}>"
    return text


def _escape(text: str) -> str:
    replacements = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    return "".join(replacements.get(char, char) for char in text)


def to_json(result: SelectResult) -> str:
    """SPARQL 1.1 Query Results JSON; unbound variables are left out of a row."""
    bindings = [
        {
            name: _json_term(value)
            for name, value in zip(result.vars, row, strict=True)
            if value is not None
        }
        for row in result.rows
    ]
    document = {"head": {"vars": list(result.vars)}, "results": {"bindings": bindings}}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _json_term(node: Term) -> dict[str, str]:
    term = {"type": node.kind, "value": node.value}
    if node.language:
        term["xml:lang"] = node.language
    elif node.datatype is not None:
        term["datatype"] = node.datatype
    return term


_XML_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n'
_XML_NS = "http://www.w3.org/2005/sparql-results#"


def to_xml(result: SelectResult) -> str:
    """SPARQL Query Results XML Format; unbound variables are left out of a result."""
    head = "<head>" + "".join(f"<variable name={quoteattr(n)}/>" for n in result.vars)
    rows = []
    for row in result.rows:
        cells = "".join(
            f"<binding name={quoteattr(name)}>{_xml_term(value)}</binding>"
            for name, value in zip(result.vars, row, strict=True)
            if value is not None
        )
        rows.append(f"  <result>{cells}</result>\n")
    return _xml_document(head + "</head>", "<results>\n" + "".join(rows) + "</results>")


def escape(text: str) -> str:
    """XML character data: ``&``, ``<`` and ``>`` escaped. (xml.sax.saxutils
    does the same, but importing it imports urllib, http and ssl: a tenth of
    the time of a warm query.)"""
    return _html_escape(text, quote=False)


def quoteattr(text: str) -> str:
    """An XML attribute value, quoted; quotes escaped, and the whitespace an
    attribute would normalise kept as character references."""
    escaped = _html_escape(text, quote=True)
    return '"' + escaped.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;") + '"'


def _xml_document(head: str, body: str) -> str:
    return f'{_XML_HEAD}<sparql xmlns="{_XML_NS}">\n{head}\n{body}\n</sparql>\n'


def _xml_term(node: Term) -> str:
    if node.kind != "literal":
        return f"<{node.kind}>{escape(node.value)}</{node.kind}>"
    if node.language:
        return f"<literal xml:lang={quoteattr(node.language)}>{escape(node.value)}</literal>"
    if node.datatype is not None:
        return f"<literal datatype={quoteattr(node.datatype)}>{escape(node.value)}</literal>"
    return f"<literal>{escape(node.value)}</literal>"


# --------------------------------------------------------------------------
# Graphs
# --------------------------------------------------------------------------


def _turtle(graph: Graph) -> str:
    text = graph.serialize(format="turtle")
    return text if text.endswith("\n") else text + "\n"
