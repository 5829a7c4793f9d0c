"""Running a query at any SPARQL 1.1 endpoint and reading the answer into the
same results a local query gives, so that it is formatted the same way. The
query is checked locally first (the same refusals as a local query) and sent
with the project's prefixes declared, since the endpoint does not know them.

The answer is as hostile as a query: it is read as it arrives, by
pyoxigraph's streaming parsers, and reading stops at the bounds a local
query has. Past the row cap the connection is closed (a huge answer is not
downloaded to be refused), past the time limit the answer is abandoned
(however slowly it trickles in; httpx's own timeout bounds only the wait for
each piece) and past the memory limit a single enormous value is refused."""

from __future__ import annotations

import io
import time

import httpx
import pyoxigraph as ox

from derive.errors import QueryError, QueryTimeout, QueryTooLarge, RemoteError
from derive.kb.namespaces import PREFIXES
from derive.query import safety
from derive.query.limits import Limits
from derive.query.results import AskResult, QueryResult, graph_of, select_of
from derive.remote.http import failed, first_line_of, unreachable

RESULTS_JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
# How much of a refusal's body is read to quote its first line.
REFUSAL_BYTES = 4096


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
        with http.stream("POST", url, data={"query": with_prefixes(text)},
                         headers={"Accept": accept},
                         timeout=httpx.Timeout(limits.seconds or None, connect=10.0)) as response:
            if response.status_code != 200:
                body = _first_line(response)
                if response.status_code == 400:
                    raise QueryError(f"{url} refused the query (HTTP 400): {body}")
                raise failed("POST", url, response, body)
            answer = Answer(response, url, limits)
            return _graph(url, answer, limits) if graph else _results(url, answer, limits)
    except httpx.TimeoutException as exc:
        if isinstance(exc, httpx.ConnectTimeout):
            raise unreachable("POST", url, exc) from None
        raise QueryTimeout(limits.timeout_message()) from None
    except httpx.HTTPError as exc:
        raise unreachable("POST", url, exc) from None


class Answer(io.RawIOBase):
    """A response body as the file pyoxigraph's parsers read, piece by piece
    as it arrives, raising ``QueryTimeout`` once the time limit has passed
    and ``QueryTooLarge`` past the memory limit."""

    def __init__(self, response: httpx.Response, url: str, limits: Limits) -> None:
        super().__init__()
        self._pieces = response.iter_bytes()
        self._pending = b""
        self._url = url
        self._limits = limits
        self._deadline = time.monotonic() + limits.seconds if limits.seconds else None
        self._left = limits.memory_mb * 1024 * 1024 if limits.memory_mb else None
        self.content_type = response.headers.get("content-type", "no content type")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            if self._deadline is not None and time.monotonic() > self._deadline:
                raise QueryTimeout(self._limits.timeout_message())
            piece = next(self._pieces, None)
            if piece is None:
                return 0
            if self._left is not None:
                self._left -= len(piece)
                if self._left < 0:
                    raise QueryTooLarge(
                        f"the answer from {self._url} is larger than "
                        f"{self._limits.memory_mb:,} MiB, the memory a query may use; "
                        "add LIMIT or select fewer or shorter values")
            self._pending = piece
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _first_line(response: httpx.Response) -> str:
    """The first line of a refusal's body, reading no more than ``REFUSAL_BYTES``."""
    read = b""
    for piece in response.iter_bytes():
        read += piece
        if len(read) >= REFUSAL_BYTES:
            break
    return first_line_of(read[:REFUSAL_BYTES].decode("utf-8", errors="replace"))


def _graph(url: str, answer: Answer, limits: Limits) -> QueryResult:
    try:
        return graph_of(ox.parse(answer, format=ox.RdfFormat.N_TRIPLES), limits.max_rows)
    except SyntaxError as exc:
        raise RemoteError(f"{url} answered with N-Triples that do not parse: {exc}") from None


def _results(url: str, answer: Answer, limits: Limits) -> QueryResult:
    try:
        found = ox.parse_query_results(answer, ox.QueryResultsFormat.JSON)
        if isinstance(found, ox.QueryBoolean):
            return AskResult(bool(found))
        return select_of(found, limits.max_rows)
    except SyntaxError as exc:
        raise RemoteError(f"{url} did not answer with SPARQL JSON results "
                          f"({answer.content_type}): {exc}") from None
