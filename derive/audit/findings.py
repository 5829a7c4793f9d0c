"""What the audit reports: one ``Finding`` per problem, with the claims and
sources it involves, the numbers behind it and a message in plain words."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("error", "warning", "info")
OUTCOMES = ("supported", "contradicted", "elsewhere", "unverified")
KINDS = ("recompute", "unit", "share-total", "count-share", "disagreement", "exceeds-stock",
         "dated-after-source", "attribution", "evidence", "evidence-unchecked")


@dataclass(frozen=True)
class Ref:
    """A claim, estimate or source named in a finding: its IRI and a short name."""

    iri: str
    name: str


@dataclass(frozen=True)
class Quote:
    """A passage a finding rests on, verbatim: the claim's own words, the cited
    source's or another source's."""

    role: str  # "claim" | "cited" | "other"
    source: Ref
    text: str
    part: str | None = None  # "abstract", a section or page; None for a claim's quote


@dataclass(frozen=True)
class Finding:
    id: str  # stable across runs, e.g. "recompute-frontier-training-compute-2027"
    severity: str  # "error" | "warning" | "info"
    kind: str  # one of KINDS
    message: str
    claims: tuple[Ref, ...] = ()  # every claim the finding uses
    sources: tuple[Ref, ...] = ()  # sources that state or are cited for those claims
    numbers: dict[str, float] = field(default_factory=dict)
    disputes: tuple[str, ...] = ()  # IRIs of the claims the finding calls into question
    estimate: Ref | None = None
    scenario: str | None = None
    outcome: str | None = None  # attribution findings: one of OUTCOMES
    cited: str | None = None  # attribution findings: the IRI of the source cited
    quotes: tuple[Quote, ...] = ()
    evidence: dict[str, Any] = field(default_factory=dict)  # premise against data, in JSON

    def sort_key(self) -> tuple[int, int, str]:
        return (SEVERITIES.index(self.severity), KINDS.index(self.kind), self.id)
