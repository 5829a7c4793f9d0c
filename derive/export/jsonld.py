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

from pyld import jsonld
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from derive.export.jsontext import dump

CONTEXT_FILE = Path(__file__).with_name("context.jsonld")


@cache
def context() -> dict[str, Any]:
    """The shipped ``@context`` object."""
    data: dict[str, Any] = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    return data


def _no_remote(url: str, options: dict[str, Any] | None = None) -> Any:
    raise jsonld.JsonLdError(f"refusing to load {url}: derive reads no remote context",
                             "jsonld.LoadDocumentError", code="loading document failed")


def render(graph: Graph) -> str:
    """``graph`` as a compacted JSON-LD document (its nodes sorted by id)."""
    nodes = embed_blank_nodes(expand(graph))
    nodes.sort(key=lambda node: (node.get("@id", "").startswith("_:"), node.get("@id", "")))
    ctx = context()
    compacted = jsonld.compact(nodes, {"@context": ctx},
                               {"documentLoader": _no_remote, "graph": True})
    return dump({"@context": ctx, "@graph": compacted.get("@graph", [])}) + "\n"


def _term(node: Any) -> dict[str, Any]:
    if isinstance(node, Literal):
        value: dict[str, Any] = {"@value": str(node)}  # the lexical form, exactly
        if node.language:
            value["@language"] = node.language
        elif node.datatype is not None and node.datatype != XSD.string:
            value["@type"] = str(node.datatype)
        return value
    return {"@id": _id(node)}


def _id(node: Any) -> str:
    return f"_:{node}" if isinstance(node, BNode) else str(node)


def expand(graph: Graph) -> list[dict[str, Any]]:
    """``graph`` as flattened expanded JSON-LD, literals kept in their lexical form
    (so that 9.1E20 stays 9.1E20 rather than a JSON float)."""
    nodes: dict[str, dict[str, Any]] = {}
    for subject, predicate, obj in sorted(graph):
        if not isinstance(subject, URIRef | BNode):
            continue
        node = nodes.setdefault(_id(subject), {"@id": _id(subject)})
        if predicate == RDF.type and isinstance(obj, URIRef):
            node.setdefault("@type", []).append(str(obj))
        else:
            node.setdefault(str(predicate), []).append(_term(obj))
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
            # blank-node ids differ from run to run: order values by content
            out[key].sort(key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
        return out

    top = [embed(node, frozenset({node.get("@id", "")})) for node in nodes
           if node.get("@id") not in single]
    # blank nodes only reachable through a cycle of other blank nodes keep their ids
    top += [by_id[ident] for ident in sorted(single - placed)]
    return top
