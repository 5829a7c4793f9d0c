"""What the last validation saw and found, kept in the user's cache folder
(never in the knowledge base) with a stamp of every file. Reading it needs
neither rdflib nor pySHACL, so an unchanged knowledge base validates at once."""

from __future__ import annotations

from dataclasses import dataclass, field

from derive.kb import cache
from derive.kb.locate import KnowledgeBase, stamp
from derive.validate.report import Problem, ValidationReport

CACHE_NAME = "validation"
# The verdict alone (context, stamps, report), kept apart: an unchanged
# knowledge base of 100,000 claims answers from it without unpickling the
# digests and subjects of every IRI (21 MB, 70 ms).
SUMMARY_NAME = "validation-summary"


@dataclass
class State:
    """What the last validation saw and found."""

    context: str  # stamp of ontology, shapes and stored texts
    files: dict[str, str]  # facts file -> size and mtime
    subjects: dict[str, frozenset[str]]  # facts file -> IRIs it describes
    claims: frozenset[str]
    shacl: list[Problem] = field(default_factory=list)
    report: ValidationReport | None = None
    digests: dict[str, str] = field(default_factory=dict)  # IRI -> digest of its triples
    quotes: list[Problem] = field(default_factory=list)  # the quote check's problems


def _stamp(path: object) -> str:
    stat = path.stat()  # type: ignore[attr-defined]
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def context_stamp(kb: KnowledgeBase) -> str:
    tables = sorted(kb.data_dir.rglob("*.csv")) if kb.data_dir.is_dir() else []
    return stamp(kb.ontology_files() + sorted(kb.facts_dir.rglob("*.txt")) + tables)


def file_stamps(kb: KnowledgeBase) -> dict[str, str]:
    return {kb.display(path): _stamp(path) for path in kb.fact_files()}


def exists(kb: KnowledgeBase) -> bool:
    """Whether a state was kept (of this knowledge base, by any version)."""
    return cache.exists(kb, CACHE_NAME)


def previous(kb: KnowledgeBase) -> State | None:
    state = cache.read(kb, CACHE_NAME, any_files=True)
    return state if isinstance(state, State) else None


def kept_report(kb: KnowledgeBase, context: str, stamps: dict[str, str]
                ) -> ValidationReport | None:
    """The last report, if it was made with this ``context`` from files with these ``stamps``."""
    found = cache.read(kb, SUMMARY_NAME, any_files=True)
    if isinstance(found, tuple) and len(found) == 3 and found[:2] == (context, stamps):
        report = found[2]
        return report if isinstance(report, ValidationReport) else None
    return None


def save(kb: KnowledgeBase, state: State) -> None:
    cache.write(kb, state, CACHE_NAME)
    cache.write(kb, (state.context, state.files, state.report), SUMMARY_NAME)
