"""Every query is bounded: derive query stops a runaway at --timeout and
refuses a result over --max-rows (exit code 1 for both), the cap does not
change what a result within it holds."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable

import pytest
from click.testing import Result
from conftest import PROJECT
from servers import derive_command

from derive.api import queries
from derive.api.locate import KnowledgeBase
from derive.errors import QueryTimeout, QueryTooLarge

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_runaway_stopped_at_the_time_limit() -> None:
    """Through the real program: the process ends soon after the limit, exit 1."""
    command = [*derive_command(), "--kb", str(PROJECT), "query", "--timeout", "1"]
    warm = subprocess.run([*command, "ASK {}"], capture_output=True, text=True, timeout=300,
                          check=False)
    assert warm.stdout == "true\n", warm.stderr  # the query graph is cached now
    start = time.monotonic()
    done = subprocess.run([*command, RUNAWAY], capture_output=True, text=True, timeout=120,
                          check=False)
    elapsed = time.monotonic() - start
    assert done.stderr.startswith("Error: the query ran past the time limit of 1 s"), done.stderr
    assert done.returncode == 1
    assert elapsed < 20  # about 1 s past start-up; generous for a loaded CI machine


@pytest.mark.parametrize(("args", "code", "needle"), [
    (["--max-rows", "5", "SELECT * WHERE { ?s ?p ?o }"], 1, "more than 5 rows"),
    (["--max-rows", "5", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"], 1, "more than 5 triples"),
    (["--max-rows", "5", "SELECT * WHERE { ?s ?p ?o } LIMIT 5"], 0, "(5 rows)"),
    (["--max-rows", "0", "SELECT * WHERE { ?s a ?t . ?x a ?u } LIMIT 10001"], 0, "(10001 rows)"),
    (["SELECT * WHERE { ?s a ?t . ?x a ?u } LIMIT 10001"], 1, "more than 10,000 rows"),
    (["--timeout", "-1", "ASK {}"], 2, "--timeout"),
])
def test_row_cap_and_options(invoke: Callable[..., Result], args: list[str], code: int,
                             needle: str) -> None:
    result = invoke("--kb", str(PROJECT), "query", *args)
    assert result.exit_code == code
    assert needle in result.output


@pytest.mark.parametrize("query", [
    "SELECT ?x WHERE { OPTIONAL { ?x a dv:NoSuchClass } }",
    "SELECT * WHERE { }",
])
def test_empty_solutions_are_rows(query: str) -> None:
    """A solution that binds nothing is still a row, with the cap on or off."""
    kb = KnowledgeBase(PROJECT)
    capped = queries.run(kb, query, queries.Limits(rows=10))
    uncapped = queries.run(kb, query, queries.Limits(seconds=0, rows=0))
    assert isinstance(capped, queries.SelectResult)
    assert capped == uncapped
    assert len(capped.rows) == 1


def test_library_raises_limit_errors() -> None:
    kb = KnowledgeBase(PROJECT)
    with pytest.raises(QueryTimeout):
        queries.run(kb, RUNAWAY, queries.Limits(seconds=0.5))
    with pytest.raises(QueryTooLarge, match="more than 100 rows"):
        queries.run(kb, "SELECT * WHERE { ?s ?p ?o }", queries.Limits(rows=100))
    with pytest.raises(QueryTooLarge, match="memory"):
        queries.run(kb, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a",
                    queries.Limits(seconds=60, rows=0, memory_mb=100))


def test_worker_pool_replaces_a_killed_worker() -> None:
    kb = KnowledgeBase(PROJECT)
    pool = queries.worker_pool(kb, 1, queries.Limits(seconds=1))
    pool.start()
    try:
        with pytest.raises(QueryTimeout):
            pool.run(RUNAWAY)
        answer = pool.run("ASK { ?s ?p ?o }", queries.Limits(seconds=30))
        assert answer == queries.AskResult(True)
    finally:
        pool.close()


def test_threaded_caller_gets_a_fresh_worker() -> None:
    """A process running other threads must not fork (a copied lock could hang
    the child): the query then runs in a fresh worker, bounded all the same."""
    import threading

    kb = KnowledgeBase(PROJECT)
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        with pytest.raises(QueryTimeout):
            queries.run(kb, RUNAWAY, queries.Limits(seconds=1))
        assert queries.run(kb, "ASK { ?s ?p ?o }") == queries.AskResult(True)
    finally:
        release.set()
        other.join()
