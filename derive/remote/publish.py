"""Writing named graphs to a store through the SPARQL 1.1 Graph Store HTTP
Protocol: one PUT per graph, which replaces that graph whole (a store such as
Oxigraph applies each in one transaction), as N-Triples."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx
from rdflib import Graph

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
