"""Turn the RDF graph into a ``Model`` of plain values, with the triple API
(no SPARQL: it is the slow path on large graphs)."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from rdflib import RDF, URIRef
from rdflib import RDFS as R

from derive.errors import ModelError
from derive.kb import dates
from derive.kb.model import (
    Assumption,
    Claim,
    DatedValue,
    Estimate,
    InputRef,
    Model,
    Parameter,
    Scenario,
    Selection,
    Source,
    SourceText,
    Unit,
)
from derive.kb.namespaces import DV, PREFIXES, local_name, short

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from derive.kb.store import LoadedGraph
    from derive.kb.triples import TripleIndex

RDF_TYPE = PREFIXES["rdf"] + "type"
RDFS = PREFIXES["rdfs"]
DCT = PREFIXES["dcterms"]
BIBO = PREFIXES["bibo"]
CITO = PREFIXES["cito"]
PROV = PREFIXES["prov"]
QUDT = PREFIXES["qudt"]
OA = PREFIXES["oa"]
SCHEMA = PREFIXES["schema"]
SPDX = PREFIXES["spdx"]

# Properties by which an entity belongs to another (a model to its developer, a
# developer to its country, a chip to its maker): a selection "involving" the
# United States follows them from what a claim is about.
LINKS = (
    SCHEMA + "location", SCHEMA + "manufacturer", SCHEMA + "creator", SCHEMA + "producer",
    SCHEMA + "author", SCHEMA + "parentOrganization", SCHEMA + "memberOf",
    SCHEMA + "countryOfOrigin", SCHEMA + "containedInPlace", SCHEMA + "sourceOrganization",
    SCHEMA + "provider", SCHEMA + "brand", DCT + "creator", DCT + "spatial",
    PROV + "wasAttributedTo",
)


class _Reader:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        # rdflib checks an IRI each time one is made: over 100,000 claims the
        # same few predicates would be checked millions of times.
        self.uri = functools.cache(URIRef)

    def one(self, subject: Node, predicate: str) -> Node | None:
        return self.graph.value(subject, self.uri(predicate))

    def text(self, subject: Node, predicate: str) -> str | None:
        value = self.one(subject, predicate)
        return None if value is None else str(value)

    def all(self, subject: Node, predicate: str) -> list[Node]:
        return list(self.graph.objects(subject, self.uri(predicate)))

    def number(self, subject: Node, predicate: str) -> float | None:
        value = self.one(subject, predicate)
        if value is None:
            return None
        try:
            return float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None

    def subjects_of_type(self, cls: str) -> list[Node]:
        classes = {self.uri(cls)}
        frontier = [self.uri(cls)]
        while frontier:  # follow rdfs:subClassOf downwards
            current = frontier.pop()
            for sub in self.graph.subjects(R.subClassOf, current):
                if sub not in classes:
                    classes.add(sub)  # type: ignore[arg-type]
                    frontier.append(sub)  # type: ignore[arg-type]
        found: dict[Node, None] = {}
        for klass in classes:
            for subject in self.graph.subjects(RDF.type, klass):
                found[subject] = None
        return sorted(found, key=str)

    def date(self, subject: Node, predicate: str) -> DatedValue | None:
        value = self.one(subject, predicate)
        if value is None:
            return None
        datatype = getattr(value, "datatype", None)
        try:
            return dates.parse(str(value), None if datatype is None else str(datatype))
        except ModelError as exc:  # name the claim: the date alone does not say where it is
            raise ModelError(f"{short(str(subject))}: {short(predicate)} {exc}; "
                             "run derive validate") from None

    def label(self, subject: Node) -> str:
        return self.text(subject, RDFS + "label") or local_name(str(subject))


def extract(loaded: LoadedGraph) -> Model:
    graph = loaded.graph
    reader = _Reader(graph)
    model = Model()
    _sources(reader, model)
    _units(reader, model)
    for cls in ("Entity", "Metric", "NoTextReason"):
        for node in reader.subjects_of_type(DV + cls):
            model.labels[str(node)] = reader.label(node)
    _links(reader, model)
    for node in reader.subjects_of_type(DV + "Selection"):
        model.selections[str(node)] = _selection(reader, node, loaded.file_of(node))
    _texts(reader, model, loaded)
    claim_nodes = reader.subjects_of_type(DV + "Claim")
    claim_iris = {str(node) for node in claim_nodes}
    for node in claim_nodes:
        model.claims[str(node)] = _claim(reader, node, loaded.file_of(node), claim_iris)
    for node in reader.subjects_of_type(DV + "Assumption"):
        model.assumptions[str(node)] = _assumption(reader, node, loaded.file_of(node))
    for node in reader.subjects_of_type(DV + "Parameter"):
        model.parameters[str(node)] = Parameter(
            str(node), reader.label(node), reader.text(node, RDFS + "comment")
        )
    for node in reader.subjects_of_type(DV + "Scenario"):
        model.scenarios[str(node)] = _scenario(reader, node)
    for node in reader.subjects_of_type(DV + "Estimate"):
        model.estimates[str(node)] = _estimate(reader, node, loaded.file_of(node))
    return model


def claims_in(graph: Graph | TripleIndex, nodes: list[Node], file: str) -> dict[str, Claim]:
    """The claims ``nodes`` as one file describes them (``derive.kb.fragments``);
    ``cites`` holds every IRI they cite, until ``extract_apart`` knows which
    of them are claims."""
    reader = _Reader(graph)  # type: ignore[arg-type]
    return {str(node): _claim(reader, node, file, set()) for node in nodes}


def claim_links(graph: Graph | TripleIndex, nodes: list[Node]) -> dict[str, tuple[str, ...]]:
    """What each claim in ``nodes`` links to (``LINKS``), as ``_links`` reads it."""
    found: dict[str, tuple[str, ...]] = {}
    predicates = [URIRef(predicate) for predicate in LINKS]
    for node in nodes:
        targets = {str(t) for predicate in predicates for t in graph.objects(node, predicate)
                   if isinstance(t, URIRef)}
        if targets:
            found[str(node)] = tuple(sorted(targets))
    return found


def extract_apart(rest: LoadedGraph, extracted: Iterable[tuple[
        dict[str, Claim], dict[str, tuple[str, ...]]]]) -> Model:
    """``extract`` of a knowledge base whose claims were extracted file by file
    (``derive.kb.fragments``): everything else is read from ``rest``, the
    triples no claim owns; ``extracted`` gives each file's claims and what
    they link to."""
    model = extract(rest)
    claims: dict[str, Claim] = {}
    links = {key: set(value) for key, value in model.links.items()}
    for found, linked in extracted:
        claims.update(found)
        for subject, targets in linked.items():
            links.setdefault(subject, set()).update(targets)
    model.links = {key: tuple(sorted(value)) for key, value in sorted(links.items())}
    for iri in sorted(claims):
        claim = claims[iri]
        if any(cited in claims for cited in claim.cites):
            claim = replace(claim, cites=tuple(c for c in claim.cites if c not in claims),
                            evidence=tuple(c for c in claim.cites if c in claims))
        model.claims[iri] = claim
    return model


def _sources(reader: _Reader, model: Model) -> None:
    citations: dict[str, tuple[str | None, str | None]] = {}
    for node in reader.subjects_of_type(CITO + "Citation"):
        cited = reader.text(node, CITO + "hasCitedEntity")
        if cited:
            citations[cited] = (
                reader.text(node, DV + "citationLabel"),
                reader.text(node, DCT + "bibliographicCitation"),
            )
    seen: set[str] = set()
    for predicate in (DCT + "title", RDFS + "label"):
        for node in reader.graph.subjects(reader.uri(predicate), None):
            iri = str(node)
            if iri in seen or not _is_source(reader, node):
                continue
            seen.add(iri)
            label, reference = citations.get(iri, (None, None))
            kind = _source_kind([str(t) for t in reader.all(node, RDF_TYPE)])
            dataset = _dataset_details(reader, node) if kind == "Dataset" else {}
            model.sources[iri] = Source(
                iri=iri,
                title=reader.text(node, DCT + "title") or reader.label(node),
                authors=tuple(sorted(
                    (str(a) for a in reader.all(node, DCT + "creator")),
                )),
                author_list=reader.text(node, DV + "authorList") or "",
                issued=reader.text(node, DCT + "issued"),
                url=reader.text(node, BIBO + "uri") or reader.text(node, DCAT + "landingPage"),
                accessed=_accessed(reader, node),
                venue=reader.text(node, DV + "venue"),
                publisher=reader.text(node, DCT + "publisher"),
                kind=kind,
                citation_label=label,
                reference_text=reference,
                comment=reader.text(node, RDFS + "comment"),
                short_name=reader.text(node, DV + "citationName"),
                no_text_reason=_local(reader.text(node, DV + "noTextReason")),
                no_text_note=reader.text(node, DV + "noTextNote"),
                doi=reader.text(node, BIBO + "doi"),
                license=dataset.get("license"),
                local_copy=dataset.get("local_copy"),
            )


def _local(iri: str | None) -> str | None:
    return None if iri is None else local_name(iri)


def _texts(reader: _Reader, model: Model, loaded: LoadedGraph) -> None:
    """Stored source texts: each dv:SourceText (one part of a source), and a
    dv:localText given on a source itself (its full text, like the essay's).
    A file that is missing or unreadable is left out here; validation reports it."""
    facts = loaded.kb.facts_dir
    for node, local in reader.graph.subject_objects(reader.uri(DV + "localText")):
        part_of = reader.text(node, DCT + "isPartOf")
        source = part_of or str(node)
        path = facts / str(local)
        try:
            if not path.resolve().is_relative_to(facts.resolve()):
                continue
            content = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        model.texts[str(node)] = SourceText(
            iri=str(node),
            source=source,
            part=(reader.text(node, BIBO + "locator") or "abstract") if part_of else "full text",
            path=str(local),
            text=content,
            read_from=reader.text(node, DV + "readFrom"),
            read_on=reader.text(node, DV + "readOn"),
            read_via=_local(reader.text(node, DV + "readVia")),
            licence=reader.text(node, DCT + "license"),
        )


DCAT = "http://www.w3.org/ns/dcat#"
DATASET_TYPES = (SCHEMA + "Dataset", DCAT + "Dataset")


def _source_kind(types: list[str]) -> str:
    """The bibo class's local name (``AcademicArticle``), ``Dataset`` for a
    schema: or DCAT dataset, ``Distribution`` for a DCAT distribution (a file
    of a dataset), else ``Document``."""
    for iri in sorted(types):
        if iri.startswith(BIBO):
            return iri.removeprefix(BIBO)
    if any(t in DATASET_TYPES for t in types):
        return "Dataset"
    return "Distribution" if DCAT + "Distribution" in types else "Document"


def _accessed(reader: _Reader, node: Node) -> str | None:
    """When the source was read: its own date, else the latest of its DCAT
    distributions' (a dataset is read through a file of it)."""
    own = reader.text(node, DV + "accessed") or reader.text(node, DV + "readOn")
    if own:
        return own
    dates = [reader.text(d, DV + "readOn") or reader.text(d, DV + "accessed")
             for d in reader.all(node, DCAT + "distribution")]
    return max((d for d in dates if d), default=None)


def _is_source(reader: _Reader, node: Node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(PREFIXES["src"])


def _dataset_details(reader: _Reader, node: Node) -> dict[str, str | None]:
    """A table's licence (by name when the licence IRI has a label), the date its
    copy was taken and where that copy is shipped, with its SHA-256."""
    licence = reader.one(node, DCT + "license")
    name = (reader.text(licence, RDFS + "label") if licence is not None else None) or (
        str(licence) if licence is not None else None)
    details: dict[str, str | None] = {"license": name}
    dist = reader.one(node, DCAT + "distribution")
    if dist is not None:
        details["read_on"] = reader.text(dist, DV + "readOn")
        local = reader.text(dist, DV + "localFile")
        checksum = reader.one(dist, SPDX + "checksum")
        digest = reader.text(checksum, SPDX + "checksumValue") if checksum is not None else None
        if local:
            details["local_copy"] = local + (f", SHA-256 {digest}" if digest else "")
    return details


def _units(reader: _Reader, model: Model) -> None:
    for node in reader.subjects_of_type(QUDT + "Unit"):
        expression = reader.text(node, DV + "unitExpression")
        if expression is None:
            continue
        model.units[str(node)] = Unit(
            iri=str(node),
            symbol=reader.text(node, QUDT + "symbol") or "",
            label=reader.label(node),
            expression=expression,
        )


def _quantity(reader: _Reader, node: Node) -> tuple[float | None, str | None, float | None,
                                                     float | None]:
    quantity = reader.one(node, DV + "quantity")
    if quantity is None:
        return None, None, None, None
    return (
        reader.number(quantity, QUDT + "value"),
        reader.text(quantity, QUDT + "hasUnit"),
        reader.number(quantity, SCHEMA + "minValue"),
        reader.number(quantity, SCHEMA + "maxValue"),
    )


def _claim(reader: _Reader, node: Node, file: str | None, claim_iris: set[str]) -> Claim:
    value, unit, low, high = _quantity(reader, node)
    quote_text = locator = None
    quote = reader.one(node, DV + "quote")
    if quote is not None:
        selector = reader.one(quote, OA + "hasSelector")
        if selector is not None:
            quote_text = reader.text(selector, OA + "exact")
            locator = reader.text(selector, BIBO + "locator")
            refined = reader.one(selector, OA + "refinedBy")  # a table's row, then its cell
            if quote_text is None and refined is not None:
                quote_text = reader.text(refined, OA + "exact")
            if locator is None and reader.text(selector, RDF_TYPE) == OA + "FragmentSelector":
                fragment = reader.text(selector, PREFIXES["rdf"] + "value")  # RFC 7111 row=N
                locator = fragment.replace("=", " ", 1) if fragment else None
    stated_as = reader.text(node, DV + "statedAs")
    verification = reader.text(node, DV + "verification")
    approximate = reader.one(node, DV + "approximate")
    cited = {str(c) for c in reader.all(node, CITO + "citesAsEvidence")}
    return Claim(
        iri=str(node),
        label=reader.label(node),
        quantitative=reader.one(node, DV + "quantity") is not None
        or reader.one(node, DV + "metric") is not None,
        stated_in=reader.text(node, PROV + "wasQuotedFrom"),
        quote=quote_text,
        as_of=reader.date(node, DV + "asOf"),
        metric=reader.text(node, DV + "metric"),
        value=value,
        unit=unit,
        low=low,
        high=high,
        stated_unit=reader.text(node, DV + "statedUnit"),
        approximate=bool(approximate is not None and approximate.toPython() is True),  # type: ignore[attr-defined]
        stated_as=stated_as.removeprefix(DV) if stated_as else None,
        cites=tuple(sorted(c for c in cited if c not in claim_iris)),
        evidence=tuple(sorted(c for c in cited if c in claim_iris)),
        citation_label=reader.text(node, DV + "citationLabel"),
        locator=locator,
        about=tuple(sorted(str(a) for a in reader.all(node, DV + "about"))),
        statement=reader.text(node, DV + "statement"),
        verification=verification.removeprefix(DV) if verification else None,
        comment=reader.text(node, RDFS + "comment"),
        file=file,
    )


def _integer(reader: _Reader, node: Node, predicate: str) -> int | None:
    value = reader.number(node, predicate)
    return None if value is None else int(value)


def _links(reader: _Reader, model: Model) -> None:
    links: dict[str, set[str]] = {}
    for predicate in LINKS:
        for subject, target in reader.graph.subject_objects(reader.uri(predicate)):
            if isinstance(target, URIRef) and isinstance(subject, URIRef):
                links.setdefault(str(subject), set()).add(str(target))
    model.links = {key: tuple(sorted(value)) for key, value in sorted(links.items())}


def _selection(reader: _Reader, node: Node, file: str | None) -> Selection:
    return Selection(
        iri=str(node),
        label=reader.label(node),
        metric=reader.text(node, DV + "ofMetric"),
        sources=tuple(sorted(str(s) for s in reader.all(node, DV + "quotedFrom"))),
        involving=tuple(sorted(str(e) for e in reader.all(node, DV + "involving"))),
        since=reader.date(node, DV + "since"),
        until=reader.date(node, DV + "until"),
        frontier=_integer(reader, node, DV + "frontierTop"),
        comment=reader.text(node, RDFS + "comment"),
        file=file,
    )


def _assumption(reader: _Reader, node: Node, file: str | None) -> Assumption:
    value, unit, low, high = _quantity(reader, node)
    return Assumption(
        iri=str(node),
        label=reader.label(node),
        value=float("nan") if value is None else value,
        unit=unit or "",
        low=low,
        high=high,
        comment=reader.text(node, RDFS + "comment"),
        derived_from=tuple(sorted(str(c) for c in reader.all(node, PROV + "wasDerivedFrom"))),
        as_of=reader.date(node, DV + "asOf"),
        file=file,
    )


def _scenario(reader: _Reader, node: Node) -> Scenario:
    bindings = []
    for binding in reader.all(node, DV + "binding"):
        # dv:replaces: the scenario puts another value in the place of a claim
        parameter = reader.text(binding, DV + "parameter") or reader.text(binding,
                                                                           DV + "replaces")
        target = reader.text(binding, DV + "from")
        if parameter and target:
            bindings.append((parameter, target))
    default = reader.one(node, DV + "isDefault")
    return Scenario(
        iri=str(node),
        label=reader.label(node),
        description=reader.text(node, DCT + "description"),
        is_default=bool(default is not None and default.toPython() is True),  # type: ignore[attr-defined]
        bindings=tuple(sorted(bindings)),
        supported_by=tuple(sorted(str(c) for c in reader.all(node, PROV + "wasDerivedFrom"))),
        replaces=tuple(sorted(str(c) for b in reader.all(node, DV + "binding")
                              for c in reader.all(b, DV + "replaces"))),
    )


def _estimate(reader: _Reader, node: Node, file: str | None) -> Estimate:
    inputs = []
    for binding in reader.all(node, DV + "input"):
        role = reader.text(binding, DV + "role")
        target = reader.text(binding, DV + "from")
        inputs.append(InputRef(role or "", target or ""))
    method = reader.text(node, DV + "method") or ""
    return Estimate(
        iri=str(node),
        label=reader.label(node),
        method=method.removeprefix(DV),
        inputs=tuple(sorted(inputs, key=lambda ref: ref.role)),
        unit=reader.text(node, DV + "unit"),
        target_date=reader.date(node, DV + "targetDate"),
        expression=reader.text(node, DV + "expression"),
        reproduces=reader.text(node, DV + "reproduces"),
        default_scenario=reader.text(node, DV + "inScenario"),
        comment=reader.text(node, RDFS + "comment"),
        file=file,
        selection=reader.text(node, DV + "selection"),
        condition=reader.text(node, DV + "involving"),
        top=_integer(reader, node, DV + "amongTop"),
        evidence_for=reader.text(node, DV + "evidenceFor"),
    )
