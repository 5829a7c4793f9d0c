"""JSON-LD 1.1 compaction for the documents ``jsonld`` writes: expanded node
objects (blank nodes already embedded) made readable with the shipped
context. It implements the part of the Compaction Algorithm these documents
use (terms with ``@type`` coercion or a ``@language``, compact IRIs,
``@vocab``-relative names, keyword aliases) without a general processor,
which takes seconds on a few thousand claims; the tests read every document
back with PyLD and rdflib and compare the graphs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_SUFFIX = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class Term:
    name: str
    coercion: str | None  # "@id", a datatype IRI, or None
    language: str | None


class Compactor:
    def __init__(self, context: dict[str, Any]) -> None:
        self.context = context
        self.vocab: str = context.get("@vocab", "")
        self.alias = {value: key for key, value in context.items()
                      if isinstance(value, str) and value.startswith("@")}
        self.prefixes: list[tuple[str, str]] = sorted(
            ((value, key) for key, value in context.items()
             if isinstance(value, str) and not key.startswith("@") and value[-1:] in "/#"),
            key=lambda pair: -len(pair[0]))
        self.classes: dict[str, str] = {}
        self.properties: dict[str, Term] = {}
        for key, value in context.items():
            if key.startswith("@") or (isinstance(value, str)
                                       and (value.startswith("@") or value[-1:] in "/#")):
                continue  # a keyword alias or a prefix
            if isinstance(value, str):
                self.classes[self.expand(value)] = key
            elif isinstance(value, dict) and "@id" in value:
                coercion = value.get("@type")
                self.properties[self.expand(value["@id"])] = Term(
                    key, coercion if coercion == "@id" or coercion is None
                    else self.expand(coercion), value.get("@language"))

    def expand(self, text: str) -> str:
        prefix, sep, rest = text.partition(":")
        if sep and not rest.startswith("//"):
            value = self.context.get(prefix)
            if isinstance(value, str) and value[-1:] in "/#":
                return value + rest
        return text

    def _key(self, keyword: str) -> str:
        return self.alias.get(keyword, keyword)

    def iri(self, iri: str, *, vocab: bool = False) -> str:
        """The shortest form of ``iri``: a class term or ``@vocab``-relative name
        (for types and properties), else a compact IRI, else the IRI itself."""
        if iri.startswith("_:"):
            return iri
        if vocab:
            if iri in self.classes:
                return self.classes[iri]
            if self.vocab and iri.startswith(self.vocab):
                suffix = iri[len(self.vocab):]
                if _SUFFIX.match(suffix) and suffix not in self.context:
                    return suffix
        best = iri
        for ns, prefix in self.prefixes:
            suffix = iri[len(ns):]
            if iri.startswith(ns) and suffix and not suffix.startswith("//"):
                candidate = f"{prefix}:{suffix}"
                if len(candidate) < len(best) and candidate not in self.context:
                    best = candidate
        return best

    def _matches(self, term: Term, value: dict[str, Any]) -> bool:
        if "@value" not in value:  # a node or a reference
            return term.coercion in ("@id", None) and term.language is None
        if term.coercion not in (None, "@id"):
            return value.get("@type") == term.coercion
        if term.language is not None:
            return "@type" not in value and \
                str(value.get("@language", "")).lower() == term.language.lower()
        return term.coercion is None

    def _property_key(self, prop: str) -> str:
        name = self.iri(prop, vocab=True)
        term = self.properties.get(prop)
        if term is not None and name == term.name:
            name = self.iri(prop)  # the term does not fit this value: use the compact IRI
        return name

    def value(self, value: dict[str, Any], term: Term | None) -> Any:
        if "@value" not in value:
            if set(value) == {"@id"}:
                ident = self.iri(value["@id"])
                return ident if term is not None and term.coercion == "@id" \
                    else {self._key("@id"): ident}
            return self.node(value)
        if term is not None and (term.coercion not in (None, "@id") or term.language):
            return value["@value"]  # the term's coercion or language says the rest
        if "@type" not in value and "@language" not in value:
            return value["@value"]
        out: dict[str, Any] = {}
        if "@type" in value:
            out[self._key("@type")] = self.iri(value["@type"], vocab=True)
        if "@language" in value:
            out["@language"] = value["@language"]
        out["@value"] = value["@value"]
        return out

    def node(self, node: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if "@id" in node:
            out[self._key("@id")] = self.iri(node["@id"])
        if "@type" in node:
            types = [self.iri(t, vocab=True) for t in node["@type"]]
            out[self._key("@type")] = types[0] if len(types) == 1 else types
        grouped: dict[str, list[Any]] = {}
        for prop, values in node.items():
            if prop.startswith("@"):
                continue
            term = self.properties.get(prop)
            for value in values:
                if term is not None and self._matches(term, value):
                    grouped.setdefault(term.name, []).append(self.value(value, term))
                else:
                    grouped.setdefault(self._property_key(prop), []).append(
                        self.value(value, None))
        for key in sorted(grouped):
            values = grouped[key]
            out[key] = values[0] if len(values) == 1 else values
        return out
