"""The context of a source sheet: its full reference (and the essay's
reference-list text and number), which parts of its text are held (where and
when they were read) or why none is, every claim it supports, and where the
essay cites it."""

from __future__ import annotations

from typing import Any

from derive.kb import citations
from derive.kb.model import Model, Source
from derive.kb.namespaces import DV
from derive.render.sheets.common import (
    Footnotes,
    Site,
    by_date,
    claim_dict,
    estimate_claims,
    safe_url,
)
from derive.render.sheets.findings import Shown, touching


def context(model: Model, iri: str, site: Site, findings: list[Shown] | None) -> dict[str, Any]:
    source = model.sources[iri]
    notes = Footnotes(model, site)
    notes.ref(iri)  # the source itself is note 1
    quoted = sorted((c for c in model.claims.values() if c.stated_in == iri), key=by_date)
    citing = sorted((c for c in model.claims.values() if iri in c.cites), key=by_date)
    labels = sorted({c.citation_label for c in citing if c.citation_label},
                    key=lambda text: (len(text), text))
    supported = {c.iri for c in quoted} | {c.iri for c in citing}
    estimates = [{"label": e.label, "href": site.href("estimate", e.name), "name": e.name}
                 for e in sorted(model.estimates.values(), key=lambda e: e.label)
                 if estimate_claims(model, e.iri) & supported]
    return {
        "kind": "source", "name": source.name, "title": source.title,
        "short": citations.short(source), "full": citations.full(source),
        "url": safe_url(source.url), "accessed": source.accessed, "issued": source.issued,
        "source_kind": source.kind, "comment": source.comment,
        "reference_text": source.reference_text, "citation_label": source.citation_label,
        "essay_labels": labels,
        "quoted": [claim_dict(model, c, notes, site) for c in quoted],
        "citing": [claim_dict(model, c, notes, site) for c in citing],
        "estimates": estimates,
        "texts": [{"part": t.part, "path": t.path, "read_from": safe_url(t.read_from),
                   "read_from_text": t.read_from, "read_on": t.read_on,
                   "stored_copy": t.read_via == "StoredCopy", "licence": t.licence}
                  for t in model.texts_of(iri)],
        "no_text": _no_text(model, source),
        "findings": touching(findings, claims=supported, sources=[iri]),
        "footnotes": notes.entries(), "index_href": site.href("index", ""),
    }


def _no_text(model: Model, source: Source) -> dict[str, str] | None:
    if model.texts_of(source.iri) or source.no_text_reason is None:
        return None
    reason = model.labels.get(DV + source.no_text_reason, source.no_text_reason)
    return {"reason": reason, "note": source.no_text_note or ""}
