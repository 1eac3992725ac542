"""Small things a seller reads: the key check's whole message, what a save really kept, the submissions left,
the window's title said once, and a left pane that keeps its width when a job finishes."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from support.ui import click_and_wait  # noqa: E402

TEST_KEY = "pk_test_settingsTestKey654321"


def open_settings(studio, qtbot):
    studio.window.settings_action.trigger()
    dialog = studio.window.settings_dialog
    qtbot.waitUntil(lambda: dialog.reload_task is None or dialog.reload_task.done(), timeout=3000)
    return dialog


def whole(label) -> bool:
    """The label shows all its lines: as tall as its text needs at its width."""
    return label.isVisible() and label.height() >= label.heightForWidth(label.width())


def test_a_failed_key_check_is_shown_whole(studio_factory, qtbot, memory_keyring):
    studio = studio_factory(LISTING_STUDIO_API_URL="http://127.0.0.1:9", LISTING_STUDIO_GIVE_UP_AFTER="0")
    dialog = open_settings(studio, qtbot)
    dialog.key_edit.clear()
    qtbot.keyClicks(dialog.key_edit, TEST_KEY)
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.ops.busy, timeout=15000)
    label = dialog.result_label
    assert dialog.last_check.code == "UNREACHABLE"
    qtbot.waitUntil(lambda: whole(label), timeout=2000)
    dialog.close()


def test_saving_amazon_settings_says_what_was_kept(studio_factory, qtbot, memory_keyring):
    studio = studio_factory(LISTING_STUDIO_SP_API_URL="sandbox", SP_API_REFRESH_TOKEN="Atzr|env-refresh-token")
    studio.window.settings_action.trigger()
    dialog = studio.window.settings_dialog
    section = dialog.amazon
    dialog.tabs.setCurrentWidget(section)
    qtbot.waitUntil(lambda: section.reload_task is None or section.reload_task.done(), timeout=3000)
    # only the seller id: nothing goes to the keyring, and the line does not claim it did
    qtbot.keyClicks(section.seller_edit, "A1SELLER2")
    click_and_wait(qtbot, section, section.save_button)
    text = section.result_label.text()
    assert text.startswith("Seller id saved in the preferences.") and "keyring" not in text
    assert memory_keyring.store == {}
    # a client id: that one, by name, is in the keyring
    qtbot.keyClicks(section.edits["client_id"], "amzn1.application-oa2-client.mine")
    click_and_wait(qtbot, section, section.save_button)
    assert section.result_label.text().startswith("Saved the LWA client id in the system keyring.")
    assert "Seller id" not in section.result_label.text()  # unchanged: not said again
    dialog.close()


def test_the_status_bar_says_how_many_submissions_are_left(studio):
    w = studio.window
    studio.rt.client.rate_limits.update_from_headers({"X-RateLimit-Limit-Minute": "10",
                                                      "X-RateLimit-Remaining-Minute": "1"})
    assert w.rate_label.text() == "1 of 10 submissions left this minute"
    studio.rt.client.rate_limits.update_from_headers({"X-RateLimit-Remaining-Minute": "9",
                                                      "X-RateLimit-Limit-Day": "100", "X-RateLimit-Remaining-Day": "95"})
    assert w.rate_label.text() == "9 of 10 submissions left this minute, 95 of 100 left today"


def test_the_window_title_names_the_application_once(studio, qapp):
    """The platform appends the application's display name to a title that does not already end with it
    (QPlatformWindow::formatWindowTitle): the title must end with it, and not say it twice."""
    from desktop_app import APP_NAME

    before = qapp.applicationDisplayName()
    qapp.setApplicationDisplayName(APP_NAME)  # as the application does at start
    try:
        title, name = studio.window.windowTitle(), qapp.applicationDisplayName()
        shown = title if title.endswith(name) else f"{title} — {name}"
        assert shown == "Sandbox — Listing Studio" and shown.count(APP_NAME) == 1
    finally:
        qapp.setApplicationDisplayName(before)


def settled(qapp) -> None:
    """Let the posted layout requests run (no waiting: the events already queued)."""
    for _ in range(3):
        qapp.processEvents()


def test_the_left_pane_keeps_its_width_when_a_job_finishes(studio, qtbot, qapp):
    w = studio.window
    w.resize(960, 720)
    w.show()
    qtbot.waitExposed(w)
    qtbot.keyClicks(w.form.asin_edit, "B0CX23V2ZK")
    qtbot.mouseClick(w.form.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.jobs_model.rowCount() == 1, timeout=3000)
    job = w.jobs_model.record(0).job_id
    qtbot.waitUntil(lambda: w.gallery_model.job_id == job, timeout=3000)
    settled(qapp)
    while_running, width = w.splitter.sizes(), w.width()
    assert studio.rt.journal.job(job).status != "completed"
    qtbot.waitUntil(lambda: studio.rt.journal.job(job).status == "completed", timeout=5000)
    qtbot.waitUntil(lambda: w.gallery_model.rowCount() > 0 and bool(w.gallery.summary.text()), timeout=5000)
    settled(qapp)
    assert w.splitter.sizes() == while_running and w.width() == width
