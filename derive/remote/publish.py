"""Writing named graphs to a store through the SPARQL 1.1 Graph Store HTTP
Protocol: one PUT per graph, which replaces that graph whole (a store such as
Oxigraph applies each in one transaction), as N-Triples; one GET to read a
graph back, one DELETE to remove one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx
from rdflib import Graph

from derive.errors import RemoteError, first_line
from derive.kb.store import new_graph
from derive.remote.http import failed, unreachable


@dataclass(frozen=True)
class NamedGraph:
    iri: str
    graph: Graph
    origin: str  # the file it comes from, or what derived it


@dataclass(frozen=True)
class Written:
    iri: str
    origin: str
    triples: int
    removed: bool = False  # a graph deleted from the store rather than written


def put_graphs(http: httpx.Client, url: str, graphs: list[NamedGraph],
               progress: Callable[[Written], None] | None = None) -> list[Written]:
    """PUT each graph to ``url?graph=IRI``, in order; the first refusal stops
    and raises a RemoteError naming the graph's URL and the HTTP status."""
    written = []
    for named in graphs:
        body = named.graph.serialize(format="nt", encoding="utf-8")
        request_url = str(httpx.URL(url, params={"graph": named.iri}))
        try:
            response = http.put(request_url, content=body,
                                headers={"Content-Type": "application/n-triples"})
        except httpx.HTTPError as exc:
            raise unreachable("PUT", request_url, exc) from None
        if response.status_code not in (200, 201, 204):
            raise failed("PUT", request_url, response)
        done = Written(named.iri, named.origin, len(named.graph))
        written.append(done)
        if progress is not None:
            progress(done)
    return written


def get_graph(http: httpx.Client, url: str, iri: str) -> Graph | None:
    """The graph ``iri`` as the store at ``url`` holds it, or None if it has none."""
    request_url = str(httpx.URL(url, params={"graph": iri}))
    try:
        response = http.get(request_url, headers={"Accept": "application/n-triples"})
    except httpx.HTTPError as exc:
        raise unreachable("GET", request_url, exc) from None
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise failed("GET", request_url, response)
    graph = new_graph()
    try:
        # as Turtle, of which N-Triples is a part: a store that answers with
        # Turtle although asked for N-Triples is read all the same
        graph.parse(data=response.text, format="turtle")
    except Exception as exc:  # rdflib raises many types for bad input
        raise RemoteError(f"GET {request_url}: the store answered with a graph that does "
                          f"not parse as N-Triples or Turtle: {first_line(exc)}") from None
    return graph


def delete_graphs(http: httpx.Client, url: str, iris: list[str],
                  progress: Callable[[Written], None] | None = None) -> list[Written]:
    """DELETE each graph of ``iris`` at ``url?graph=IRI`` (one the store no
    longer has counts as removed); the first refusal stops, as ``put_graphs``."""
    removed = []
    for iri in iris:
        request_url = str(httpx.URL(url, params={"graph": iri}))
        try:
            response = http.delete(request_url)
        except httpx.HTTPError as exc:
            raise unreachable("DELETE", request_url, exc) from None
        if response.status_code not in (200, 202, 204, 404):
            raise failed("DELETE", request_url, response)
        done = Written(iri, "its file is gone", 0, removed=True)
        removed.append(done)
        if progress is not None:
            progress(done)
    return removed
