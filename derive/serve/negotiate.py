"""Content negotiation for the SPARQL endpoint: which format a client gets,
from a ``format``/``output`` parameter (as SPARQLWrapper and others send it)
or else the Accept header, for result sets (SELECT, ASK) and for graphs
(CONSTRUCT, DESCRIBE) separately, since a query's kind is known only after it
is parsed."""

from __future__ import annotations

from dataclasses import dataclass

# Media types each format is served as (the first) and recognised by (all).
RESULT_TYPES: dict[str, tuple[str, ...]] = {
    "json": ("application/sparql-results+json", "application/json", "text/javascript",
             "application/javascript"),
    "xml": ("application/sparql-results+xml", "application/xml", "text/xml"),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
}
GRAPH_TYPES: dict[str, tuple[str, ...]] = {
    "turtle": ("text/turtle", "application/turtle", "application/x-turtle"),
    "nt": ("application/n-triples", "text/plain"),
    "json-ld": ("application/ld+json", "application/x-json+ld", "application/json"),
    "xml": ("application/rdf+xml", "application/xml", "text/xml"),
}
# Names a ``format`` or ``output`` parameter may give: (result format, graph format).
NAMES: dict[str, tuple[str | None, str | None]] = {
    "json": ("json", "json-ld"),
    "xml": ("xml", "xml"),
    "csv": ("csv", None),
    "tsv": ("tsv", None),
    "turtle": (None, "turtle"),
    "ttl": (None, "turtle"),
    "nt": (None, "nt"),
    "ntriples": (None, "nt"),
    "n-triples": (None, "nt"),
    "json-ld": (None, "json-ld"),
    "jsonld": (None, "json-ld"),
    "rdf+xml": (None, "xml"),
    "rdfxml": (None, "xml"),
}
DEFAULT_RESULT = "json"
DEFAULT_GRAPH = "turtle"


@dataclass(frozen=True)
class Choice:
    """The format chosen (None: nothing the client accepts) and its media type."""

    fmt: str | None
    media_type: str


def accepted(header: str | None) -> list[str]:
    """Media ranges of an Accept header, most preferred first (q=0 dropped)."""
    if not header:
        return ["*/*"]
    ranked = []
    for position, part in enumerate(header.split(",")):
        fields = [field.strip() for field in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        quality = 1.0
        for field in fields[1:]:
            name, _, value = field.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, media))
    return [media for _, _, media in sorted(ranked)]


def choose(graph: bool, format_params: list[str], accept: str | None) -> Choice:
    """The format for a result (``graph``: CONSTRUCT/DESCRIBE) given what was asked."""
    table = GRAPH_TYPES if graph else RESULT_TYPES
    default = DEFAULT_GRAPH if graph else DEFAULT_RESULT
    for value in format_params:
        named = NAMES.get(value.strip().lower())
        if named is not None:
            fmt = named[1] if graph else named[0]
            return Choice(fmt, table[fmt][0] if fmt else "")
        from_media = _by_media(table, value.strip().lower())
        if from_media is not None:
            return Choice(from_media, table[from_media][0])
    for media in accepted(accept):
        if media in ("*/*", "*"):
            return Choice(default, table[default][0])
        found = _by_media(table, media)
        if found is not None:
            return Choice(found, table[found][0])
        if media.endswith("/*"):
            kind = media[:-1]
            for fmt, types in table.items():
                if any(t.startswith(kind) for t in types):
                    return Choice(fmt, table[fmt][0])
    return Choice(None, "")


def _by_media(table: dict[str, tuple[str, ...]], media: str) -> str | None:
    for fmt, types in table.items():
        if media in types:
            return fmt
    return None


def offered(graph: bool) -> str:
    """The media types on offer, for a 406 message."""
    table = GRAPH_TYPES if graph else RESULT_TYPES
    return ", ".join(types[0] for types in table.values())
