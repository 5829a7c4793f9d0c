"""``derive sheet``: fact sheets (HTML or Markdown) for estimates, entities
and sources, and an index linking them."""

from __future__ import annotations

from pathlib import Path

import click

from derive.cli.common import current_kb, guarded
from derive.errors import UsageError


@click.command("sheet")
@click.argument("names", nargs=-1, metavar="NAME...")
@click.option("--all", "all_", is_flag=True,
              help="Every estimate, every entity with claims, every source, and an index.")
@click.option("--out", "out", type=click.Path(file_okay=False), required=True, metavar="DIR",
              help="Folder to write the sheets into (created if missing; nothing is written "
              "elsewhere).")
@click.option("--format", "fmt", type=click.Choice(["html", "md"]), default="html",
              show_default=True, help="Self-contained HTML pages, or Markdown files.")
@click.option("--templates", "templates", type=click.Path(file_okay=False), metavar="DIR",
              help="Templates that override the shipped ones (same names: html/estimate.html, "
              "md/entity.md, ...).")
@click.option("--scenario", metavar="NAME",
              help="Compute estimates under this scenario only (default: every scenario that "
              "changes them).")
@guarded
def sheet(names: tuple[str, ...], all_: bool, out: str, fmt: str, templates: str | None,
          scenario: str | None) -> None:
    """Write fact sheets for NAME... (estimates, entities or sources) or --all.

    A sheet shows an estimate's value in words with its 90% interval, its
    derivation step by step, every input's quote with footnoted sources, its
    sensitivity and a chart of its projection; an entity's claims grouped by
    metric; a source's reference and every claim it supports.

    \b
    Examples:
      derive sheet --all --out site --format html
      derive sheet frontier-training-compute-2027 china --out sheets --format md
    """
    from derive.api.sheets import build

    if names and all_:
        raise UsageError("give NAME... or --all, not both")
    written = build(current_kb(), Path(out), fmt, names, everything_=all_,
                    templates=Path(templates) if templates else None, scenario=scenario)
    pages = [p for p in written if p.suffix == f".{fmt}"]
    click.echo(f"wrote {len(pages)} sheet{'s' if len(pages) != 1 else ''}"
               f"{f' and {len(written) - len(pages)} charts' if len(written) > len(pages) else ''}"
               f" to {out}")
