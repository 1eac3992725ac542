"""Batches in the window, through the real widgets on the in-process sandbox: the import dialog's
validation and plan, a run with progress, pause/resume/cancel, the daily limit, resuming an unfinished
batch, the Batch column and the expiry state of results in the job table."""

from __future__ import annotations

import os
import time
from datetime import datetime, timezone

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QPushButton  # noqa: E402


from desktop_app.core.batch.rows import parse_batch  # noqa: E402
from desktop_app.store.batches import BatchTable  # noqa: E402
from desktop_app.core.jobs.submission_limiter import Limits  # noqa: E402
from desktop_app.ui.main.jobs_model import COL_BATCH, COL_STATUS  # noqa: E402


def open_dialog(window, qtbot, text: str):
    window.batch_action.trigger()
    dialog = window.batch.dialog
    assert dialog is not None and dialog.isVisible() and not dialog.isModal()
    dialog.text_edit.setPlainText(text)
    qtbot.waitUntil(lambda: not dialog._timer.isActive() and dialog.planned, timeout=2000)
    return dialog


def start(window, qtbot, text: str):
    dialog = open_dialog(window, qtbot, text)
    assert dialog.start_button.isEnabled(), dialog.reason_label.text()
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert window.batch.runner is not None
    return window.batch.runner


def stats(studio) -> dict:
    return studio.rt.emulator.stats()


def table_rows(window) -> list[tuple[str, str]]:
    proxy = window.jobs_model
    return [(proxy.index(r, 0).data(), proxy.index(r, COL_BATCH).data()) for r in range(proxy.rowCount())]


def test_dialog_lists_invalid_rows_and_blocks_start_until_fixed(studio, qtbot, tmp_path):
    w = studio.window
    dialog = open_dialog(w, qtbot, "B0BATCH001\nB0BATCH002\nB0B@D\nB0BATCH003\n")
    assert dialog.objectName() == "batchDialog"
    problems = [dialog.rows_table.item(r, 4).text() for r in range(dialog.rows_table.rowCount())]
    assert dialog.rows_table.rowCount() == 4 and [bool(p) for p in problems] == [False, False, True, False]
    assert "INVALID_ASIN" in dialog.rows_table.item(2, 4).toolTip() and "INVALID_ASIN" not in problems[2]
    assert not dialog.start_button.isEnabled()
    assert "with a problem" in dialog.reason_label.text() and "with a problem" in dialog.start_button.toolTip()
    dialog.text_edit.setPlainText("B0BATCH001\nhttps://www.amazon.de/dp/B0BATCH002\nB0BATCH003\n")
    qtbot.waitUntil(lambda: dialog.start_button.isEnabled() and dialog.planned, timeout=2000)
    assert dialog.rows_table.rowCount() == 3 and dialog.reason_label.text() == ""
    plan = dialog.plan_label.text()
    assert plan.startswith("3 products to generate.") and "sandbox" in plan  # no credits on the sandbox
    assert [r.request.country_code for r in dialog.batch.rows] == ["US", "DE", "US"]  # the link names DE
    csv = tmp_path / "catalogue.csv"
    csv.write_text("asin,country_code,listing_type\nB0CSVROW01,FR,amazon_listing\nB0CSVROW02,,\n")
    dialog.load_file(str(csv))  # read off the GUI thread; the defaults fill the empty cells
    qtbot.waitUntil(lambda: dialog.source == "catalogue.csv", timeout=3000)
    assert not dialog.text_edit.isEnabled() and dialog.start_button.isEnabled()
    assert [(r.line, r.request.country_code) for r in dialog.batch.rows] == [(2, "FR"), (3, "US")]
    dialog.clear_file()
    assert dialog.text_edit.isEnabled() and dialog.batch.rows[0].request.asin == "B0BATCH001"
    dialog.close()


