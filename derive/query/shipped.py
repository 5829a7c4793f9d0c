"""The ready-made queries shipped in ``queries/*.rq``: listed by name, the
first comment line of each being its description."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from derive.errors import UnknownName, UsageError
from derive.kb.locate import KnowledgeBase

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


@dataclass(frozen=True)
class ShippedQuery:
    """A query file in ``<kb>/queries``; its first comment line describes it."""

    name: str
    path: Path
    description: str

    def text(self) -> str:
        return read_query_file(self.path)


def queries_dir(kb: KnowledgeBase) -> Path:
    return kb.root / "queries"


def shipped_queries(kb: KnowledgeBase) -> list[ShippedQuery]:
    """The ``*.rq`` files of ``<kb>/queries``, sorted by name."""
    folder = queries_dir(kb)
    if not folder.is_dir():
        return []
    return [
        ShippedQuery(path.stem, path, _description(path)) for path in sorted(folder.glob("*.rq"))
    ]


def shipped_query(kb: KnowledgeBase, name: str) -> ShippedQuery:
    """The shipped query called ``name`` (the file name without ``.rq``)."""
    if not _NAME.fullmatch(name):
        raise UsageError(
            f"--name takes the name of a shipped query (letters, digits, - _ .), not {name!r}; "
            "see derive query --list, or use --file PATH"
        )
    queries = {query.name: query for query in shipped_queries(kb)}
    if name not in queries:
        raise UnknownName("shipped query", name, difflib.get_close_matches(name, queries, n=3))
    return queries[name]


def _description(path: Path) -> str:
    for line in read_query_file(path).splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            return stripped.lstrip("#").strip()
        if stripped:
            break
    return ""


def read_query_file(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text; save the query as UTF-8") from None
