"""The window's messages: an error goes away once its cause is gone (a mistake once the form is right or the
next action starts well, a network failure once the service answers again), an error about something that
happened stays until dismissed, and no message ever hides the standing sandbox notice."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QMimeData, Qt  # noqa: E402
from support.ui import simulate_drop  # noqa: E402

from desktop_app.api.errors import Unreachable  # noqa: E402


def drop_words(form) -> None:
    junk = QMimeData()
    junk.setText("just some words")
    simulate_drop(form.refs, junk)


def generate(w, qtbot) -> None:
    before = w.jobs_model.rowCount()
    qtbot.mouseClick(w.form.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.jobs_model.rowCount() == before + 1, timeout=3000)


def test_a_drop_error_clears_once_the_form_is_valid_and_never_hides_the_sandbox_notice(studio, qtbot):
    w = studio.window
    banner = w.banner
    assert banner.showing_notice() and "Sandbox" in banner.text()
    drop_words(w.form)
    assert banner.code == "INVALID_IMAGE_URL" and banner.message_row.isVisible()
    line = banner.text_label.text()  # the seller's words first, the code only as the detail
    assert line.startswith("⚠ That drop holds no image URL") and line.index("INVALID_IMAGE_URL") > line.index("changed")
    assert banner.showing_notice() and banner.notice_row.isVisible()  # both: the error does not cover the notice
    assert "Sandbox" in banner.text() and "INVALID_IMAGE_URL" in banner.text()
    qtbot.keyClicks(w.form.asin_edit, "B0CX23V2Z")
    assert banner.code == "INVALID_IMAGE_URL"  # nine characters: still not a valid form
    qtbot.keyClicks(w.form.asin_edit, "K")
    assert not banner.message_row.isVisible() and banner.code == ""
    assert banner.showing_notice() and "Sandbox" in banner.text()


def test_an_input_error_clears_when_the_next_job_starts(studio, qtbot):
    w = studio.window
    qtbot.keyClicks(w.form.asin_edit, "B0CX23V2ZK")
    drop_words(w.form)
    assert w.banner.code == "INVALID_IMAGE_URL"
    generate(w, qtbot)
    assert w.banner.code == "" and not w.banner.message_row.isVisible()
    assert w.banner.showing_notice()


def test_a_network_error_clears_when_the_service_answers_again(studio, qtbot):
    w = studio.window
    studio.service.report(Unreachable("UNREACHABLE", "the service could not be reached"), "Job J1 (still kept, retrying): ")
    assert w.banner.code == "UNREACHABLE" and w.banner.showing_notice()
    w.form.asin_edit.setText("B0CX23V2ZK")
    assert w.banner.code == "UNREACHABLE"  # typing does not make the network work again
    generate(w, qtbot)
    qtbot.waitUntil(lambda: w.banner.code == "", timeout=5000)  # the sandbox answered the poll


def test_an_error_about_what_happened_stays_until_dismissed(studio, qtbot):
    w = studio.window
    studio.service.error.emit("GENERATION_FAILED", "The job for B0OLDJOB01 failed (credits refunded).")
    qtbot.keyClicks(w.form.asin_edit, "B0CX23V2ZK")
    generate(w, qtbot)
    job = w.jobs_model.record(0).job_id
    qtbot.waitUntil(lambda: studio.rt.journal.job(job).status == "completed", timeout=5000)
    assert w.banner.code == "GENERATION_FAILED" and w.banner.showing_notice()
    qtbot.keyClick(w, Qt.Key.Key_Escape)
    assert w.banner.code == "" and not w.banner.message_row.isVisible() and w.banner.showing_notice()
    qtbot.mouseClick(w.banner.notice_row.close_button, Qt.MouseButton.LeftButton)
    assert not w.banner.isVisible()
