"""What every check works on: the compiled knowledge base, plus what the
model leaves out and the consistency checks need (metrics' shares and
allowed units, entities' types and where they are located), read from the
graph with the triple API."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rdflib import RDFS, URIRef

from derive.audit.findings import Ref
from derive.engine import units
from derive.errors import UnitMismatch
from derive.kb import citations
from derive.kb.model import Claim, Model
from derive.kb.namespaces import DV, PREFIXES, short
from derive.kb.numbers import fmt

if TYPE_CHECKING:
    from rdflib import Graph

    from derive.engine.compiled import Compiled

SCHEMA = PREFIXES["schema"]
SKOS = PREFIXES["skos"]
QUDT = PREFIXES["qudt"]
RDF_TYPE = PREFIXES["rdf"] + "type"


@dataclass(frozen=True)
class MetricInfo:
    iri: str
    is_share: bool = False
    part_of: str | None = None
    allowed_units: tuple[str, ...] = ()
    quantity_kind: str | None = None
    cues: tuple[str, ...] = ()  # skos:hiddenLabel: how a source's text names it
    close: tuple[str, ...] = ()  # skos:closeMatch: metrics compared as the same one


@dataclass(frozen=True)
class EntityInfo:
    iri: str
    types: tuple[str, ...] = ()
    located_in: tuple[str, ...] = ()  # schema:location
    manufacturer: tuple[str, ...] = ()  # schema:manufacturer
    cues: tuple[str, ...] = ()  # skos:hiddenLabel: how a source's text names it

    @property
    def is_aggregate(self) -> bool:
        return DV + "Aggregate" in self.types

    @property
    def is_country(self) -> bool:
        return DV + "Country" in self.types


@dataclass
class AuditContext:
    compiled: Compiled
    metrics: dict[str, MetricInfo] = field(default_factory=dict)
    entities: dict[str, EntityInfo] = field(default_factory=dict)
    run_cache: dict[str, list[Any]] = field(default_factory=dict)  # see derive.audit.runs
    # pint parses a unit expression in about 0.2 ms; a large knowledge base has
    # few units and many claims, so each unit is parsed once.
    quantities: dict[str, Any] = field(default_factory=dict)
    factors: dict[str | None, float | None] = field(default_factory=dict)
    dimensions: dict[tuple[str | None, str | None], bool | None] = field(default_factory=dict)
    # claim -> its interval in base units; metrics -> the claims on them: the
    # attribution search asks both of every claim on a metric for each claim
    # it searches (30 searches over 100,000 claims at scale)
    intervals: dict[str, tuple[float, float] | None] = field(default_factory=dict)
    on_metrics: dict[frozenset[str], list[Claim]] = field(default_factory=dict)
    # metric -> (position in the model, claim): the claims on a metric found
    # without a scan of every claim (built on first use)
    by_metric: dict[str | None, list[tuple[int, Claim]]] = field(default_factory=dict)

    @property
    def model(self) -> Model:
        return self.compiled.model

    # -- units ------------------------------------------------------------
    def quantity(self, unit_iri: str | None) -> Any | None:
        """The pint quantity of a unit, or None when it is missing or unknown."""
        if unit_iri is None:
            return None
        if unit_iri not in self.quantities:
            try:
                self.quantities[unit_iri] = units.quantity_of(self.model, unit_iri)
            except UnitMismatch:
                self.quantities[unit_iri] = None
        return self.quantities[unit_iri]

    def factor(self, unit_iri: str | None) -> float | None:
        """The unit in base units (pint's conversion costs 50 us: each unit once)."""
        if unit_iri not in self.factors:
            quantity = self.quantity(unit_iri)
            self.factors[unit_iri] = (None if quantity is None
                                      else float(quantity.to_base_units().magnitude))
        return self.factors[unit_iri]

    def same_dimension(self, a: str | None, b: str | None) -> bool | None:
        """Whether two units measure the same thing (None when either is unknown);
        each pair compared once (the attribution search asks it of every claim
        on a metric, for each claim it searches)."""
        if (a, b) not in self.dimensions:
            qa, qb = self.quantity(a), self.quantity(b)
            self.dimensions[a, b] = (None if qa is None or qb is None
                                     else bool(qa.dimensionality == qb.dimensionality))
        return self.dimensions[a, b]

    def show(self, value: float | None, unit_iri: str | None, digits: int = 3) -> str:
        return with_unit(value, self.model.unit_symbol(unit_iri), digits)

    # -- claims -----------------------------------------------------------
    def base_interval(self, claim: Claim) -> tuple[float, float] | None:
        """The claim's figure in base units, as the range it states or, for a
        single figure, the range its printed digits round from."""
        if claim.iri in self.intervals:
            return self.intervals[claim.iri]
        factor = self.factor(claim.unit)
        interval = None
        if claim.value is not None and factor is not None:
            low, high = (claim.low, claim.high) if claim.has_bounds else rounding(claim.value)
            assert low is not None and high is not None
            ends = sorted((low * factor, high * factor))
            interval = ends[0], ends[1]
        self.intervals[claim.iri] = interval
        return interval

    def claim_ref(self, iri: str) -> Ref:
        return Ref(iri, short(iri))

    def source_refs(self, claims: list[Claim], cited: bool = False) -> tuple[Ref, ...]:
        seen: dict[str, Ref] = {}
        for claim in claims:
            iris = [claim.stated_in] if claim.stated_in else []
            if cited:
                iris += list(claim.cites)
            for iri in iris:
                source = self.model.sources.get(iri)
                if iri and iri not in seen:
                    seen[iri] = Ref(iri, citations.short(source) if source else short(iri))
        return tuple(seen.values())

    def stated_by(self, claim: Claim) -> str:
        """'the essay (Ruiloba Portilla 2025)'-like words for the source stating a claim."""
        source = self.model.sources.get(claim.stated_in or "")
        return citations.short(source) if source else "its source"

    # -- entities ---------------------------------------------------------
    def containers(self, entity: str) -> list[str]:
        """``entity`` and everything it is located in, following schema:location,
        and schema:manufacturer for products (a chip is where its maker is)."""
        found = [entity]
        frontier = [entity]
        while frontier:
            info = self.entities.get(frontier.pop())
            if info is None:
                continue
            for nxt in (*info.located_in, *info.manufacturer):
                if nxt not in found:
                    found.append(nxt)
                    frontier.append(nxt)
        return found

    def label(self, iri: str) -> str:
        return self.model.label(iri)

    def claims_on(self, metrics: set[str]) -> list[Claim]:
        """The claims on any of ``metrics``, in the model's order."""
        key = frozenset(metrics)
        if key not in self.on_metrics:
            if not self.by_metric:
                for position, claim in enumerate(self.model.claims.values()):
                    self.by_metric.setdefault(claim.metric, []).append((position, claim))
            found = [pair for metric in key for pair in self.by_metric.get(metric, ())]
            self.on_metrics[key] = [claim for _, claim in sorted(found, key=lambda p: p[0])]
        return self.on_metrics[key]

    def metric_family(self, metric: str) -> set[str]:
        """``metric`` and the metrics linked to it by skos:closeMatch, either way."""
        family = {metric}
        for info in self.metrics.values():
            if info.iri == metric:
                family.update(info.close)
            elif metric in info.close:
                family.add(info.iri)
        return family


def rounding(value: float) -> tuple[float, float]:
    """The range a printed figure rounds from: half a unit of its last
    significant digit either side (9.1e20 -> 9.05e20 to 9.15e20, 75 -> 74.5 to 75.5)."""
    if value == 0 or not math.isfinite(value):
        return value, value
    exponent = Decimal(repr(value)).normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    half = 0.5 * 10.0**exponent
    return value - half, value + half


def overlap(intervals: list[tuple[float, float]]) -> bool:
    return max(low for low, _ in intervals) <= min(high for _, high in intervals)


def build(compiled: Compiled, graph: Graph | None) -> AuditContext:
    context = AuditContext(compiled)
    if graph is None:
        return context

    def objects(node: Any, predicate: str) -> list[str]:
        return sorted(str(o) for o in graph.objects(node, URIRef(predicate)))

    for node in set(graph.subjects(URIRef(RDF_TYPE), URIRef(DV + "Metric"))):
        share = graph.value(node, URIRef(DV + "isShare"))
        part_of = graph.value(node, URIRef(DV + "partOf"))
        kind = graph.value(node, URIRef(QUDT + "hasQuantityKind"))
        context.metrics[str(node)] = MetricInfo(
            iri=str(node),
            is_share=bool(share is not None and share.toPython() is True),  # type: ignore[attr-defined]
            part_of=None if part_of is None else str(part_of),
            allowed_units=tuple(objects(node, DV + "allowedUnit")),
            quantity_kind=None if kind is None else str(kind),
            cues=tuple(objects(node, SKOS + "hiddenLabel")),
            close=tuple(objects(node, SKOS + "closeMatch")),
        )
    entity_types = _subclasses(graph, DV + "Entity")
    for type_iri in entity_types:
        for node in graph.subjects(URIRef(RDF_TYPE), URIRef(type_iri)):
            iri = str(node)
            if iri in context.entities:
                continue
            context.entities[iri] = EntityInfo(
                iri=iri,
                types=tuple(objects(node, RDF_TYPE)),
                located_in=tuple(objects(node, SCHEMA + "location")),
                manufacturer=tuple(objects(node, SCHEMA + "manufacturer")),
                cues=tuple(objects(node, SKOS + "hiddenLabel")),
            )
    return context


def _subclasses(graph: Graph, root: str) -> set[str]:
    found = {root}
    frontier = [root]
    while frontier:
        for sub in graph.subjects(RDFS.subClassOf, URIRef(frontier.pop())):
            if str(sub) not in found:
                found.add(str(sub))
                frontier.append(str(sub))
    return found


_PLAIN = {
    "[computation]": "an amount of computation",
    "[computation] / [time]": "a rate of computation",
    "[time]": "a length of time",
    "1 / [time]": "a rate of change per unit of time",
    "dimensionless": "a plain number or share",
}


def plural(count: float, word: str) -> str:
    """'1 year', '2.5 years'."""
    return f"{fmt(count)} {word}" + ("" if fmt(count) == "1" else "s")


def with_unit(value: float | None, unit: str, digits: int = 3) -> str:
    """A number and a unit symbol ('65%/yr', '9.5 mo')."""
    text = fmt(value, digits)
    if not unit:
        return text
    return text + unit if unit.startswith("%") else f"{text} {unit}"


def plain_dimension(quantity: Any) -> str:
    """What a unit measures, in words a policy reader knows."""
    dimension = units.dimension(quantity)
    return _PLAIN.get(dimension, dimension)
