"""The journal's file: opening it (a damaged or empty one is kept aside), its schema migrations, and its
transactions. Decides how the window and the command line share one SQLite file: WAL mode, a writer that takes
the lock up front (``BEGIN IMMEDIATE``), and how long a writer waits for another process's lock.

The repositories of the other store modules run their SQL through :meth:`Database.read`,
:meth:`Database.write` and :meth:`Database.immediate`; nothing outside ``desktop_app.store`` does.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from desktop_app.store.datadir import classify, too_new
from desktop_app.store.schema import MIGRATIONS

WAIT_LIMIT = 15.0   # seconds a writer waits for another process's lock before it gives up

Row = sqlite3.Row
Statements = Iterable[tuple[str, tuple]]


def _looks_corrupt(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc).lower()
    return any(word in text for word in ("not a database", "malformed", "corrupt"))


def _locked(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _rollback(conn: sqlite3.Connection) -> None:
    """Undo the open transaction, if SQLite has not already done so (it does on a full disk): the error that
    got here is the one that counts."""
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass


class Database:
    """Raises :class:`~.datadir.DataDirError` (never SQLite's own error) when the data dir cannot be used: a
    journal of a newer version (left as it was), a read-only folder, a full disk. A damaged or empty journal is
    kept aside under a new name (``recovered_from``) and a new one is started.

    ``wait_slice``: how long SQLite itself waits for another process's lock; past it, the wait goes on in
    slices (up to :data:`WAIT_LIMIT`) and ``on_wait(True)`` / ``on_wait(False)`` say when it starts and ends,
    so that the window can say what it waits for. ``guard``, when set, is called before every statement (the
    window's tests use it to refuse any journal access from the GUI thread)."""

    guard: Callable[[], None] | None = None

    def __init__(self, path: Path, *, wait_slice: float = WAIT_LIMIT,
                 on_wait: Callable[[bool], None] | None = None) -> None:
        self.path = Path(path)
        self.recovered_from: Path | None = None
        self.wait_slice = min(wait_slice, WAIT_LIMIT)
        self.on_wait = on_wait
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = self._open_or_recover()
        except (OSError, sqlite3.Error) as exc:
            problem = classify(exc, self.path.parent)
            if problem is None:
                raise
            raise problem from None

    def _open_or_recover(self) -> sqlite3.Connection:
        if self.path.is_file() and self.path.stat().st_size == 0:  # never a journal this app wrote
            self._keep_aside("empty")
        if not self.path.exists():
            self._create()
        try:
            return self._open()
        except sqlite3.DatabaseError as exc:
            if not _looks_corrupt(exc):
                raise
            self._keep_aside("damaged")
            self._create()
            return self._open()

    def _keep_aside(self, why: str) -> None:
        backup = self.path.with_name(f"{self.path.name}.{why}-{time.strftime('%Y%m%d-%H%M%S')}")
        shutil.move(str(self.path), backup)
        for suffix in ("-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)
        self.recovered_from = backup

    def _create(self) -> None:
        """A new journal appears whole (built under a temp name, then linked): another process starting at the
        same moment never sees an empty file under the journal's name."""
        import uuid
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.new")
        try:
            conn = sqlite3.connect(tmp, isolation_level=None)
            try:
                self._migrate(conn, self.path.parent)
            finally:
                conn.close()
            try:
                os.link(tmp, self.path)
            except FileExistsError:
                pass  # another process created it first: use theirs
        finally:
            for leftover in (tmp, Path(f"{tmp}-journal")):
                leftover.unlink(missing_ok=True)

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=WAIT_LIMIT, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        try:
            conn.execute(f"PRAGMA busy_timeout={int(WAIT_LIMIT * 1000)}")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):  # before anything writes: the journal is left as it was
                raise too_new(self.path.parent, version)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._migrate(conn, self.path.parent)
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise sqlite3.DatabaseError(f"database disk image is malformed: {check}")
            conn.execute(f"PRAGMA busy_timeout={int(self.wait_slice * 1000)}")
        except BaseException:
            conn.close()
            raise
        return conn

    @staticmethod
    def _migrate(conn: sqlite3.Connection, folder: Path) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise too_new(folder, version)
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            conn.execute("BEGIN IMMEDIATE")
            try:
                if conn.execute("PRAGMA user_version").fetchone()[0] < number:
                    for statement in filter(str.strip, script.split(";")):
                        conn.execute(statement)
                    conn.execute(f"PRAGMA user_version={number}")
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise

    def close(self) -> None:
        self._conn.close()

    # --- transactions --------------------------------------------------------------------------

    def _begin(self) -> None:
        """``BEGIN IMMEDIATE``, waiting in slices for another process's write lock (and saying so)."""
        deadline = time.monotonic() + WAIT_LIMIT
        waiting = False
        try:
            while True:
                try:
                    self._conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    if not _locked(exc) or time.monotonic() >= deadline:
                        raise
                    if not waiting and self.on_wait is not None:
                        self.on_wait(True)
                    waiting = True
        finally:
            if waiting and self.on_wait is not None:
                self.on_wait(False)

    @contextmanager
    def immediate(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (the lock taken up front), committed when the block ends, rolled back if it
        raises; SQLite's errors about the data dir come out as :class:`~.datadir.DataDirError`."""
        if Database.guard is not None:
            Database.guard()
        conn = self._conn
        try:
            self._begin()
            try:
                yield conn
                if conn.in_transaction:
                    conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise
        except sqlite3.Error as exc:
            problem = classify(exc, self.path.parent)
            if problem is None:
                raise
            raise problem from None

    def write(self, statements: Statements) -> list[sqlite3.Cursor]:
        """Run ``statements`` in one write transaction; their cursors (``rowcount``, ``lastrowid``)."""
        with self.immediate() as conn:
            return [conn.execute(sql, params) for sql, params in statements]

    def read(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        if Database.guard is not None:
            Database.guard()
        return self._conn.execute(sql, params).fetchall()


def health(path: Path) -> tuple[int, str, int]:
    """The journal at ``path`` read without changing it: its schema version, SQLite's quick check and how many
    jobs it holds. Raises :class:`JournalUnreadable` when SQLite cannot read it."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            schema = conn.execute("PRAGMA user_version").fetchone()[0]
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            jobs = conn.execute("SELECT count(*) FROM jobs").fetchone()[0] if schema else 0
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise JournalUnreadable(str(exc)) from None
    return schema, check, jobs


class JournalUnreadable(Exception):
    """The journal file could not be read (locked for too long, not a database)."""
