"""Work done in a forked child while the caller goes on.

After a change, validating and compiling read the same parse of the files
and neither needs the other's result until the end, so on two cores they run
side by side: the child inherits the parse (copy-on-write) and sends back
only its result. Where forking is unsafe (other threads, whose locks the
child would copy; a daemonic process, which may not have children; a system
without fork) nothing is started and the caller does the work itself.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def single_threaded() -> bool:
    """Whether this process runs one OS thread only, so that a fork copies no
    lock another thread holds (a native thread pool, e.g. a store's, would
    deadlock the child). Unknown (no /proc) counts as no."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def _may_fork() -> bool:
    """Whether a child is worth forking and safe to fork here: two cores at
    least, not a daemonic process (which may not have children), one thread."""
    return ((os.cpu_count() or 1) >= 2 and not multiprocessing.current_process().daemon
            and single_threaded())


class Pending(Generic[T]):
    """A forked child computing a value."""

    def __init__(self, process: Any, reader: Connection) -> None:
        self._process = process
        self._reader = reader

    def result(self) -> tuple[bool, T | None]:
        """``(True, value)``, or ``(False, None)`` if the child failed in any
        way (the caller then does the work itself, and reports any error as
        it always would)."""
        try:
            message = self._reader.recv()
        except (EOFError, OSError):
            message = None
        finally:
            self._reader.close()
            self._process.join()
        if isinstance(message, tuple) and message and message[0] == "ok":
            return True, message[1]
        return False, None


def start(work: Callable[[], T]) -> Pending[T] | None:
    """``work()`` running in a forked child, or None where forking is unsafe."""
    if not _may_fork():
        return None
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(work, writer))
    with shared_after_fork():
        process.start()
    writer.close()
    return Pending(process, reader)


class OneBeside:
    """Jobs that return nothing (writing a cache file), each run in a forked
    child while the caller goes on, one child at a time: a job waits for the
    one before it, so with the caller that makes two busy cores. A child
    that fails, or a process that may not fork, has the job done here
    (where any error shows as it always would)."""

    def __init__(self) -> None:
        self._running: tuple[Any, Callable[[], None]] | None = None

    def run(self, job: Callable[[], None]) -> None:
        self.wait()
        if not _may_fork():
            job()
            return
        process = multiprocessing.get_context("fork").Process(target=_job, args=(job,))
        with shared_after_fork():
            process.start()
        self._running = (process, job)

    def wait(self) -> None:
        """Return once the last job is done (here, if its child failed)."""
        if self._running is None:
            return
        (process, job), self._running = self._running, None
        process.join()
        if process.exitcode != 0:
            job()


def _job(job: Callable[[], None]) -> None:
    try:
        job()
    except BaseException:
        os._exit(1)  # no traceback: the caller does the job again


@contextlib.contextmanager
def shared_after_fork() -> Iterator[None]:
    """Fork inside this block to keep the parent's objects shared with the child.

    A child inherits every page copy-on-write, but Python's collector writes
    into each object it scans, so a full collection in the child copies every
    page it visits. Frozen objects are never scanned: the child then copies
    only the pages it writes. (Together with the pySHACL workers sharing one
    index, this took the first command at 100,000 claims from 3.2 GB to
    2.2 GB over all its processes.) The parent collects them again once the
    child has started."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _child(work: Callable[[], Any], writer: Connection) -> None:
    try:
        message: tuple[Any, ...] = ("ok", work())
    except BaseException:  # the caller does the work again and reports the error itself
        message = ("failed",)
    try:
        writer.send(message)
    except Exception:  # an unpicklable result: the caller does the work itself
        writer.send(("failed",))
    finally:
        writer.close()
