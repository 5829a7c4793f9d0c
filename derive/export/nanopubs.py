"""Nanopublications: one per claim and one per computed estimate, as TriG
(each with its head, assertion, provenance and publication-info graphs).

- assertion: what the claim says (its value, unit, date, what it is about,
  its statement), or the estimate's result;
- provenance: about the assertion graph: where it is quoted from
  (``prov:wasQuotedFrom`` and the verbatim quote as a Web Annotation),
  the reference it is attributed to (``cito:citesAsEvidence``) and those
  sources' bibliographic data; for an estimate its derivation (method,
  inputs, plan) and ``prov:wasDerivedFrom`` the nanopublications of its inputs;
- publication info: the knowledge base and its version.

Blank nodes are named inside the nanopublication (``…#quantity``), as
nanopublications require. URIs are stable (``…/np/claim/NAME``) unless the
nanopublications are signed, which gives them trusty URIs."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import RDF, RDFS, XSD, BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from derive.kb.namespaces import DV, KB, PREFIXES, local_name

NP = Namespace("http://www.nanopub.org/nschema#")
NPX = Namespace("http://purl.org/nanopub/x/")
PAV = Namespace("http://purl.org/pav/")
PROV = Namespace(PREFIXES["prov"])
DCT = Namespace(PREFIXES["dcterms"])
CITO = Namespace(PREFIXES["cito"])
OA = Namespace(PREFIXES["oa"])
NP_BASE = KB + "np/"
KB_IRI = URIRef(KB)

# A claim's statements that say where it comes from rather than what it says.
PROVENANCE = {URIRef(p) for p in (
    PREFIXES["prov"] + "wasQuotedFrom", PREFIXES["cito"] + "citesAsEvidence",
    DV + "citationLabel", DV + "quote", DV + "verification", DV + "statedAs",
    PREFIXES["rdfs"] + "comment", PREFIXES["prov"] + "wasDerivedFrom",
    PREFIXES["prov"] + "wasGeneratedBy", DV + "readOn",
)}
# What a source's description contributes to a provenance graph.
SOURCE_FACTS = {URIRef(p) for p in (
    str(RDF.type), str(RDFS.label), PREFIXES["dcterms"] + "title",
    PREFIXES["dcterms"] + "creator", DV + "authorList", PREFIXES["dcterms"] + "issued",
    PREFIXES["bibo"] + "uri", DV + "accessed", DV + "readOn", DV + "venue",
    PREFIXES["dcterms"] + "publisher", PREFIXES["dcterms"] + "license",
)}


@dataclass
class Nanopub:
    """One nanopublication: its URI and its four graphs (plain rdflib graphs)."""

    uri: URIRef
    assertion: Graph = field(default_factory=Graph)
    provenance: Graph = field(default_factory=Graph)
    pubinfo: Graph = field(default_factory=Graph)

    @property
    def sub(self) -> Namespace:
        return Namespace(str(self.uri) + "#")


def claim_uri(claim_iri: str) -> URIRef:
    return URIRef(f"{NP_BASE}claim/{local_name(claim_iri)}")


def result_uri(result_iri: str) -> URIRef:
    return URIRef(NP_BASE + "result/" + result_iri.removeprefix(PREFIXES["result"]))


def nanopub_of(iri: str) -> URIRef | None:
    """The nanopublication that publishes ``iri`` (a claim or a result), if any."""
    if iri.startswith(PREFIXES["claim"]):
        return claim_uri(iri)
    if iri.startswith(PREFIXES["result"]):
        return result_uri(iri)
    return None


class _Skolem:
    """Names the blank nodes of one nanopublication after the property that
    leads to them (``#quantity``, ``#quote``, ``#quote-selector``)."""

    def __init__(self, sub: Namespace) -> None:
        self.sub = sub
        self.names: dict[BNode, URIRef] = {}

    def __call__(self, node: Node, via: Node | None = None, parent: str = "") -> Node:
        if not isinstance(node, BNode):
            return node
        if node not in self.names:
            name = local_name(str(via or "node"))
            if name.startswith("has") and name[3:4].isupper():  # hasSelector -> selector
                name = name[3].lower() + name[4:]
            base = (f"{parent}-" if parent else "") + name
            name, n = base, 1
            while self.sub[name] in self.names.values():
                n += 1
                name = f"{base}-{n}"
            self.names[node] = self.sub[name]
        return self.names[node]


def signature(graph: Graph, node: Node, seen: frozenset[Node] = frozenset()) -> str:
    """A blank node's content as text (its own id left out), so that output
    orders blank nodes the same way on every run; other terms as N-Triples."""
    if not isinstance(node, BNode):
        return node.n3()
    if node in seen:
        return "[...]"
    parts = sorted(f"{p.n3()} {signature(graph, o, seen | {node})}"
                   for p, o in graph.predicate_objects(node))
    return "[" + " ; ".join(parts) + "]"


def _copy_closure(source: Graph, subject: Node, target: Graph, skolem: _Skolem,
                  new_subject: Node | None = None, skip: set[URIRef] | None = None,
                  only: set[URIRef] | None = None, parent: str = "") -> None:
    """Copy ``subject``'s statements (and those of the blank nodes it leads to)."""
    for predicate, obj in sorted(source.predicate_objects(subject),
                                 key=lambda po: (po[0], signature(source, po[1]))):
        if (skip and predicate in skip) or (only and predicate not in only):
            continue
        named = skolem(obj, predicate, parent)
        target.add((new_subject if new_subject is not None else skolem(subject), predicate,
                    named))
        if isinstance(obj, BNode):
            _copy_closure(source, obj, target, skolem, parent=local_name(str(named)))


def _describe_sources(graph: Graph, nanopub: Nanopub, sources: Iterable[Node]) -> None:
    for source in sorted(set(sources)):
        for predicate, obj in graph.predicate_objects(source):
            if predicate in SOURCE_FACTS and not isinstance(obj, BNode):
                nanopub.provenance.add((source, predicate, obj))


def _pubinfo(nanopub: Nanopub, label: str, version: str) -> None:
    info = nanopub.pubinfo
    info.add((nanopub.uri, RDFS.label, Literal(label)))
    info.add((nanopub.uri, DCT.isPartOf, KB_IRI))
    info.add((nanopub.uri, PAV.version, Literal(version)))
    info.add((KB_IRI, RDFS.label, Literal("derive knowledge base")))
    info.add((KB_IRI, PAV.version, Literal(version)))


def claim_nanopub(graph: Graph, claim: URIRef, version: str) -> Nanopub:
    nanopub = Nanopub(claim_uri(str(claim)))
    sub = nanopub.sub
    skolem = _Skolem(sub)
    _copy_closure(graph, claim, nanopub.assertion, skolem, skip=PROVENANCE)
    about = sub.assertion
    for predicate in sorted(PROVENANCE):
        for obj in sorted(graph.objects(claim, predicate), key=lambda o: signature(graph, o)):
            nanopub.provenance.add((about, predicate, skolem(obj, predicate)))
            if isinstance(obj, BNode):
                _copy_closure(graph, obj, nanopub.provenance, skolem,
                              parent=local_name(str(skolem(obj))))
    sources = [o for s, p, o in nanopub.provenance
               if p in (PROV.wasQuotedFrom, CITO.citesAsEvidence, OA.hasSource)]
    _describe_sources(graph, nanopub, sources)
    label = graph.value(claim, RDFS.label)
    _pubinfo(nanopub, f"Claim: {label or local_name(str(claim))}", version)
    return nanopub


def result_nanopub(graph: Graph, result: URIRef, version: str) -> Nanopub:
    nanopub = Nanopub(result_uri(str(result)))
    sub = nanopub.sub
    skolem = _Skolem(sub)
    _copy_closure(graph, result, nanopub.assertion, skolem, skip=PROVENANCE)
    about = sub.assertion
    for used in sorted(graph.objects(result, PROV.wasDerivedFrom)):
        nanopub.provenance.add((about, PROV.wasDerivedFrom, nanopub_of(str(used)) or used))
    for activity in sorted(graph.objects(result, PROV.wasGeneratedBy)):
        nanopub.provenance.add((about, PROV.wasGeneratedBy, activity))
        _copy_closure(graph, activity, nanopub.provenance, skolem)
    plan = graph.value(result, PROV.specializationOf)
    if plan is not None:  # the estimate's declaration: its method and inputs by role
        _copy_closure(graph, plan, nanopub.provenance, skolem, parent="plan")
    label = graph.value(result, RDFS.label)
    _pubinfo(nanopub, f"Estimate: {label or local_name(str(result))}", version)
    return nanopub


def results_of(graph: Graph, estimates: Iterable[str]) -> list[URIRef]:
    """The computed results (``dv:EstimateResult``) of ``estimates``, sorted."""
    wanted = {URIRef(e) for e in estimates}
    return sorted(
        r for r in graph.subjects(RDF.type, URIRef(DV + "EstimateResult"))
        if isinstance(r, URIRef) and graph.value(r, PROV.specializationOf) in wanted
    )


NAMESPACES: dict[str, str] = {**PREFIXES, "np": str(NP), "npx": str(NPX), "pav": str(PAV)}


def _bind(graph: Graph) -> None:
    for prefix, ns in NAMESPACES.items():
        graph.bind(prefix, ns, override=True)


def head(nanopub: Nanopub) -> Graph:
    sub, graph = nanopub.sub, Graph()
    graph.add((nanopub.uri, RDF.type, NP.Nanopublication))
    graph.add((nanopub.uri, NP.hasAssertion, sub.assertion))
    graph.add((nanopub.uri, NP.hasProvenance, sub.provenance))
    graph.add((nanopub.uri, NP.hasPublicationInfo, sub.pubinfo))
    return graph


def parts(nanopub: Nanopub) -> list[tuple[URIRef, Graph]]:
    """The four graphs of ``nanopub`` with their names, head first."""
    sub = nanopub.sub
    return [(sub.Head, head(nanopub)), (sub.assertion, nanopub.assertion),
            (sub.provenance, nanopub.provenance), (sub.pubinfo, nanopub.pubinfo)]


def dataset(nanopubs: Iterable[Nanopub]) -> Dataset:
    """All ``nanopubs`` in one RDF dataset: four named graphs each."""
    data = Dataset()
    _bind(data)  # type: ignore[arg-type]
    for nanopub in nanopubs:
        for name, part in parts(nanopub):
            target = data.graph(name)
            for triple in part:
                target.add(triple)
    return data


_LOCAL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$|^$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_INTEGER = re.compile(r"^[+-]?[0-9]+$")


class _Writer:
    """Turtle terms with the given prefixes. Written here rather than with
    rdflib's serializer: that one prints an xsd:double with six significant
    digits (5.053497e+00), losing the value, and is slow on thousands of graphs."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.prefixes = sorted(((ns, p) for p, ns in prefixes.items()), key=lambda x: -len(x[0]))
        self.memo: dict[Node, str] = {}

    def term(self, node: Node) -> str:
        text = self.memo.get(node)
        if text is None:
            text = self.memo[node] = self._term(node)
        return text

    def _term(self, node: Node) -> str:
        if isinstance(node, Literal):
            lexical = "".join(_ESCAPES.get(c, c) for c in str(node))
            if node.language:
                return f'"{lexical}"@{node.language}'
            datatype = node.datatype
            if datatype is None or datatype == XSD.string:
                return f'"{lexical}"'
            if datatype == XSD.boolean and str(node) in ("true", "false"):
                return str(node)
            if datatype == XSD.integer and _INTEGER.match(str(node)):
                return str(node)
            return f'"{lexical}"^^{self.term(datatype)}'
        if isinstance(node, BNode):
            return f"_:{node}"
        iri = str(node)
        for ns, prefix in self.prefixes:
            if iri.startswith(ns) and _LOCAL.match(iri[len(ns):]):
                return f"{prefix}:{iri[len(ns):]}"
        return f"<{iri}>"

    def graph(self, graph: Graph) -> str:
        """The statements of ``graph``, grouped by subject, indented for TriG."""
        subjects: dict[str, dict[str, list[str]]] = {}
        for s, p, o in graph:
            verb = "a" if p == RDF.type else self.term(p)
            subjects.setdefault(self.term(s), {}).setdefault(verb, []).append(self.term(o))
        blocks = []
        for subject in sorted(subjects, key=lambda t: (t != "this:", t != "sub:assertion", t)):
            verbs = subjects[subject]
            lines = []
            for verb in sorted(verbs, key=lambda v: (v != "a", v)):
                objects = sorted(verbs[verb])
                lines.append(f"{verb} " + ",\n            ".join(objects))
            blocks.append(f"    {subject} " + " ;\n        ".join(lines) + " .")
        return "\n\n".join(blocks)


def render(nanopubs: list[Nanopub], header: str = "") -> str:
    """The nanopublications as one TriG document: the shared prefixes once, then
    each nanopublication's four graphs together, under its own this:/sub: prefixes."""
    out = [header] if header else []
    out += [f"@prefix {p}: <{ns}> ." for p, ns in sorted(NAMESPACES.items())]
    for nanopub in nanopubs:
        this = str(nanopub.uri)
        writer = _Writer({**NAMESPACES, "this": this, "sub": this + "#"})
        out.append(f"\n@prefix this: <{this}> .\n@prefix sub: <{this}#> .\n")
        for name, part in parts(nanopub):
            out.append(f"sub:{local_name(str(name))} {{\n{writer.graph(part)}\n}}\n")
    return "\n".join(out) + "\n"
