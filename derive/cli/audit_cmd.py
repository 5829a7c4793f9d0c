"""``derive audit``: check the knowledge base's figures against each other,
against their own derivations and against their sources."""

from __future__ import annotations

from pathlib import Path

import click

from derive.cli.common import current_kb, guarded


@click.command("audit")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md"]), default="text",
              show_default=True, help="Plain text, JSON ({\"findings\": [...]}) or Markdown.")
@click.option("--strict", is_flag=True,
              help="Exit with code 1 when any finding is an error.")
@click.option("--kind", "kinds", multiple=True, metavar="KIND",
              help="List only findings of this kind (repeatable): recompute, unit, share-total, "
                   "count-share, disagreement, exceeds-stock, dated-after-source, attribution.")
@click.option("--rdf", "rdf_file", type=click.Path(dir_okay=False, writable=True),
              help="Also write the findings as Turtle (dv:Finding) to FILE.")
@guarded
def audit(fmt: str, strict: bool, kinds: tuple[str, ...], rdf_file: str | None) -> None:
    """Audit the figures of the knowledge base.

    \b
    Recomputes every figure a source derived itself (estimates with
    dv:reproduces) and says what would reconcile a mismatch; reports units
    printed in the wrong dimension, shares that imply different totals,
    counts against stated shares, claims that disagree, estimates larger
    than a total they belong to, premises dated after their source, and
    figures that differ from what their cited source says.

    \b
    Every claim attributed to a reference is checked against the stored
    text of that source and comes out supported, contradicted, elsewhere
    (another source states it: a likely mis-citation) or unverified (with
    the reason); `--kind attribution` lists only those.

    Exit code 0 when the audit ran, whatever it found; with --strict, 1 when
    any finding is an error.
    """
    from derive.api import findings as api

    unknown = [k for k in kinds if k not in api.KINDS]
    if unknown:
        raise click.BadParameter(
            f"unknown finding kind {unknown[0]!r}; choose from {', '.join(api.KINDS)}",
            param_hint="--kind")
    findings = api.audit(current_kb(), kinds=kinds)
    if rdf_file is not None:
        api.write_rdf(findings, Path(rdf_file))
    click.echo(api.render(findings, fmt), nl=False)
    if strict and api.has_errors(findings):
        errors = sum(f.severity == "error" for f in findings)
        raise StrictFailure(f"--strict: {errors} finding{'' if errors == 1 else 's'} "
                            f"{'is an error' if errors == 1 else 'are errors'}")


class StrictFailure(click.ClickException):
    """``--strict`` with error findings: exit code 1, after the report is printed."""

    exit_code = 1
