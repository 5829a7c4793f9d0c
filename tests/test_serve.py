"""derive serve, started as a real process on a free loopback port: the SPARQL
1.1 Protocol through SPARQLWrapper and httpx, refusals and limits with their
HTTP statuses, the fact sheets and estimate JSON, and reloading."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import rdflib
from conftest import PROJECT
from servers import derive_server
from SPARQLWrapper import CSV, JSON, JSONLD, TSV, TURTLE, XML, SPARQLWrapper

from derive.api import queries
from derive.api.locate import KnowledgeBase

SELECT = "SELECT ?claim ?value WHERE { ?claim dv:quantity [ qudt:value ?value ] } ORDER BY ?claim"
CONSTRUCT = "CONSTRUCT { ?claim rdfs:label ?label } WHERE { ?claim a dv:QualitativeClaim ; " \
            "rdfs:label ?label }"
# One client for the module: a client per request pays for an SSL context each time.
HTTP = httpx.Client(timeout=30)
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def local(text: str) -> queries.QueryResult:
    return queries.run(KnowledgeBase(PROJECT), text)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The shipped knowledge base, a 3 s time limit and a cap of 5,000 rows
    (above the 1,376 shipped claims with a quantity, imported rows included)."""
    folder = tmp_path_factory.mktemp("serve")
    with derive_server(PROJECT, folder / "log", "--timeout", "3", "--max-rows", "5000",
                       "--max-request-bytes", "32768", cache=folder / "cache") as url:
        yield url


