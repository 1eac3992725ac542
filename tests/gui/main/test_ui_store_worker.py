"""The window reaches the journal through its store worker: while another process holds the journal's write
lock, the window keeps running and says what it waits for; window code calling the journal on the GUI thread
is refused (the guard every window test runs with)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402

from desktop_app.api.pixii.models import Ad, Job  # noqa: E402
from desktop_app.ui.common.store_worker import WAITING_TEXT  # noqa: E402

HOLD_THE_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("COMMIT")
"""


def _job_with_an_image(journal, service: str) -> str:
    job = Job("job_locked", "Listing Builder", "completed", "2026-01-01T00:00:00Z",
              ads=(Ad("https://img.example/0.png"),))
    journal.add_known_job(service, job, "B0LOCKED01", "US", "amazon_listing")
    return job.id


def test_a_journal_locked_by_another_process_shows_waiting_and_never_freezes_the_window(studio, qtbot):
    journal = studio.rt.journal
    job_id = _job_with_an_image(journal, studio.settings.service)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_LOCK, str(journal.path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        ticks: list[float] = []
        timer = QTimer()
        timer.setInterval(5)
        timer.timeout.connect(lambda: ticks.append(time.monotonic()))
        timer.start()
        label = studio.window.status.store_label
        assert label.isHidden() and label.text() == WAITING_TEXT

        review = studio.service.set_review(job_id, 0, "approved")
        qtbot.waitUntil(lambda: not label.isHidden(), timeout=3000)
        seen = len(ticks)
        qtbot.waitUntil(lambda: len(ticks) >= seen + 20, timeout=3000)  # the GUI thread runs on while it waits
        assert not review.done() and journal.images(job_id)[0].review is None

        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.wait(timeout=10) == 0
        qtbot.waitUntil(review.done, timeout=5000)
        qtbot.waitUntil(label.isHidden, timeout=3000)
        timer.stop()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    review.result()
    assert journal.images(job_id)[0].review == "approved"
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert max(gaps) < 0.5, f"the window stalled {max(gaps):.3f} s"


def test_window_code_calling_the_journal_on_the_gui_thread_is_refused(studio):
    from desktop_app.ui.main.services import _job_and_images  # meant for the store worker's thread
    with pytest.raises(AssertionError, match=r"journal call on the GUI thread from services\.py:_job_and_images"):
        _job_and_images(studio.rt.journal, "job_any")


def test_polling_goes_on_while_another_process_holds_the_journal(studio_factory, qtbot):
    """The window's normal refreshes (a job polled until it finishes) write through the store worker: while a
    command-line process holds the journal's write lock, the GUI thread keeps serving its events and the window
    says what it waits for; once the lock is let go, the job's end reaches the journal."""
    from desktop_app.api.pixii.models import ListingRequest

    studio = studio_factory(LISTING_STUDIO_SANDBOX_PENDING="0.1", LISTING_STUDIO_SANDBOX_PROCESSING="0.2",
                            LISTING_STUDIO_POLL_INTERVAL="0.05")
    with qtbot.waitSignal(studio.service.submitted, timeout=5000) as submitted:
        studio.service.submit(ListingRequest("B0LOCKPOLL", "US", "amazon_main_images"))
    job_id = submitted.args[0]
    qtbot.waitUntil(lambda: studio.service.polling(job_id), timeout=3000)
    journal, label = studio.rt.journal, studio.window.status.store_label
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_LOCK, str(journal.path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        qtbot.waitUntil(lambda: not label.isHidden(), timeout=3000)   # a poll's write waits for the lock
        ticks: list[int] = []
        timer = QTimer()
        timer.setInterval(1)
        timer.timeout.connect(lambda: ticks.append(1))
        timer.start()
        qtbot.waitUntil(lambda: len(ticks) >= 5, timeout=3000)   # … and the GUI thread serves its events meanwhile
        timer.stop()
        assert label.isVisible() and label.text() == WAITING_TEXT
        assert studio.service.polling(job_id) and not journal.job(job_id).terminal
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.wait(timeout=10) == 0
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    qtbot.waitUntil(lambda: journal.job(job_id).status == "completed", timeout=5000)
    qtbot.waitUntil(label.isHidden, timeout=3000)


def test_a_core_service_calling_the_journal_on_the_gui_thread_is_refused(studio):
    """The guard covers the core services the window runs on its loop, not only window code."""
    from desktop_app.core.jobs.service import _record_job  # meant for the store worker's thread in the window
    with pytest.raises(AssertionError, match="journal call on the GUI thread from service.py:_record_job"):
        _record_job(studio.rt.journal, studio.settings.service, Job("job_any", "Listing Builder", "pending", ""))
