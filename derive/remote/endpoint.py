"""Running a query at any SPARQL 1.1 endpoint and reading the answer into the
same results a local query gives, so that it is formatted the same way. The
query is checked locally first (the same refusals as a local query) and sent
with the project's prefixes declared, since the endpoint does not know them."""

from __future__ import annotations

import json

import httpx

from derive.errors import QueryError, QueryTimeout, QueryTooLarge, RemoteError
from derive.kb.namespaces import PREFIXES
from derive.kb.store import new_graph
from derive.query import safety
from derive.query.limits import Limits
from derive.query.results import AskResult, GraphResult, QueryResult, SelectResult, from_json
from derive.remote.http import failed, unreachable

RESULTS_JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"


def with_prefixes(text: str) -> str:
    """``text`` preceded by a PREFIX line for each of the project's prefixes."""
    lines = [f"PREFIX {name}: <{iri}>" for name, iri in PREFIXES.items()]
    return "\n".join(lines) + "\n" + text


def run(http: httpx.Client, url: str, text: str, limits: Limits) -> QueryResult:
    """Check ``text`` as a local query would be, run it at ``url``, read the answer."""
    form = safety.parse(text).algebra.name  # SelectQuery, AskQuery, ConstructQuery...
    graph = form in ("ConstructQuery", "DescribeQuery")
    accept = f"{NTRIPLES}, text/plain;q=0.5" if graph else RESULTS_JSON
    try:
        response = http.post(url, data={"query": with_prefixes(text)},
                             headers={"Accept": accept},
                             timeout=httpx.Timeout(limits.seconds or None, connect=10.0))
    except httpx.TimeoutException as exc:
        if isinstance(exc, httpx.ConnectTimeout):
            raise unreachable("POST", url, exc) from None
        raise QueryTimeout(limits.timeout_message()) from None
    except httpx.HTTPError as exc:
        raise unreachable("POST", url, exc) from None
    if response.status_code == 400:
        body = response.text.strip().splitlines()[0][:300] if response.text.strip() else ""
        raise QueryError(f"{url} refused the query (HTTP 400): {body}")
    if response.status_code != 200:
        raise failed("POST", url, response)
    if graph:
        return _graph(url, response.text, limits)
    return _results(url, response, limits)


def _graph(url: str, text: str, limits: Limits) -> GraphResult:
    graph = new_graph()
    try:
        graph.parse(data=text, format="nt")
    except Exception as exc:  # rdflib raises many types for bad input
        raise RemoteError(f"{url} answered with N-Triples that do not parse: {exc}") from None
    if limits.max_rows is not None and len(graph) > limits.max_rows:
        raise QueryTooLarge(f"the result has more than {limits.max_rows:,} triples, the cap on "
                            "results; add LIMIT or narrow the query")
    return GraphResult(graph)


def _results(url: str, response: httpx.Response, limits: Limits) -> QueryResult:
    try:
        document = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        kind = response.headers.get("content-type", "no content type")
        raise RemoteError(f"{url} did not answer with SPARQL JSON results ({kind})") from None
    if not isinstance(document, dict):
        raise RemoteError(f"{url} answered with JSON that is not a SPARQL result")
    if "boolean" in document:
        return AskResult(bool(document["boolean"]))
    try:
        names = tuple(document["head"]["vars"])
        bindings = document["results"]["bindings"]
    except (KeyError, TypeError):
        raise RemoteError(f"{url} answered with JSON that is not a SPARQL result") from None
    if limits.max_rows is not None and len(bindings) > limits.max_rows:
        raise QueryTooLarge(f"the result has more than {limits.max_rows:,} rows, the cap on "
                            "results; add LIMIT (and OFFSET to page through it) or narrow "
                            "the query")
    rows = tuple(tuple(from_json(row.get(name)) for name in names) for row in bindings)
    return SelectResult(names, rows)
