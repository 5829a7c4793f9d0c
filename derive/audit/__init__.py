"""``derive audit``: recompute the figures a source derived itself, check
units, check claims against each other and against what their cited sources
say. ``audit`` returns findings; nothing here prints."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from derive.audit import (
    attribution,
    consistency,
    dating,
    evidence,
    recompute,
    stock,
    units_check,
)
from derive.audit.context import AuditContext, build
from derive.audit.findings import KINDS, SEVERITIES, Finding, Ref
from derive.audit.rdf import findings_graph
from derive.engine.compiled import Compiled, load
from derive.kb import store
from derive.kb.locate import KnowledgeBase

if TYPE_CHECKING:
    from rdflib import Graph

__all__ = ["KINDS", "SEVERITIES", "Finding", "Ref", "audit", "findings_graph"]

CHECKS: tuple[Callable[[AuditContext], list[Finding]], ...] = (
    recompute.check,
    units_check.check,
    consistency.share_totals,
    consistency.count_shares,
    consistency.disagreements,
    stock.check,
    dating.check,
    attribution.check,
    evidence.check,
)


def audit(target: KnowledgeBase | Compiled, graph: Graph | None = None) -> list[Finding]:
    """Every finding about ``target``, errors first.

    Given a knowledge base, the graph is loaded from it. Given a compiled
    model, pass its ``graph`` too: the checks on shares, counts, units
    allowed by a metric and stocks need the metrics' and entities'
    descriptions, which the model does not keep; without it they find nothing.
    """
    if isinstance(target, KnowledgeBase):
        compiled = load(target)
        graph = store.load_index(target).graph if graph is None else graph
    else:
        compiled = target
    context = build(compiled, graph)
    found: dict[str, Finding] = {}
    for check in CHECKS:
        for finding in check(context):
            found.setdefault(finding.id, finding)
    return sorted(found.values(), key=Finding.sort_key)


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)