def test_a_batch_runs_to_the_end_grouped_in_the_job_table(studio, qtbot, qtmodeltester):
    w = studio.window
    w.form.asin_edit.setText("B0SINGLE01")
    qtbot.mouseClick(w.form.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.jobs_model.rowCount() == 1, timeout=3000)
    runner = start(w, qtbot, "B0BATCH001\nB0BATCH002\nB0BATCH003\n")
    with qtbot.waitSignal(w.batch.finished, timeout=10000) as done:
        pass
    result = done.args[0]
    assert result.stop_code is None and result.progress.completed == 3
    assert runner.progress().completed == 3 and w.batch.panel.bar.value() == 3 == w.batch.panel.bar.maximum()
    assert "3 completed" in w.batch.panel.progress.text() and w.batch.panel.isVisible()
    assert stats(studio)["jobs_created"] == 4 and stats(studio)["rate_limited"] == 0
    for row in result.rows:  # downloaded at once: expiry loses nothing
        images = studio.rt.journal.images(row.job_id)
        assert images and all(i.cached for i in images if i.url)
    qtbot.waitUntil(lambda: w.jobs_model.rowCount() == 4, timeout=2000)
    rows = table_rows(w)
    batch_rows = [r for r in rows if r[1]]
    assert batch_rows == [("B0BATCH001", "pasted:1"), ("B0BATCH002", "pasted:2"), ("B0BATCH003", "pasted:3")]
    first = rows.index(batch_rows[0])
    assert rows[first:first + 3] == batch_rows  # together, in file order
    assert not w.job_table.isColumnHidden(COL_BATCH)
    qtmodeltester.check(w.jobs_model)
    qtbot.keyClicks(w.job_panel.filter_edit, "pasted")  # the filter matches the batch label
    assert w.jobs_model.rowCount() == 3
    w.job_panel.filter_edit.clear()
    assert "Batch finished" in w.banner.text()


def test_pause_resume_and_cancel(studio, qtbot):
    w = studio.window
    w.batch.limits = Limits(per_minute=1, per_day=500, minute_window=0.4)  # one submission per 0.4 s
    start(w, qtbot, "\n".join(f"B0PAUSE00{i}" for i in range(1, 6)))
    qtbot.waitUntil(lambda: stats(studio)["jobs_created"] >= 1, timeout=3000)
    qtbot.mouseClick(w.findChild(QPushButton, "batchPauseButton"), Qt.MouseButton.LeftButton)
    assert w.batch.runner.paused and w.batch.panel.pause_button.text() == "Resume"
    assert "paused" in w.findChild(type(w.batch.panel.progress), "batchProgress").text()
    # the submitter has finished what was on the wire and waits for Resume: no submission can start now
    qtbot.waitUntil(w.batch.runner.held.is_set, timeout=3000)
    paused_at = stats(studio)["jobs_created"]
    assert paused_at < 5 and w.batch.runner.paused
    qtbot.mouseClick(w.batch.panel.pause_button, Qt.MouseButton.LeftButton)
    assert not w.batch.runner.paused and w.batch.panel.pause_button.text() == "Pause"
    qtbot.waitUntil(lambda: stats(studio)["jobs_created"] >= paused_at + 1, timeout=3000)
    with qtbot.waitSignal(w.batch.finished, timeout=5000) as done:
        qtbot.mouseClick(w.findChild(QPushButton, "batchCancelButton"), Qt.MouseButton.LeftButton)
    result = done.args[0]
    created = stats(studio)["jobs_created"]
    assert result.stop_code == "CANCELLED" and created < 5
    submitted = [r.job_id for r in result.rows if r.job_id]
    assert len(submitted) == created
    assert all(studio.rt.journal.job(j) is not None for j in submitted)  # still in the journal
    qtbot.waitUntil(lambda: w.jobs_model.rowCount() == created, timeout=2000)
    assert "cancelled" in w.banner.text()
    assert BatchTable(studio.rt.journal).batches(unfinished_only=True)[0].state == "cancelled"


