"""Bounds on a query: a time limit, a cap on result rows and a memory ceiling.

A Python thread cannot be stopped, and a query over a graph can run without
end (a three-way cartesian product over the knowledge base does), so a bounded
query runs in another process that is killed at the time limit. Two ways:

* ``run_forked`` forks one child per query from a single-threaded caller (the
  command line), which loads the graph and is killed if it does not answer in
  time; a caller that runs other threads gets a fresh worker process instead,
  since forking it could copy a lock another thread holds;
* ``WorkerPool`` keeps a few worker processes, each holding the graph (the
  server: forking a process that runs threads is unsafe). A worker that runs
  past the limit is killed and replaced while the others go on answering.

Either way the row cap is applied while collecting the result
(``sparql.execute(..., max_rows=...)``), and the memory ceiling is an address
space limit set inside the worker. What runs inside is ``answer``: parse,
check and execute; whatever engine ``sparql`` uses, the bounds wrap it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from derive import errors
from derive.errors import DeriveError, QueryBusy, QueryError, QueryTimeout, QueryTooLarge
from derive.kb.forked import single_threaded
from derive.query import known, sparql
from derive.query.results import AskResult, GraphResult, QueryResult, SelectResult

if TYPE_CHECKING:
    from rdflib import Graph

DEFAULT_SECONDS = 10.0
DEFAULT_ROWS = 10_000
DEFAULT_MEMORY_MB = 2048
# How long a new worker may take to load the graph before it counts as failed.
WORKER_START_SECONDS = 600.0


@dataclass(frozen=True)
class Limits:
    """Per-query bounds; 0 turns the time limit or the row cap off."""

    seconds: float = DEFAULT_SECONDS
    rows: int = DEFAULT_ROWS
    memory_mb: int = DEFAULT_MEMORY_MB

    def __post_init__(self) -> None:
        if self.seconds < 0 or self.rows < 0 or self.memory_mb < 0:
            raise errors.UsageError("query limits must be 0 (off) or positive")

    @property
    def max_rows(self) -> int | None:
        return self.rows or None

    def timeout_message(self) -> str:
        return (
            f"the query ran past the time limit of {self.seconds:g} s and was stopped; "
            "narrow it (patterns that share no variable multiply each other's rows) "
            "or raise the limit (--timeout)"
        )


def answer(graph: Graph | ox.Store, text: str, max_rows: int | None) -> QueryResult:
    """Parse, check and run ``text`` over ``graph``, unbounded in time: call it
    inside a worker. A store runs the text itself, so a text accepted before
    need not be parsed again (``known``)."""
    if isinstance(graph, ox.Store):
        return sparql.execute(graph, known.safe(text), max_rows=max_rows)
    from derive.query.safety import parse

    return sparql.execute(graph, parse(text), max_rows=max_rows)


# --------------------------------------------------------------------------
# One forked child per query (single-threaded callers)
# --------------------------------------------------------------------------


def run_forked(load: Callable[[], Graph], text: str, limits: Limits) -> QueryResult:
    """Answer ``text`` over ``load()`` in a forked child that is killed at the
    time limit. The child loads the graph itself (a cached graph, or a store
    opened read-only: nothing open is shared across the fork), and the limit
    starts once it has. From a process with other threads, a fresh worker
    process does the same."""
    if not limits.seconds:
        return answer(load(), text, limits.max_rows)
    if not single_threaded():
        return _run_in_fresh_worker(load, text, limits)
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    child = context.Process(target=_forked_child, args=(load, text, limits, writer),
                            daemon=True)
    child.start()
    writer.close()
    try:
        try:
            loaded = reader.poll(WORKER_START_SECONDS) and reader.recv()
            if not loaded:
                raise QueryError("the query process did not finish loading the graph in time")
            if loaded[0] != "ready":
                raise _rebuild(loaded)
            if not reader.poll(limits.seconds):
                raise QueryTimeout(limits.timeout_message())
            message = reader.recv()
        except EOFError:
            raise QueryTooLarge(_died(limits)) from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        reader.close()
    return _unpack(message)


def _run_in_fresh_worker(load: Callable[[], Graph], text: str,
                         limits: Limits) -> QueryResult:
    """The safe way from a threaded process: a one-off worker process
    (``load`` must then be picklable, e.g. a partial of a module function)."""
    pool = WorkerPool(load, (), 1, limits, respawn=False)
    try:
        pool.start()
        return pool.run(text, limits)
    finally:
        pool.close()


def _forked_child(load: Callable[[], Graph], text: str, limits: Limits,
                  conn: Connection) -> None:
    try:
        graph = load()
    except DeriveError as exc:
        conn.send(("error", type(exc).__name__, str(exc), exc.exit_code))
        return
    conn.send(("ready",))
    _quiet()
    _limit_memory(limits.memory_mb)
    conn.send(_attempt(graph, text, limits.max_rows))
    conn.close()


def _died(limits: Limits) -> str:
    """Why a worker that vanished mid-query most likely did: an engine in native
    code (pyoxigraph) aborts rather than raising MemoryError at the ceiling."""
    return (
        "the query process stopped without answering, most likely at the memory limit "
        f"({limits.memory_mb:,} MiB beyond the graph); narrow the query or add LIMIT"
    )


# --------------------------------------------------------------------------
# A pool of spawned workers (servers)
# --------------------------------------------------------------------------


@dataclass(eq=False)
class _Worker:
    process: subprocess.Popen[bytes]
    conn: _Pipe


class WorkerPool:
    """``size`` worker processes that each load the graph with ``loader(*args)``
    (a module-level function, so that it can be sent to a spawned process) and
    then answer queries one at a time. ``run`` is blocking and thread-safe."""

    def __init__(self, loader: Callable[..., Graph], args: tuple[Any, ...], size: int,
                 limits: Limits, *, respawn: bool = True) -> None:
        if size < 1:
            raise errors.UsageError("a query pool needs at least one worker")
        self.size = size
        self.limits = limits
        self.respawn = respawn
        self._loader = loader
        self._args = args
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False

    def start(self) -> None:
        """Start the workers and wait until they are ready. The first loads
        alone (it fills the cache the others then read); a load error is
        raised here."""
        first = self._launch()
        self._await_ready(first)
        rest = [self._launch() for _ in range(self.size - 1)]
        for worker in rest:
            self._await_ready(worker)

    def run(self, text: str, limits: Limits | None = None) -> QueryResult:
        """Answer ``text`` in a free worker within the limits."""
        limits = limits or self.limits
        worker = self._take(limits)
        try:
            worker.conn.send((text, limits.max_rows))
            if limits.seconds and not worker.conn.poll(limits.seconds):
                self._replace(worker)
                worker = None
                raise QueryTimeout(limits.timeout_message())
            message = worker.conn.recv()
        except (EOFError, OSError):
            if worker is not None:
                self._replace(worker)
                worker = None
            raise QueryTooLarge(_died(limits)) from None
        finally:
            if worker is not None:
                self._idle.put(worker)
        return _unpack(message)

    def close(self) -> None:
        """Stop every worker (answers in progress are lost: retire a pool only
        once its requests are done)."""
        with self._lock:
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
        for worker in workers:
            _stop(worker)

    def _take(self, limits: Limits) -> _Worker:
        wait = limits.seconds or None
        try:
            return self._idle.get(timeout=wait)
        except queue.Empty:
            raise QueryBusy(
                f"all {self.size} query workers stayed busy for {limits.seconds:g} s; "
                "try again shortly"
            ) from None

    def _launch(self) -> _Worker:
        """Start a worker: a fresh interpreter (not multiprocessing's spawn,
        which would re-import the program's main module) talking over two pipes."""
        child_reads, parent_writes = os.pipe()
        parent_reads, child_writes = os.pipe()
        # The worker must run this very copy of derive: ``python -c`` would
        # put the working folder first on its path, and a derive checkout
        # there (the server installed elsewhere) would be another version,
        # whose cache key differs, so each would rebuild the query store
        # under the other's feet.
        root = str(Path(errors.__file__).resolve().parent.parent)
        command = [sys.executable, "-P", "-c",
                   f"import sys; sys.path.insert(0, {root!r}); "
                   f"import {__name__} as m; m._worker_entry()",
                   str(child_reads), str(child_writes)]
        try:
            process = subprocess.Popen(command, pass_fds=(child_reads, child_writes),
                                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        except OSError:
            os.close(parent_reads)
            os.close(parent_writes)
            raise
        finally:
            os.close(child_reads)
            os.close(child_writes)
        conn = _Pipe(parent_reads, parent_writes)
        worker = _Worker(process, conn)
        with self._lock:
            closed = self._closed
            if not closed:
                self._workers.add(worker)
        if closed:
            _stop(worker)
            raise QueryError("the query pool is closed")
        conn.send((self._loader, self._args, self.limits.memory_mb))
        return worker

    def _await_ready(self, worker: _Worker) -> None:
        try:
            if not worker.conn.poll(WORKER_START_SECONDS):
                raise QueryError("a query worker did not finish loading the graph in time")
            message = worker.conn.recv()
        except (EOFError, OSError):
            code = worker.process.poll()
            message = ("error", "QueryError",
                       f"a query worker stopped while loading the graph (exit code {code})", 1)
        if message[0] != "ready":
            self._discard(worker)
            raise _rebuild(message)
        self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and start another in the background (unless the
        pool is closed, or was made for one query)."""
        self._discard(worker)
        if not self.respawn:
            return

        def relaunch() -> None:
            with contextlib.suppress(DeriveError):
                self._await_ready(self._launch())

        threading.Thread(target=relaunch, daemon=True, name="derive-query-relaunch").start()

    def _discard(self, worker: _Worker) -> None:
        with self._lock:
            self._workers.discard(worker)
        _stop(worker)


def _stop(worker: _Worker) -> None:
    with contextlib.suppress(Exception):
        worker.conn.close()
    if worker.process.poll() is None:
        worker.process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        worker.process.wait(5)


class _Pipe:
    """Messages both ways over two pipes: a Connection reading one, one writing the other."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self._reader = Connection(read_fd, writable=False)
        self._writer = Connection(write_fd, readable=False)

    def send(self, message: Any) -> None:
        self._writer.send(message)

    def recv(self) -> Any:
        return self._reader.recv()

    def poll(self, timeout: float) -> bool:
        return self._reader.poll(timeout)

    def close(self) -> None:
        self._reader.close()
        self._writer.close()


def _worker_entry() -> None:
    """A worker process's main: read the loader, load the graph, answer queries."""
    conn = _Pipe(int(sys.argv[1]), int(sys.argv[2]))
    try:
        loader, args, memory_mb = conn.recv()
    except (EOFError, OSError):
        return  # the pool closed before this worker started
    _worker_main(loader, args, conn, memory_mb)


def _worker_main(loader: Callable[..., Graph], args: tuple[Any, ...], conn: _Pipe,
                 memory_mb: int) -> None:
    try:
        graph = loader(*args)
    except DeriveError as exc:
        conn.send(("error", type(exc).__name__, str(exc), exc.exit_code))
        return
    conn.send(("ready",))
    _quiet()
    _limit_memory(memory_mb)
    while True:
        try:
            text, max_rows = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(_attempt(graph, text, max_rows))


# --------------------------------------------------------------------------
# Shared by both
# --------------------------------------------------------------------------


def _attempt(graph: Graph, text: str, max_rows: int | None) -> tuple[Any, ...]:
    """The answer as a picklable message: ``("ok", payload)`` or an error."""
    try:
        return ("ok", _pack(answer(graph, text, max_rows)))
    except DeriveError as exc:
        return ("error", type(exc).__name__, str(exc), exc.exit_code)
    except MemoryError:
        return ("error", "QueryTooLarge", "the query needed more memory than it may use", 1)
    except Exception as exc:  # a bug in an evaluator must not kill the worker
        return ("error", "QueryError", f"query failed: {type(exc).__name__}: {exc}", 1)


def _quiet() -> None:
    """A query stopped by MemoryError leaves generators that complain while they
    are collected. A worker reports everything through its pipe, so its
    standard error goes nowhere rather than onto the user's terminal."""
    sys.unraisablehook = lambda _: None
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)


def _limit_memory(memory_mb: int) -> None:
    """Cap this process's address space at its current size plus ``memory_mb``."""
    if not memory_mb:
        return
    try:
        import resource

        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[0])
        current = pages * os.sysconf("SC_PAGE_SIZE")
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        wanted = current + memory_mb * 1024 * 1024
        if hard != resource.RLIM_INFINITY:
            wanted = min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    except (ImportError, OSError, ValueError):
        pass  # not Linux: the time limit still bounds the query


def _pack(result: QueryResult) -> tuple[Any, ...]:
    if isinstance(result, GraphResult):
        return ("graph", tuple(result.graph))
    return ("plain", result)


def _unpack(message: tuple[Any, ...]) -> QueryResult:
    if message[0] != "ok":
        raise _rebuild(message)
    kind, payload = message[1]
    if kind == "graph":
        from derive.kb.store import new_graph  # rdflib: for a graph result only (see sparql)

        graph = new_graph()
        for triple in payload:
            graph.add(triple)
        return GraphResult(graph)
    assert isinstance(payload, SelectResult | AskResult)
    return payload


def _rebuild(message: tuple[Any, ...]) -> DeriveError:
    """The error a worker reported, as the same class where it is a query error."""
    _, name, text, exit_code = message
    cls = getattr(errors, name, None)
    if isinstance(cls, type) and issubclass(cls, QueryError):
        return cls(text)
    error = DeriveError(text)
    error.exit_code = exit_code
    return error
