"""What ``derive list`` shows: one line per estimate, claim, source or scenario."""

from __future__ import annotations

from derive.kb import citations
from derive.kb.model import Model
from derive.kb.numbers import stated


def listing(model: Model, kind: str | None = None) -> list[str]:
    lines: list[str] = []
    if kind in (None, "estimates"):
        lines.append(f"Estimates ({len(model.estimates)})")
        for est in sorted(model.estimates.values(), key=lambda e: e.name):
            unit = model.unit_symbol(est.unit)
            lines.append(f"  {est.name}  [{est.method}, {unit}]  {est.label}")
    if kind in (None, "scenarios"):
        lines.append(f"Scenarios ({len(model.scenarios)})")
        for scen in sorted(model.scenarios.values(), key=lambda s: s.name):
            default = " (default)" if scen.is_default else ""
            lines.append(f"  {scen.name}{default}  {scen.label}")
    if kind in (None, "claims"):
        lines.append(f"Claims ({len(model.claims)})")
        for claim in sorted(model.claims.values(), key=lambda c: c.name):
            if claim.value is not None:
                unit = model.unit_symbol(claim.unit)
                figure = f"{stated(claim.value)} {unit}".strip()
            else:
                figure = "qualitative"
            date = claim.as_of.lexical if claim.as_of else "undated"
            lines.append(f"  {claim.name}  [{figure}, {date}]  {claim.label}")
    if kind in (None, "sources"):
        lines.append(f"Sources ({len(model.sources)})")
        for source in sorted(model.sources.values(), key=lambda s: (s.citation_label is None,
                                                                     _number(s), s.name)):
            label = f"{source.citation_label} " if source.citation_label else ""
            lines.append(f"  {source.name}  {label}{citations.short(source)}: {source.title}")
    return lines


def _number(source: object) -> int:
    label = getattr(source, "citation_label", None) or ""
    digits = "".join(ch for ch in label if ch.isdigit())
    return int(digits) if digits else 0
