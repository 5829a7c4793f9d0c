"""The persistent pyoxigraph store that ``derive query`` runs over, kept in the
user's cache folder (never in the knowledge base).

A store is a folder named after the knowledge base and a key (the cache key:
derive's code, and the size and time of every file); it is filled once, in a
folder of its own that is renamed into place when complete, so that a reader
never sees half a store and two commands filling at once do not clash. A warm
command opens it read-only (a few milliseconds) instead of parsing anything;
folders of older keys are removed. Each knowledge-base file is its own named
graph (``kb:graph/`` and its path in the knowledge base); queries see their
union as the default graph.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from derive.kb import cache
from derive.kb.locate import KnowledgeBase
from derive.kb.namespaces import KB

_COMPLETE = "complete"


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


def open_store(kb: KnowledgeBase, name: str, fill: Callable[[ox.Store], None]) -> ox.Store:
    """The store ``name`` of ``kb`` for its current files, filled by ``fill`` when
    there is none yet (in memory when the cache is off or cannot be written)."""
    folder = cache.cache_dir()
    if folder is None:
        return _in_memory(fill)
    prefix = f"{hashlib.sha256(str(kb.root).encode()).hexdigest()[:24]}-{name}-"
    key = hashlib.sha256(cache.key(kb).encode()).hexdigest()[:16]
    target = folder / (prefix + key)
    if (target / _COMPLETE).exists():
        with contextlib.suppress(OSError):
            return ox.Store.read_only(str(target))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=f".{prefix}", dir=folder))
    except OSError:
        return _in_memory(fill)
    try:
        store = ox.Store(str(building))
        fill(store)
        store.flush()
        store.optimize()
        del store
        (building / _COMPLETE).write_text(key)
        os.replace(building, target)
    except OSError:
        # another command put the same store in place first: use that one
        shutil.rmtree(building, ignore_errors=True)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    _remove_stale(folder, prefix, target)
    return ox.Store.read_only(str(target))


def _in_memory(fill: Callable[[ox.Store], None]) -> ox.Store:
    store = ox.Store()
    fill(store)
    return store


def _remove_stale(folder: Path, prefix: str, keep: Path) -> None:
    for old in folder.glob(prefix + "*"):
        if old != keep and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
