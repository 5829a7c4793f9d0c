"""What validation returns: one ``Problem`` per thing wrong, each naming the
knowledge-base file and the claim (or source) concerned so that a curator knows
where to look and what to fix, and the ``ValidationReport`` that holds them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

_SEVERITY_ORDER = {"violation": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the knowledge base."""

    severity: str  # "violation", "warning" or "info"
    file: str  # knowledge-base-relative file, or "" when no file describes the node
    focus: str  # prefixed IRI of the claim or source, e.g. claim:us-share
    path: str  # the property concerned (prefixed, "/" for sequences), or ""
    message: str  # what is wrong and what to fix
    value: str = ""  # the offending value, when there is one

    def sort_key(self) -> tuple[str, str, int, str, str]:
        return (self.file, self.focus, _SEVERITY_ORDER[self.severity], self.path, self.message)

    def line(self) -> str:
        where = self.file or "(no file)"
        return f"{where}: {self.focus}: {self.severity}: {self.message}"


@dataclass
class ValidationReport:
    problems: list[Problem] = field(default_factory=list)
    claims: int = 0
    sources: int = 0

    @property
    def conforms(self) -> bool:
        return self.count("violation") == 0

    def count(self, severity: str) -> int:
        return sum(1 for p in self.problems if p.severity == severity)

    @property
    def files(self) -> list[str]:
        return sorted({p.file for p in self.problems})

    def summary(self) -> str:
        if not self.problems:
            claims, sources = _plural(self.claims, "claim"), _plural(self.sources, "source")
            return f"valid: {claims}, {sources}, no problems"
        counts = [
            _plural(self.count("violation"), "violation"),
            _plural(self.count("warning"), "warning"),
        ]
        if self.count("info"):
            counts.append(_plural(self.count("info"), "info"))
        return f"{', '.join(counts)} in {_plural(len(self.files), 'file')}"

    def as_dict(self) -> dict[str, object]:
        return {
            "conforms": self.conforms,
            "claims": self.claims,
            "sources": self.sources,
            "violations": self.count("violation"),
            "warnings": self.count("warning"),
            "problems": [asdict(p) for p in self.problems],
            "summary": self.summary(),
        }


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 or word == "info" else f"{n} {word}s"


def distinct(problems: list[Problem]) -> list[Problem]:
    """Sorted, each (file, focus, severity, path, message) once."""
    unique: dict[tuple[str, str, int, str, str], Problem] = {}
    for problem in problems:
        unique.setdefault(problem.sort_key(), problem)
    return [unique[key] for key in sorted(unique)]
