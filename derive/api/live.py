"""What a long-running front end (the server) holds: a snapshot of the
knowledge base, with everything loaded once (the compiled model, the audit's
findings, the fact sheets and the query workers), so that requests only look
things up. When files change a new snapshot is opened beside the old one and
replaces it whole; the old one is closed once its requests are done."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from derive.api import queries
from derive.api.checked import load_checked
from derive.api.estimates import estimate_in, parse_override
from derive.audit import audit
from derive.engine.compiled import Compiled
from derive.engine.outcomes import DEFAULT_SAMPLES, DEFAULT_SEED
from derive.errors import UsageError
from derive.kb import store
from derive.kb.locate import KnowledgeBase
from derive.kb.namespaces import local_name
from derive.query.limits import Limits, WorkerPool
from derive.query.results import GraphResult, QueryResult, SelectResult
from derive.render import estimate as render_estimate
from derive.render.sheets.site import LiveSite

MAX_SAMPLES = 100_000
_PAGE_CACHE = 512
# Answers are kept per snapshot (its graph never changes), up to this many rows
# and triples in all, so a repeated query costs a lookup.
_RESULT_CACHE_ROWS = 200_000


@dataclass
class Snapshot:
    """One state of the knowledge base, as a server answers from it."""

    kb: KnowledgeBase
    fingerprint: str
    compiled: Compiled
    site: LiveSite
    pool: WorkerPool
    _pages: OrderedDict[str, str | None] = field(default_factory=OrderedDict, repr=False)
    _results: OrderedDict[tuple[str, int | None], tuple[QueryResult, int]] = field(
        default_factory=OrderedDict, repr=False)
    _result_rows: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def page(self, filename: str) -> str | None:
        """The HTML sheet ``filename`` (``index.html``, ``estimate-NAME.html``...), or None."""
        with self._lock:
            if filename in self._pages:
                self._pages.move_to_end(filename)
                return self._pages[filename]
        text = self.site.render(filename)
        with self._lock:
            self._pages[filename] = text
            while len(self._pages) > _PAGE_CACHE:
                self._pages.popitem(last=False)
        return text

    def estimate_names(self) -> list[str]:
        return sorted(local_name(iri) for iri in self.compiled.model.estimates)

    def scenario_names(self) -> list[str]:
        return sorted(s.name for s in self.compiled.model.scenarios.values())

    def estimate_json(self, name: str, *, scenario: str | None = None,
                      overrides: list[str] | tuple[str, ...] = (),
                      samples: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED) -> str:
        """Estimate ``name`` as ``derive estimate --format json`` gives it."""
        if not 1 <= samples <= MAX_SAMPLES:
            raise UsageError(f"samples must be between 1 and {MAX_SAMPLES:,}")
        parsed = [parse_override(text) for text in overrides]
        report = estimate_in(self.compiled, name, scenario=scenario, samples=samples,
                             seed=seed, overrides=parsed)
        return render_estimate.as_json(report)

    def query(self, text: str, limits: Limits | None = None) -> QueryResult:
        """Run ``text`` in one of the snapshot's query workers, within the limits
        (a query answered before on this snapshot is answered from memory)."""
        key = (text, (limits or self.pool.limits).max_rows)
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key][0]
        result = self.pool.run(text, limits)
        size = _size(result)
        with self._lock:
            if key not in self._results and size <= _RESULT_CACHE_ROWS:
                self._results[key] = (result, size)
                self._result_rows += size
                while self._result_rows > _RESULT_CACHE_ROWS:
                    _, (_, dropped) = self._results.popitem(last=False)
                    self._result_rows -= dropped
        return result

    def close(self) -> None:
        self.pool.close()


def _size(result: QueryResult) -> int:
    if isinstance(result, SelectResult):
        return len(result.rows) + 1
    if isinstance(result, GraphResult):
        return len(result.graph) + 1
    return 1


def open_snapshot(kb: KnowledgeBase, workers: int, limits: Limits) -> Snapshot:
    """Load everything a server answers from; raises the load error of a broken
    knowledge base (nothing is left running then)."""
    fingerprint = kb.fingerprint()
    compiled = load_checked(kb)  # a server never answers with a rejected value
    findings = audit(compiled, store.load_index(kb).graph)
    site = LiveSite(kb, compiled, findings)
    pool = queries.worker_pool(kb, workers, limits)
    try:
        pool.start()
    except BaseException:
        pool.close()
        raise
    return Snapshot(kb, fingerprint, compiled, site, pool)


def watched_folders(kb: KnowledgeBase) -> list[Path]:
    """The folders whose changes mean a new snapshot: ontology, facts, templates."""
    folders = [kb.ontology_dir, kb.facts_dir, kb.templates_dir]
    return [folder for folder in folders if folder.is_dir()]


def changed(snapshot: Snapshot) -> bool:
    """Whether the files differ from the ones ``snapshot`` was opened on."""
    return snapshot.kb.fingerprint() != snapshot.fingerprint
