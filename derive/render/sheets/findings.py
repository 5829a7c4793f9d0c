"""Audit findings on the sheets: the caller (``derive.api.sheets``) runs the
audit and passes its findings in; each (id, severity, kind, claims, sources,
numbers, message) is shown on every sheet it touches. Without findings the
sheets say that no audit was run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from derive.kb.namespaces import local_name
from derive.kb.numbers import fmt


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


def shown(audit_findings: Iterable[Any]) -> list[Shown]:
    """The audit's findings as the sheets show them."""
    shown = []
    for finding in audit_findings:
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


_OUTCOME_WORDS = {
    "supported": "the cited source says so",
    "contradicted": "the cited source gives a different figure",
    "elsewhere": "not in the cited source; another source states it",
    "unverified": "cannot be checked",
}


def attributions(audit_findings: Iterable[Any]) -> dict[str, list[dict[str, str]]]:
    """Per claim (local name), each attribution check of it: outcome, the
    source checked, what the outcome means and the finding's id."""
    found: dict[str, list[dict[str, str]]] = {}
    for finding in audit_findings:
        outcome = getattr(finding, "outcome", None)
        claims = getattr(finding, "claims", ())
        if getattr(finding, "kind", "") != "attribution" or not outcome or not claims:
            continue
        cited = getattr(finding, "cited", None)
        source = next((ref.name for ref in getattr(finding, "sources", ())
                       if getattr(ref, "iri", None) == cited), local_name(str(cited or "")))
        found.setdefault(local_name(claims[0].iri), []).append({
            "outcome": str(outcome), "source": source,
            "meaning": _OUTCOME_WORDS.get(str(outcome), ""), "id": str(finding.id),
        })
    return found
