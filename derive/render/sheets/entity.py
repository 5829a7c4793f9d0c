"""The context of an entity sheet: every claim about it, grouped by metric
(the qualitative ones together), dated and sourced with footnotes."""

from __future__ import annotations

from typing import Any

from derive.kb.model import Claim, Model
from derive.kb.namespaces import local_name
from derive.render.sheets.common import Footnotes, Site, by_date, claim_dict, estimate_claims
from derive.render.sheets.findings import Shown, touching

QUALITATIVE = "Qualitative statements"


def _groups(model: Model, claims: list[Claim]) -> list[tuple[str, list[Claim]]]:
    grouped: dict[str, list[Claim]] = {}
    for claim in claims:
        if claim.quantitative and claim.metric:
            key = model.labels.get(claim.metric, local_name(claim.metric))
        elif claim.quantitative:
            key = "Other figures"
        else:
            key = QUALITATIVE
        grouped.setdefault(key, []).append(claim)
    order = sorted((k for k in grouped if k != QUALITATIVE), key=str.lower)
    if QUALITATIVE in grouped:
        order.append(QUALITATIVE)
    return [(key, sorted(grouped[key], key=by_date)) for key in order]


def context(model: Model, iri: str, claims: list[Claim], site: Site,
            findings: list[Shown] | None) -> dict[str, Any]:
    notes = Footnotes(model, site)
    name = local_name(iri)
    groups = [{"label": label, "anchor": "metric-" + str(i),
               "claims": [claim_dict(model, c, notes, site) for c in items]}
              for i, (label, items) in enumerate(_groups(model, claims), 1)]
    mine = {c.iri for c in claims}
    estimates = [{"label": e.label, "href": site.href("estimate", e.name), "name": e.name}
                 for e in sorted(model.estimates.values(), key=lambda e: e.label)
                 if estimate_claims(model, e.iri) & mine]
    return {
        "kind": "entity", "name": name, "title": model.labels.get(iri, name),
        "count": len(claims), "groups": groups, "estimates": estimates,
        "findings": touching(findings, claims=mine),
        "footnotes": notes.entries(), "index_href": site.href("index", ""),
    }
