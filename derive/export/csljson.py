"""Sources as CSL-JSON (the input format of the Citation Style Language
processors, CSL 1.0.2 variables), one item per source with its stable
citation key as ``id``."""

from __future__ import annotations

from typing import Any

from derive.export.bibdata import Reference, date_parts
from derive.export.jsontext import dump

# CSL item type per kind of work (CSL 1.0.1 types, which every processor knows).
TYPES = {
    "journal-article": "article-journal",
    "article": "article-magazine",
    "preprint": "article",
    "proceedings": "paper-conference",
    "report": "report",
    "webpage": "webpage",
    "dataset": "dataset",
    "document": "manuscript",
}


def item(ref: Reference) -> dict[str, Any]:
    data: dict[str, Any] = {"id": ref.key, "type": TYPES[ref.kind], "title": ref.title}
    if ref.authors:
        data["author"] = [
            {"family": n.family, "given": n.given} if n.given else {"literal": n.family}
            for n in ref.authors
        ]
    if ref.venue:
        data["container-title"] = ref.venue
    if ref.publisher:
        data["publisher"] = ref.publisher
    if ref.issued:
        data["issued"] = {"date-parts": [date_parts(ref.issued)]}
    if ref.doi:
        data["DOI"] = ref.doi
    if ref.url:
        data["URL"] = ref.url
    if ref.accessed:
        data["accessed"] = {"date-parts": [date_parts(ref.accessed)]}
    return data


def render(refs: list[Reference]) -> str:
    """A JSON array of CSL items, sorted by id."""
    items = [item(ref) for ref in sorted(refs, key=lambda r: r.key)]
    return dump(items) + "\n"
