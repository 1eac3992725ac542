"""The loupe (double-click or Space: the image over the whole window; arrows move, A / R / U review and move on,
Esc or Space close) and the thumbnail's right-click menu, through real mouse and key events."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from test_ui_flow import generate, wait_completed  # noqa: E402


@pytest.fixture
def done_job(studio, qtbot):
    w = studio.window
    job_id = generate(w, qtbot, "B0LOUPE001", "amazon_listing")
    wait_completed(studio, qtbot, job_id)
    qtbot.waitUntil(lambda: w.gallery_model.rowCount() >= 3 and w.preview.has_image(), timeout=5000)
    return job_id


def reviews(studio, job_id):
    return [img.review for img in studio.rt.journal.images(job_id)]


def tile_center(w, row):
    return w.gallery_view.visualRect(w.gallery_model.index(row)).center()


def loupe_shows(w, row):
    loupe = w.gallery.loupe
    record = w.gallery_model.record(row)
    return (loupe is not None and loupe.isVisible() and w.gallery.current_row() == row
            and loupe.shown_path == record.cache_path and not loupe.pixmap.isNull())


def test_double_click_opens_the_loupe_where_arrows_move_and_keys_review(studio, qtbot, done_job):
    w = studio.window
    qtbot.mouseDClick(w.gallery_view.viewport(), Qt.MouseButton.LeftButton, pos=tile_center(w, 1))
    qtbot.waitUntil(lambda: loupe_shows(w, 1), timeout=5000)
    loupe = w.gallery.loupe
    assert loupe.geometry() == w.rect() and loupe.hasFocus()
    screen = loupe.screen().size()
    assert loupe.pixmap.width() <= screen.width() and loupe.pixmap.height() <= screen.height()

    qtbot.keyClick(loupe, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: loupe_shows(w, 2), timeout=5000)
    qtbot.keyClick(loupe, Qt.Key.Key_Left)
    qtbot.waitUntil(lambda: loupe_shows(w, 1), timeout=5000)

    qtbot.keyClick(loupe, Qt.Key.Key_A)   # approve image 2, move on to image 3
    qtbot.waitUntil(lambda: reviews(studio, done_job)[1] == "approved" and loupe_shows(w, 2), timeout=5000)
    qtbot.keyClick(loupe, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: reviews(studio, done_job)[2] == "rejected", timeout=5000)
    qtbot.keyClick(loupe, Qt.Key.Key_Left)
    qtbot.waitUntil(lambda: loupe_shows(w, 2), timeout=5000)
    qtbot.keyClick(loupe, Qt.Key.Key_U)
    qtbot.waitUntil(lambda: reviews(studio, done_job)[2] is None, timeout=5000)

    qtbot.keyClick(loupe, Qt.Key.Key_Escape)
    assert not loupe.isVisible() and w.gallery_view.hasFocus()


def test_space_opens_and_closes_the_loupe(studio, qtbot, done_job):
    w = studio.window
    w.gallery_view.setFocus()
    w.gallery_view.setCurrentIndex(w.gallery_model.index(0))
    qtbot.keyClick(w.gallery_view, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: loupe_shows(w, 0), timeout=5000)
    qtbot.keyClick(w.gallery.loupe, Qt.Key.Key_Space)
    assert not w.gallery.loupe.isVisible() and w.gallery_view.hasFocus()
    w.resize(w.width() - 40, w.height() - 30)  # a closed loupe does not follow the window


def test_tab_and_f6_keep_the_focus_on_the_open_loupe_so_esc_still_closes_it(studio, qtbot, done_job):
    w = studio.window
    w.show()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=2000)
    w.gallery_view.setFocus()
    w.gallery_view.setCurrentIndex(w.gallery_model.index(0))
    qtbot.keyClick(w.gallery_view, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: loupe_shows(w, 0), timeout=5000)
    loupe = w.gallery.loupe
    for key, modifier in ((Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier),
                          (Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier),
                          (Qt.Key.Key_F6, Qt.KeyboardModifier.NoModifier)):
        qtbot.keyClick(QApplication.focusWidget(), key, modifier)
        assert QApplication.focusWidget() is loupe and loupe.isVisible(), key
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert not loupe.isVisible() and w.gallery_view.hasFocus()


def click_menu(qtbot, menu, text):
    action = next(a for a in menu.actions() if a.text() == text)
    assert action.isEnabled()
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())


def open_menu(w, qtbot, row):
    """Click the thumbnail, then the menu key (a right-click opens the same menu at the pointer)."""
    w.gallery_view.setFocus()
    qtbot.mouseClick(w.gallery_view.viewport(), Qt.MouseButton.LeftButton, pos=tile_center(w, row))
    qtbot.keyClick(w.gallery_view, Qt.Key.Key_Menu)
    qtbot.waitUntil(lambda: w.gallery.tile_menu is not None and w.gallery.tile_menu.isVisible(), timeout=3000)
    assert w.gallery.current_row() == row
    return w.gallery.tile_menu


def test_the_thumbnail_menu_reviews_views_and_copies_the_path(studio, qtbot, done_job):
    w = studio.window
    menu = open_menu(w, qtbot, 2)
    assert [a.text() for a in menu.actions() if a.text()] == [
        "Approve", "Reject", "Clear review", "View full size", "Open file location", "Copy file path"]
    assert not next(a for a in menu.actions() if a.text() == "Clear review").isEnabled()
    click_menu(qtbot, menu, "Approve")
    qtbot.waitUntil(lambda: w.gallery_model.record(2).review == "approved", timeout=5000)
    assert reviews(studio, done_job)[2] == "approved"
    assert w.gallery.current_row() == 2  # the menu acts on the clicked image and stays there

    menu = open_menu(w, qtbot, 2)
    click_menu(qtbot, menu, "Clear review")
    qtbot.waitUntil(lambda: reviews(studio, done_job)[2] is None, timeout=5000)

    menu = open_menu(w, qtbot, 1)
    click_menu(qtbot, menu, "Copy file path")
    assert QApplication.clipboard().text() == w.gallery_model.record(1).cache_path

    menu = open_menu(w, qtbot, 0)
    click_menu(qtbot, menu, "View full size")
    qtbot.waitUntil(lambda: loupe_shows(w, 0), timeout=5000)
