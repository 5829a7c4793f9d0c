"""``derive export``: the knowledge base in formats other tools read."""

from __future__ import annotations

from pathlib import Path

import click

from derive.cli.common import current_kb, guarded
from derive.errors import UsageError

FORMATS = ("jsonld", "nanopub", "bibtex", "csl-json", "csv")


@click.command("export")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(FORMATS))
@click.argument("names", nargs=-1, metavar="[NAME...]")
@click.option("--out", "out", type=click.Path(dir_okay=False), metavar="PATH",
              help="Write to this file (atomically) instead of standard output.")
@click.option("--sign", "sign_key", type=click.Path(dir_okay=False, exists=True), metavar="KEY",
              help="nanopub only: sign each nanopublication with this RSA private key (PEM), "
              "giving it a trusty URI. Needs pip install 'derive[sign]'. Nothing is published.")
@click.option("--orcid", metavar="URL",
              help="With --sign: the signer's ORCID iD, recorded as dcterms:creator.")
@guarded
def export(fmt: str, names: tuple[str, ...], out: str | None, sign_key: str | None,
           orcid: str | None) -> None:
    """Export the knowledge base, or what NAME... select, as FORMAT.

    \b
    jsonld    the graph (facts and computed estimates) as JSON-LD 1.1
    nanopub   one nanopublication per claim and per computed estimate (TriG)
    bibtex    the sources as BibTeX (biblatex fields date and urldate too)
    csl-json  the sources as CSL-JSON, for citation processors
    csv       one row per claim: value, unit, low, high, as-of, entity, ...

    A NAME is a claim, an estimate or a source: a claim brings its sources, an
    estimate the claims it rests on, a source the claims quoted from or
    attributed to it.

    \b
    Examples:
      derive export jsonld --out kb.jsonld
      derive export bibtex pilz-2025 kaplan-2020
      derive export nanopub frontier-training-compute-2027 --out np.trig
      derive export csv --out claims.csv
    """
    from derive.api.exports import write

    if orcid and not sign_key:
        raise click.UsageError("--orcid goes with --sign")
    if fmt in ("jsonld", "nanopub"):
        from derive.api.graph_exports import export as graph_export

        result = graph_export(current_kb(), fmt, names,
                              sign_key=Path(sign_key) if sign_key else None, orcid=orcid)
    else:
        from derive.api.exports import export as model_export

        if sign_key:
            raise UsageError("--sign applies to nanopublications only: "
                             "derive export nanopub --sign KEY")
        result = model_export(current_kb(), fmt, names)
    if out is None:
        click.echo(result.text, nl=False)
        return
    write(Path(out), result.text)
    plural = "" if result.count == 1 else "s"
    click.echo(f"wrote {result.count} {result.noun}{plural} to {out}")
