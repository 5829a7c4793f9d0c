"""The knowledge base as plain Python values: what the engine, the explainer,
the audit and the sheets work on. Built from the RDF graph by
``derive.extract`` and cached between runs by ``derive.cache``; nothing here
imports rdflib, so a warm command starts fast."""

from __future__ import annotations

from dataclasses import dataclass, field

from derive.kb.namespaces import local_name


@dataclass(frozen=True)
class Source:
    iri: str
    title: str
    authors: tuple[str, ...] = ()
    author_list: str = ""
    issued: str | None = None
    url: str | None = None
    accessed: str | None = None
    venue: str | None = None
    publisher: str | None = None
    kind: str = "Document"
    citation_label: str | None = None
    reference_text: str | None = None
    comment: str | None = None
    short_name: str | None = None
    no_text_reason: str | None = None  # local name of a dv:NoTextReason, e.g. "Paywalled"
    no_text_note: str | None = None
    doi: str | None = None
    license: str | None = None  # a dataset's licence, by name where known ("CC BY 4.0")
    local_copy: str | None = None  # a dataset's shipped copy: path and SHA-256

    @property
    def name(self) -> str:
        return local_name(self.iri)

    @property
    def year(self) -> str | None:
        return self.issued[:4] if self.issued else None


@dataclass(frozen=True)
class SourceText:
    """A verbatim copy of one part of a source, as read: the text the
    attribution audit searches for the figures a claim attributes to it."""

    iri: str
    source: str
    part: str  # bibo:locator: "abstract", a section, a page; "full text" for a whole source
    path: str  # relative to facts/
    text: str
    read_from: str | None = None
    read_on: str | None = None
    read_via: str | None = None  # "StoredCopy" | "LivePage" | None
    licence: str | None = None


@dataclass(frozen=True)
class DatedValue:
    """A date as stored (lexical form) with its precision and its position in
    decimal years (the middle of the year, month or day it names)."""

    lexical: str
    precision: str  # "year" | "month" | "day"
    decimal_year: float


@dataclass(frozen=True)
class Claim:
    iri: str
    label: str
    quantitative: bool
    stated_in: str | None
    quote: str | None
    as_of: DatedValue | None
    metric: str | None = None
    value: float | None = None
    unit: str | None = None
    low: float | None = None
    high: float | None = None
    stated_unit: str | None = None
    approximate: bool = False
    stated_as: str | None = None  # "Premise" | "DerivedFigure" | None
    cites: tuple[str, ...] = ()  # the sources it cites as evidence
    evidence: tuple[str, ...] = ()  # claims it cites as evidence (quoted from a cited source)
    citation_label: str | None = None
    locator: str | None = None
    about: tuple[str, ...] = ()
    statement: str | None = None
    verification: str | None = None
    comment: str | None = None
    file: str | None = None

    @property
    def name(self) -> str:
        return local_name(self.iri)

    @property
    def has_bounds(self) -> bool:
        return self.low is not None and self.high is not None


@dataclass(frozen=True)
class Assumption:
    iri: str
    label: str
    value: float
    unit: str
    low: float | None = None
    high: float | None = None
    comment: str | None = None
    derived_from: tuple[str, ...] = ()
    as_of: DatedValue | None = None
    file: str | None = None

    @property
    def name(self) -> str:
        return local_name(self.iri)


@dataclass(frozen=True)
class InputRef:
    role: str
    target: str  # IRI of a claim, estimate, parameter or assumption


@dataclass(frozen=True)
class Selection:
    """A set of claims declared as data: the claims of one metric, optionally
    only those quoted from given sources, involving given entities, dated in a
    window, and among the top ``frontier`` of their metric when they appeared."""

    iri: str
    label: str
    metric: str | None
    sources: tuple[str, ...] = ()
    involving: tuple[str, ...] = ()
    since: DatedValue | None = None
    until: DatedValue | None = None
    frontier: int | None = None
    comment: str | None = None
    file: str | None = None

    @property
    def name(self) -> str:
        return local_name(self.iri)


@dataclass(frozen=True)
class Estimate:
    iri: str
    label: str
    method: str  # local name of the dv:Method, e.g. "CompoundGrowth"
    inputs: tuple[InputRef, ...]
    unit: str | None
    target_date: DatedValue | None = None
    expression: str | None = None
    reproduces: str | None = None
    default_scenario: str | None = None
    comment: str | None = None
    file: str | None = None
    selection: str | None = None  # estimates over a set of claims
    condition: str | None = None  # an entity the counted or summed claims involve
    top: int | None = None  # count among the top N by value as of the target date
    evidence_for: str | None = None  # the premise this estimate over data checks

    @property
    def name(self) -> str:
        return local_name(self.iri)


@dataclass(frozen=True)
class Parameter:
    iri: str
    label: str
    comment: str | None = None

    @property
    def name(self) -> str:
        return local_name(self.iri)


@dataclass(frozen=True)
class Scenario:
    iri: str
    label: str
    description: str | None = None
    is_default: bool = False
    bindings: tuple[tuple[str, str], ...] = ()  # (parameter IRI, claim/assumption IRI)
    supported_by: tuple[str, ...] = ()  # claims that state the scenario
    replaces: tuple[str, ...] = ()  # claims whose value it replaces (dv:replaces)

    @property
    def name(self) -> str:
        return local_name(self.iri)

    def binding(self, parameter: str) -> str | None:
        for param, target in self.bindings:
            if param == parameter:
                return target
        return None


@dataclass(frozen=True)
class Unit:
    iri: str
    symbol: str
    label: str
    expression: str


@dataclass
class Model:
    sources: dict[str, Source] = field(default_factory=dict)
    claims: dict[str, Claim] = field(default_factory=dict)
    estimates: dict[str, Estimate] = field(default_factory=dict)
    parameters: dict[str, Parameter] = field(default_factory=dict)
    assumptions: dict[str, Assumption] = field(default_factory=dict)
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # entities and metrics
    texts: dict[str, SourceText] = field(default_factory=dict)  # stored source texts by IRI
    selections: dict[str, Selection] = field(default_factory=dict)
    # entity -> entities it belongs to (location, maker, creator, ...), for selections
    links: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def texts_of(self, source: str) -> list[SourceText]:
        """The stored parts of ``source``, in IRI order."""
        return sorted((t for t in self.texts.values() if t.source == source),
                      key=lambda t: t.iri)

    def label(self, iri: str) -> str:
        for table in (self.claims, self.estimates, self.parameters, self.assumptions,
                      self.scenarios, self.selections):
            item = table.get(iri)
            if item is not None:
                return item.label  # type: ignore[attr-defined, no-any-return]
        if iri in self.sources:
            return self.sources[iri].title
        return self.labels.get(iri, local_name(iri))

    def unit_symbol(self, iri: str | None) -> str:
        if iri is None:
            return ""
        unit = self.units.get(iri)
        return unit.symbol if unit else local_name(iri)

    def default_scenario(self) -> Scenario | None:
        for scenario in self.scenarios.values():
            if scenario.is_default:
                return scenario
        return None
