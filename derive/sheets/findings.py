"""Audit findings on the sheets.

INTEGRATION POINT with ``derive.audit``: when that module exists, its
``audit(...)`` is called once per run and each finding (id, severity, kind,
claims, sources, numbers, message) is shown on every sheet it touches. When
the module is not installed, sheets say that no audit was run: ``load`` returns
None. Only this file knows the audit's calling convention."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from derive.kb import KnowledgeBase
from derive.model import Model
from derive.namespaces import local_name
from derive.numbers import fmt


@dataclass(frozen=True)
class Shown:
    """A finding as the sheets show it (names are local names)."""

    id: str
    severity: str
    kind: str
    message: str
    claims: tuple[str, ...]
    sources: tuple[str, ...]
    estimates: tuple[str, ...]
    numbers: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "severity": self.severity, "kind": self.kind,
                "message": self.message, "numbers": self.numbers}


def available() -> bool:
    try:
        importlib.import_module("derive.audit")
    except ModuleNotFoundError as exc:
        if exc.name in ("derive.audit", "derive"):
            return False
        raise
    return True


def _call(audit: Any, kb: KnowledgeBase, model: Model) -> Iterable[Any]:
    """``audit(kb)`` or ``audit(model)``, whichever the signature asks for."""
    try:
        params = list(inspect.signature(audit).parameters.values())
    except (TypeError, ValueError):
        params = []
    first = params[0] if params else None
    wants_model = first is not None and (
        first.name == "model" or "Model" in str(first.annotation)
    )
    return audit(model) if wants_model else audit(kb)  # type: ignore[no-any-return]


def _names(values: Any) -> tuple[str, ...]:
    if not values:
        return ()
    if isinstance(values, str):
        values = [values]
    return tuple(local_name(str(getattr(v, "iri", v))) for v in values)


def _numbers(value: Any) -> str:
    if not value:
        return ""
    if isinstance(value, dict):
        return ", ".join(f"{str(k).replace('_', ' ')} {_number(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_number(v) for v in value)
    return _number(value)


def _number(value: Any) -> str:
    return fmt(value) if isinstance(value, float | int) else str(value)


def load(kb: KnowledgeBase, model: Model) -> list[Shown] | None:
    """Every finding of the audit, or None when there is no audit module."""
    if not available():
        return None
    module = importlib.import_module("derive.audit")
    audit = getattr(module, "audit", None)
    if audit is None:
        return None
    shown = []
    for finding in _call(audit, kb, model):
        shown.append(Shown(
            id=str(getattr(finding, "id", "")),
            severity=str(getattr(finding, "severity", "")),
            kind=str(getattr(finding, "kind", "")),
            message=str(getattr(finding, "message", "")),
            claims=_names(getattr(finding, "claims", ())),
            sources=_names(getattr(finding, "sources", ())),
            estimates=_names(getattr(finding, "estimates", ()))
            + _names([e for e in [getattr(finding, "estimate", None)] if e is not None]),
            numbers=_numbers(getattr(finding, "numbers", None)),
        ))
    return shown


def touching(findings: list[Shown] | None, *, claims: Iterable[str] = (),
             sources: Iterable[str] = (), names: Iterable[str] = ()
             ) -> list[dict[str, Any]] | None:
    """The findings that name one of these claims, sources or estimates."""
    if findings is None:
        return None
    claim_names = {local_name(c) for c in claims} | {local_name(n) for n in names}
    source_names = {local_name(s) for s in sources}
    return [f.as_dict() for f in findings
            if claim_names & (set(f.claims) | set(f.estimates))
            or source_names & set(f.sources)]
