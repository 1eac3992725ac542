"""The window's one way to the journal (the only place the window reaches SQLite): a single worker thread that owns its own connection. UI code awaits
``store.call(fn, ...)`` from the qasync loop (``fn`` gets that connection, a :class:`~desktop_app.store.journal
.Journal`), so the GUI thread never waits for SQLite — not even while a command-line batch in another process
holds the journal's write lock. While a call waits for such a lock, :attr:`StoreWorker.waiting` says so (the
window shows "waiting for another Listing Studio process…").

:func:`refuse_gui_thread` is the guard the window's tests install: a journal call made on the GUI thread by the
app's code — window code, or a core service the window runs on its loop — raises there, instead of freezing the
window in a seller's hands.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, TypeVar

from PySide6.QtCore import QObject, Signal

from desktop_app.store.journal import Journal

T = TypeVar("T")
WAIT_SLICE = 0.05   # seconds SQLite waits for a lock before the worker says it is waiting
WAITING_TEXT = "Waiting for another Listing Studio process…"


class StoreWorker(QObject):
    waiting = Signal(bool)   # True while a call waits for another process's write lock

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="journal")
        self._journal: Journal | None = None

    def _run(self, fn: Callable[..., T], args: tuple, kwargs: dict) -> T:
        if self._journal is None:
            self._journal = Journal(self.path, wait_slice=WAIT_SLICE, on_wait=self.waiting.emit)
        return fn(self._journal, *args, **kwargs)

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(journal, *args, **kwargs)`` on the worker thread, awaited."""
        return await asyncio.wrap_future(self._executor.submit(self._run, fn, args, kwargs))

    def close(self) -> None:
        """Close the connection after the calls already queued; new calls are refused."""
        def close() -> None:
            if self._journal is not None:
                self._journal.close()
        self._executor.submit(close)
        self._executor.shutdown(wait=False)


_APP = str(Path(__file__).parent.parent.parent)
_STORE = str(Path(__file__).parent.parent.parent / "store")


def refuse_gui_thread() -> Callable[[], None]:
    """A :attr:`Database.guard <desktop_app.store.database.Database.guard>` that raises when the app's code (any
    module of ``desktop_app`` outside ``store``: the window, or a core service run on the window's loop) calls the
    journal on the main thread. Code outside the app (a test reading the journal to check it) is not refused."""
    def guard() -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        frame = sys._getframe(1)  # the nearest caller outside the store (and its context managers)
        while frame is not None and (frame.f_code.co_filename.startswith(_STORE)
                                     or frame.f_code.co_filename == contextlib.__file__):
            frame = frame.f_back
        if frame is None:
            return
        caller = frame.f_code.co_filename
        where = f"{Path(caller).name}:{frame.f_code.co_name}"
        if caller.startswith(_APP):
            raise AssertionError(f"journal call on the GUI thread from {where} line {frame.f_lineno} "
                                 "(go through the store worker)")
    return guard
