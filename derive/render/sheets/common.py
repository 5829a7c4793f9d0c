"""What every sheet shares: the links between sheets, the footnotes of a page
(short form in the text, full reference at the foot), and a claim as a plain
dict."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from derive.kb import citations
from derive.kb.model import Claim, Model, Source
from derive.kb.namespaces import KB, local_name
from derive.render.sheets import words

ENTITY_NS = KB + "entity/"
KINDS = ("estimate", "entity", "source")


def page_name(kind: str, name: str, ext: str) -> str:
    return f"{kind}-{name}.{ext}"


@dataclass
class Site:
    """The files a run writes (or finds already written in the output folder):
    a link is made only to a sheet that exists, so every link resolves."""

    ext: str
    pages: set[str] = field(default_factory=set)
    # per claim (local name), how its attributions came out; None: no audit was run
    attributions: dict[str, list[dict[str, str]]] | None = None

    def href(self, kind: str, name: str, anchor: str | None = None) -> str | None:
        target = "index." + self.ext if kind == "index" else page_name(kind, name, self.ext)
        if target not in self.pages:
            return None
        return f"{target}#{anchor}" if anchor else target


def safe_url(url: str | None) -> str | None:
    """Only web links are shown as links (never ``javascript:`` and the like)."""
    if url and url.split(":", 1)[0].lower() in ("http", "https"):
        return url
    return None


class Footnotes:
    """The sources a page cites, numbered in order of first mention."""

    def __init__(self, model: Model, site: Site) -> None:
        self.model = model
        self.site = site
        self.order: dict[str, int] = {}

    def source(self, iri: str) -> Source:
        return self.model.sources.get(iri) or Source(iri, local_name(iri))

    def ref(self, iri: str) -> dict[str, Any]:
        """A mention in the text: the short form and the footnote's number."""
        source = self.source(iri)
        number = self.order.setdefault(iri, len(self.order) + 1)
        return {"short": citations.short(source), "number": number, "name": source.name,
                "href": self.site.href("source", source.name)}

    def entries(self) -> list[dict[str, Any]]:
        out = []
        for iri, number in sorted(self.order.items(), key=lambda item: item[1]):
            out.append({"number": number, **source_dict(self.source(iri), self.site)})
        return out


def source_dict(source: Source, site: Site) -> dict[str, Any]:
    return {
        "name": source.name,
        "short": citations.short(source),
        "full": citations.full(source),
        "full_head": citations.full(replace(source, url=None, accessed=None)).removesuffix("."),
        "accessed": source.accessed if safe_url(source.url) else None,
        "title": source.title,
        "url": safe_url(source.url),
        "reference_text": source.reference_text,
        "citation_label": source.citation_label,
        "href": site.href("source", source.name),
    }


def claim_value(model: Model, claim: Claim) -> str:
    if not claim.quantitative or claim.value is None:
        return ""
    text = words.stated(claim.value, model.unit_symbol(claim.unit), claim.low, claim.high)
    return ("about " + text) if claim.approximate else text


def claim_dict(model: Model, claim: Claim, notes: Footnotes, site: Site) -> dict[str, Any]:
    about = [{"label": model.labels.get(iri, local_name(iri)),
              "href": site.href("entity", local_name(iri))} for iri in claim.about]
    return {
        "name": claim.name,
        "anchor": f"claim-{claim.name}",
        "label": claim.label,
        "quantitative": claim.quantitative,
        "metric": model.labels.get(claim.metric, local_name(claim.metric))
        if claim.metric else None,
        "value": claim_value(model, claim),
        "as_of": claim.as_of.lexical if claim.as_of else None,
        "statement": claim.statement,
        "quote": claim.quote,
        "locator": claim.locator,
        "stated_in": notes.ref(claim.stated_in) if claim.stated_in else None,
        "cites": [notes.ref(iri) for iri in claim.cites],
        "attribution": None if site.attributions is None or not claim.cites
        else site.attributions.get(claim.name, []),
        "citation_label": claim.citation_label,
        "stated_as": claim.stated_as,
        "verification": claim.verification,
        "comment": claim.comment,
        "about": about,
        "file": claim.file,
        "href": site.href("source", local_name(claim.stated_in), f"claim-{claim.name}")
        if claim.stated_in else None,
    }


def estimate_claims(model: Model, estimate_iri: str, seen: set[str] | None = None) -> set[str]:
    """Every claim an estimate may draw on, under any scenario."""
    seen = seen if seen is not None else set()
    if estimate_iri in seen:
        return set()
    seen.add(estimate_iri)
    found: set[str] = set()
    estimate = model.estimates.get(estimate_iri)
    if estimate is None:
        return found
    for ref in estimate.inputs:
        found |= _target_claims(model, ref.target, seen)
    if estimate.reproduces:
        found.add(estimate.reproduces)
    return found


def _target_claims(model: Model, target: str, seen: set[str]) -> set[str]:
    if target in model.claims:
        return {target}
    if target in model.estimates:
        return estimate_claims(model, target, seen)
    if target in model.assumptions:
        return set(model.assumptions[target].derived_from) & set(model.claims)
    if target in model.parameters:
        found: set[str] = set()
        for scenario in model.scenarios.values():
            bound = scenario.binding(target)
            if bound:
                found |= _target_claims(model, bound, seen)
        return found
    return set()


def entities_with_claims(model: Model) -> dict[str, list[Claim]]:
    """Entity IRI → its claims, for every entity with at least one claim."""
    out: dict[str, list[Claim]] = {}
    for claim in model.claims.values():
        for iri in claim.about:
            if iri.startswith(ENTITY_NS) or iri in model.labels:
                out.setdefault(iri, []).append(claim)
    return out


def by_date(claim: Claim) -> tuple[float, str, str]:
    return (claim.as_of.decimal_year if claim.as_of else 0.0, claim.label, claim.iri)
