"""Async work started from a widget, done one way and only here (in the spirit of Anki's ``QueryOp``).

A widget that runs requests, keyring calls or journal reads in the background holds one :class:`WidgetOps`:

    self.ops = WidgetOps(self, studio.tasks, show=self._result, render=self._sync)

    def save(self):
        return self.ops.run("Saving the key…", lambda: self._save(key), name="settings-save-key",
                            failure="The key could not be saved")

    async def _save(self, key) -> Outcome:
        state = await self.studio.save_key(key)      # may raise: shown as "The key could not be saved: …"
        return Outcome(f"Saved {state.label}.", OK)

The rules it keeps, so that no widget writes them again:

* **One at a time.** :meth:`WidgetOps.run` refuses (returns None) while another run is busy; :attr:`WidgetOps.busy`
  is the busy text, for ``render`` to disable buttons with.
* **Busy state and result change together.** ``show(busy_text, BUSY)`` and ``render()`` when the work starts; when
  it ends, the busy state is cleared, ``show(outcome.text, outcome.tone)`` and ``render()`` are called in one go —
  never a result line beside buttons still disabled, nor enabled buttons under "Checking…".
* **Errors are shown one way.** An exception out of the work (other than cancellation) is logged and shown as
  ``"<failure>: <the error's message>"`` in the BAD tone; the widget never sees a traceback.
* **Cancelled when the widget closes.** The tasks are cancelled on the owner's ``closing`` signal (a dialog's
  ``finished`` by default); a cancelled run touches no widget. The tasks also belong to the window's
  :class:`~desktop_app.ui.common.tasks.TaskRegistry`, so quitting cancels them too.
* The work coroutine runs on the GUI thread's loop: it may touch widgets between its awaits; anything blocking
  (SQLite, keyring, files) goes through the store worker or ``asyncio.to_thread``.

:meth:`WidgetOps.spawn` runs quiet background work owned the same way (a reload when the dialog opens): no busy
state, errors shown the same way.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Coroutine

from PySide6.QtCore import QObject, SignalInstance

from desktop_app.ui.common.tasks import TaskRegistry

log = logging.getLogger(__name__)

BUSY, OK, WARN, BAD = "busy", "ok", "warn", "bad"   # tones of a result line


@dataclass(frozen=True)
class Outcome:
    """What a finished run shows: a line of text and its tone (OK, WARN or BAD)."""
    text: str
    tone: str = OK


def error_text(failure: str, exc: BaseException) -> str:
    """``failure`` followed by the error in a seller's words: its own message when it has one, else its kind."""
    message = getattr(exc, "message", None)
    if not message and isinstance(exc, OSError):
        message = exc.strerror or str(exc)
    elif not message and isinstance(exc, ValueError):
        message = str(exc)
    return f"{failure}: {message or type(exc).__name__}"


class WidgetOps(QObject):
    """The async work of one widget (see the module's docstring). ``show(text, tone)`` puts a line on the widget
    (tone BUSY, OK, WARN or BAD); ``render()`` brings the widget's enabled/disabled state up to date."""

    def __init__(self, owner: QObject, tasks: TaskRegistry, show: Callable[[str, str], None],
                 render: Callable[[], None], *, closing: SignalInstance | None = None) -> None:
        super().__init__(owner)
        self.tasks = tasks
        self.show, self.render = show, render
        self.busy = ""                        # the busy text while a run is going on
        self.closed = False                   # the owner closed: nothing is shown any more
        self._owned: set[asyncio.Task] = set()
        (closing if closing is not None else owner.finished).connect(self.cancel_all)

    def run(self, busy_text: str, work: Callable[[], Awaitable[Outcome | None]], *, name: str,
            failure: str) -> asyncio.Task | None:
        """Start ``work()`` unless a run is busy; its task (None when refused)."""
        if self.busy:
            return None
        self.busy = busy_text
        task = self._spawn(self._run(work, failure), name)
        if task is None:   # the window is shutting down
            self.busy = ""
            return None
        task.add_done_callback(self._ended)
        self.show(busy_text, BUSY)
        self.render()
        return task

    async def _run(self, work: Callable[[], Awaitable[Outcome | None]], failure: str) -> None:
        try:
            outcome = await work()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 — shown in the widget, never a crash of it
            log.warning("%s", failure, exc_info=exc)
            outcome = Outcome(error_text(failure, exc), BAD)
        self._finish(outcome)

    def _finish(self, outcome: Outcome | None) -> None:
        self.busy = ""
        if outcome is not None:
            self.show(outcome.text, outcome.tone)
        self.render()

    def _ended(self, task: asyncio.Future) -> None:
        """A run's task ended; cancelled (perhaps before it even started): idle again, and nothing shown."""
        if task.cancelled():
            self.busy = ""
            if not self.closed:   # cancelled from elsewhere (a runtime switch): the buttons work again
                self.render()

    def follow(self, busy_text: str, work: asyncio.Future, outcome: Callable[[], Outcome], *,
               failure: str) -> bool:
        """Busy while ``work`` — a task owned elsewhere, e.g. the runtime switch, which cancels the window's
        tasks — runs, then ``outcome()`` shown as :meth:`run` does; closing the widget stops following, never
        ``work``. False when a run is busy."""
        if self.busy:
            return False
        self.busy = busy_text
        self.show(busy_text, BUSY)
        self.render()

        def ended(done: asyncio.Future) -> None:
            if self.closed:
                return
            if done.cancelled():
                self._finish(None)
            elif done.exception() is not None:
                self._finish(Outcome(error_text(failure, done.exception()), BAD))
            else:
                self._finish(outcome())
        work.add_done_callback(ended)
        return True

    def spawn(self, coro: Coroutine[Any, Any, Any], *, name: str, failure: str) -> asyncio.Task | None:
        """Quiet work owned by the widget: cancelled when it closes; an error is shown as in :meth:`run`."""
        task = self._spawn(self._quiet(coro, failure), name)
        if task is None:   # the window is shutting down
            coro.close()
        else:              # cancelled before it started: ``coro`` was never awaited
            task.add_done_callback(lambda _t: coro.close())
        return task

    async def _quiet(self, coro: Coroutine[Any, Any, Any], failure: str) -> None:
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001
            log.warning("%s", failure, exc_info=exc)
            self.show(error_text(failure, exc), BAD)

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task | None:
        task = self.tasks.spawn(coro, name=name)
        if task is not None:
            self._owned.add(task)
            task.add_done_callback(self._owned.discard)
        return task

    def cancel_all(self, *_args: Any) -> None:
        """Cancel the widget's tasks (its widgets are about to go)."""
        self.closed = True
        for task in list(self._owned):
            task.cancel()
        self.busy = ""
