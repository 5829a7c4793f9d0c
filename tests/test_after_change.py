"""The first command after an edit parses once, then validates in a forked
child while it compiles: what it computes with is the new verdict, whichever
way the edit went. Run as users run derive (a process of its own, where the
fork happens; in-process tests take the serial path), with a cache of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import KBBuilder
from test_literals import ESSAY, SOURCES, claims

from derive.kb import forked


def derive(kb: KBBuilder, cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DERIVE_CACHE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-m", "derive", "--kb", str(kb.root), *args],
                          capture_output=True, text=True, env=env, timeout=300)


def estimate(kb: KBBuilder, cache: Path) -> subprocess.CompletedProcess[str]:
    return derive(kb, cache, "estimate", "grown", "--format", "json")


def test_each_edit_is_seen_by_the_next_estimate(make_kb: KBBuilder, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    make_kb.write("sources.ttl", SOURCES)
    make_kb.write("texts/essay.txt", ESSAY, prologue=False)
    make_kb.write("claims.ttl", claims())
    first = estimate(make_kb, cache)
    assert first.returncode == 0, first.stderr

    make_kb.write("claims.ttl", claims(value='"NaN"^^xsd:double'))
    rejected = estimate(make_kb, cache)
    assert rejected.returncode == 1
    assert rejected.stderr.startswith(
        "Error: estimate grown uses claim:x, which derive validate rejects (facts/claims.ttl: "
        "claim:x: violation: qudt:value NaN is not a finite number")

    make_kb.write("claims.ttl", claims(value="3.8E20"))
    fixed = estimate(make_kb, cache)
    assert fixed.returncode == 0, fixed.stderr
    assert json.loads(fixed.stdout) != json.loads(first.stdout)  # the new figure, not the kept one
    validated = derive(make_kb, cache, "validate")
    assert validated.returncode == 0, validated.stdout


def run_python(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=60).stdout.strip()


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="nothing is forked on one core")
@pytest.mark.parametrize(("work", "expected"), [
    ("lambda: 6 * 7", "(True, 42)"),
    ("lambda: 1 / 0", "(False, None)"),
    ("lambda: (lambda: None)", "(False, None)"),  # a result that cannot be sent back
], ids=["a-value", "an-error", "an-unpicklable-result"])
def test_forked_work_returns_its_value_or_says_it_failed(work: str, expected: str) -> None:
    assert run_python(f"from derive.kb import forked\n"
                      f"pending = forked.start({work})\n"
                      f"print(pending.result() if pending else 'not forked')") == expected


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="nothing is forked on one core")
@pytest.mark.parametrize(("fails_in_child", "expected"), [
    (False, "[1, 2, 3] child"),
    (True, "[1, 2, 3] here"),  # each job failed in its child, so it was done here
], ids=["done-in-children", "failed-children-done-here"])
def test_jobs_beside_are_all_done_in_order(tmp_path: Path, fails_in_child: bool,
                                           expected: str) -> None:
    out = tmp_path / "out.txt"
    code = f"""
import os
from pathlib import Path
from derive.kb import forked
parent, out = os.getpid(), Path({str(out)!r})
def job(n):
    if os.getpid() != parent and {fails_in_child}:
        raise RuntimeError("in the child")
    with out.open("a") as f:
        f.write(f"{{n}} {{'here' if os.getpid() == parent else 'child'}}\\n")
beside = forked.OneBeside()
for n in (1, 2, 3):
    beside.run(lambda n=n: job(n))
beside.wait()
lines = out.read_text().split()
print([int(x) for x in lines[::2]], set(lines[1::2]).pop())
"""
    assert run_python(code) == expected


def test_nothing_is_forked_from_a_process_with_other_threads() -> None:
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert forked.start(lambda: 1) is None
    finally:
        stop.set()
        thread.join()
