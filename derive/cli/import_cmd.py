"""``derive import``: tables (CSV with CSVW metadata) into claims under facts/imported/."""

from __future__ import annotations

import sys

import click

from derive.cli.common import current_kb, guarded

_MAX_SKIPPED_SHOWN = 20


@click.command("import")
@click.argument("table", required=False, type=click.Path(dir_okay=False))
@click.option("--mapping", type=click.Path(dir_okay=False), metavar="FILE",
              help="The table's CSVW metadata (default: TABLE.csv-metadata.json beside it).")
@click.option("--strict", is_flag=True, help="Fail (exit 1, nothing written) when any cell is "
              "skipped.")
@click.option("--all-skipped", is_flag=True, help="List every skipped cell, not the first 20.")
@guarded
def import_(table: str | None, mapping: str | None, strict: bool, all_skipped: bool) -> None:
    """Turn tables into claims with row-level provenance.

    Without arguments, imports every shipped table (data/**/*.csv with its
    TABLE.csv-metadata.json). Writes facts/imported/TABLE.ttl and nothing else;
    re-importing the same bytes gives the same file. Prints rows read, claims
    written, cells skipped and why, and what changed since the last import.

    Example: derive import data/epoch/epoch_ml_hardware.csv
    """
    from derive.api.imports import import_tables, planned

    kb = current_kb()
    pairs = planned(kb, table, mapping)
    for pair in pairs:
        with _bar() as progress:
            (report,) = import_tables(kb, [pair], strict=strict, progress=progress)
        _show(report, all_skipped)


class _bar:
    """A progress bar on stderr while rows are read (hidden when stderr is not a terminal)."""

    def __enter__(self) -> object:
        self._bar = None
        return self.update

    def update(self, done: int, total: int) -> None:
        if self._bar is None:
            if total < 500 or not sys.stderr.isatty():
                return
            self._bar = click.progressbar(length=total, label="rows", file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(done - self._bar.pos)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


def _show(report: object, all_skipped: bool) -> None:
    from derive.api.imports import ImportReport

    assert isinstance(report, ImportReport)
    changes = report.changes
    click.echo(f"{report.table}: {report.rows} rows read, {report.claims} claims written to "
               f"{report.output} ({report.entities} entities, {report.references} references), "
               f"{len(report.skipped)} cells skipped")
    if changes.first_import:
        click.echo(f"  first import: {len(changes.added)} claims added")
    elif not report.written:
        click.echo("  unchanged: the file already held exactly this import")
    else:
        moved = f", {changes.moved} moved to another row" if changes.moved else ""
        click.echo(f"  since the last import: {len(changes.added)} added, "
                   f"{len(changes.changed)} changed, {len(changes.removed)} removed{moved}")
        for label, names in (("added", changes.added), ("changed", changes.changed),
                             ("removed", changes.removed)):
            for name in names[:10]:
                click.echo(f"    {label}: {name}")
            if len(names) > 10:
                click.echo(f"    ... and {len(names) - 10} more {label}")
    shown = report.skipped if all_skipped else report.skipped[:_MAX_SKIPPED_SHOWN]
    for cell in shown:
        click.echo(f"  skipped: {cell.line()}")
    if len(report.skipped) > len(shown):
        click.echo(f"  ... {len(report.skipped) - len(shown)} more skipped cells (--all-skipped "
                   "lists them)")
    if not report.checked:
        click.echo(f"  note: {report.table} is outside the knowledge base, so derive validate "
                   "cannot check the imported cells against it; copy it under data/")
