"""derive query --endpoint against a real HTTP server that answers badly: an
answer without end, one that trickles in, one value larger than a query may
hold, a refusal with an endless body, and answers that are not SPARQL. The
answer is as hostile as a query: derive stops reading at the row cap, the
time limit and the memory limit, and says so with the usual exit codes.
Each of these commands would hang, or fill memory, if the whole answer were
downloaded before being looked at."""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import PROJECT
from servers import derive_command

from derive.api import remote
from derive.errors import QueryTooLarge
from derive.query.limits import Limits

HEAD = b'{"head": {"vars": ["s"]}, "results": {"bindings": ['
ROW = b'{"s": {"type": "uri", "value": "https://example.org/s"}}'


Write = Callable[[bytes], object]


def endless(start: bytes, more: bytes) -> Callable[[Write], None]:
    """An answer that begins with ``start`` and repeats ``more`` without end."""
    def answer(write: Write) -> None:
        write(start)
        while True:
            write(more)
    return answer


def trickle(write: Write) -> None:
    write(HEAD + ROW)
    while True:
        time.sleep(0.2)
        write(b" ")  # whitespace is valid JSON: the answer neither ends nor fails


TRIPLE = b"<https://example.org/s> <https://example.org/p> <https://example.org/o> .\n"
ANSWERS: dict[str, tuple[int, str, Callable[[Write], None]]] = {
    "/endless": (200, "application/sparql-results+json",
                 endless(HEAD + ROW, b"".join(b"," + ROW for _ in range(1000)))),
    "/graph": (200, "application/n-triples", endless(b"", TRIPLE * 1000)),
    "/trickle": (200, "application/sparql-results+json", trickle),
    "/huge-value": (200, "application/sparql-results+json", endless(
        b'{"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "literal", '
        b'"value": "', b"x" * 65536)),
    "/refused": (503, "text/plain", endless(b"busy, try later\n", b"x" * 65536)),
    "/html": (200, "text/html", lambda write: write(b"<html><body>Not SPARQL</body></html>")),
}


class Hostile(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        status, kind, answer = ANSWERS[self.path]
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.end_headers()
        # the client stops reading and hangs up: what these tests want
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            answer(self.wfile.write)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()


def derive(*args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.monotonic()
    done = subprocess.run([*derive_command(), "--kb", str(PROJECT), *args], capture_output=True,
                          text=True, timeout=60, check=False, env=dict(os.environ))
    return done, time.monotonic() - start


def test_an_answer_past_the_row_cap_is_not_read_to_its_end(server: str) -> None:
    done, _ = derive("query", "--endpoint", f"{server}/endless", "--max-rows", "5",
                     "SELECT ?s WHERE { ?s ?p ?o }")
    assert done.returncode == 1, done.stderr
    assert "more than 5 rows" in done.stderr and "Traceback" not in done.stderr


def test_a_graph_past_the_cap_is_not_read_to_its_end(server: str) -> None:
    done, _ = derive("query", "--endpoint", f"{server}/graph", "--max-rows", "50",
                     "CONSTRUCT WHERE { ?s ?p ?o }")
    assert done.returncode == 1, done.stderr
    assert "more than 50 triples" in done.stderr


def test_an_answer_that_trickles_in_stops_at_the_time_limit(server: str) -> None:
    done, seconds = derive("query", "--endpoint", f"{server}/trickle", "--timeout", "2",
                           "SELECT ?s WHERE { ?s ?p ?o }")
    assert done.returncode == 1, done.stderr
    assert "time limit of 2 s" in done.stderr
    assert seconds < 20


def test_a_value_larger_than_a_query_may_hold_is_refused(server: str) -> None:
    with pytest.raises(QueryTooLarge, match=r"larger than 1 MiB"):
        remote.query(f"{server}/huge-value", "SELECT ?s WHERE { ?s ?p ?o }",
                     Limits(seconds=30, rows=10, memory_mb=1))


@pytest.mark.parametrize(("path", "code", "words"), [
    ("/refused", 2, "HTTP 503"),
    ("/html", 2, "did not answer with SPARQL JSON results (text/html)"),
], ids=["refusal-with-endless-body", "not-sparql"])
def test_a_bad_answer_names_the_url(server: str, path: str, code: int, words: str) -> None:
    done, _ = derive("query", "--endpoint", f"{server}{path}", "SELECT ?s WHERE { ?s ?p ?o }")
    assert done.returncode == code, done.stderr
    assert f"{server}{path}" in done.stderr and words in done.stderr
    assert "Traceback" not in done.stderr
    if path == "/refused":
        assert "busy, try later" in done.stderr and "xxxx" not in done.stderr
