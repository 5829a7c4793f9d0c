"""``derive query``: read-only SPARQL over the knowledge base."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from derive.cli.common import current_kb, guarded
from derive.errors import UsageError

if TYPE_CHECKING:
    from derive.api.locate import KnowledgeBase

FORMATS = ("table", "csv", "tsv", "json")


@click.command("query")
@click.argument("query_text", metavar="[QUERY]", required=False)
@click.option(
    "-f",
    "--file",
    "file",
    type=click.Path(dir_okay=False, allow_dash=True),
    metavar="PATH",
    help="Read the query from a file ('-' for standard input).",
)
@click.option("--name", metavar="NAME", help="Run a shipped query (see --list).")
@click.option("--list", "list_", is_flag=True, help="List the shipped queries and exit.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Output of SELECT and ASK: an aligned table, or SPARQL 1.1 CSV, TSV or JSON results.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=10.0,
    show_default=True,
    metavar="SECONDS",
    help="Stop the query after this many seconds (0: no limit).",
)
@click.option(
    "--max-rows",
    type=click.IntRange(min=0),
    default=10_000,
    show_default=True,
    metavar="N",
    help="Refuse a result of more than N rows or triples (0: no cap).",
)
@click.option(
    "--endpoint",
    metavar="URL",
    default=None,
    help="Run the query at this SPARQL endpoint (a derive serve, or a store the "
    "knowledge base was published to) instead of over the local files.",
)
@click.option(
    "-H",
    "--header",
    "headers",
    multiple=True,
    metavar="'NAME: VALUE'",
    help="With --endpoint: send this header, e.g. 'Authorization: Bearer TOKEN' (repeatable).",
)
@click.option(
    "--netrc-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="PATH",
    help="With --endpoint: credentials for its host (default: $NETRC or ~/.netrc).",
)
@guarded
def query(
    query_text: str | None, file: str | None, name: str | None, list_: bool, fmt: str,
    timeout: float, max_rows: int, endpoint: str | None, headers: tuple[str, ...],
    netrc_file: Path | None,
) -> None:
    """Run a read-only SPARQL query over the knowledge base.

    QUERY is the query text, or '-' to read it from standard input. The
    project's prefixes (dv:, claim:, src:, ent:, metric:, qudt:, ...) are
    pre-bound. CONSTRUCT and DESCRIBE print Turtle.

    Updates, SERVICE, FROM / FROM NAMED and extension functions are refused:
    a query reads the knowledge base and nothing else. A query that runs past
    --timeout is stopped, and a result of more than --max-rows rows is refused
    (exit code 1 for both).

    \b
    Examples:
      derive query 'SELECT ?c ?label WHERE { ?c a dv:QuantitativeClaim ; rdfs:label ?label }'
      derive query --name claims-about-china
      derive query -f my.rq --format json
      derive query --name derived-figures --endpoint http://127.0.0.1:7878/query
    """
    from derive.api import queries

    kb = current_kb()
    if list_:
        _reject_sources(query_text, file, name, "--list")
        click.echo(_listing(kb), nl=False)
        return
    text = _query_text(kb, query_text, file, name)
    limits = queries.Limits(seconds=timeout, rows=max_rows)
    if endpoint is None:
        if headers or netrc_file is not None:
            raise UsageError("--header and --netrc-file go with --endpoint")
        result = queries.run(kb, text, limits)
    else:
        from derive.api import remote

        result = remote.query(endpoint, text, limits, headers=headers, netrc_file=netrc_file)
    click.echo(queries.render(result, fmt), nl=False)


def _reject_sources(query_text: str | None, file: str | None, name: str | None, flag: str) -> None:
    if query_text is not None or file is not None or name is not None:
        raise UsageError(f"{flag} takes no query; drop QUERY, --file and --name")


def _query_text(
    kb: KnowledgeBase, query_text: str | None, file: str | None, name: str | None
) -> str:
    """The query from exactly one of QUERY, --file and --name."""
    from derive.api import queries

    given = [source for source in (query_text, file, name) if source is not None]
    if len(given) != 1:
        raise UsageError(
            "give exactly one query: QUERY text, '-' for standard input, --file PATH or "
            "--name NAME (derive query --list shows the shipped ones)"
        )
    if name is not None:
        return queries.shipped_query(kb, name).text()
    if file is not None and file != "-":
        return queries.read_query_file(Path(file))
    if file == "-" or query_text == "-":
        return sys.stdin.read()
    assert query_text is not None
    return query_text


def _listing(kb: KnowledgeBase) -> str:
    from derive.api import queries

    shipped = queries.shipped_queries(kb)
    if not shipped:
        return f"no shipped queries in {queries.queries_dir(kb)}\n"
    width = max(len(item.name) for item in shipped)
    return "".join(
        f"{item.name.ljust(width)}  {item.description}".rstrip() + "\n" for item in shipped
    )