def test_daily_limit_stops_submitting_and_says_how_many_rows_are_left(studio, qtbot):
    w = studio.window
    w.batch.limits = Limits(per_minute=10, per_day=2, minute_window=1.0)
    start(w, qtbot, "B0DAILY001\nB0DAILY002\nB0DAILY003\n")
    with qtbot.waitSignal(w.batch.finished, timeout=10000) as done:
        pass
    result = done.args[0]
    assert result.stop_code == "RATE_LIMIT_DAY_EXCEEDED" and stats(studio)["jobs_created"] == 2
    assert w.banner.isVisible() and "RATE_LIMIT_DAY_EXCEEDED" in w.banner.text() and "1 row(s) left" in w.banner.text()
    assert w.findChild(QPushButton, "batchResumeButton").isVisible()


def test_an_unfinished_batch_is_offered_for_resume(studio_factory, qtbot):
    first = studio_factory()
    batch = parse_batch("B0RESUME01\nB0RESUME02\n", country="US", listing_type="amazon_listing")
    BatchTable(first.rt.journal).add(batch.batch_id, first.settings.service, "catalogue.csv",
                                     [(row.line, row.request) for row in batch.rows])  # never ran to the end
    resuming = first.service.resume()  # as at the next start
    qtbot.waitUntil(resuming.done, timeout=3000)
    w = first.window
    qtbot.waitUntil(lambda: (b := w.findChild(QPushButton, "batchResumeButton")) is not None and b.isVisible(),
                    timeout=3000)  # the unfinished batches are read on the store worker
    button = w.findChild(QPushButton, "batchResumeButton")
    assert w.banner.isVisible() and "catalogue.csv" in w.banner.text()
    with qtbot.waitSignal(w.batch.finished, timeout=10000) as done:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert done.args[0].progress.completed == 2 and stats(first)["jobs_created"] == 2
    assert sorted(r[1] for r in table_rows(w)) == ["catalogue.csv:1", "catalogue.csv:2"]
    assert BatchTable(first.rt.journal).info(batch.batch_id).state == "finished"


def _iso(seconds_ago: float) -> str:
    return datetime.fromtimestamp(time.time() - seconds_ago, tz=timezone.utc).isoformat().replace("+00:00", "Z")


def test_expiry_state_is_shown_without_requests(studio, qtbot):
    w = studio.window
    runner = start(w, qtbot, "B0EXPIRE01\nB0EXPIRE02\n")
    with qtbot.waitSignal(w.batch.finished, timeout=10000):
        pass
    soon, gone = (r.job_id for r in runner.rows)
    journal = studio.rt.journal
    reads = []
    for job_id, age in ((soon, 6.5 * 86400), (gone, 8 * 86400)):  # not cached, completed long ago
        journal.write([("UPDATE jobs SET created_at=?, completed_at=? WHERE job_id=?",
                         (_iso(age + 120), _iso(age), job_id)),
                        ("UPDATE images SET cache_path=NULL WHERE job_id=?", (job_id,))])
        reads.append(w.jobs_model.update_job(job_id))  # the row is re-read on the store worker
    qtbot.waitUntil(lambda: all(task.done() for task in reads), timeout=3000)
    model = w.jobs_model
    soon_text = model.index(model.row_of(soon), COL_STATUS).data()
    assert "expires soon — images not downloaded" in soon_text
    assert "deletes them in" in model.index(model.row_of(soon), 0).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(model.row_of(gone), COL_STATUS).data() == "expired"
    requests = len(stats(studio)["requests"])
    w.job_panel.select_job(gone)  # showing an expired job asks the service for nothing: no download for it
    qtbot.waitUntil(lambda: not any(name.startswith("ensure-images") for name in studio.tasks.names()), timeout=3000)
    assert w.gallery_model.job_id == gone and not any(gone in name for name in studio.tasks.names())
    assert len(stats(studio)["requests"]) == requests
