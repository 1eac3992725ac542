"""Quitting the window while a job is being submitted: it asks first (Cancel by default); on Quit no further
job is submitted and the submission on the wire is finished, its job kept in the journal."""

from __future__ import annotations

import asyncio
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402
from support.ui import run_in_window  # noqa: E402


POST_PATH = "/v1/api/listing_builder"


def _answer(qtbot, window, button):
    qtbot.waitUntil(lambda: window.quit_question is not None and window.quit_question.isVisible(), timeout=3000)
    question = window.quit_question
    assert question.defaultButton() is question.button(QMessageBox.StandardButton.Cancel)
    qtbot.mouseClick(question.button(button), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.quit_question is None, timeout=3000)


def test_quitting_while_a_job_is_sent_asks_then_finishes_the_submission(studio_factory, qtbot, aloop):
    studio = studio_factory()
    emu = studio.rt.emulator
    emu.add_fault("stall", path_prefix=POST_PATH, method="POST", seconds=30)
    studio.window.form.asin_edit.setText("B0QUIT0001")
    qtbot.mouseClick(studio.window.form.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: emu.stalled == 1 and studio.rt.jobs.sending, timeout=5000)

    studio.window.close()
    _answer(qtbot, studio.window, QMessageBox.StandardButton.Cancel)
    assert not studio.quit_requested.is_set() and studio.rt.jobs.sending  # still running

    studio.window.close()
    _answer(qtbot, studio.window, QMessageBox.StandardButton.Yes)
    assert studio.quit_requested.is_set()

    async def release_once_stopped():  # the service answers only after the window has stopped submitting
        while not studio.rt.jobs.submitter.stopped:
            await asyncio.sleep(0.01)
        emu.release_stalls()

    aloop.create_task(release_once_stopped())
    journal_path = studio.settings.journal_path
    run_in_window(qtbot, aloop, studio.aclose(), timeout=10000)
    assert not studio.window.isVisible()
    assert emu.stats()["jobs_created"] == 1
    from desktop_app.store.journal import Journal
    journal = Journal(journal_path)
    ((state, job_id),) = journal.read("SELECT state, job_id FROM intents")
    assert state == "accepted" and journal.job(job_id) is not None


def test_quitting_with_nothing_being_sent_does_not_ask(studio_factory, qtbot, aloop):
    studio = studio_factory()
    studio.window.close()
    assert studio.quit_requested.is_set() and studio.window.quit_question is None


def test_the_window_at_start_settles_only_submissions_whose_process_has_ended(studio_factory, qtbot, aloop):
    from desktop_app.api.pixii.models import ListingRequest
    from desktop_app.store.journal import Journal
    from desktop_app.core.jobs.process import ProcessIdentity
    loader = studio_factory(start=False)
    journal_path, service = loader.settings.journal_path, loader.settings.service
    run_in_window(qtbot, aloop, loader.aclose())
    journal = Journal(journal_path)
    me = ProcessIdentity.current()
    live = journal.add_intent(service, ListingRequest("B0LIVE0001", "US", "amazon_listing"), owner=me.token("cli"))
    ended = journal.add_intent(service, ListingRequest("B0GONE0001", "US", "amazon_listing"),
                               owner=me._replace(start="1").token("cli"))  # this pid, another start: ended
    journal.write([("UPDATE intents SET created_at=created_at-3600", ())])  # long past any POST's give-up time
    studio = studio_factory()
    qtbot.waitUntil(lambda: dict(journal.read("SELECT id, state FROM intents"))[ended.id] == "not_created",
                    timeout=5000)
    qtbot.waitUntil(lambda: studio.tasks.idle(), timeout=5000)
    assert dict(journal.read("SELECT id, state FROM intents"))[live.id] == "sending"
