"""What was found out about a file, remembered per file version: whether it is there and the result of a check
on it (e.g. its image-rules findings), keyed by its path, size and modification time. The gallery and the export
ask :func:`checked`; a file that has not changed since is never checked twice, a changed one is checked again.
Callers run it in a worker thread (it stats the file, and ``compute`` usually reads it)."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import Callable, Hashable, TypeVar

T = TypeVar("T")
LIMIT = 8192  # remembered results; the oldest are forgotten first


class FileFacts:
    """Results of checks on files, per (path, size, mtime, what); thread-safe, bounded."""

    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._results: OrderedDict[tuple, object] = OrderedDict()

    def checked(self, path: str | os.PathLike[str], compute: Callable[[str], T], what: Hashable = "") -> T | None:
        """``compute(path)`` for this version of the file (remembered), or None when the file is not there."""
        path = os.fspath(path)
        try:
            st = os.stat(path)
        except OSError:
            return None
        key = (path, st.st_size, st.st_mtime_ns, what)
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]  # type: ignore[return-value]
        result = compute(path)
        with self._lock:
            self._results[key] = result
            while len(self._results) > self.limit:
                self._results.popitem(last=False)
        return result

    def present(self, path: str | os.PathLike[str] | None) -> bool:
        """Whether the file is there (a regular file, not empty)."""
        return bool(path) and bool(self.checked(path, _non_empty_file, "present"))


def _non_empty_file(path: str) -> bool:
    return os.path.isfile(path) and os.path.getsize(path) > 0


FACTS = FileFacts()  # the process's one memory of file checks
checked = FACTS.checked
present = FACTS.present
