"""Where a knowledge base lives and which files make it up.

A knowledge base is a folder with ``ontology/`` and ``facts/`` (and
optionally ``templates/``). ``locate`` resolves it once, so that paths are
not scattered through the code: an explicit ``--kb DIR``, else the current
folder when it holds ``facts/``, else the knowledge base shipped with the
installed package (or, in a source checkout, the checkout itself).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from derive.errors import KnowledgeBaseNotFound

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the derive package


@dataclass(frozen=True)
class KnowledgeBase:
    root: Path

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def facts_dir(self) -> Path:
        return self.root / "facts"

    @property
    def data_dir(self) -> Path:
        """Tables shipped with the knowledge base and their mappings (``derive import``)."""
        return self.root / "data"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def derived_dir(self) -> Path:
        """Where ``derive build`` writes computed estimates (never under facts/)."""
        return self.root / "derived"

    def ontology_files(self) -> list[Path]:
        return sorted(self.ontology_dir.rglob("*.ttl"))

    def shapes_files(self) -> list[Path]:
        return [p for p in self.ontology_files() if p.name.startswith("shapes")]

    def fact_files(self) -> list[Path]:
        return sorted(self.facts_dir.rglob("*.ttl"))

    def data_files(self) -> list[Path]:
        """Ontology (without shapes) and facts: the graph that is queried and derived from."""
        return [p for p in self.ontology_files() if not p.name.startswith("shapes")] + (
            self.fact_files()
        )

    def display(self, path: Path) -> str:
        """``path`` as users should see it: relative to the knowledge base."""
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def fingerprint(self) -> str:
        """Changes whenever a file of the knowledge base changes (path, size, mtime)."""
        return stamp([*self.ontology_files(), *self.fact_files(),
                      *sorted(self.facts_dir.rglob("*.txt"))], seed=str(self.root))


def stamp(paths: list[Path], seed: str = "") -> str:
    """A digest of ``paths`` with their sizes and times: it changes when any of
    them is written, added, removed or renamed."""
    digest = hashlib.sha256(seed.encode())
    for path in paths:
        stat = path.stat()
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _is_kb(path: Path) -> bool:
    return (path / "facts").is_dir() and (path / "ontology").is_dir()


def locate(explicit: str | os.PathLike[str] | None = None) -> KnowledgeBase:
    """Resolve the knowledge base: ``explicit``, else the cwd, else the shipped one."""
    if explicit is not None:
        root = Path(explicit).expanduser().resolve()
        if not _is_kb(root):
            raise KnowledgeBaseNotFound(
                f"{root} is not a knowledge base: it needs facts/ and ontology/ folders."
            )
        return KnowledgeBase(root)
    cwd = Path.cwd()
    if (cwd / "facts").is_dir() and _is_kb(cwd):
        return KnowledgeBase(cwd.resolve())
    for candidate in (_PACKAGE_DIR / "_kb", _PACKAGE_DIR.parent):
        if _is_kb(candidate):
            return KnowledgeBase(candidate)
    raise KnowledgeBaseNotFound(
        "no knowledge base found: pass --kb DIR, or run derive in a folder with facts/ and "
        "ontology/."
    )
