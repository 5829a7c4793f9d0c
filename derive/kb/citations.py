"""Citation styles: a short form (Pilz et al. 2025) and a full form, for
every source."""

from __future__ import annotations

from derive.kb.model import Source


def _surname(author: str) -> str:
    return author.split()[-1] if author.split() else author


def short(source: Source) -> str:
    year = source.year or "n.d."
    if source.short_name:
        return f"{source.short_name} {year}"
    authors = _ordered_authors(source)
    if not authors:
        return f"{source.publisher or source.title} {year}"
    if len(authors) == 1:
        names = _surname(authors[0])
    elif len(authors) == 2:
        names = f"{_surname(authors[0])} and {_surname(authors[1])}"
    else:
        names = f"{_surname(authors[0])} et al."
    return f"{names} {year}"


def _ordered_authors(source: Source) -> list[str]:
    if source.author_list:
        text = source.author_list.replace(" and ", ", ")
        return [name.strip() for name in text.split(",") if name.strip()]
    return list(source.authors)


def full(source: Source) -> str:
    parts = []
    if source.author_list or source.authors:
        parts.append(source.author_list or ", ".join(source.authors))
    parts.append(f"“{source.title}”")
    if source.venue:
        parts.append(source.venue)
    elif source.publisher:
        parts.append(source.publisher)
    parts.append(source.issued or "n.d.")
    text = ", ".join(parts) + "."
    if source.url:
        text += f" {source.url}"
        if source.accessed:
            text += f" (accessed {source.accessed})"
        text += "."
    return text
