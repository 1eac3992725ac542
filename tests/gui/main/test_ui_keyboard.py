"""The whole loop without a mouse: type an ASIN, generate, select the job, review, approve, export —
key events only, on the in-process sandbox."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


from desktop_app.ui.main import a11y  # noqa: E402

CTRL = Qt.KeyboardModifier.ControlModifier


def focused():
    return QApplication.focusWidget()


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(focused(), key, modifier)


def activate(qtbot, window):
    window.show()
    window.activateWindow()
    window.raise_()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)


def test_tab_order_follows_the_layout(studio, qtbot):
    w = studio.window
    activate(qtbot, w)
    w.form.asin_edit.setFocus()
    seen = [focused()]
    for _ in range(len(a11y.tab_order(w)) - 1):
        press(qtbot, Qt.Key.Key_Tab)
        seen.append(focused())
    expected = [x for x in a11y.tab_order(w) if x.isEnabled() and x.focusPolicy() & Qt.FocusPolicy.TabFocus]
    assert [s.objectName() for s in seen[:len(expected)]] == [e.objectName() for e in expected]


def test_whole_loop_by_keyboard(studio, qtbot, tmp_path):
    w = studio.window
    activate(qtbot, w)
    qtbot.waitUntil(lambda: focused() is w.form.asin_edit, timeout=2000)
    qtbot.keyClicks(focused(), "b0keyb0001")
    assert w.form.asin_edit.text() == "B0KEYB0001"
    press(qtbot, Qt.Key.Key_Return, CTRL)                      # Generate
    qtbot.waitUntil(lambda: w.jobs_model.rowCount() == 1, timeout=3000)
    job_id = w.jobs_model.record(0).job_id
    qtbot.waitUntil(lambda: studio.rt.journal.job(job_id).status == "completed", timeout=5000)
    qtbot.waitUntil(lambda: all(i.cached or i.error_code for i in studio.rt.journal.images(job_id)), timeout=5000)

    press(qtbot, Qt.Key.Key_F, CTRL)                           # the jobs filter …
    assert focused() is w.job_panel.filter_edit
    press(qtbot, Qt.Key.Key_Tab)                               # … then the job table
    assert focused() is w.job_table
    press(qtbot, Qt.Key.Key_Home)
    press(qtbot, Qt.Key.Key_Return)                            # open: the gallery gets the focus
    assert w.gallery_model.job_id == job_id
    qtbot.waitUntil(lambda: focused() is w.gallery_view, timeout=2000)
    assert not w.gallery.export_button.isEnabled()             # nothing approved yet
    assert "A" in w.gallery.export_button.toolTip()

    press(qtbot, Qt.Key.Key_Home)
    press(qtbot, Qt.Key.Key_A)                                 # approve MAIN, on to PT01
    press(qtbot, Qt.Key.Key_R)                                 # reject PT01, on to PT02
    press(qtbot, Qt.Key.Key_A)                                 # approve PT02
    qtbot.waitUntil(w.gallery.export_button.isEnabled, timeout=3000)
    reviews = [i.review for i in studio.rt.journal.images(job_id)]
    assert reviews[:3] == ["approved", "rejected", "approved"]
    assert w.gallery.export_button.isEnabled()

    press(qtbot, Qt.Key.Key_Tab)                               # gallery → Approve → … → Export: Space
    while focused() is not w.gallery.export_button:
        assert focused() in a11y.tab_order(w), focused()
        press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: w.export_dialog is not None and w.export_dialog.isVisible(), timeout=2000)
    dialog = w.export_dialog
    qtbot.waitUntil(lambda: focused() is dialog.folder_edit, timeout=2000)
    dest = tmp_path / "keyboard export"
    press(qtbot, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(focused(), str(dest))
    with qtbot.waitSignal(dialog.export_done, timeout=5000) as done:
        press(qtbot, Qt.Key.Key_Return)                        # the default button: Export
    assert done.args == [2, 0, 0]
    assert sorted(p.stem for p in dest.iterdir()) == ["B0KEYB0001.MAIN", "B0KEYB0001.PT02"]
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: w.export_dialog is None, timeout=2000)
