"""The one way a widget runs async work (desktop_app/ui/common/async_op.py): busy state and result line change together,
one run at a time, errors shown in the seller's words, nothing shown after the widget closed."""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QDialog

from desktop_app.ui.common.async_op import BAD, BUSY, OK, Outcome, WidgetOps
from desktop_app.ui.common.tasks import TaskRegistry


class Owner(QDialog):
    def __init__(self, tasks: TaskRegistry) -> None:
        super().__init__()
        self.lines: list[tuple[str, str, str]] = []   # text, tone, busy state when it was shown
        self.renders: list[str] = []                  # busy state at each render
        self.ops = WidgetOps(self, tasks, show=self._show, render=lambda: self.renders.append(self.ops.busy))

    def _show(self, text: str, tone: str) -> None:
        self.lines.append((text, tone, self.ops.busy))


def test_busy_and_result_change_together_and_one_run_at_a_time(aloop, qtbot):
    owner = Owner(TaskRegistry())
    gate = asyncio.Event()

    async def work() -> Outcome:
        await gate.wait()
        return Outcome("Saved.", OK)

    task = owner.ops.run("Saving…", work, name="save", failure="Could not save")
    assert owner.lines == [("Saving…", BUSY, "Saving…")] and owner.renders == ["Saving…"]
    assert owner.ops.run("Checking…", work, name="check", failure="Could not check") is None  # refused: busy
    gate.set()
    qtbot.waitUntil(task.done, timeout=2000)
    assert owner.lines[-1] == ("Saved.", OK, "") and owner.renders[-1] == ""   # idle when the result shows


def test_an_error_is_shown_in_one_line_and_the_widget_is_usable_again(aloop, qtbot):
    owner = Owner(TaskRegistry())

    async def work() -> Outcome:
        raise OSError(28, "No space left on device")

    task = owner.ops.run("Saving…", work, name="save", failure="The key could not be saved")
    qtbot.waitUntil(task.done, timeout=2000)
    assert owner.lines[-1] == ("The key could not be saved: No space left on device", BAD, "")
    assert owner.renders[-1] == "" and task.exception() is None


def test_closing_the_widget_cancels_its_work_and_shows_nothing_more(aloop, qtbot):
    owner = Owner(TaskRegistry())
    started = asyncio.Event()

    async def work() -> Outcome:
        started.set()
        await asyncio.Event().wait()   # a request that never answers
        return Outcome("never", OK)

    task = owner.ops.run("Checking…", work, name="check", failure="The check failed")
    qtbot.waitUntil(started.is_set, timeout=2000)
    shown = list(owner.lines)
    owner.reject()   # finished: the dialog closes
    qtbot.waitUntil(task.done, timeout=2000)
    assert task.cancelled() and owner.lines == shown and not owner.ops.busy


def test_following_work_owned_elsewhere_ends_with_its_outcome(aloop, qtbot):
    owner = Owner(TaskRegistry())
    gate = asyncio.Event()
    switch = aloop.create_task(gate.wait())   # e.g. the runtime switch, which the widget must never cancel
    assert owner.ops.follow("Switching…", switch, lambda: Outcome("Now on Live.", OK), failure="Could not switch")
    assert owner.ops.busy == "Switching…"
    gate.set()
    qtbot.waitUntil(lambda: not owner.ops.busy, timeout=2000)
    assert owner.lines[-1] == ("Now on Live.", OK, "")
