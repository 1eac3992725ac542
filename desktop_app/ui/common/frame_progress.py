"""Progress told by a worker thread (one call per file), shown on the GUI thread at most once per frame.

A copy of a hundred small files tells its progress a hundred times in a fraction of a second; painting each step
would keep the GUI thread (and so the GIL the copying thread needs between its system calls) busy for longer than
the copy itself. :class:`FrameProgress` keeps only the latest value: the first is shown at once, later ones when
the frame has passed, and :meth:`FrameProgress.flush` shows the last one when the work has ended. No value is
lost: the one shown last is always the latest told.
"""

from __future__ import annotations

import asyncio
from typing import Callable

FRAME_S = 1 / 60  # one 60 Hz frame


class FrameProgress:
    """``progress(done, total)`` callable from any thread; ``show(done, total)`` runs on the loop's (GUI) thread,
    at most once per ``interval`` seconds, and once more on :meth:`flush`. Create it inside the running loop."""

    def __init__(self, show: Callable[[int, int], None], interval: float = FRAME_S) -> None:
        self._show = show
        self._loop = asyncio.get_running_loop()
        self.interval = interval
        self._latest: tuple[int, int] | None = None
        self._posted = False  # a value is told and not shown yet (set by the worker, cleared on the GUI thread)
        self._frame: asyncio.TimerHandle | None = None  # the frame after a show: later values wait for its end
        self.told = 0         # how many values the worker told
        self.shown = 0        # how many times show() ran

    def __call__(self, done: int, total: int) -> None:
        """From the worker thread: keep the value; wake the GUI thread only when nothing is pending."""
        self.told += 1
        self._latest = (done, total)  # written before _posted is read: a show that clears _posted reads it
        if not self._posted:
            self._posted = True
            self._loop.call_soon_threadsafe(self._arrived)

    def _arrived(self) -> None:
        if self._posted and self._frame is None:  # else the frame's end shows it
            self._apply()

    def _frame_ended(self) -> None:
        self._frame = None
        if self._posted:
            self._apply()

    def _apply(self) -> None:
        self._posted = False  # cleared before reading: a value told meanwhile is posted again
        if self._latest is not None:
            self.shown += 1
            self._frame = self._loop.call_later(self.interval, self._frame_ended)
            self._show(*self._latest)

    def flush(self) -> None:
        """The work has ended: show the last value now (unless shown already); nothing is shown after this."""
        if self._posted:
            self._apply()
        if self._frame is not None:
            self._frame.cancel()
            self._frame = None
