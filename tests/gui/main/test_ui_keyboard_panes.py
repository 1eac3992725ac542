"""Keyboard without traps, through real key events: Tab leaves the job table at once, F6 / Shift+F6 cycle the
panes (form, jobs, images) and return to where each pane's focus was, A / R / U act on the current image and move
on to the next, and the focused tile and button carry a ring in the focus colour."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.ui.common import theme  # noqa: E402
from test_ui_flow import generate, wait_completed  # noqa: E402
from test_ui_keyboard import activate, focused, press  # noqa: E402

SHIFT = Qt.KeyboardModifier.ShiftModifier


def completed_job(studio, qtbot, asin="B0PANES001"):
    w = studio.window
    activate(qtbot, w)
    job_id = generate(w, qtbot, asin)
    wait_completed(studio, qtbot, job_id)
    w.job_panel.select_job(job_id)
    qtbot.waitUntil(lambda: w.gallery_model.job_id == job_id and w.gallery_model.rowCount() >= 4, timeout=3000)
    return job_id


def close_to(actual: QColor, wanted: QColor, slack: int = 24) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(actual.getRgb()[:3], wanted.getRgb()[:3]))


def test_tab_never_stays_in_the_job_table(studio, qtbot):
    w = studio.window
    first = completed_job(studio, qtbot, "B0TABTRAP1")
    completed_job(studio, qtbot, "B0TABTRAP2")
    w.job_panel.select_job(first)
    w.job_table.setFocus()
    shown = w.gallery_model.job_id
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is w.gallery_view                      # one Tab: out of the table, into the images
    assert w.gallery_model.job_id == shown                  # and no other job was opened on the way
    press(qtbot, Qt.Key.Key_Tab, SHIFT)
    assert focused() is w.job_table
    press(qtbot, Qt.Key.Key_Tab, SHIFT)
    assert focused() is w.job_panel.filter_edit
    # the whole ring by Tab: the table is passed in one step, every time
    w.form.asin_edit.setFocus()
    trail = []
    for _ in range(40):
        press(qtbot, Qt.Key.Key_Tab)
        trail.append(focused())
    assert w.job_table in trail and w.gallery_view in trail
    assert not any(a is w.job_table and b is w.job_table for a, b in zip(trail, trail[1:]))


def test_f6_and_shift_f6_cycle_the_panes_and_remember_the_place(studio, qtbot):
    w = studio.window
    activate(qtbot, w)
    w.form.asin_edit.setFocus()
    press(qtbot, Qt.Key.Key_F6)
    assert focused() is w.job_table
    press(qtbot, Qt.Key.Key_F6)
    assert focused() is w.gallery_view
    press(qtbot, Qt.Key.Key_F6)
    assert focused() is w.form.asin_edit                     # round again
    press(qtbot, Qt.Key.Key_F6, SHIFT)
    assert focused() is w.gallery_view
    press(qtbot, Qt.Key.Key_F6, SHIFT)
    assert focused() is w.job_table
    w.form.type_combo.setFocus()                             # somewhere inside the form
    press(qtbot, Qt.Key.Key_F6)
    press(qtbot, Qt.Key.Key_F6, SHIFT)
    assert focused() is w.form.type_combo                    # back where it was, not the first field


def test_a_r_u_act_on_the_current_image_and_move_on(studio, qtbot):
    w = studio.window
    job_id = completed_job(studio, qtbot)
    view = w.gallery_view
    view.setFocus()
    view.setCurrentIndex(w.gallery_model.index(0))
    press(qtbot, Qt.Key.Key_A)
    assert view.currentIndex().row() == 1
    press(qtbot, Qt.Key.Key_R)
    assert view.currentIndex().row() == 2
    press(qtbot, Qt.Key.Key_A)
    assert view.currentIndex().row() == 3
    def reviews():  # written by the store worker, a moment after the key
        return [i.review for i in studio.rt.journal.images(job_id)][:4]
    qtbot.waitUntil(lambda: reviews() == ["approved", "rejected", "approved", None], timeout=3000)
    press(qtbot, Qt.Key.Key_Left)
    press(qtbot, Qt.Key.Key_U)                               # clears the third, moves to the fourth
    assert view.currentIndex().row() == 3
    qtbot.waitUntil(lambda: studio.rt.journal.images(job_id)[2].review is None, timeout=3000)
    last = w.gallery_model.rowCount() - 1
    view.setCurrentIndex(w.gallery_model.index(last))
    press(qtbot, Qt.Key.Key_A)                               # the last image: approved, and it stays there
    assert view.currentIndex().row() == last
    qtbot.waitUntil(lambda: studio.rt.journal.images(job_id)[last].review == "approved"
                    or studio.rt.journal.images(job_id)[last].error_code, timeout=3000)


def test_focused_tile_and_button_show_a_ring(studio, qtbot):
    w = studio.window
    completed_job(studio, qtbot, "B0RING0001")
    ring = theme.color("focus")
    view = w.gallery_view
    view.setCurrentIndex(w.gallery_model.index(0))
    rect = view.visualRect(w.gallery_model.index(0))
    edge = QPoint(rect.left(), rect.center().y())            # outside the tile's own frame
    w.job_table.setFocus()
    assert not close_to(view.viewport().grab().toImage().pixelColor(edge), ring)
    press(qtbot, Qt.Key.Key_Tab)                            # into the gallery
    assert focused() is view
    qtbot.waitUntil(lambda: close_to(view.viewport().grab().toImage().pixelColor(edge), ring), timeout=2000)

    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is w.gallery.approve_button
    frame = w.focus_ring
    qtbot.waitUntil(frame.isVisible, timeout=2000)
    button = w.gallery.approve_button
    assert frame.widget() is button and frame.geometry().contains(button.geometry())
    picture = frame.grab().toImage()
    assert close_to(picture.pixelColor(QPoint(1, frame.height() // 2)), ring)
    w.form.asin_edit.setFocus()                              # not a button: no ring
    QApplication.processEvents()
    assert not frame.isVisible()
