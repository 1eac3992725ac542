"""Jobs the seller can act on, through the real widgets: the question before generating a product that already
has a job (No, Open existing job, Generate again), the job's menu by mouse and by keyboard (Retry, Remove from
list and back, Open export folder, Publish…), and what was done with a job's images shown in its row."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QMessageBox, QPushButton  # noqa: E402

from desktop_app.ui.main.jobs_model import COL_STATUS  # noqa: E402
from test_ui_flow import generate, wait_completed  # noqa: E402


def stats(studio) -> dict:
    return studio.rt.emulator.stats()


def click_generate(w, qtbot, asin: str) -> None:
    w.form.asin_edit.clear()
    qtbot.keyClicks(w.form.asin_edit, asin)
    qtbot.mouseClick(w.form.generate_button, Qt.MouseButton.LeftButton)


def question(w, qtbot) -> QMessageBox:
    qtbot.waitUntil(lambda: w.job_actions.question is not None and w.job_actions.question.isVisible(), timeout=2000)
    return w.job_actions.question


def answer(box: QMessageBox, qtbot, name: str) -> None:
    qtbot.mouseClick(box.findChild(QPushButton, name), Qt.MouseButton.LeftButton)


def test_generating_a_product_again_asks_first(studio, qtbot):
    w = studio.window
    first = generate(w, qtbot, "B0TWICE001")
    wait_completed(studio, qtbot, first)
    created = stats(studio)["jobs_created"]

    click_generate(w, qtbot, "B0TWICE001")  # No (the default): nothing is submitted
    box = question(w, qtbot)
    text = box.text()
    assert "B0TWICE001 in the United States as Amazon listing" in text
    assert "costs no credits" in text  # the sandbox; a live job names its price (see the next test)
    assert box.defaultButton().objectName() == "dontGenerateButton"
    answer(box, qtbot, "dontGenerateButton")
    qtbot.waitUntil(lambda: w.job_actions.question is None, timeout=1000)
    assert w.form.generate_button.isEnabled()
    assert not any(name.startswith("submit:") for name in studio.tasks.names())
    assert stats(studio)["jobs_created"] == created and w.jobs_model.rowCount() == 1

    w.gallery_model.set_job("")  # "Open existing job" selects it and shows it
    w.job_panel.table.clearSelection()
    w.job_panel.table.setCurrentIndex(w.jobs_model.index(-1, -1))
    click_generate(w, qtbot, "B0TWICE001")
    answer(question(w, qtbot), qtbot, "openExistingJobButton")
    qtbot.waitUntil(lambda: w.job_panel.current_job() == first, timeout=1000)
    assert w.gallery_model.job_id == first and stats(studio)["jobs_created"] == created

    click_generate(w, qtbot, "B0TWICE001")  # Generate again: one new submission
    answer(question(w, qtbot), qtbot, "generateAgainButton")
    qtbot.waitUntil(lambda: w.jobs_model.rowCount() == 2, timeout=3000)
    assert stats(studio)["jobs_created"] == created + 1

    click_generate(w, qtbot, "B0OTHER001")  # another product: no question
    qtbot.waitUntil(lambda: w.jobs_model.rowCount() == 3, timeout=3000)


def test_the_question_names_the_price_the_app_knows(studio, qtbot, monkeypatch):
    w = studio.window
    first = generate(w, qtbot, "B0PRICE001")
    wait_completed(studio, qtbot, first)
    qtbot.waitUntil(lambda: w.jobs_model.record(0).credit_cost is not None, timeout=3000)
    price = w.jobs_model.record(0).credit_cost
    monkeypatch.setattr(type(w.settings), "sandbox", property(lambda _s: False))
    click_generate(w, qtbot, "B0PRICE001")
    box = question(w, qtbot)
    assert f"costs {price:g} credits" in box.text()
    answer(box, qtbot, "dontGenerateButton")


def open_menu(w, qtbot, row: int = 0, keyboard: bool = False, menu_key: bool = False):
    index = w.jobs_model.index(row, 0)
    if keyboard or menu_key:
        w.job_table.setCurrentIndex(index)
        w.job_table.setFocus()
        if menu_key:
            qtbot.keyClick(w.job_table, Qt.Key.Key_Menu)
        else:
            qtbot.keyClick(w.job_table, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    else:
        w.job_table.customContextMenuRequested.emit(w.job_table.visualRect(index).center())
    qtbot.waitUntil(lambda: w.job_panel.menu is not None, timeout=1000)
    return {a.objectName() or a.text(): a for a in w.job_panel.menu.actions() if not a.isSeparator()}


def test_retry_a_failed_job_resubmits_its_request(studio, qtbot):
    w = studio.window
    failed = generate(w, qtbot, "B0FAIL0002")   # the sandbox fails this product
    qtbot.waitUntil(lambda: w.jobs_model.record(0).status == "failed", timeout=5000)
    created = stats(studio)["jobs_created"]
    actions = open_menu(w, qtbot, keyboard=True)   # Shift+F10 opens the job's menu
    assert actions["retryJobAction"].isEnabled()
    actions["retryJobAction"].trigger()   # a failed job is no duplicate: submitted at once
    qtbot.waitUntil(lambda: w.jobs_model.rowCount() == 2, timeout=3000)
    assert stats(studio)["jobs_created"] == created + 1
    retried = w.jobs_model.record(0)
    assert retried.job_id != failed
    assert (retried.asin, retried.country, retried.listing_type) == ("B0FAIL0002", "US", "amazon_listing")


def test_remove_from_list_keeps_the_job_in_the_journal(studio, qtbot):
    w = studio.window
    gone = generate(w, qtbot, "B0REMOVE01")
    kept = generate(w, qtbot, "B0REMOVE02")
    actions = open_menu(w, qtbot, row=w.jobs_model.row_of(gone))
    actions["removeJobAction"].trigger()
    assert w.jobs_model.row_of(gone) < 0 and w.jobs_model.row_of(kept) >= 0
    assert studio.rt.journal.job(gone) is not None   # still in the journal
    assert w.job_panel.count_label.text() == "1 job"
    actions = open_menu(w, qtbot)
    assert actions["showHiddenJobsAction"].text() == "Show removed jobs (1)"
    actions["showHiddenJobsAction"].trigger()
    assert w.jobs_model.row_of(gone) >= 0
    w.job_panel.select_job(gone)
    actions = open_menu(w, qtbot, row=w.job_table.currentIndex().row())
    assert actions["removeJobAction"].text() == "Put back in the list"
    actions["removeJobAction"].trigger()
    w.job_panel.show_hidden_action.setChecked(False)
    assert w.jobs_model.row_of(gone) >= 0 and w.jobs_model.rowCount() == 2


def test_done_counts_open_export_folder_and_publish(studio, qtbot, tmp_path):
    w = studio.window
    job_id = generate(w, qtbot, "B0DONE0001")
    wait_completed(studio, qtbot, job_id)
    for index in (0, 1, 2):
        qtbot.waitUntil(lambda: w.gallery_model.rowCount() > 2, timeout=3000)
        task = studio.service.set_review(job_id, index, "approved")
        qtbot.waitUntil(task.done, timeout=2000)
    qtbot.waitUntil(lambda: "3 approved" in w.jobs_model.index(0, COL_STATUS).data(), timeout=3000)
    actions = open_menu(w, qtbot)
    assert not actions["openExportFolderAction"].isEnabled() and actions["publishJobAction"].isEnabled()
    w.job_panel.menu.close()

    opened = []
    w.job_actions.open_url = lambda url: opened.append(url.toLocalFile()) or True
    w.job_actions.exported(job_id, tmp_path / "B0DONE0001")   # what the export dialog reports when done
    qtbot.waitUntil(lambda: w.jobs_model.index(0, COL_STATUS).data() == "3 approved · exported",
                    timeout=3000)
    actions = open_menu(w, qtbot, menu_key=True)   # the Menu key opens the job's menu too
    actions["openExportFolderAction"].trigger()
    assert opened == [str(tmp_path / "B0DONE0001")]
    from desktop_app.store.publishes import ACCEPTED, LIVE, SENDING, PublishStore
    publishes = PublishStore(studio.rt.journal)   # a publish of its images that Amazon now serves
    rid = publishes.begin("SELLER", "SKU-1", "ATVPDKIKX0DER", "patch", {"MAIN": None}, {"MAIN": "https://x/1.jpg"},
                          job_id=job_id)
    for state in (SENDING, ACCEPTED, LIVE):
        publishes.update(rid, state)
    w.jobs_model.update_job(job_id)
    qtbot.waitUntil(lambda: w.jobs_model.index(0, COL_STATUS).data() == "3 approved · exported · published",
                    timeout=3000)
    actions = open_menu(w, qtbot)
    actions["publishJobAction"].trigger()
    qtbot.waitUntil(lambda: w.publish_dialog is not None and w.publish_dialog.isVisible(), timeout=3000)
    assert w.publish_dialog.job_id == job_id
    w.publish_dialog.close()


def test_status_stays_readable_at_1280_by_720(studio, qtbot):
    from desktop_app.ui.main.job_panel import STATUS_MIN_WIDTH
    w = studio.window
    generate(w, qtbot, "B0NARROW01")
    w.show()
    w.resize(1280, 720)
    qtbot.waitUntil(lambda: w.width() == 1280, timeout=1000)
    table = w.job_table

    def readable() -> bool:  # once the split has settled at the new size
        rect = table.visualRect(w.jobs_model.index(0, COL_STATUS))
        return table.columnWidth(COL_STATUS) >= STATUS_MIN_WIDTH and 0 <= rect.left() and rect.right() <= table.viewport().width()
    qtbot.waitUntil(readable, timeout=2000)
