"""The window's export keeps the GUI thread out of the copy's way: the progress bar moves at most once per frame
(and ends at the total), the result names a few files and counts the rest, and no image-rules check starts while
the files are written."""

import os
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, Qt  # noqa: E402

from desktop_app.core.jobs import service as service_mod  # noqa: E402
from desktop_app.ui.gallery import compliance_badge, export_dialog  # noqa: E402
from desktop_app.ui.gallery.export_dialog import ExportDialog  # noqa: E402
from test_ui_publish import completed_job  # noqa: E402

ASIN = "B0PROGRESS"
SEVEN = tuple(range(7))  # a sandbox listing job's images, all approved


def open_export(studio, qtbot, folder):
    qtbot.mouseClick(studio.window.gallery.export_button, Qt.MouseButton.LeftButton)
    dialog = studio.window.export_dialog
    dialog.folder_edit.setText(str(folder))
    return dialog


def test_the_progress_bar_moves_once_per_frame_and_ends_at_the_total(studio, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(ExportDialog, "progress_interval", 3600.0)  # one frame outlasts the whole export
    job_id = completed_job(studio, qtbot, ASIN, approve=SEVEN)
    approved = [i for i in studio.rt.journal.images(job_id) if i.review == "approved" and i.cached]
    dialog = open_export(studio, qtbot, tmp_path / "out")
    moves = []
    dialog.progress.valueChanged.connect(moves.append)
    with qtbot.waitSignal(dialog.export_done, timeout=8000) as done:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert done.args == [len(approved), 0, 0]
    progress = dialog.export_progress
    assert progress.told == len(approved)  # the copying thread told every file…
    assert 1 <= progress.shown <= 2 and 1 <= len(moves) <= 2  # …the bar moved on the first and on the last
    assert dialog.progress.value() == dialog.progress.maximum() == len(approved) and moves[-1] == len(approved)
    dialog.close()


def test_at_the_frame_rate_the_bar_still_ends_at_the_total(studio, qtbot, tmp_path):
    job_id = completed_job(studio, qtbot, ASIN, approve=SEVEN)
    approved = [i for i in studio.rt.journal.images(job_id) if i.review == "approved" and i.cached]
    dialog = open_export(studio, qtbot, tmp_path / "out")
    with qtbot.waitSignal(dialog.export_done, timeout=8000):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.progress.value() == dialog.progress.maximum() == len(approved)
    assert dialog.export_progress.shown <= dialog.export_progress.told == len(approved)
    dialog.close()


def test_the_result_names_a_few_files_and_counts_the_rest(studio, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(export_dialog, "RESULT_SHOWN", 3)
    job_id = completed_job(studio, qtbot, ASIN, approve=SEVEN)
    out = tmp_path / "out"
    dialog = open_export(studio, qtbot, out)
    with qtbot.waitSignal(dialog.export_done, timeout=8000) as done:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert done.args == [7, 0, 0] and len(list(out.iterdir())) == 7
    lines = dialog.result_label.text().splitlines()
    assert lines[0].startswith("Wrote 7 files") and lines[-1] == "  … and 4 more written"
    assert [line.split("✓ ")[1] for line in lines[1:4]] == sorted(p.name for p in out.iterdir())[:3]
    assert studio.window.prefs.export_folder() == str(out)  # remembered once the files were written
    on_disk = lambda: QSettings(str(studio.window.prefs.path), QSettings.Format.IniFormat)  # noqa: E731
    qtbot.waitUntil(lambda: (on_disk().value(f"jobs_exported/{job_id}"), on_disk().value("export/folder"),
                             on_disk().value("export/naming_amazon_listing")) == (str(out), str(out), "amazon"),
                    timeout=5000)  # on disk too, with the job's mark, by one deferred sync
    dialog.close()
    qtbot.mouseClick(studio.window.gallery.export_button, Qt.MouseButton.LeftButton)
    assert studio.window.export_dialog.folder_edit.text() == str(out)  # the next export starts there
    studio.window.export_dialog.close()


def test_no_image_rules_check_starts_while_the_files_are_written(studio, qtbot, tmp_path, monkeypatch):
    job_id = completed_job(studio, qtbot, ASIN, approve=(0, 1))
    judged = []
    real_judge = compliance_badge.judge
    monkeypatch.setattr(compliance_badge, "judge", lambda p, *a: judged.append(p) or real_judge(p, *a))
    copying, go_on = threading.Event(), threading.Event()
    real_export = service_mod.export_images

    def held_copy(*args, **kwargs):  # the export thread, stopped before its copies until the test says so
        copying.set()
        assert go_on.wait(10)
        return real_export(*args, **kwargs)

    monkeypatch.setattr(service_mod, "export_images", held_copy)
    dialog = open_export(studio, qtbot, tmp_path / "out")
    checker = dialog.compliance.checker
    qtbot.waitUntil(lambda: checker.pending() == 0, timeout=8000)  # the dialog's own verdicts are in
    judged.clear()
    done = []
    dialog.export_done.connect(lambda *counts: done.append(counts))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(copying.is_set, timeout=5000)
    other = tmp_path / "dropped.png"  # an image asked about while the files are written
    other.write_bytes(open(studio.rt.journal.images(job_id)[0].cache_path, "rb").read())
    assert checker.verdict(str(other), "amazon", "MAIN") is None
    qtbot.waitUntil(lambda: checker.parked == 1, timeout=3000)  # its check waits for the export…
    assert judged == []
    go_on.set()
    qtbot.waitUntil(lambda: bool(done), timeout=8000)
    qtbot.waitUntil(lambda: judged == [str(other)], timeout=8000)  # …and runs once the files are written
    assert done == [(2, 0, 0)] and checker.parked == 0
    dialog.close()
