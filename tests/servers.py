"""Real servers for tests: ``derive serve`` and Oxigraph, each started as a
process on a free loopback port and stopped (SIGINT, then kill) afterwards."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent


def derive_command() -> list[str]:
    beside = BIN / "derive"
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "derive"]


def oxigraph_binary() -> Path:
    """The Oxigraph server shipped by the ``oxigraph`` package of the test extra."""
    beside = BIN / "oxigraph"
    found = beside if beside.exists() else shutil.which("oxigraph")
    assert found, "the oxigraph server is missing: pip install '.[test]' installs it"
    return Path(found)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@contextlib.contextmanager
def derive_server(kb: Path, log: Path, *args: str,
                  cache: Path | None = None) -> Iterator[str]:
    """``derive --kb KB serve --port 0 ARGS``; yields its base URL (no slash)."""
    env = dict(os.environ)
    if cache is not None:
        env["DERIVE_CACHE_DIR"] = str(cache)
    command = [*derive_command(), "--kb", str(kb), "serve", "--port", "0", *args]
    with log.open("w") as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True,
                                   env=env)
        try:
            assert process.stdout is not None
            banner = process.stdout.readline()
            assert banner.startswith("derive serve: http://"), (banner, log.read_text())
            yield banner.split()[2].rstrip("/")
        finally:
            _stop(process)


@contextlib.contextmanager
def oxigraph_server(location: Path, log: Path) -> Iterator[str]:
    """An Oxigraph server on ``location``, default graph = union of named graphs."""
    port = free_port()
    command = [str(oxigraph_binary()), "serve", "--location", str(location),
               "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    url = f"http://127.0.0.1:{port}"
    with log.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"{url}/query", params={"query": "ASK {}"}, timeout=2)
                    break
                except httpx.HTTPError:
                    assert process.poll() is None, log.read_text()
                    assert time.monotonic() < deadline, "oxigraph did not start"
                    time.sleep(0.1)
            yield url
        finally:
            _stop(process)
