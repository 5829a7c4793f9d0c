"""JSON for people: anything short (a date, an author, a quantity) on one
line, everything else one member per line."""

from __future__ import annotations

import json
from typing import Any

WIDTH = 72


def dump(value: Any, indent: str = "") -> str:
    """``value`` as JSON; nested values that fit in ``WIDTH`` characters stay on one line."""
    flat = json.dumps(value, ensure_ascii=False)
    if not isinstance(value, dict | list) or (indent and len(flat) <= WIDTH) or not value:
        return flat
    inner = indent + "  "
    if isinstance(value, list):
        body = ",\n".join(inner + dump(v, inner) for v in value)
        return f"[\n{body}\n{indent}]"
    body = ",\n".join(f"{inner}{json.dumps(k, ensure_ascii=False)}: {dump(v, inner)}"
                      for k, v in value.items())
    return f"{{\n{body}\n{indent}}}"
