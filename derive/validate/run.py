"""``validate(kb)``: the entry point. It answers from the last run's state
when no file changed; only then does it load rdflib and pySHACL (``full``), so
an unchanged knowledge base validates in a blink. It returns a
``ValidationReport``, prints nothing and writes no file of the knowledge base."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from derive.kb.locate import KnowledgeBase
from derive.validate import state as kept
from derive.validate.report import ValidationReport

if TYPE_CHECKING:
    from derive.kb.store import LoadedGraph


def is_current(kb: KnowledgeBase) -> bool:
    """Whether ``validate(kb)`` would answer from the kept report (no file changed)."""
    return kept.kept_report(kb, kept.context_stamp(kb), kept.file_stamps(kb)) is not None


def validate(kb: KnowledgeBase, *, incremental: bool = True,
             parse: Callable[[], LoadedGraph] | None = None) -> ValidationReport:
    """Validate ``kb``. Raises ``LoadError`` when a file cannot be parsed.

    With ``incremental`` (the default) only what changed since the last run is
    validated again (see ``derive.validate.incremental``); the report is the same.
    """
    context, stamps = kept.context_stamp(kb), kept.file_stamps(kb)
    if incremental:
        report = kept.kept_report(kb, context, stamps)
        if report is not None:
            return report
    state = kept.previous(kb) if incremental else None
    if state is not None and state.context != context:
        state = None
    if state is not None and state.files == stamps and state.report is not None:
        return state.report
    from derive.validate import full  # the cache boundary: a miss needs rdflib and pySHACL

    return full.run(kb, state, context, stamps, parse)
