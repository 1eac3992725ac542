"""The journal's async facade for code that may wait on it where it stands (the command line).

Core services run their journal work as ``await store.call(fn, *args)``, ``fn(journal, *args)`` (keywords too) being plain
journal work. The command line passes nothing and gets :class:`InlineStore`: the call runs at once, in the
caller's thread. The window passes its store worker (:class:`desktop_app.ui.common.store_worker.StoreWorker`, the same
``call``), so that the same work runs on the worker's thread and the GUI thread never waits for SQLite.
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable, Protocol, TypeVar

from desktop_app.store.journal import Journal

T = TypeVar("T")


class Store(Protocol):
    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T: ...


class InlineStore:
    """Each call runs at once on ``journal``, in the caller's thread."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return fn(self.journal, *args, **kwargs)


async def land(store: Store, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``await store.call(fn, ...)`` for a write that must land even when the caller is cancelled meanwhile (a
    POST's outcome, a lease given back): the cancellation goes on once the write has landed."""
    write = asyncio.ensure_future(store.call(fn, *args, **kwargs))
    try:
        return await asyncio.shield(write)
    except asyncio.CancelledError:
        await asyncio.wait({write})
        raise
