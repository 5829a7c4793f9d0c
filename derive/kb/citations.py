"""Citation styles: a short form (Pilz et al. 2025) and a full form, for
every source."""

from __future__ import annotations

from derive.kb.model import Source


def _surname(author: str) -> str:
    return author.split()[-1] if author.split() else author


_MAX_SHORT_TITLE = 48


def short(source: Source) -> str:
    year = source.year or "n.d."
    if source.short_name:
        return f"{source.short_name} {year}"
    if source.kind == "Dataset" and source.publisher:
        return f"{source.publisher}, {source.title}"
    authors = _ordered_authors(source)
    if not authors and not source.publisher:
        return _web_short(source)
    if not authors:
        return f"{source.publisher or source.title} {year}"
    if len(authors) == 1:
        names = _surname(authors[0])
    elif len(authors) == 2:
        names = f"{_surname(authors[0])} and {_surname(authors[1])}"
    else:
        names = f"{_surname(authors[0])} et al."
    return f"{names} {year}"


def _web_short(source: Source) -> str:
    """A reference known only by its title or address (a row's link in a
    table): the title, shortened, or the address's host."""
    if source.url and source.title == source.url:
        return source.url.split("//", 1)[-1].split("/", 1)[0].removeprefix("www.")
    title = source.title
    if len(title) > _MAX_SHORT_TITLE:
        title = title[: _MAX_SHORT_TITLE - 1].rstrip() + "…"
    return title + (f" {source.year}" if source.year else "")


def _ordered_authors(source: Source) -> list[str]:
    if source.author_list:
        text = source.author_list.replace(" and ", ", ")
        return [name.strip() for name in text.split(",") if name.strip()]
    return list(source.authors)


def full(source: Source) -> str:
    if source.kind == "Dataset":
        return _full_dataset(source)
    if source.url and source.title == source.url and not (source.authors or source.publisher):
        return f"{source.url}."  # known only by its address
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


def _full_dataset(source: Source) -> str:
    """A table: who made it, its title, its licence (which asks for this
    attribution), where it is published and which copy the claims come from."""
    parts = [p for p in (source.publisher, f"“{source.title}”", "dataset", source.license) if p]
    text = ", ".join(parts) + "."
    if source.url:
        text += f" {source.url}"
        if source.accessed:
            text += f" (copy taken {source.accessed})"
        text += "."
    if source.local_copy:
        text += f" Shipped copy: {source.local_copy}."
    return text
