"""``derive publish``: the knowledge base into a store, graph by graph."""

from __future__ import annotations

from pathlib import Path

import click

from derive.cli.common import current_kb, guarded


@click.command("publish")
@click.argument("url")
@click.option("--graph-base", metavar="IRI", default=None,
              help="Prefix of the graph names (default https://w3id.org/derive/kb/graph/): "
                   "a file's graph is IRI + its path, e.g. ...graph/facts/claims-essay.ttl.")
@click.option("-H", "--header", "headers", multiple=True, metavar="'NAME: VALUE'",
              help="Send this header with every request, e.g. 'Authorization: Bearer TOKEN' "
                   "(repeatable).")
@click.option("--netrc-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="PATH", help="Credentials for the store's host (default: $NETRC or "
                                   "~/.netrc when it exists; not used with an "
                                   "Authorization header).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0,
              show_default=True, metavar="SECONDS", help="Give up on a request after this long.")
@guarded
def publish(url: str, graph_base: str | None, headers: tuple[str, ...],
            netrc_file: Path | None, timeout: float) -> None:
    """Write the knowledge base to a store through the SPARQL 1.1 Graph Store
    HTTP Protocol.

    URL is the store's Graph Store endpoint (Oxigraph: http://HOST:7878/store;
    Fuseki: http://HOST:3030/DATASET/data). Each file of ontology/ (but the
    shapes) and facts/ becomes one named graph, plus one for the derived
    estimates and one for the audit's findings; each is replaced whole by one
    PUT, and the catalogue of the graphs (written last) lets the next publish
    remove the graph of a file deleted since. Query the store with its default
    graph as the union of its named graphs (Oxigraph: serve
    --union-default-graph) to see what derive query sees.

    \b
    Examples:
      derive publish http://127.0.0.1:7878/store
      derive publish https://store.example.org/ds/data -H 'Authorization: Bearer TOKEN'
    """
    from derive.api import remote

    kb = current_kb()
    base = graph_base or remote.DEFAULT_GRAPH_BASE
    written = remote.publish(kb, url, base=base, headers=headers, netrc_file=netrc_file,
                             timeout=timeout)
    width = max((len(item.iri) for item in written), default=0)
    for item in written:
        what = "removed" if item.removed else f"{item.triples:>7,} triples"
        click.echo(f"{item.iri.ljust(width)}  {what:>15}  ({item.origin})")
    published = [item for item in written if not item.removed]
    total = sum(item.triples for item in published)
    removed = len(written) - len(published)
    gone = f", removed {removed} graph{'s' * (removed != 1)}" if removed else ""
    click.echo(f"published {len(published)} graphs, {total:,} triples to {url}{gone}")
