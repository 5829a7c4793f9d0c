"""derive publish into a real Oxigraph server (the oxigraph package's binary),
then derive query --endpoint on it: the same counts and the same answers as
the local derive query, in every format. No mocked HTTP."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import PROJECT
from servers import derive_command, derive_server, oxigraph_server

from derive.api import queries
from derive.api.locate import KnowledgeBase

SHIPPED = sorted(p.stem for p in (PROJECT / "queries").glob("*.rq"))
# A triple two files state (an entity's type, a shared source) is in both
# files' graphs; Oxigraph's union default graph then yields it twice, where
# derive's default graph holds it once. Distinct triples are the same in both.
DISTINCT = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


_ENV: dict[str, str] = {}  # one cache for the module's commands: warm after the first


def derive(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*derive_command(), "--kb", str(PROJECT), *args],
                          capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, **_ENV})


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh Oxigraph server with the knowledge base published to it."""
    folder = tmp_path_factory.mktemp("oxigraph")
    _ENV["DERIVE_CACHE_DIR"] = str(folder / "cache")
    with oxigraph_server(folder / "data", folder / "log") as url:
        first = derive("publish", f"{url}/store")
        assert first.returncode == 0, first.stderr
        yield url


def test_publish_summary_and_replace(store: str) -> None:
    """A second publish replaces every graph: the store's counts do not grow."""
    done = derive("publish", f"{store}/store")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    files = [p for p in (PROJECT / "ontology").glob("*.ttl") if not p.name.startswith("shapes")]
    files += list((PROJECT / "facts").rglob("*.ttl"))
    assert len(lines) == len(files) + 4  # one per file, estimates, findings, catalogue, total
    assert "https://w3id.org/derive/kb/graph/facts/sources.ttl" in done.stdout
    assert "https://w3id.org/derive/kb/graph/derived/estimates" in done.stdout
    assert "https://w3id.org/derive/kb/graph/derived/catalogue" in done.stdout
    assert "removed" not in done.stdout  # nothing was deleted since the first publish
    total = int(lines[-1].split()[3].replace(",", ""))
    local = queries.run(KnowledgeBase(PROJECT), QUADS)  # the total counts each graph's triples
    assert isinstance(local, queries.SelectResult)
    assert total == int(local.rows[0][0].value)  # type: ignore[union-attr]
    graphs = derive("query", "--endpoint", f"{store}/query", "--format", "csv",
                    "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert graphs.stdout.splitlines()[1] == str(len(files) + 3)


@pytest.mark.parametrize("query", [
    DISTINCT,
    QUADS,
    "SELECT (COUNT(*) AS ?n) WHERE { ?c a dv:QuantitativeClaim }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?e a dv:EstimateResult }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?f a dv:Finding }",
], ids=["triples", "quads", "claims", "estimate-results", "findings"])
def test_counts_equal_local(store: str, query: str) -> None:
    local = derive("query", "--format", "csv", query)
    remote = derive("query", "--format", "csv", "--endpoint", f"{store}/query", query)
    assert remote.returncode == 0, remote.stderr
    assert remote.stdout == local.stdout
    assert int(local.stdout.splitlines()[1]) > 0


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json"])
@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_queries_same_answer(store: str, name: str, fmt: str) -> None:
    local = derive("query", "--name", name, "--format", fmt)
    remote = derive("query", "--name", name, "--format", fmt, "--endpoint", f"{store}/query")
    assert local.returncode == remote.returncode == 0, remote.stderr
    assert remote.stdout == local.stdout


def test_endpoint_is_a_derive_server(store: str, tmp_path: Path) -> None:
    """query --endpoint works against derive serve too, and checks locally first."""
    cache = Path(_ENV["DERIVE_CACHE_DIR"])
    with derive_server(PROJECT, tmp_path / "log", "--quiet", cache=cache) as url:
        local = derive("query", "--name", "claims-by-reference")
        remote = derive("query", "--name", "claims-by-reference", "--endpoint", f"{url}/sparql")
        assert remote.stdout == local.stdout, remote.stderr
        refused = derive("query", "--endpoint", f"{url}/sparql", "CLEAR ALL")
        assert refused.returncode == 1
        assert "read-only" in refused.stderr


@pytest.mark.parametrize("case", ["refused", "unreachable", "bad-header", "not-http"])
def test_publish_errors_name_url_and_status(store: str, case: str) -> None:
    if case == "refused":
        done = derive("publish", f"{store}/nothing-here")
        assert done.returncode == 2
        assert f"PUT {store}/nothing-here?graph=" in done.stderr
        assert "HTTP 404" in done.stderr
    elif case == "unreachable":
        done = derive("publish", "http://127.0.0.1:9/store")
        assert done.returncode == 2
        assert "http://127.0.0.1:9/store" in done.stderr and "cannot reach" in done.stderr
    elif case == "bad-header":
        done = derive("publish", f"{store}/store", "-H", "no colon")
        assert done.returncode == 2
        assert "'Name: value'" in done.stderr
    else:
        done = derive("publish", "ftp://127.0.0.1/store")
        assert done.returncode == 2
        assert "http:// or https://" in done.stderr
    assert "Traceback" not in done.stderr


def test_netrc_credentials_are_sent(store: str, tmp_path: Path) -> None:
    """A netrc entry for the host becomes Basic authentication: derive serve
    ignores it, and the request still succeeds; a broken netrc is a usage error."""
    good = tmp_path / "netrc"
    good.write_text("machine 127.0.0.1 login team password secret\n")
    done = derive("query", "--endpoint", f"{store}/query", "--netrc-file", str(good), "ASK {}")
    assert done.returncode == 0 and done.stdout == "true\n"
    from derive.remote.http import netrc_auth

    auth = netrc_auth(f"{store}/query", good)
    assert auth is not None
    request = next(auth.auth_flow(httpx.Request("GET", f"{store}/query")))
    assert request.headers["Authorization"] == "Basic dGVhbTpzZWNyZXQ="
    missing = derive("publish", f"{store}/store", "--netrc-file", str(tmp_path / "none"))
    assert missing.returncode == 2 and "no such file" in missing.stderr


ENTITY = 'ent:{name} a dv:Company ; rdfs:label "{name}"@en .\n'
OUTSIDE = "http://example.org/someone-elses-graph"
GRAPH = "https://w3id.org/derive/kb/graph/"


def ask(store: str, text: str) -> bool:
    answer = httpx.post(f"{store}/query", data={"query": text},
                        headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert answer.status_code == 200, answer.text
    return bool(answer.json()["boolean"])


@pytest.fixture
def small_store(tmp_path: Path, make_kb) -> Iterator[tuple[str, Path]]:  # type: ignore[no-untyped-def]
    """A fresh Oxigraph server with a graph of someone else's, and a
    knowledge base of two files published to it."""
    for name in ("a", "b"):
        make_kb.write(f"{name}.ttl", ENTITY.format(name=name))
    with oxigraph_server(tmp_path / "data", tmp_path / "log") as url:
        triple = b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n"
        put = httpx.put(f"{url}/store", params={"graph": OUTSIDE}, content=triple,
                        headers={"Content-Type": "application/n-triples"}, timeout=30)
        assert put.status_code in (201, 204), put.text
        first = derive_at(make_kb.root, "publish", f"{url}/store")
        assert first.returncode == 0, first.stderr
        yield url, make_kb.root


def derive_at(kb: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*derive_command(), "--kb", str(kb), *args], capture_output=True,
                          text=True, timeout=120, check=False, env=dict(os.environ))


def test_the_graph_of_a_deleted_file_is_removed(small_store: tuple[str, Path]) -> None:
    url, kb = small_store
    assert ask(url, f"ASK {{ GRAPH <{GRAPH}facts/b.ttl> {{ ?s ?p ?o }} }}")
    (kb / "facts" / "b.ttl").unlink()
    again = derive_at(kb, "publish", f"{url}/store")
    assert again.returncode == 0, again.stderr
    removed = [line for line in again.stdout.splitlines() if "removed" in line]
    assert removed[0].startswith(f"{GRAPH}facts/b.ttl") and "its file is gone" in removed[0]
    assert again.stdout.splitlines()[-1].endswith(", removed 1 graph")
    assert not ask(url, f"ASK {{ GRAPH <{GRAPH}facts/b.ttl> {{ ?s ?p ?o }} }}")
    assert ask(url, f"ASK {{ GRAPH <{GRAPH}facts/a.ttl> {{ ?s ?p ?o }} }}")
    assert ask(url, f"ASK {{ GRAPH <{OUTSIDE}> {{ ?s ?p ?o }} }}")  # never derive's to remove
    listed = (f"ASK {{ GRAPH <{GRAPH}derived/catalogue> {{ <{GRAPH}> "
              f"<http://purl.org/dc/terms/hasPart> <{GRAPH}facts/%s.ttl> }} }}")
    assert ask(url, listed % "a") and not ask(url, listed % "b")


def test_a_catalogue_naming_other_graphs_removes_none_of_them(
        small_store: tuple[str, Path]) -> None:
    """A catalogue edited to list a graph outside derive's names (or derive's
    own current graphs) makes publish remove nothing it did not write."""
    url, kb = small_store
    tampered = (f"<{GRAPH}> <http://purl.org/dc/terms/hasPart> <{OUTSIDE}> .\n"
                f"<{GRAPH}> <http://purl.org/dc/terms/hasPart> <{GRAPH}facts/a.ttl> .\n")
    put = httpx.put(f"{url}/store", params={"graph": GRAPH + "derived/catalogue"},
                    content=tampered.encode(), headers={"Content-Type": "application/n-triples"},
                    timeout=30)
    assert put.status_code in (200, 201, 204), put.text
    again = derive_at(kb, "publish", f"{url}/store")
    assert again.returncode == 0, again.stderr
    assert "removed" not in again.stdout
    assert ask(url, f"ASK {{ GRAPH <{OUTSIDE}> {{ ?s ?p ?o }} }}")
