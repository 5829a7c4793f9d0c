"""``derive validate``: check the knowledge base against its shapes and texts."""

from __future__ import annotations

import json

import click

from derive.cli.common import current_kb, guarded


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="One line per problem and a summary, or one JSON document.",
)
@click.option("--full", is_flag=True,
              help="Validate everything again instead of only what changed since the last run.")
@guarded
def validate(fmt: str, full: bool) -> None:
    """Check claims, quotes, quantities and sources; write nothing.

    Prints one line per problem (file: claim: severity: what to fix) and a
    summary. Exit 0 when there are no violations (warnings allowed), 1 with
    violations, 2 when a file cannot be parsed. After a first run only the
    claims that changed (or refer to what changed) are validated again.
    """
    from derive.api.validation import validate

    report = validate(current_kb(), incremental=not full)
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        for problem in report.problems:
            click.echo(problem.line())
        click.echo(report.summary())
    if not report.conforms:
        raise click.exceptions.Exit(1)
