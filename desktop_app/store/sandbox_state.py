"""State persistence for the sandbox: one JSON document, in memory or in a SQLite file.

Every request runs inside :meth:`Store.transaction`, which loads the document, lets the caller
mutate it and saves it when the block ends without an exception (an exception discards the
changes). With a path, the document lives in a one-row SQLite table and each transaction is a
``BEGIN IMMEDIATE`` transaction, so several processes (the GUI, a CLI, a loopback server) can share
one sandbox safely. A ``threading.Lock`` serialises threads of one process.

This is the emulated services' data (what Pixii or Amazon would hold), not the product's journal; it lives in
the store package because that is the one place that speaks SQLite. Only desktop_app.sandbox uses it.
"""

from __future__ import annotations

import json
import pathlib
import sqlite3
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator

State = dict[str, Any]


class Store:
    def __init__(self, path: pathlib.Path | str | None, initial: Callable[[], State]) -> None:
        self.path = pathlib.Path(path) if path is not None else None
        self._initial = initial
        self._lock = threading.Lock()
        self._blob: str | None = None  # the in-memory document, kept as JSON so both modes behave alike
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as conn:
                conn.execute("CREATE TABLE IF NOT EXISTS sandbox_state "
                             "(id INTEGER PRIMARY KEY CHECK (id = 1), blob TEXT NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        assert self.path is not None
        conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 30000")
        return conn

    @contextmanager
    def transaction(self) -> Iterator[State]:
        with self._lock:
            if self.path is None:
                state = _load(self._blob) if self._blob is not None else None
                state = state if state is not None else self._initial()
                yield state
                self._blob = json.dumps(state, separators=(",", ":"))
                return
            conn = self._connect()
            try:
                conn.execute("BEGIN IMMEDIATE")
                row = conn.execute("SELECT blob FROM sandbox_state WHERE id = 1").fetchone()
                state = _load(row[0]) if row else None
                state = state if state is not None else self._initial()
                try:
                    yield state
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                blob = json.dumps(state, separators=(",", ":"))
                if row is None or blob != row[0]:
                    conn.execute("INSERT OR REPLACE INTO sandbox_state (id, blob) VALUES (1, ?)", (blob,))
                conn.execute("COMMIT")
            finally:
                conn.close()

    def replace(self, state: State) -> None:
        """Overwrite the whole document (used by reset)."""
        with self.transaction() as current:
            current.clear()
            current.update(state)


def _load(blob: str) -> State | None:
    """The stored document, or None when it is unreadable (the sandbox then starts afresh)."""
    try:
        state = json.loads(blob)
    except ValueError:
        return None
    return state if isinstance(state, dict) else None
