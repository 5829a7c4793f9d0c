"""Namespace IRIs of the vocabularies derive uses, as plain strings so that
importing them costs nothing. ``PREFIXES`` is what ``derive query`` pre-binds.
"""

from __future__ import annotations

DV = "https://w3id.org/derive/ns#"
DVU = "https://w3id.org/derive/unit/"
DVQK = "https://w3id.org/derive/quantitykind/"
KB = "https://w3id.org/derive/kb/"

PREFIXES: dict[str, str] = {
    "dv": DV,
    "dvu": DVU,
    "dvqk": DVQK,
    "src": KB + "source/",
    "claim": KB + "claim/",
    "ent": KB + "entity/",
    "metric": KB + "metric/",
    "est": KB + "estimate/",
    "scen": KB + "scenario/",
    "param": KB + "parameter/",
    "assume": KB + "assumption/",
    "finding": KB + "finding/",
    "result": KB + "result/",
    "text": KB + "text/",
    "sel": KB + "selection/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
    "prov": "http://www.w3.org/ns/prov#",
    "qudt": "http://qudt.org/schema/qudt/",
    "unit": "http://qudt.org/vocab/unit/",
    "quantitykind": "http://qudt.org/vocab/quantitykind/",
    "dcterms": "http://purl.org/dc/terms/",
    "bibo": "http://purl.org/ontology/bibo/",
    "cito": "http://purl.org/spar/cito/",
    "oa": "http://www.w3.org/ns/oa#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "spdx": "http://spdx.org/rdf/terms#",
}


def _longest_first(prefixes: dict[str, str]) -> list[tuple[str, str]]:
    return sorted(((p, ns) for p, ns in prefixes.items() if ns), key=lambda item: -len(item[1]))


_LONGEST_FIRST = _longest_first(PREFIXES)  # asked for every claim: sorted once


def split(iri: str, prefixes: dict[str, str] | None = None) -> tuple[str, str] | None:
    """``(prefix, local part)`` of ``iri`` under the longest matching namespace
    of ``prefixes`` (default: ``PREFIXES``), or None."""
    for prefix, ns in _LONGEST_FIRST if prefixes is None else _longest_first(prefixes):
        if iri.startswith(ns):
            return prefix, iri[len(ns):]
    return None


def short(iri: str) -> str:
    """The prefixed form of ``iri`` (``claim:us-share``), or the IRI itself."""
    found = split(iri)
    return f"{found[0]}:{found[1]}" if found else iri


def expand(name: str) -> str:
    """The IRI of a prefixed name (``claim:x``), the inverse of ``short``;
    anything else is returned as it is."""
    prefix, colon, local = name.partition(":")
    namespace = PREFIXES.get(prefix) if colon else None
    return namespace + local if namespace is not None else name


def local_name(iri: str) -> str:
    """The part after the last ``/`` or ``#``: the name users type."""
    cut = max(iri.rfind("/"), iri.rfind("#"))
    return iri[cut + 1 :]


def sparql_prologue() -> str:
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
