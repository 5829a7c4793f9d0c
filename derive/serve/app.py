"""The ASGI application (Starlette): the SPARQL 1.1 Protocol endpoint, the
fact sheets, each estimate as JSON and a status document.

HTTP statuses are a contract (see the README): 400 a malformed or refused
query (the reason in the body), 404 no such page or estimate, 405 another
method, 406 no acceptable format, 413/414 a request over the size bound, 415
an unknown body type, 422 an estimate that cannot be computed as asked, 503
a result over the row cap or every query worker busy, 504 a query stopped at
the time limit.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from html import escape
from urllib.parse import parse_qs, quote

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from derive.api import queries
from derive.errors import (
    DeriveError,
    QueryBusy,
    QueryError,
    QueryTimeout,
    QueryTooLarge,
    UnknownName,
    UsageError,
)
from derive.serve import negotiate
from derive.serve.state import Live

PAGE_HEADERS = {
    # The sheets are self-contained: inline CSS and SVG, no scripts at all.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}
TEXT_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}


class HTTPError(Exception):
    """A request answered with ``status`` and a one-line reason."""

    def __init__(self, status: int, reason: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.headers = headers or {}


def create_app(state: Live) -> Starlette:
    """The application over ``state`` (its first snapshot already open)."""
    settings = state.settings
    query_threads = anyio.CapacityLimiter(max(16, settings.workers * 8))

    def error_response(exc: HTTPError) -> Response:
        return PlainTextResponse(exc.reason + "\n", status_code=exc.status,
                                 headers={**TEXT_HEADERS, **exc.headers})

    async def sparql(request: Request) -> Response:
        try:
            text, params = await _query_from(request, settings.max_request_bytes)
            if text is None:
                if "text/html" in request.headers.get("accept", ""):
                    return HTMLResponse(_FORM, headers=PAGE_HEADERS)
                raise HTTPError(400, "no query: send it as the 'query' parameter (GET or a "
                                     "form POST) or as an application/sparql-query body")
            with state.use() as snapshot:
                try:
                    result = await anyio.to_thread.run_sync(
                        snapshot.query, text, settings.limits, limiter=query_threads
                    )
                except DeriveError as exc:
                    raise _query_status(exc) from None
            return _result_response(result, params, request.headers.get("accept"))
        except HTTPError as exc:
            return error_response(exc)

    async def page(request: Request) -> Response:
        name = request.path_params.get("page", "index.html")
        with state.use() as snapshot:
            text = await anyio.to_thread.run_sync(snapshot.page, name)
        if text is None:
            body = (f"<!doctype html><meta charset=utf-8><title>Not found</title>"
                    f"<p>No sheet named {escape(name)}. See the <a href=\"/\">index</a>.</p>")
            return HTMLResponse(body, status_code=404, headers=PAGE_HEADERS)
        return HTMLResponse(text, headers=PAGE_HEADERS)

    async def index_redirect(request: Request) -> Response:
        return RedirectResponse("/", status_code=301)

    async def estimate(request: Request) -> Response:
        name = request.path_params["name"]
        params = request.query_params
        try:
            if any(len(params.getlist(key)) > 1 for key in ("scenario", "samples", "seed")):
                raise HTTPError(400, "give scenario, samples and seed at most once each")
            samples = _integer(params.get("samples"), "samples", 10_000)
            seed = _integer(params.get("seed"), "seed", 0)
            with state.use() as snapshot:
                try:
                    text = await anyio.to_thread.run_sync(
                        lambda: snapshot.estimate_json(
                            name, scenario=params.get("scenario") or None,
                            overrides=params.getlist("set"), samples=samples, seed=seed)
                    )
                except UnknownName as exc:
                    raise HTTPError(404, str(exc)) from None
                except UsageError as exc:
                    raise HTTPError(400, str(exc)) from None
                except DeriveError as exc:
                    raise HTTPError(422, str(exc)) from None
        except HTTPError as exc:
            return error_response(exc)
        return Response(text, media_type="application/json", headers=TEXT_HEADERS)

    async def estimates(request: Request) -> Response:
        with state.use() as snapshot:
            names = snapshot.estimate_names()
            scenarios = snapshot.scenario_names()
        listing = {
            "estimates": [{"name": n, "url": f"/estimates/{quote(n)}.json"} for n in names],
            "scenarios": scenarios,
            "parameters": "scenario=NAME, set=PARAMETER=VALUE [UNIT] (repeatable), "
                          "samples=N, seed=N",
        }
        return Response(json.dumps(listing, indent=2) + "\n", media_type="application/json",
                        headers=TEXT_HEADERS)

    async def status(request: Request) -> Response:
        with state.use() as snapshot:
            document = {
                "knowledge_base": str(snapshot.kb.root),
                "generation": state.generation,
                "loaded_at": state.loaded_at,
                "last_reload_error": state.last_error,
                "query_workers": settings.workers,
                "limits": {"seconds": settings.limits.seconds, "rows": settings.limits.rows,
                           "memory_mb": settings.limits.memory_mb,
                           "request_bytes": settings.max_request_bytes},
            }
        return Response(json.dumps(document, indent=2) + "\n", media_type="application/json",
                        headers=TEXT_HEADERS)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        stop = anyio.Event()
        async with anyio.create_task_group() as tasks:
            if settings.reload:
                tasks.start_soon(state.watch, stop)
            try:
                yield
            finally:
                stop.set()
                tasks.cancel_scope.cancel()
        await anyio.to_thread.run_sync(state.close)

    routes = [
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/estimates.json", estimates),
        Route("/estimates/{name}.json", estimate),
        Route("/status", status),
        Route("/", page),
        Route("/index.html", index_redirect),
        Route("/{page:str}", page),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


async def _query_from(request: Request, limit: int) -> tuple[str | None, dict[str, list[str]]]:
    """The query text and the other protocol parameters of a request."""
    if request.method == "GET":
        raw = request.url.query
        if len(raw.encode()) > limit:
            raise HTTPError(414, f"the query string is longer than {limit:,} bytes; send "
                                 "long queries with POST")
        params = parse_qs(raw, keep_blank_values=True)
    else:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await _body(request, limit)
        if media == "application/x-www-form-urlencoded":
            params = parse_qs(_decode(body), keep_blank_values=True)
        elif media == "application/sparql-query":
            params = parse_qs(request.url.query, keep_blank_values=True)
            params["query"] = [_decode(body)]
        elif media == "application/sparql-update":
            raise HTTPError(400, "this endpoint is read-only: SPARQL Update is refused")
        else:
            raise HTTPError(415, f"unsupported body type {media or '(none)'!r}: POST the query "
                                 "as application/x-www-form-urlencoded (query=...) or as "
                                 "application/sparql-query")
    if "update" in params:
        raise HTTPError(400, "this endpoint is read-only: SPARQL Update is refused")
    for key in ("default-graph-uri", "named-graph-uri"):
        if key in params:
            raise HTTPError(400, f"{key} is refused: queries run over the knowledge base "
                                 "only, never over other graphs, files or web pages")
    texts = params.get("query", [])
    if len(texts) > 1:
        raise HTTPError(400, "give one query, not several 'query' parameters")
    return (texts[0] if texts else None), params


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPError(413, f"the request body is larger than {limit:,} bytes")
    chunks = bytearray()
    async for chunk in request.stream():
        chunks += chunk
        if len(chunks) > limit:
            raise HTTPError(413, f"the request body is larger than {limit:,} bytes")
    return bytes(chunks)


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPError(400, "the request body is not UTF-8") from None


def _query_status(exc: DeriveError) -> HTTPError:
    if isinstance(exc, QueryTimeout):
        return HTTPError(504, str(exc))
    if isinstance(exc, QueryBusy):
        return HTTPError(503, str(exc), {"Retry-After": "1"})
    if isinstance(exc, QueryTooLarge):
        return HTTPError(503, str(exc))
    if isinstance(exc, QueryError):
        return HTTPError(400, str(exc))
    return HTTPError(500, f"the query could not be answered: {exc}")


def _result_response(result: queries.QueryResult, params: dict[str, list[str]],
                     accept: str | None) -> Response:
    graph = isinstance(result, queries.GraphResult)
    wanted = params.get("format", []) + params.get("output", [])
    choice = negotiate.choose(graph, wanted, accept)
    if choice.fmt is None:
        kind = "CONSTRUCT and DESCRIBE results" if graph else "SELECT and ASK results"
        raise HTTPError(406, f"no acceptable format: {kind} are served as "
                             f"{negotiate.offered(graph)}")
    if isinstance(result, queries.GraphResult):
        body = queries.render_graph(result, choice.fmt)
    else:
        body = queries.render(result, choice.fmt)
    media = choice.media_type
    if media.startswith("text/") or media.endswith(("+xml", "/xml")):
        media += "; charset=utf-8"
    return Response(body, headers={"Content-Type": media, **TEXT_HEADERS, "Vary": "Accept"})


def _integer(value: str | None, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise HTTPError(400, f"{name} must be a whole number, not {value!r}") from None


_FORM = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>derive: SPARQL</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}
textarea{width:100%;font:14px monospace}</style></head>
<body><h1>SPARQL endpoint</h1>
<p>Read-only SPARQL 1.1 over the knowledge base: the project's prefixes (<code>dv:</code>,
<code>claim:</code>, <code>ent:</code>, ...) are bound already. <a href="/">Fact sheets</a>.</p>
<form method="get" action="/sparql">
<textarea name="query" rows="10">SELECT ?claim ?label WHERE { ?claim a dv:QuantitativeClaim ;
  rdfs:label ?label } ORDER BY ?claim LIMIT 20</textarea>
<p><label>Format <select name="format"><option>json</option><option>xml</option>
<option>csv</option><option>tsv</option></select></label> <button>Run</button></p>
</form></body></html>
"""
