"""The graph as JSON-LD 1.1, compacted with the shipped context
(``context.jsonld``: short names for our terms and for the PROV-O, QUDT,
DCTERMS, BIBO, CiTO, Web Annotation and schema.org terms we use). A blank
node used once (a quantity, a quote, its selector) is embedded where it is
used, so a claim reads as one object. The context is written inline: the
document needs nothing from the network to be read."""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

from derive.export import rows
from derive.export.compact import Compactor
from derive.export.jsontext import dump

CONTEXT_FILE = Path(__file__).with_name("context.jsonld")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@cache
def context() -> dict[str, Any]:
    """The shipped ``@context`` object."""
    data: dict[str, Any] = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    return data


def render(table: list[rows.Row]) -> str:
    """The statements of ``table`` (see ``rows``) as a compacted JSON-LD
    document, its nodes sorted by id."""
    nodes = embed_blank_nodes(expand(table))
    nodes.sort(key=lambda node: (node.get("@id", "").startswith("_:"), node.get("@id", "")))
    ctx = context()
    compactor = Compactor(ctx)
    return dump({"@context": ctx, "@graph": [compactor.node(n) for n in nodes]}) + "\n"


def _value(term: rows.Term) -> dict[str, Any]:
    if term[0] == "l":
        value: dict[str, Any] = {"@value": term[1]}  # the lexical form, exactly
        if term[3]:
            value["@language"] = term[3]
        elif term[2] and term[2] != XSD_STRING:
            value["@type"] = term[2]
        return value
    return {"@id": _id(term)}


def _id(term: rows.Term) -> str:
    return f"_:{term[1]}" if term[0] == "b" else term[1]


def expand(table: list[rows.Row]) -> list[dict[str, Any]]:
    """The statements as flattened expanded JSON-LD, literals in their lexical
    form (so that 9.1E20 stays as written rather than a JSON float)."""
    nodes: dict[str, dict[str, Any]] = {}
    for s, p, o in table:
        if s[0] == "l":
            continue
        ident = _id(s)
        node = nodes.get(ident)
        if node is None:
            node = nodes[ident] = {"@id": ident}
        if p[1] == RDF_TYPE and o[0] == "u":
            node.setdefault("@type", []).append(o[1])
        else:
            node.setdefault(p[1], []).append(_value(o))
    for node in nodes.values():
        if "@type" in node:
            node["@type"].sort()
    return list(nodes.values())


def embed_blank_nodes(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Expanded JSON-LD nodes with each blank node referenced exactly once moved
    into the node that references it (its blank-node id dropped)."""
    by_id = {node["@id"]: node for node in nodes if "@id" in node}
    refs: Counter[str] = Counter(
        value["@id"] for node in nodes for key, values in node.items()
        if not key.startswith("@") for value in values
        if isinstance(value, dict) and str(value.get("@id", "")).startswith("_:")
    )
    single = {ident for ident, count in refs.items() if count == 1 and ident in by_id}
    placed: set[str] = set()

    def embed(node: dict[str, Any], path: frozenset[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, values in node.items():
            if key.startswith("@"):
                out[key] = values
                continue
            out[key] = []
            for value in values:
                ident = value.get("@id") if isinstance(value, dict) else None
                if ident in single and ident not in path and len(value) == 1:
                    placed.add(ident)
                    child = embed(by_id[ident], path | {ident})
                    child.pop("@id", None)
                    out[key].append(child)
                else:
                    out[key].append(value)
            if len(out[key]) > 1:  # blank-node ids differ from run to run: order by content
                out[key].sort(key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
        return out

    top = [embed(node, frozenset({node.get("@id", "")})) for node in nodes
           if node.get("@id") not in single]
    # blank nodes only reachable through a cycle of other blank nodes keep their ids
    top += [by_id[ident] for ident in sorted(single - placed)]
    return top
