"""The context of the index: every estimate (with its value in words), every
entity with claims, every source in its short and full citation forms."""

from __future__ import annotations

from typing import Any

from derive.kb import citations
from derive.kb.model import Claim, Model
from derive.kb.namespaces import local_name
from derive.render.sheets.common import Site, source_dict


def context(model: Model, headlines: dict[str, list[dict[str, Any]]],
            entities: dict[str, list[Claim]], site: Site) -> dict[str, Any]:
    estimates = [{"name": e.name, "label": e.label, "href": site.href("estimate", e.name),
                  "outcomes": headlines.get(e.iri, [])}
                 for e in sorted(model.estimates.values(), key=lambda e: e.label.lower())]
    people = [{"name": local_name(iri), "label": model.labels.get(iri, local_name(iri)),
               "href": site.href("entity", local_name(iri)), "count": len(claims)}
              for iri, claims in sorted(entities.items(), key=lambda kv: (
                  model.labels.get(kv[0], kv[0]).lower(), kv[0]))]
    sources = [source_dict(s, site) for s in
               sorted(model.sources.values(),
                      key=lambda s: (citations.short(s).lower(), s.issued or "", s.name))]
    return {"kind": "index", "name": "index", "title": "Fact sheets",
            "estimates": estimates, "entities": people, "sources": sources,
            "claims": len(model.claims), "index_href": None, "footnotes": []}
