"""The seller's whole loop on the in-process sandbox, through the real widgets: generate, watch
the job complete, review in the gallery, export the approved images."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QMimeData, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402
from support.ui import simulate_drop  # noqa: E402

from desktop_app.ui.gallery.model import REVIEW_ROLE  # noqa: E402
from desktop_app.ui.main.jobs_model import COL_STATUS, PROGRESS_ROLE  # noqa: E402


def generate(window, qtbot, asin: str, listing_type: str = "amazon_listing") -> str:
    form = window.form
    form.asin_edit.clear()
    qtbot.keyClicks(form.asin_edit, asin)
    form.type_combo.setCurrentIndex(form.type_combo.findData(listing_type))
    assert form.generate_button.isEnabled(), form.hint.text()
    before = window.jobs_model.rowCount()
    qtbot.mouseClick(form.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.jobs_model.rowCount() == before + 1, timeout=3000)
    return window.jobs_model.record(0).job_id


def wait_completed(studio, qtbot, job_id: str, timeout: int = 5000) -> None:
    qtbot.waitUntil(lambda: studio.rt.journal.job(job_id).status == "completed", timeout=timeout)
    qtbot.waitUntil(lambda: all(i.cached or i.error_code for i in studio.rt.journal.images(job_id)), timeout=timeout)


def test_generate_review_and_export(studio, qtbot, tmp_path, qtmodeltester):
    w = studio.window
    job_id = generate(w, qtbot, "B0UIFLOW01")
    row = w.jobs_model.index(0, COL_STATUS)
    assert w.jobs_model.record(0).status in ("pending", "processing", "completed")
    assert 0.0 < row.data(PROGRESS_ROLE) <= 1.0
    assert w.job_panel.current_job() == job_id  # the new job is selected
    wait_completed(studio, qtbot, job_id)
    qtbot.waitUntil(lambda: w.jobs_model.index(0, COL_STATUS).data().startswith("completed"), timeout=2000)
    assert w.jobs_model.index(0, 5).data() not in ("", "—")  # credits
    # thumbnails decoded off the GUI thread, preview shows the first image
    gallery = w.gallery_model
    count = gallery.rowCount()
    assert count == len(studio.rt.journal.images(job_id)) and count >= 2
    qtbot.waitUntil(lambda: gallery.thumbnails_ready() >= 3, timeout=5000)  # the visible ones first
    w.gallery_view.scrollToBottom()
    qtbot.waitUntil(lambda: gallery.thumbnails_ready() == count, timeout=5000)
    w.gallery_view.scrollToTop()
    qtbot.waitUntil(w.preview.has_image, timeout=3000)
    qtmodeltester.check(gallery)
    qtmodeltester.check(w.jobs_model)
    # review with the keyboard: A, A, R (each moves on to the next image)
    view = w.gallery_view
    view.setFocus()
    assert view.currentIndex().row() == 0
    qtbot.keyClick(view, Qt.Key.Key_A)
    qtbot.keyClick(view, Qt.Key.Key_A)
    qtbot.keyClick(view, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: gallery.index(2).data(REVIEW_ROLE) == "rejected", timeout=3000)  # recorded, shown
    reviews = [i.review for i in studio.rt.journal.images(job_id)]
    assert reviews[:3] == ["approved", "approved", "rejected"] and set(reviews[3:]) <= {None}
    assert gallery.index(0).data(REVIEW_ROLE) == "approved"
    assert "2 approved" in w.gallery.summary.text()
    assert view.currentIndex().row() == 3
    qtbot.mouseClick(w.gallery.reject_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: studio.rt.journal.images(job_id)[3].review == "rejected", timeout=3000)
    # export through the dialog
    assert w.gallery.export_button.isEnabled()
    qtbot.mouseClick(w.gallery.export_button, Qt.MouseButton.LeftButton)
    dialog = w.export_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.naming() == "amazon"
    dest = tmp_path / "out"
    dialog.folder_edit.setText(str(dest))
    with qtbot.waitSignal(dialog.export_done, timeout=5000) as done:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert done.args == [2, 0, 0]
    names = sorted(p.name for p in dest.iterdir())
    assert [Path(n).stem for n in names] == ["B0UIFLOW01.MAIN", "B0UIFLOW01.PT01"]
    cached = {Path(i.cache_path).read_bytes() for i in studio.rt.journal.images(job_id)[:2]}
    assert {p.read_bytes() for p in dest.iterdir()} == cached
    assert dialog.open_button.isVisible() and "Wrote 2 files" in dialog.result_label.text()
    # again: the edited one → asked before replacing, "No" skips it; the untouched one holds the same bytes: exported
    (dest / names[0]).write_bytes(b"seller's edited file")
    with qtbot.waitSignal(dialog.export_done, timeout=5000) as done:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.question is not None and dialog.question.isVisible(), timeout=3000)
        dialog.question.button(QMessageBox.StandardButton.No).click()
    assert done.args == [1, 1, 0]
    assert (dest / names[0]).read_bytes() == b"seller's edited file"
    assert "skipped" in dialog.result_label.text()
    with qtbot.waitSignal(dialog.export_done, timeout=5000) as done:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.question is not None and dialog.question.isVisible(), timeout=3000)
        dialog.question.button(QMessageBox.StandardButton.Yes).click()
    assert done.args == [2, 0, 0]
    assert (dest / names[0]).read_bytes() in cached
    dialog.close()


def test_job_keys_copy_refresh_and_filter(studio, qtbot):
    w = studio.window
    first = generate(w, qtbot, "B0FILTER01")
    second = generate(w, qtbot, "B0OTHER002", "tiktok_listing")
    wait_completed(studio, qtbot, second)
    assert w.jobs_model.record(0).job_id == second  # newest first
    table = w.job_table
    table.setFocus()
    w.job_panel.select_job(first)
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == first
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert w.gallery_model.job_id == first and w.gallery_view.hasFocus() in (True, False)
    qtbot.keyClick(table, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: not studio.tasks.running(f"refresh:{first}"), timeout=3000)
    qtbot.keyClicks(w.job_panel.filter_edit, "filter")
    assert w.jobs_model.rowCount() == 1 and w.job_panel.count_label.text() == "1 of 2"
    w.job_panel.filter_edit.clear()
    assert w.jobs_model.rowCount() == 2


def test_reference_drops_are_sent_with_the_job(studio, qtbot):
    w = studio.window
    md = QMimeData()
    md.setText("https://cdn.example.com/front.jpg https://cdn.example.com/side.jpg")
    simulate_drop(w.form.refs, md)
    html = QMimeData()
    html.setHtml('<img src="https://cdn.example.com/back.png">')
    simulate_drop(w.form.refs, html)
    job_id = generate(w, qtbot, "B0REFSENT1")
    record = studio.rt.journal.job(job_id)
    assert record.main_image_url == "https://cdn.example.com/front.jpg"
    assert record.other_image_urls == ("https://cdn.example.com/side.jpg", "https://cdn.example.com/back.png")


def test_failed_job_shows_code_in_row_and_banner(studio, qtbot):
    w = studio.window
    job_id = generate(w, qtbot, "B0FAIL0001")
    qtbot.waitUntil(lambda: studio.rt.journal.job(job_id).status == "failed", timeout=5000)
    qtbot.waitUntil(lambda: "GENERATION_FAILED" in w.jobs_model.index(0, COL_STATUS).data(), timeout=2000)
    # the poll lets the job's lease go (through the store worker) before it says so in the banner
    qtbot.waitUntil(lambda: w.banner.isVisible() and "GENERATION_FAILED" in w.banner.text(), timeout=2000)
    assert w.gallery_model.rowCount() == 0 and not w.gallery.export_button.isEnabled()


def test_partial_job_shows_error_tiles(studio, qtbot):
    w = studio.window
    job_id = generate(w, qtbot, "B0PART0001")
    wait_completed(studio, qtbot, job_id)
    codes = [i.error_code for i in studio.rt.journal.images(job_id)]
    assert "IMAGE_GENERATION_ERROR" in codes
    row = codes.index("IMAGE_GENERATION_ERROR")
    w.gallery_view.setCurrentIndex(w.gallery_model.index(row))
    assert "IMAGE_GENERATION_ERROR" in w.preview.message()
    assert not w.gallery.approve_button.isEnabled()
    qtbot.keyClick(w.gallery_view, Qt.Key.Key_A)
    assert studio.rt.journal.images(job_id)[row].review is None


def test_export_folder_picker_bad_folder_and_context_menu(studio, qtbot, tmp_path):
    from PySide6.QtWidgets import QFileDialog, QMenu

    w = studio.window
    job_id = generate(w, qtbot, "B0PICKER01", "shopify_listing")
    wait_completed(studio, qtbot, job_id)
    w.gallery_view.setCurrentIndex(w.gallery_model.index(0))
    qtbot.mouseClick(w.gallery.approve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: studio.rt.journal.images(job_id)[0].review == "approved", timeout=3000)
    # the job's context menu offers export
    rect = w.job_table.visualRect(w.jobs_model.index(0, 0))
    w.job_table.customContextMenuRequested.emit(rect.center())
    menu = w.job_table.findChild(QMenu)
    assert menu is not None and [a.text() for a in menu.actions()][:3] == ["Open", "Refresh", "Export approved…"]
    assert w.job_panel.export_action.isEnabled()
    menu.close()
    w.job_panel.export_action.trigger()
    dialog = w.export_dialog
    assert dialog.naming() == "index"  # the default for shopify_listing
    qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)
    picker = dialog.folder_dialog
    assert picker.isVisible() and picker.testOption(QFileDialog.Option.DontUseNativeDialog)
    target = tmp_path / "picked"
    target.mkdir()
    picker.fileSelected.emit(str(target))
    picker.reject()
    qtbot.waitUntil(lambda: not picker.isVisible())
    assert dialog.folder_edit.text() == str(target)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    dialog.folder_edit.setText(str(blocker))
    with qtbot.waitSignal(dialog.export_done, timeout=3000) as done:
        dialog.export_button.click()
    assert done.args == [0, 0, 1] and "INVALID_EXPORT_DIR" in dialog.result_label.text()
    dialog.folder_edit.setText(str(target))
    with qtbot.waitSignal(dialog.export_done, timeout=3000) as done:
        dialog.export_button.click()
    assert done.args == [1, 0, 0] and [p.stem for p in target.iterdir()] == ["B0PICKER01_01"]
    dialog.close()
