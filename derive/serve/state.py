"""The server's state: the snapshot requests are answered from, swapped for a
new one when the knowledge base's files change. A request holds on to the
snapshot it started with, so a reload never drops it; an old snapshot is
closed (its query workers stopped) when its last request is done."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import anyio
import watchfiles

from derive.api import live
from derive.api.locate import KnowledgeBase
from derive.api.queries import Limits
from derive.errors import DeriveError

log = logging.getLogger("uvicorn.error")  # uvicorn's configured logger: one stream


@dataclass
class Settings:
    kb: KnowledgeBase
    workers: int
    limits: Limits
    max_request_bytes: int
    reload: bool = True
    debounce_ms: int = 300


@dataclass
class Live:
    settings: Settings
    current: live.Snapshot | None = None
    generation: int = 0
    loaded_at: float = 0.0
    last_error: str | None = None
    _users: dict[int, int] = field(default_factory=dict)
    _retired: dict[int, live.Snapshot] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _reload_lock: threading.Lock = field(default_factory=threading.Lock)

    def open(self) -> None:
        """Open the first snapshot; a broken knowledge base raises its error."""
        s = self.settings
        self._install(live.open_snapshot(s.kb, s.workers, s.limits))

    @contextlib.contextmanager
    def use(self) -> Iterator[live.Snapshot]:
        """The current snapshot, kept open until the block ends."""
        with self._lock:
            snapshot = self.current
            assert snapshot is not None, "the server has no snapshot"
            self._users[id(snapshot)] = self._users.get(id(snapshot), 0) + 1
        try:
            yield snapshot
        finally:
            with self._lock:
                key = id(snapshot)
                self._users[key] -= 1
                done = self._users[key] == 0 and key in self._retired
                if self._users[key] == 0:
                    del self._users[key]
                old = self._retired.pop(key) if done else None
            if old is not None:
                old.close()

    def reload(self) -> bool:
        """Open a new snapshot if the files changed; keep the old one (and log
        why) if the new files do not load. Whether it swapped."""
        with self._reload_lock:
            current = self.current
            if current is not None and not live.changed(current):
                return False
            s = self.settings
            try:
                fresh = live.open_snapshot(s.kb, s.workers, s.limits)
            except DeriveError as exc:
                self.last_error = str(exc)
                log.error("derive serve: knowledge base not reloaded, still serving the "
                          "previous one: %s", exc)
                return False
            self._install(fresh)
            log.info("derive serve: knowledge base reloaded (generation %d)", self.generation)
            return True

    def _install(self, fresh: live.Snapshot) -> None:
        with self._lock:
            old = self.current
            self.current = fresh
            self.generation += 1
            self.loaded_at = time.time()
            self.last_error = None
            idle = old is not None and self._users.get(id(old), 0) == 0
            if old is not None and not idle:
                self._retired[id(old)] = old
        if old is not None and idle:
            old.close()

    async def watch(self, stop: anyio.Event) -> None:
        """Reload whenever files under the knowledge base's folders change."""
        folders = live.watched_folders(self.settings.kb)
        if not folders:
            return
        async for _ in watchfiles.awatch(*folders, stop_event=stop,
                                         debounce=self.settings.debounce_ms,
                                         recursive=True):
            await anyio.to_thread.run_sync(self.reload)

    def close(self) -> None:
        with self._lock:
            snapshots = [s for s in (self.current, *self._retired.values()) if s is not None]
            self.current = None
            self._retired.clear()
        for snapshot in snapshots:
            snapshot.close()
