"""The window on a data dir it cannot use: a dialog that says why and offers to open the folder, never a crash;
an empty journal is kept aside and the window says so."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt, QUrl  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


from desktop_app.store.datadir import JOURNAL_TOO_NEW, DataDirError  # noqa: E402
from desktop_app.store.journal import Journal  # noqa: E402


def newer_journal(data_dir) -> None:
    Journal(data_dir / "journal.sqlite").close()
    db = sqlite3.connect(data_dir / "journal.sqlite")
    db.execute("PRAGMA user_version=99")
    db.close()


def shown_dialog():
    found = [w for w in QApplication.topLevelWidgets() if w.objectName() == "dataDirDialog" and w.isVisible()]
    return found[0] if found else None


def test_the_dialog_explains_and_opens_the_folder_without_blocking(tmp_path, qtbot, aloop):
    from desktop_app.ui.main.data_dir_dialog import explain_data_dir

    folder = tmp_path / "data"
    folder.mkdir()
    opened: list[QUrl] = []
    error = DataDirError(JOURNAL_TOO_NEW, "written by a newer Listing Studio", folder)
    task = aloop.create_task(explain_data_dir(error, opener=opened.append))
    qtbot.waitUntil(lambda: shown_dialog() is not None)
    dialog = shown_dialog()
    assert "newer version" in dialog.detail.text() and str(folder) in dialog.detail.text()
    assert JOURNAL_TOO_NEW in dialog.headline.text()
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert opened == [QUrl.fromLocalFile(str(folder))]
    assert dialog.isVisible() and not task.done()  # opening the folder keeps the explanation up
    qtbot.mouseClick(dialog.quit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(task.done)
    assert task.result() == 2


def test_opening_the_window_on_a_newer_journal_raises_the_data_dir_error(tmp_path, qtbot, aloop, monkeypatch):
    from desktop_app.ui.main.studio import open_studio
    from desktop_app.config import load_settings

    monkeypatch.setenv("LISTING_STUDIO_API_URL", "sandbox")
    data = tmp_path / "data"
    newer_journal(data)
    task = aloop.create_task(open_studio(load_settings(read_keyring=False)))
    qtbot.waitUntil(task.done)
    with pytest.raises(DataDirError) as caught:
        task.result()
    assert caught.value.code == JOURNAL_TOO_NEW


def test_run_gui_on_a_newer_journal_shows_the_dialog_and_exits_2(tmp_path):
    data = tmp_path / "data"
    newer_journal(data)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LISTING_STUDIO_API_URL="sandbox",
               LISTING_STUDIO_DATA_DIR=str(data), PYTHONASYNCIODEBUG="0")
    proc = subprocess.run([sys.executable, "-c", "import sys; from desktop_app.ui.main.gui import run_gui; "
                           "sys.exit(run_gui(['--smoke', '0.5']))"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith("error: JOURNAL_TOO_NEW: "), proc.stderr


def test_an_empty_journal_is_kept_aside_and_the_window_says_so(tmp_path, studio_factory):
    data = tmp_path / "data"
    data.mkdir()
    (data / "journal.sqlite").write_bytes(b"")
    studio = studio_factory()
    kept = list(data.glob("journal.sqlite.empty-*"))
    assert len(kept) == 1
    assert "kept aside" in studio.window.banner.text() and str(kept[0]) in studio.window.banner.text()


def test_a_data_dir_error_while_running_names_the_cause_and_the_job(studio, qtbot, tmp_path):
    from desktop_app.store.datadir import DISK_FULL

    async def journal_write_on_a_full_disk():
        error = DataDirError(DISK_FULL, "the disk of the data dir is full", tmp_path)
        error.job_id = "job_paid123"
        raise error

    studio.tasks.spawn(journal_write_on_a_full_disk(), name="generate")
    banner = studio.window.banner
    qtbot.waitUntil(lambda: DISK_FULL in banner.text(), timeout=3000)
    assert "job_paid123" in banner.text() and "INTERNAL_ERROR" not in banner.text()
