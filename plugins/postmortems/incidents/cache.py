"""Loaded incident files, kept by content: a file is loaded again only when its bytes change.

Under ``mkdocs serve`` the cache lives in memory across rebuilds; given a folder (by default
``.cache/postmortems/`` next to the configuration, the folder Material's own plugins use),
it is also written to disk after a build and read back by the next one, so a CI runner that
keeps the folder between runs loads only the files that changed.

A file's entry is found by its path and the SHA-256 of its bytes. The whole cache is
dropped when anything else loading depends on changes: the time zone, the severities,
the service catalog, the folder paths are shown from, the Python and pydantic versions, and the code of this
package's ``incidents/`` (its source files' hash). A cache file that cannot be read, or was
written for another of these, is ignored and written afresh.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

import pydantic

from .loader import Loaded, load_one, read_bytes
from .settings import Settings

FILE_NAME = "incidents.pickle"
_FORMAT = 1


def _code_hash() -> str:
    """A hash of the loader's own code: a cache written by other code is not read."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


_CODE = _code_hash()


class LoadCache:
    def __init__(self, folder: Path | None = None, deferred: bool = False):
        self.folder = folder  # where the cache is kept between builds (None: in memory only)
        self.deferred = deferred  # write to the folder only when told (``flush``), e.g. when `mkdocs serve` stops
        self._unwritten = False
        self._key: tuple | None = None
        self._entries: dict[str, tuple[bytes, Loaded]] = {}  # path -> (hash of its bytes, outcome)
        self._read_from_disk = False
        self.hits = self.misses = 0  # of the last load (for the log and the benchmarks)

    def load(self, paths: list[Path], settings: Settings, base: Path) -> list[Loaded]:
        """Each file's outcome, as ``loader.load_paths`` gives it: from the cache when its bytes are unchanged."""
        key = (_FORMAT, _CODE, sys.version_info[:2], pydantic.VERSION, settings.timezone,
               tuple(settings.severities), settings.services, str(base))
        if key != self._key:
            self._key, self._entries = key, {}
            if self.folder is not None and not self._read_from_disk:
                self._entries = self._read(key)
            self._read_from_disk = True
        entries, kept, result = self._entries, {}, []
        self.hits = self.misses = 0
        for path in paths:
            raw = read_bytes(path)
            digest = hashlib.sha256(raw).digest() if isinstance(raw, bytes) else None
            found = entries.get(str(path))
            if digest is not None and found is not None and found[0] == digest:
                loaded = found[1]
                self.hits += 1
            else:
                loaded = load_one(path, raw, settings, base)
                self.misses += 1
            if digest is not None:
                kept[str(path)] = (digest, loaded)
            result.append(loaded)
        changed = self.misses > 0 or len(kept) != len(entries)
        self._entries = kept  # files that are gone are forgotten
        if changed and self.folder is not None:
            self._unwritten = True
            if not self.deferred:
                self.flush()
        return result

    def flush(self) -> None:
        """Write what changed since the last write to the folder."""
        if self._unwritten and self.folder is not None and self._key is not None:
            self._write(self._key)
            self._unwritten = False

    def _file(self) -> Path:
        return self.folder / FILE_NAME

    def _read(self, key: tuple) -> dict:
        try:
            with open(self._file(), "rb") as stream:
                stored_key, entries = pickle.load(stream)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError,
                IndexError, KeyError):
            return {}
        return entries if stored_key == key and isinstance(entries, dict) else {}

    def _write(self, key: tuple) -> None:
        """Write the cache (atomically: a build reading it meanwhile sees the old one or the new one).
        A folder that cannot be written is no error: the next build loads the files again."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# made by mkdocs-postmortems: a cache, never committed\n*\n")
            handle, name = tempfile.mkstemp(dir=self.folder, prefix=".incidents-", suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as stream:
                    pickle.dump((key, self._entries), stream, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(name, self._file())
            except BaseException:
                os.unlink(name)
                raise
        except OSError:
            pass
