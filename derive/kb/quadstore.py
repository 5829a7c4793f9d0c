"""The persistent pyoxigraph store that ``derive query`` runs over, kept in the
user's cache folder (never in the knowledge base).

One store per knowledge base, with a manifest of the files it was filled
from (size and time of each) and of derive's code. A warm command finds the
manifest current and opens the store read-only (a few milliseconds) instead of
parsing anything. After a change only the graphs of the files that changed
are replaced (a changed derive replaces everything), under a lock so that two
commands never write at once; the manifest is removed first and written last,
so a store left half-updated by a crash is brought up to date again. Each
knowledge-base file is its own named graph (``kb:graph/`` and its path in the
knowledge base); queries see their union as the default graph.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from derive.kb import cache
from derive.kb.locate import KnowledgeBase
from derive.kb.namespaces import KB

_MANIFEST = "derive-manifest.json"


GRAPH_BASE = KB + "graph/"  # the names ``derive publish`` gives the same graphs


def file_graph(kb: KnowledgeBase, path: Path) -> ox.NamedNode:
    """The named graph holding the triples of one knowledge-base file, e.g.
    ``kb:graph/facts/sources.ttl`` (no local path leaks into query results)."""
    return ox.NamedNode(GRAPH_BASE + kb.display(path))


def load_files(store: ox.Store, kb: KnowledgeBase, files: list[Path]) -> None:
    """Bulk-load ``files`` (Turtle), each into its own named graph."""
    for path in files:
        base = path.resolve().as_uri()
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=base,
                        to_graph=file_graph(kb, path))


def open_store(kb: KnowledgeBase, name: str,
               derived: Callable[[], list[tuple[str, bytes]]]) -> ox.Store:
    """The store ``name`` of ``kb`` brought up to date with its files: a file
    that changed (or appeared, or went) has its graph replaced (or added, or
    removed), the others are left as they are; then ``derived`` gives the
    recomputed graphs (name, N-Triples), which replace the earlier ones.
    In memory when the cache is off or cannot be written."""
    folder = cache.cache_dir()
    if folder is None:
        return _in_memory(kb, derived)
    target = folder / f"{hashlib.sha256(str(kb.root).encode()).hexdigest()[:24]}-{name}"
    key = cache.key(kb)
    if _manifest(target).get("key") == key:
        with contextlib.suppress(OSError):
            return ox.Store.read_only(str(target))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = (folder / f".{target.name}.lock").open("a")
    except OSError:
        return _in_memory(kb, derived)
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one writer; readers wait here, then find it done
        if _manifest(target).get("key") != key:
            _update(target, kb, key, derived)
    return ox.Store.read_only(str(target))


def _update(target: Path, kb: KnowledgeBase, key: str,
            derived: Callable[[], list[tuple[str, bytes]]]) -> None:
    graphs = derived()  # first: it parses every file and refuses a bad one by file and line
    manifest = _manifest(target)
    store = ox.Store(str(target))
    before: dict[str, str] = manifest.get("files", {}) if manifest.get("code") == _code(key) else {}
    if not before:
        store.clear()
    (target / _MANIFEST).unlink(missing_ok=True)  # a crash midway leaves no false manifest
    now = {kb.display(path): (path, _stamp(path)) for path in kb.data_files()}
    for display in set(before) - set(now):
        store.remove_graph(ox.NamedNode(GRAPH_BASE + display))
    for display, (path, stamp) in now.items():
        if before.get(display) != stamp:
            graph = file_graph(kb, path)
            if display in before:
                store.remove_graph(graph)
            store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE,
                            base_iri=path.resolve().as_uri(), to_graph=graph)
    for graph_name, ntriples in graphs:
        graph = ox.NamedNode(graph_name)
        if store.contains_named_graph(graph):
            store.remove_graph(graph)
        store.bulk_load(ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
    store.flush()
    del store
    files = {display: stamp for display, (_, stamp) in now.items()}
    cache.write_atomic(target / _MANIFEST, json.dumps(
        {"key": key, "code": _code(key), "files": files}).encode())


def _code(key: str) -> str:
    """The part of the cache key that names derive's code (not the files)."""
    return key.rsplit(":", 1)[0]


def _stamp(path: Path) -> str:
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def _manifest(target: Path) -> dict[str, Any]:
    try:
        found = json.loads((target / _MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _in_memory(kb: KnowledgeBase, derived: Callable[[], list[tuple[str, bytes]]]) -> ox.Store:
    graphs = derived()
    store = ox.Store()
    load_files(store, kb, kb.data_files())
    for graph_name, ntriples in graphs:
        store.load(ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph_name))
    return store
