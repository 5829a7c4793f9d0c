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
    from derive.kb.fragments import Sliced
    from derive.kb.store import LoadedGraph


def has_run(kb: KnowledgeBase) -> bool:
    """Whether a validation of ``kb`` has been kept (by any version of derive)."""
    return kept.exists(kb)


def current_report(kb: KnowledgeBase) -> ValidationReport | None:
    """The report ``validate(kb)`` would give from what it kept, if no file changed."""
    return kept.kept_report(kb, kept.context_stamp(kb), kept.file_stamps(kb))


def validate(kb: KnowledgeBase, *, incremental: bool = True,
             parse: Callable[[], LoadedGraph] | None = None,
             slices: Callable[[], Sliced | None] | None = None) -> ValidationReport:
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
    # the cache boundary: a miss needs rdflib and pySHACL
    from derive.kb import fragments
    from derive.validate import full, sliced

    if state is not None and state.report is not None:
        # validation alone leaves the changed files' claims to be extracted
        # by whichever command compiles next
        found = slices() if slices is not None else fragments.load(kb, extracting=False)
        if found is not None:  # only the changed files are parsed
            return sliced.run(found, state, context, stamps)
    return full.run(kb, state, context, stamps, parse)
