"""The one jinja2 Environment sheets are rendered with: autoescaping on, an
undefined variable is an error, templates looked up first in ``--templates
DIR``, then in the knowledge base's templates/ folder, then in the templates
shipped with derive. Every custom filter is registered here."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
from markupsafe import Markup

from derive.kb.locate import KnowledgeBase

_PACKAGE_DIR = Path(__file__).resolve().parents[2]  # the derive package
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!~])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")


def shipped_templates() -> Path | None:
    """templates/ of the installed wheel, or of the source checkout."""
    for candidate in (_PACKAGE_DIR / "_kb" / "templates", _PACKAGE_DIR.parent / "templates"):
        if (candidate / "html").is_dir():
            return candidate
    return None


def md(text: object) -> Markup:
    """Text from the facts made inert in Markdown: every character Markdown or
    HTML would act on is backslash-escaped, line breaks become spaces."""
    if text is None:
        return Markup("")
    flat = " ".join(str(text).split())
    escaped = _ENTITY.sub("&amp;", _MD_SPECIAL.sub(r"\\\1", flat))
    return Markup(escaped)


def md_url(url: object) -> Markup:
    """A URL inside ``(...)`` of a Markdown link: spaces and parentheses encoded."""
    text = str(url or "")
    return Markup(text.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
                  .replace("<", "%3C").replace(">", "%3E"))


def loaders(kb: KnowledgeBase | None, override: Path | None) -> list[jinja2.BaseLoader]:
    folders = []
    if override is not None:
        folders.append(override)
    if kb is not None and kb.templates_dir.is_dir():
        folders.append(kb.templates_dir)
    shipped = shipped_templates()
    if shipped is not None and shipped not in folders:
        folders.append(shipped)
    return [jinja2.FileSystemLoader(str(folder)) for folder in folders]


def environment(kb: KnowledgeBase | None = None,
                override: Path | None = None) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders(kb, override)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md
    env.filters["md_url"] = md_url
    return env
