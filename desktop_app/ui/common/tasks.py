"""One owner for every background task of the window (qasync keeps tasks only weakly).

Also the small bridges between Qt signals and coroutines: awaiting a signal without a nested
event loop (never ``exec()`` inside a coroutine, see the design notes B.5).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Coroutine

from PySide6.QtCore import SignalInstance

log = logging.getLogger(__name__)


class TaskRegistry:
    """Spawns tasks, keeps strong references, reports their failures, cancels them all at once."""

    def __init__(self, on_error: Callable[[BaseException, str], None] | None = None) -> None:
        self._tasks: set[asyncio.Task] = set()
        self._named: dict[str, asyncio.Task] = {}
        self.on_error = on_error
        self.closed = False

    def spawn(self, coro: Coroutine[Any, Any, Any], *, name: str | None = None,
              key: str | None = None) -> asyncio.Task | None:
        """Run ``coro`` as a task. With ``key``, a task still running under the same key is
        kept and ``coro`` is dropped (no duplicate work, e.g. two polls of one job)."""
        if self.closed:
            coro.close()
            return None
        if key is not None:
            running = self._named.get(key)
            if running is not None and not running.done():
                coro.close()
                return running
        task = asyncio.get_running_loop().create_task(coro, name=name or key)
        self._tasks.add(task)
        if key is not None:
            self._named[key] = task
        task.add_done_callback(lambda t, k=key: self._done(t, k))
        return task

    def running(self, key: str) -> bool:
        task = self._named.get(key)
        return task is not None and not task.done()

    def _done(self, task: asyncio.Task, key: str | None) -> None:
        self._tasks.discard(task)
        if key is not None and self._named.get(key) is task:
            del self._named[key]
        if task.cancelled():
            return
        exc = task.exception()  # retrieved, so asyncio never logs "exception was never retrieved"
        if exc is not None:
            log.error("Background task %s failed", task.get_name(), exc_info=exc)
            if self.on_error is not None:
                self.on_error(exc, task.get_name())

    def names(self) -> set[str]:
        """The names of the tasks still running (a keyed task is named by its key)."""
        return {t.get_name() for t in self._tasks if not t.done()}

    def idle(self) -> bool:
        return not self._tasks

    def __len__(self) -> int:
        return len(self._tasks)

    async def cancel_all(self) -> None:
        """Cancel every task and wait until all have finished. Later spawns are refused."""
        self.closed = True
        while self._tasks:
            tasks = list(self._tasks)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._tasks.difference_update(tasks)

    def reopen(self) -> None:
        """Accept spawns again after :meth:`cancel_all` (the runtime was replaced, not shut down)."""
        self._named = {k: t for k, t in self._named.items() if not t.done()}
        self.closed = False


def signal_future(signal: SignalInstance) -> asyncio.Future:
    """A future resolved (with the signal's arguments as a tuple) the next time ``signal`` fires."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future = loop.create_future()

    def fire(*args: Any) -> None:
        try:
            signal.disconnect(fire)
        except (RuntimeError, TypeError):
            pass
        if not future.done():
            future.set_result(args)

    signal.connect(fire)
    return future
