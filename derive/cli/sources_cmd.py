"""``derive sources``: managing the knowledge base's sources."""

from __future__ import annotations

from pathlib import Path

import click

from derive.cli.common import current_kb, guarded


@click.group("sources")
def sources() -> None:
    """Manage sources (the documents claims are quoted from or cite)."""


@sources.command("add")
@click.option("--bibtex", "bibtex_file", type=click.Path(dir_okay=False), required=True,
              metavar="FILE", help="A BibTeX file whose entries become sources.")
@guarded
def add(bibtex_file: str) -> None:
    """Add the entries of a BibTeX file as sources.

    Each entry becomes the source src:KEY (its title, authors, date, venue,
    publisher, URL, access date and DOI), is validated like every other
    source, and is written to facts/sources-added.ttl; no other file changes.
    A broken entry, a key used twice (in the file or already in the knowledge
    base), or an entry without a title is an error naming the entry, and then
    nothing is added (exit code 2).

    \b
    Example:
      derive sources add --bibtex refs.bib
    """
    from derive.api.sources import add_bibtex

    added = add_bibtex(current_kb(), Path(bibtex_file))
    plural = "" if len(added.keys) == 1 else "s"
    click.echo(f"added {len(added.keys)} source{plural} to {added.file}: {', '.join(added.keys)}")
