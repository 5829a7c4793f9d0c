"""Stable IRIs from names: the same name always gives the same local name, so
re-importing a table gives the same claims and entities, and a name the
essay's entities already use (``NVIDIA`` -> ``ent:nvidia``) meets them."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug(name: str) -> str:
    """``"GPT-4o (Omni)"`` -> ``"gpt-4o-omni"``; ``+`` is kept as ``plus`` so
    that ``DeepLabV3`` and ``DeepLabV3+`` differ."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = text.lower().replace("+", " plus ")
    return _NOT_SLUG.sub("-", text).strip("-") or "x" + short_hash(name)


def short_hash(text: str, length: int = 12) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]
