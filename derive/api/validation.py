"""Validation for front ends: the shapes and the verbatim check of quotes.
Kept apart from the audit so that an unchanged knowledge base validates
without importing the engine."""

from __future__ import annotations

from derive.kb.locate import KnowledgeBase
from derive.validate import Problem, ValidationReport
from derive.validate import validate as run_validation

__all__ = ["Problem", "ValidationReport", "validate"]


def validate(kb: KnowledgeBase, *, incremental: bool = True) -> ValidationReport:
    """The validation report; only what changed is revalidated unless ``incremental=False``."""
    return run_validation(kb, incremental=incremental)
