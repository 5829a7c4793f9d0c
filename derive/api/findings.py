"""The audit for front ends: the figures checked against each other and their
sources, rendered or written as RDF."""

from __future__ import annotations

from pathlib import Path

from derive.api.checked import load_checked
from derive.audit import KINDS, Finding, findings_graph, has_errors
from derive.audit import audit as run_audit
from derive.kb import store
from derive.kb.cache import write_output
from derive.kb.locate import KnowledgeBase
from derive.render import audit as render_audit

__all__ = ["KINDS", "Finding", "audit", "has_errors", "render", "write_rdf"]


def audit(kb: KnowledgeBase, kinds: tuple[str, ...] = ()) -> list[Finding]:
    """Every finding about ``kb`` (only those of ``kinds`` when given), errors first.
    Estimates that use a value validation rejects are not recomputed."""
    findings = run_audit(load_checked(kb), store.load_index(kb).graph)
    return [f for f in findings if f.kind in kinds] if kinds else findings


def render(findings: list[Finding], fmt: str) -> str:
    """Findings as ``text``, ``json`` or ``md``."""
    return render_audit.render(findings, fmt)


def write_rdf(findings: list[Finding], path: Path) -> None:
    """The findings as Turtle (``dv:Finding``s), written atomically to ``path``."""
    turtle = findings_graph(findings).serialize(format="turtle")
    write_output(path, turtle.encode("utf-8"))
