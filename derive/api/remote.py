"""Publishing and remote queries for front ends: the knowledge base as named
graphs (one per file it is read from, one for the derived estimates, one for
the audit's findings) written to a store, and queries run at any SPARQL
endpoint, answered as local queries are."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from derive.api.queries import derived_graphs
from derive.kb import store
from derive.kb.catalogue import CATALOGUE, catalogue, listed
from derive.kb.locate import KnowledgeBase
from derive.kb.namespaces import KB
from derive.query.limits import Limits
from derive.query.results import QueryResult
from derive.remote import endpoint, http
from derive.remote.publish import NamedGraph, Written, delete_graphs, get_graph, put_graphs

__all__ = ["DEFAULT_GRAPH_BASE", "NamedGraph", "Written", "graphs", "publish", "query"]

DEFAULT_GRAPH_BASE = KB + "graph/"
ESTIMATES_GRAPH = "derived/estimates"
FINDINGS_GRAPH = "derived/findings"


def graphs(kb: KnowledgeBase, base: str = DEFAULT_GRAPH_BASE) -> list[NamedGraph]:
    """The graphs ``derive query`` sees, named: each file under ontology/ (but
    the shapes) and facts/ as ``BASE`` + its path, then the derived estimates,
    the audit's findings and the catalogue of them all (last). Together they
    hold exactly the query graph."""
    named = []
    for path in kb.data_files():
        graph = store.load(kb, [path]).graph
        named.append(NamedGraph(base + kb.display(path), graph, kb.display(path)))
    results, findings = derived_graphs(kb)
    named.append(NamedGraph(base + ESTIMATES_GRAPH, results, "derived estimates"))
    named.append(NamedGraph(base + FINDINGS_GRAPH, findings, "audit findings"))
    listing = catalogue(base, [item.iri for item in named])
    named.append(NamedGraph(base + CATALOGUE, listing, "catalogue of these graphs"))
    return named


def publish(kb: KnowledgeBase, url: str, *, base: str = DEFAULT_GRAPH_BASE,
            headers: list[str] | tuple[str, ...] = (), netrc_file: Path | None = None,
            timeout: float = 60.0,
            progress: Callable[[Written], None] | None = None) -> list[Written]:
    """Replace each of ``graphs(kb)`` in the store whose Graph Store endpoint is
    ``url``, and remove the graphs the catalogue there lists that the
    knowledge base no longer has (a file deleted since the last publish);
    what was written and removed (stopping at the first refusal, a
    RemoteError). The catalogue goes last: a publish cut short leaves the
    earlier one, and the next publish removes what it listed."""
    parsed_headers = http.parse_headers(headers)
    *content, listing = graphs(kb, base)
    with http.client(url, parsed_headers, netrc_file, timeout) as client:
        before = get_graph(client, url, listing.iri)
        gone = sorted(listed(before, base) - {item.iri for item in content}) if before else []
        done = put_graphs(client, url, content, progress)
        done += delete_graphs(client, url, gone, progress)
        return done + put_graphs(client, url, [listing], progress)


def query(url: str, text: str, limits: Limits | None = None, *,
          headers: list[str] | tuple[str, ...] = (),
          netrc_file: Path | None = None) -> QueryResult:
    """Run ``text`` at the SPARQL endpoint ``url`` (checked as a local query is)."""
    limits = limits or Limits()
    parsed_headers = http.parse_headers(headers)
    with http.client(url, parsed_headers, netrc_file, limits.seconds or None) as client:
        return endpoint.run(client, url, text, limits)
