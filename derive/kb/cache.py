"""A cache of the compiled knowledge base, so that a command on unchanged
facts neither re-parses Turtle nor re-checks units: the model and every
(estimate, scenario) plan are pickled under the user's cache folder, keyed by
the knowledge base's location and its files' sizes and times; so is the graph
that queries run over. Nothing is ever
written inside the knowledge base. ``DERIVE_CACHE_DIR`` moves the cache;
``DERIVE_NO_CACHE=1`` turns it off."""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from derive import __version__
from derive.errors import OutputError
from derive.kb.locate import KnowledgeBase

FORMAT = 3  # 3: the key pickled ahead of the payload


def cache_dir() -> Path | None:
    if os.environ.get("DERIVE_NO_CACHE"):
        return None
    explicit = os.environ.get("DERIVE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "derive"


def _path(kb: KnowledgeBase, name: str) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    digest = hashlib.sha256(str(kb.root).encode()).hexdigest()[:24]
    return folder / f"{digest}-{name}.pickle"


def _shared_path(name: str) -> Path | None:
    folder = cache_dir()
    return None if folder is None else folder / f"{name}.pickle"


@functools.cache
def _code_stamp() -> str:
    """Changes when derive's own code changes (an upgrade, or a developer's edit)."""
    package = Path(__file__).resolve().parent.parent  # all of derive, not just kb/
    newest = max((p.stat().st_mtime_ns for p in package.rglob("*.py")), default=0)
    return f"{__version__}:{newest}"


def _key(kb: KnowledgeBase) -> str:
    return f"{FORMAT}:{_code_stamp()}:{kb.fingerprint()}"


def code_key() -> str:
    """The part of every key that names the cache's format and derive's code."""
    return f"{FORMAT}:{_code_stamp()}"


def read(kb: KnowledgeBase, name: str = "compiled", *, any_files: bool = False,
         key: str | None = None) -> Any | None:
    """The payload stored under ``name`` for this knowledge base, if its files are
    unchanged (or, with ``any_files``, whatever they are: the payload then carries
    its own record of the files it was made from; or, with ``key``, if it was
    stored under that key)."""
    return _load(_path(kb, name), lambda stored: _fresh(stored, kb, any_files, key))


def read_shared(name: str) -> Any | None:
    """The payload stored under ``name`` for every knowledge base alike, if this
    version of derive's code stored it."""
    return _load(_shared_path(name), lambda stored: bool(stored == code_key()))


def is_fresh(kb: KnowledgeBase, name: str = "compiled", *, key: str | None = None) -> bool:
    """Whether ``read(kb, name, key=key)`` would find a payload (only its key is read)."""
    path = _path(kb, name)
    if path is None:
        return False
    try:
        with path.open("rb") as handle:
            return _fresh(pickle.load(handle), kb, False, key)
    except Exception:
        return False


def _load(path: Path | None, accept: Callable[[Any], bool]) -> Any | None:
    """The payload at ``path`` if ``accept`` takes the key stored ahead of it."""
    if path is None or not path.exists():
        return None
    try:
        with path.open("rb") as handle:
            # The key is pickled ahead of the payload: a stale entry (76 MB of
            # compiled model at 100,000 claims) is known without unpickling it.
            return pickle.load(handle) if accept(pickle.load(handle)) else None
    except Exception:  # a damaged or foreign cache file is simply rebuilt
        return None


def _fresh(stored: Any, kb: KnowledgeBase, any_files: bool, key: str | None) -> bool:
    """Whether the ``stored`` key is the one wanted (see ``read``)."""
    wanted = key or _key(kb)
    if any_files and key is None:
        return bool(stored.rsplit(":", 1)[0] == wanted.rsplit(":", 1)[0])
    return bool(stored == wanted)


def exists(kb: KnowledgeBase, name: str) -> bool:
    """Whether anything is stored under ``name`` (fresh or not)."""
    path = _path(kb, name)
    return path is not None and path.exists()


def write(kb: KnowledgeBase, payload: Any, name: str = "compiled", *,
          key: str | None = None) -> None:
    """Store ``payload`` under ``name``, keyed by the files' stamps (or by ``key``)."""
    path = _path(kb, name)
    if path is not None:
        _store(path, key or _key(kb), payload)


def write_shared(name: str, payload: Any) -> None:
    """Store ``payload`` under ``name`` for every knowledge base alike."""
    path = _shared_path(name)
    if path is not None:
        _store(path, code_key(), payload)


def _store(path: Path, key: str, payload: Any) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, pickle.dumps(key, protocol=pickle.HIGHEST_PROTOCOL)
                     + pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass  # a read-only home is no reason to fail: the cache is only for speed


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old or the new file, never half."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_output(path: Path, data: bytes) -> None:
    """``write_atomic`` for a file the user asked for, creating its folder:
    a failure is one line naming the file, never a traceback, and leaves any
    earlier version of the file whole."""
    ensure_folder(path.parent)
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}; choose a folder "
                          "you can write to") from None


def ensure_folder(path: Path) -> None:
    """Create the folder ``path`` (and its parents) for output the user asked for."""
    for folder in (path, *path.parents):
        if folder.exists() and not folder.is_dir():
            raise OutputError(f"cannot create the folder {path}: {folder} is a file; choose "
                              "a folder you can write to")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder {path}: {exc.strerror or exc}; choose a "
                          "folder you can write to") from None


def key(kb: KnowledgeBase) -> str:
    """The key of everything cached for ``kb``: derive's code and its files' stamps."""
    return _key(kb)
