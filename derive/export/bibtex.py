"""Sources as BibTeX, in the field set biblatex reads too (``date`` and
``urldate`` in ISO 8601 beside the classic ``year``), one entry per source
keyed by its stable citation key. Titles are brace-protected so that styles
keep their capitals (AI, TSMC); text is LaTeX-escaped, URLs are not."""

from __future__ import annotations

from derive import __version__
from derive.export.bibdata import Reference

# (BibTeX entry type, field that holds the venue) per kind of work.
_ENTRY = {
    "journal-article": ("article", "journal"),
    "article": ("article", "journal"),
    "proceedings": ("inproceedings", "booktitle"),
    "report": ("techreport", "howpublished"),
}

_ESCAPES = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}


def escape(text: str) -> str:
    """``text`` with LaTeX's special characters escaped."""
    return "".join(_ESCAPES.get(char, char) for char in text)


def entry_type(ref: Reference) -> str:
    if ref.kind in ("article", "journal-article") and not ref.venue:
        return "misc"  # @article needs a journal
    if ref.kind == "report" and not ref.publisher:
        return "misc"  # @techreport needs an institution
    return _ENTRY.get(ref.kind, ("misc", ""))[0]


def fields(ref: Reference) -> list[tuple[str, str]]:
    """The entry's fields in order, as (name, BibTeX value without the outer braces)."""
    kind = entry_type(ref)
    out: list[tuple[str, str]] = []
    if ref.authors:
        out.append(("author", " and ".join(
            escape(f"{n.family}, {n.given}") if n.given else "{" + escape(n.family) + "}"
            for n in ref.authors)))
    out.append(("title", "{" + escape(ref.title) + "}"))
    if ref.venue:
        venue_field = _ENTRY.get(ref.kind, ("misc", "howpublished"))[1] or "howpublished"
        out.append((venue_field if kind != "misc" else "howpublished", escape(ref.venue)))
    if ref.publisher:
        out.append(("institution" if kind == "techreport" else "publisher",
                    escape(ref.publisher)))
    if ref.issued:
        out.append(("year", ref.issued[:4]))
        out.append(("date", ref.issued[:10]))
    if ref.doi:
        out.append(("doi", ref.doi))
    if ref.url:
        out.append(("url", ref.url))
    if ref.accessed:
        out.append(("urldate", ref.accessed[:10]))
    return out


def entry(ref: Reference) -> str:
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields(ref))
    return f"@{entry_type(ref)}{{{ref.key},\n{body}\n}}\n"


def render(refs: list[Reference]) -> str:
    """The BibTeX file: a comment line, then the entries sorted by key."""
    header = f"% Sources exported by derive {__version__}; keys are the sources' names.\n"
    return header + "".join("\n" + entry(ref) for ref in sorted(refs, key=lambda r: r.key))
