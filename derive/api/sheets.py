"""Fact sheets for front ends: compute what the sheets show (every estimate,
and the audit's findings) and write them with the shipped templates."""

from __future__ import annotations

from pathlib import Path

from derive.api.checked import load_checked
from derive.audit import audit
from derive.kb import store
from derive.kb.locate import KnowledgeBase
from derive.render.sheets import site

FORMATS = site.FORMATS


def build(kb: KnowledgeBase, out: Path, fmt: str, names: list[str] | tuple[str, ...] = (),
          *, everything_: bool = False, templates: Path | None = None,
          scenario: str | None = None, with_audit: bool = True) -> list[Path]:
    """Write the sheets for ``names`` (or every sheet) into ``out``; the paths written.
    ``with_audit=False`` leaves audit findings out (for output that must not change
    when the audit's checks do)."""
    site.check_options(fmt, names, everything_, templates)
    compiled = load_checked(kb)
    findings = audit(compiled, store.load_index(kb).graph) if with_audit else None
    return site.build(kb, compiled, out, fmt, names, everything_=everything_,
                      templates=templates, scenario=scenario, audit_findings=findings)
