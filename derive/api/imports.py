"""Importing tables for front ends: every shipped mapping (``data/**/*.csv-metadata.json``)
or one table with its mapping. Returns one ``ImportReport`` per table."""

from __future__ import annotations

from pathlib import Path

from derive.errors import UsageError
from derive.ingest.build import Progress
from derive.ingest.run import ImportReport, import_table, mapping_for, shipped_mappings
from derive.kb.locate import KnowledgeBase

__all__ = ["ImportReport", "import_tables", "planned"]


Pairs = list[tuple[Path, Path | None]]


def planned(kb: KnowledgeBase, table: str | None, mapping: str | None) -> Pairs:
    """The (mapping, table) pairs an import will run, checked before any is run."""
    if table is None and mapping is None:
        found = shipped_mappings(kb)
        if not found:
            raise UsageError(f"no mapping under {kb.display(kb.data_dir)}; give a table and "
                             "its mapping: derive import TABLE.csv --mapping "
                             "TABLE.csv-metadata.json")
        return [(m, None) for m in found]
    if table is None:
        return [(Path(mapping), None)]  # type: ignore[arg-type]
    table_path = Path(table)
    mapping_path = Path(mapping) if mapping else mapping_for(table_path)
    if not mapping_path.is_file():
        raise UsageError(f"no mapping for {table}: {mapping_path} does not exist; pass "
                         "--mapping FILE (CSVW metadata, see the README's 'Importing tables')")
    return [(mapping_path, table_path)]


def import_tables(kb: KnowledgeBase, pairs: Pairs, *, strict: bool = False,
                  progress: Progress | None = None) -> list[ImportReport]:
    return [import_table(kb, m, t, strict=strict, progress=progress) for m, t in pairs]