def wrapper(url: str, text: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    client = SPARQLWrapper(f"{url}/sparql")
    client.setQuery(text)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client


# --------------------------------------------------------------------------
# SPARQLWrapper, in every result format
# --------------------------------------------------------------------------


def _rows(fmt: str, converted: object) -> list[tuple[str, str]]:
    if fmt == JSON:
        assert isinstance(converted, dict)
        return [(b["claim"]["value"], b["value"]["value"])
                for b in converted["results"]["bindings"]]
    if fmt == XML:
        rows = []
        for result in converted.getElementsByTagName("result"):  # type: ignore[attr-defined]
            cells = {b.getAttribute("name"): b.firstChild.firstChild.data
                     for b in result.getElementsByTagName("binding")}
            rows.append((cells["claim"], cells["value"]))
        return rows
    assert isinstance(converted, bytes)
    text = converted.decode("utf-8")
    if fmt == CSV:
        table = list(csv.reader(io.StringIO(text)))
        assert table[0] == ["claim", "value"]
        return [(a, b) for a, b in table[1:]]
    lines = text.splitlines()
    assert lines[0] == "?claim\t?value"
    out = []
    for line in lines[1:]:
        claim, value = line.split("\t")
        out.append((claim.strip("<>"), value.split('"')[1]))
    return out


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select(server: str, fmt: str, method: str) -> None:
    expected = local(SELECT)
    assert isinstance(expected, queries.SelectResult)
    want = [(str(claim), str(value)) for claim, value in expected.rows]
    result = wrapper(server, SELECT, fmt, method).query()
    assert _rows(fmt, result.convert()) == want
    assert len(want) > 20


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_ask(server: str, fmt: str) -> None:
    converted = wrapper(server, "ASK { claim:largest-training-compute dv:statedAs dv:Premise }",
                        fmt).query().convert()
    if fmt == JSON:
        assert converted == {"head": {}, "boolean": True}
    else:
        assert converted.getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.parametrize("fmt", [TURTLE, JSONLD, XML])
def test_sparqlwrapper_construct(server: str, fmt: str) -> None:
    expected = local(CONSTRUCT)
    assert isinstance(expected, queries.GraphResult)
    converted = wrapper(server, CONSTRUCT, fmt).query().convert()
    if isinstance(converted, bytes):
        graph = rdflib.Graph().parse(data=converted.decode(), format="turtle")
    else:
        graph = converted
    assert len(graph) == len(expected.graph) > 5
    assert {str(o) for o in graph.objects()} == {str(o) for o in expected.graph.objects()}


@pytest.mark.parametrize(("accept", "media"), [
    ("application/n-triples", "application/n-triples"),
    ("text/turtle;q=0.5, application/ld+json", "application/ld+json"),
    ("*/*", "text/turtle; charset=utf-8"),
])
def test_graph_negotiation(server: str, accept: str, media: str) -> None:
    response = HTTP.get(f"{server}/sparql", params={"query": CONSTRUCT},
                         headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == media


def test_form_post_and_sparql_query_body_agree(server: str) -> None:
    form = HTTP.post(f"{server}/sparql", data={"query": SELECT},
                      headers={"Accept": "text/csv"})
    body = HTTP.post(f"{server}/sparql", content=SELECT.encode(),
                      headers={"Content-Type": "application/sparql-query",
                               "Accept": "text/csv"})
    assert form.status_code == body.status_code == 200
    assert form.text == body.text == queries.render(local(SELECT), "csv")


# --------------------------------------------------------------------------
# Refusals and bounds, each with its status and reason
# --------------------------------------------------------------------------

REFUSED = {
    "update": ({"query": 'INSERT DATA { claim:x rdfs:label "x" }'}, 400, "read-only"),
    "update-param": ({"update": 'INSERT DATA { claim:x rdfs:label "x" }'}, 400, "read-only"),
    "service": ({"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> "
                          "{ ?s ?p ?o } }"}, 400, "refuses SERVICE <http://example.org/sparql>"),
    "from": ({"query": "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"}, 400,
             "refuses FROM <file:///etc/passwd>"),
    "default-graph-uri": ({"query": "SELECT * WHERE { ?s ?p ?o }",
                           "default-graph-uri": "http://example.org/g"}, 400,
                          "default-graph-uri is refused"),
    "malformed": ({"query": "SELECT * WHERE { ?s ?p }"}, 400, "line 1, column"),
    "no-query": ({}, 400, "no query"),
    "two-queries": ({"query": ["ASK {}", "ASK {}"]}, 400, "one query"),
    "row-cap": ({"query": "SELECT * WHERE { ?s ?p ?o }"}, 503, "more than 5,000 rows"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_with_reason(server: str, case: str) -> None:
    params, status, reason = REFUSED[case]
    response = HTTP.get(f"{server}/sparql", params=params,
                         headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == status
    assert reason in response.text
    assert response.headers["content-type"].startswith("text/plain")


def test_sparqlwrapper_sees_refusal(server: str) -> None:
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    client = wrapper(server, "SELECT * WHERE { SERVICE <http://example.org/s> { ?s ?p ?o } }",
                     JSON, "POST")
    with pytest.raises(QueryBadFormed, match="never reach the network"):
        client.query()


@pytest.mark.parametrize("case", ["body-413", "query-string-414", "update-body-400",
                                  "content-type-415", "accept-406", "method-405"])
def test_request_bounds(server: str, case: str) -> None:
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 40_000
    if case == "body-413":
        response = HTTP.post(f"{server}/sparql", data={"query": big})
        expected = 413
    elif case == "query-string-414":
        response = HTTP.get(f"{server}/sparql", params={"query": big})
        expected = 414
    elif case == "update-body-400":
        response = HTTP.post(f"{server}/sparql", content=b"CLEAR ALL",
                              headers={"Content-Type": "application/sparql-update"})
        expected = 400
    elif case == "content-type-415":
        response = HTTP.post(f"{server}/sparql", content=b"ASK {}",
                              headers={"Content-Type": "text/plain"})
        expected = 415
    elif case == "accept-406":
        response = HTTP.get(f"{server}/sparql", params={"query": "ASK {}"},
                             headers={"Accept": "image/png"})
        expected = 406
    else:
        response = HTTP.put(f"{server}/sparql", content=b"ASK {}")
        expected = 405
    assert response.status_code == expected, response.text


def test_runaway_stopped_while_others_are_served(server: str) -> None:
    """A cartesian product is stopped at the 3 s limit with 504, and meanwhile
    queries and pages from other clients keep being answered quickly."""
    outcome: dict[str, object] = {}

    def runaway() -> None:
        start = time.monotonic()
        response = HTTP.post(f"{server}/sparql", data={"query": RUNAWAY}, timeout=30)
        outcome["status"] = response.status_code
        outcome["body"] = response.text
        outcome["seconds"] = time.monotonic() - start

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.5)
    latencies = []
    while thread.is_alive() and len(latencies) < 40:
        start = time.monotonic()
        answer = HTTP.get(f"{server}/sparql", params={"query": SELECT, "format": "json"},
                           timeout=10)
        page = HTTP.get(f"{server}/", timeout=10)
        assert answer.status_code == 200 and page.status_code == 200
        latencies.append(time.monotonic() - start)
        time.sleep(0.05)
    thread.join(30)
    assert outcome["status"] == 504
    assert "time limit of 3 s" in str(outcome["body"])
    assert 2.9 < float(outcome["seconds"]) < 8  # type: ignore[arg-type]
    assert latencies and max(latencies) < 2.0
    # The killed worker is replaced: the server still answers afterwards.
    after = HTTP.get(f"{server}/sparql", params={"query": "ASK {}"})
    assert after.status_code == 200


# --------------------------------------------------------------------------
# Pages and estimate JSON
# --------------------------------------------------------------------------


def test_index_links_resolve(server: str) -> None:
    index = HTTP.get(f"{server}/")
    assert index.status_code == 200
    assert index.headers["content-type"].startswith("text/html")
    assert "script-src" not in index.headers["content-security-policy"]
    links = sorted(set(re.findall(r'href="([a-z]+-[^"#]+\.html)', index.text)))
    assert len(links) > 20
    for link in links:
        assert HTTP.get(f"{server}/{link}").status_code == 200, link


def test_pages_match_derive_sheet(server: str, tmp_path: Path) -> None:
    from derive.api import sheets

    out = tmp_path / "site"
    sheets.build(KnowledgeBase(PROJECT), out, "html", everything_=True)
    for name in ("index.html", "estimate-frontier-training-compute-2027.html",
                 "entity-china.html", "source-pilz-2025.html"):
        served = HTTP.get(f"{server}/" + ("" if name == "index.html" else name)).text
        assert served == (out / name).read_text(encoding="utf-8"), name


@pytest.mark.parametrize(("path", "status", "needle"), [
    ("/estimates/frontier-training-compute-2027.json", 200, '"value": 3.4'),
    ("/estimates/china-ai-compute-2027.json?scenario=lax-cloud-controls", 200,
     '"scenario": "lax-cloud-controls"'),
    ("/estimates/china-ai-compute-2027.json?set=china-compute-growth=30%20percent/year",
     200, '"value": 3.21'),
    ("/estimates/china-ai-compute-2027.json", 422, "does not bind"),
    ("/estimates/no-such-thing.json", 404, "no estimate named"),
    ("/estimates/china-ai-compute-2027.json?set=oops", 400, "NAME=VALUE"),
    ("/estimates/frontier-training-compute-2027.json?samples=10000000", 400, "samples"),
    ("/estimates.json", 200, "/estimates/frontier-training-compute-2027.json"),
    ("/no-such-page.html", 404, "No sheet named"),
])
def test_estimates_and_pages(server: str, path: str, status: int, needle: str) -> None:
    response = HTTP.get(server + path)
    assert response.status_code == status
    assert needle in response.text


def test_estimate_json_is_derive_estimate(server: str, invoke: object) -> None:
    from click.testing import CliRunner

    from derive.cli import cli

    args = ["--kb", str(PROJECT), "estimate", "china-ai-compute-2027", "--scenario",
            "lax-cloud-controls", "--format", "json"]
    expected = CliRunner().invoke(cli, args).output
    served = HTTP.get(f"{server}/estimates/china-ai-compute-2027.json",
                       params={"scenario": "lax-cloud-controls"}).text
    assert json.loads(served) == json.loads(expected)


def test_status(server: str) -> None:
    status = HTTP.get(f"{server}/status").json()
    assert status["limits"]["seconds"] == 3
    assert status["limits"]["rows"] == 5000
    assert status["generation"] == 1


# --------------------------------------------------------------------------
# Reloading
# --------------------------------------------------------------------------

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a a ?t . ?b a ?u }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _count(url: str, text: str = COUNT, timeout: float = 60) -> int:
    response = HTTP.get(f"{url}/sparql", params={"query": text, "format": "json"},
                         timeout=timeout)
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def _wait_generation(url: str, generation: int) -> dict[str, object]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status: dict[str, object] = HTTP.get(f"{url}/status").json()
        if status["generation"] == generation or status["last_reload_error"]:
            return status
        time.sleep(0.2)
    raise AssertionError("the server did not reload")


def test_reload_keeps_requests_in_flight(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    for folder in ("ontology", "facts"):
        shutil.copytree(PROJECT / folder, kb / folder)
    extra = kb / "facts" / "extra.ttl"
    with derive_server(kb, tmp_path / "log", "--timeout", "60", cache=tmp_path / "c") as url:
        before = _count(url)
        slow_before = _count(url, SLOW)
        outcome: dict[str, int] = {}
        thread = threading.Thread(target=lambda: outcome.update(n=_count(url, SLOW, 60)))
        thread.start()
        time.sleep(0.2)
        extra.write_text("<https://example.org/a> a <https://example.org/T> .\n")
        status = _wait_generation(url, 2)
        assert status["last_reload_error"] is None
        thread.join(60)
        assert outcome["n"] == slow_before  # answered on the snapshot it started with
        # its triple, and the catalogue's dcterms:hasPart naming its graph
        assert _count(url) == before + 2
        # A broken file: the server says why and keeps serving the last good state.
        extra.write_text("this is not turtle\n")
        status = _wait_generation(url, 3)
        assert "facts/extra.ttl" in str(status["last_reload_error"])
        assert _count(url) == before + 2
    # The access log goes to standard error (the log file), never to the pipe
    # the banner came through: a reader that stops after the banner must not
    # block the server once the pipe fills.
    assert '"GET /status HTTP/1.1" 200' in (tmp_path / "log").read_text()


# --------------------------------------------------------------------------
# In a browser
# --------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")
@pytest.mark.parametrize("page", ["", "estimate-china-ai-compute-2027.html",
                                  "entity-china.html", "source-pilz-2025.html", "sparql"])
def test_chromium_renders_served_pages(server: str, page: str, tmp_path: Path) -> None:
    import subprocess

    profile = tmp_path / "profile"
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={profile}", "--no-proxy-server",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--enable-logging=stderr", "--v=0", "--dump-dom", f"{server}/{page}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "</html>" in done.stdout and "<h1>" in done.stdout
    console = [line for line in done.stderr.splitlines()
               if "Uncaught" in line or "Refused" in line
               or ("CONSOLE" in line and "error" in line.lower())]
    assert console == []
    shutil.rmtree(profile, ignore_errors=True)


@pytest.mark.parametrize("case", ["broken-kb", "port-taken"])
def test_serve_refuses_to_start(case: str, tmp_path: Path) -> None:
    import socket
    import subprocess

    from servers import derive_command

    kb = PROJECT
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = str(holder.getsockname()[1]) if case == "port-taken" else "0"
    if case == "broken-kb":
        kb = tmp_path / "kb"
        for folder in ("ontology", "facts"):
            shutil.copytree(PROJECT / folder, kb / folder)
        (kb / "facts" / "broken.ttl").write_text("ent:x a\n")
    try:
        done = subprocess.run([*derive_command(), "--kb", str(kb), "serve", "--port", port],
                              capture_output=True, text=True, timeout=120, check=False)
    finally:
        holder.close()
    assert done.returncode == 2
    expected = "facts/broken.ttl:" if case == "broken-kb" else "Address already in use"
    assert expected in done.stderr
    assert "Traceback" not in done.stderr
