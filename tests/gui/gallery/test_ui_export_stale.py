"""The export dialog lists stale files of the same ASIN and moves them to the system trash only when asked; an
export into a folder that already holds the same bytes counts them as written."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402

from test_ui_publish import completed_job  # noqa: E402


ASIN = "B0STALEUI1"


def export_into(studio, qtbot, folder):
    w = studio.window
    qtbot.mouseClick(w.gallery.export_button, Qt.MouseButton.LeftButton)
    dialog = w.export_dialog
    dialog.folder_edit.setText(str(folder))
    done = []
    dialog.export_done.connect(lambda *counts: done.append(counts))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(done), timeout=8000)
    return dialog, done[0]


def test_stale_files_are_listed_kept_and_trashed_on_request(studio, qtbot, tmp_path, monkeypatch):
    (tmp_path / "xdg").mkdir()
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))  # the trash of this test
    job_id = completed_job(studio, qtbot, ASIN, approve=(0, 1))
    out = tmp_path / "out"
    out.mkdir()
    stale = [out / f"{ASIN}.PT05.png", out / f"{ASIN}.SWCH.jpg"]
    others = [out / "B0SOMEONE1.MAIN.jpg", out / "notes.txt"]
    for p in stale + others:
        p.write_bytes(b"earlier")

    dialog, counts = export_into(studio, qtbot, out)
    assert counts == (2, 0, 0)
    assert dialog.stale == stale
    assert dialog.stale_label.isVisible() and dialog.trash_button.isVisible()
    assert all(f"  • {p.name}" in dialog.stale_label.text().splitlines() for p in stale)  # one per line
    for label in (dialog.result_label, dialog.stale_label):  # the dialog grew to show every line
        assert label.height() >= label.heightForWidth(label.width())
    assert all(p.exists() for p in stale + others)  # listed, never deleted on its own

    qtbot.mouseClick(dialog.trash_button, Qt.MouseButton.LeftButton)
    assert not any(p.exists() for p in stale) and all(p.exists() for p in others)
    trashed = sorted(p.name for p in (tmp_path / "xdg" / "Trash" / "files").iterdir())
    assert trashed == sorted(p.name for p in stale)
    assert "Moved 2 files to the trash" in dialog.stale_label.text() and not dialog.trash_button.isVisible()
    assert dialog.close_button.hasFocus()  # Return now closes the dialog; it does not export again
    dialog.close()

    again, counts = export_into(studio, qtbot, out)  # the same bytes are there: written, not "replace?"
    assert counts == (2, 0, 0) and again.question is None and again.stale == []
    assert not again.trash_button.isVisible()
    assert studio.rt.journal.job(job_id).asin == ASIN
    again.close()
