"""Importing one table: read its mapping and the CSV, build the claims, write
``facts/imported/<table>.ttl`` atomically (only there: an import never writes
anywhere else under ``facts/``) and say what happened."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from derive.errors import DeriveError, LoadError
from derive.ingest.build import Progress, SkippedCell, build
from derive.ingest.changes import Changes, compare
from derive.ingest.mapping import Mapping, load_mapping
from derive.ingest.table import Table, read_table
from derive.ingest.turtle import render
from derive.kb.cache import write_atomic
from derive.kb.locate import KnowledgeBase

__all__ = ["ImportReport", "SkippedCell", "import_table", "shipped_mappings"]
MAPPING_SUFFIX = ".csv-metadata.json"


class StrictImportError(DeriveError):
    """``--strict`` and a cell was skipped."""

    exit_code = 1


@dataclass(frozen=True)
class ImportReport:
    table: str
    output: str
    rows: int
    claims: int
    entities: int
    references: int
    skipped: tuple[SkippedCell, ...]
    changes: Changes
    written: bool  # False when the file already had these bytes
    checked: bool  # the table lies inside the knowledge base, so validate checks its cells


def shipped_mappings(kb: KnowledgeBase) -> list[Path]:
    """Every ``*.csv-metadata.json`` under the knowledge base's ``data/``."""
    return sorted(kb.data_dir.rglob("*" + MAPPING_SUFFIX)) if kb.data_dir.is_dir() else []


def mapping_for(table: Path) -> Path:
    """CSVW's convention: ``TABLE.csv`` is described by ``TABLE.csv-metadata.json``."""
    return table.with_name(table.name + "-metadata.json")


def import_table(kb: KnowledgeBase, mapping_path: Path, table_path: Path | None = None, *,
                 strict: bool = False, progress: Progress | None = None) -> ImportReport:
    """Import one table with its mapping; ``table_path`` defaults to the mapping's ``url``."""
    mapping = load_mapping(mapping_path, _shown(kb, mapping_path))
    if table_path is None:
        if not mapping.table_url:
            raise LoadError(mapping.shown, "has no url; name the CSV file it describes")
        table_path = (mapping_path.parent / mapping.table_url).resolve()
    table = read_table(table_path, _shown(kb, table_path), delimiter=mapping.delimiter,
                       encoding=mapping.encoding)
    _check_columns(mapping, table)
    built = build(mapping, table, progress)
    if strict and built.skipped:
        first = built.skipped[0]
        raise StrictImportError(f"--strict: {len(built.skipped)} cell(s) not imported; first: "
                                f"{first.line()}")
    inside = table_path.resolve().is_relative_to(kb.root.resolve())
    local = str(table_path.resolve().relative_to(kb.root.resolve())) if inside else None
    text = render(mapping, table, built, local)
    out_dir = kb.facts_dir / "imported"
    output = out_dir / (table_path.name.removesuffix(".csv") + ".ttl")
    old = output.read_text(encoding="utf-8") if output.is_file() else None
    written = old != text
    if written:
        out_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(output, text.encode("utf-8"))
    return ImportReport(
        table=table.shown, output=kb.display(output), rows=built.rows,
        claims=len(built.claims), entities=len(built.entities),
        references=len(built.references), skipped=tuple(built.skipped),
        changes=compare(old, text), written=written, checked=inside,
    )


def _check_columns(mapping: Mapping, table: Table) -> None:
    header = set(table.header)
    for column in mapping.columns:
        if column.title not in header:
            raise LoadError(mapping.shown, f"column {column.title!r} (name {column.name!r}) is "
                            f"not in {table.shown}, whose columns are: "
                            f"{', '.join(repr(h) for h in table.header[:12])}"
                            f"{', ...' if len(table.header) > 12 else ''}; fix its titles")


def _shown(kb: KnowledgeBase, path: Path) -> str:
    return kb.display(path.resolve()) if path.resolve().is_relative_to(kb.root) else str(path)
