"""The window on a laptop: it opens inside the screen's available area (1366×768, 1280×720), a remembered size
or place that no longer fits is pulled in, and at 1024×600 every essential control is on screen."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QPoint, QRect  # noqa: E402
from PySide6.QtWidgets import QWidget  # noqa: E402

from desktop_app.ui.main.window_fit import fit_to_screen  # noqa: E402

ESSENTIAL = ("asinEdit", "generateButton", "jobTable", "gallery", "approveButton", "rejectButton", "exportButton")


def frame_inside(window, area: QRect) -> bool:
    return area.contains(window.frameGeometry()) and area.contains(window.geometry())


@pytest.mark.parametrize("area", [QRect(0, 0, 1366, 768), QRect(0, 0, 1280, 720), QRect(0, 27, 1366, 741)])
def test_first_start_opens_inside_the_available_area(studio, area):
    w = studio.window
    fit_to_screen(w, area)
    assert frame_inside(w, area), (w.geometry(), area)
    assert w.height() >= area.height() - 60 and w.width() >= 1024  # uses the room it has


def test_a_remembered_geometry_from_a_bigger_screen_is_pulled_in(studio):
    w = studio.window
    laptop = QRect(0, 0, 1280, 720)
    w.setGeometry(1500, 900, 1800, 1100)  # saved on a large monitor, right of this screen
    fit_to_screen(w, laptop, remembered=True)
    assert frame_inside(w, laptop) and w.width() < 1280 and w.height() < 720
    w.setGeometry(200, 100, 1000, 560)    # fits: kept where the seller put it
    fit_to_screen(w, laptop, remembered=True)
    assert w.geometry() == QRect(200, 100, 1000, 560)


def test_at_1024_by_600_the_essential_controls_are_visible(studio, qtbot):
    w = studio.window
    minimum = w.minimumSize()  # the window's own minimum (the layout's depends on the arrangement)
    assert minimum.width() <= 1024 and minimum.height() <= 600, minimum
    w.resize(1024, 600)
    w.show()
    qtbot.waitExposed(w)
    assert (w.width(), w.height()) == (1024, 600)
    for name in ESSENTIAL:
        widget = w.findChild(QWidget, name)
        assert widget.isVisible(), name
        rect = QRect(widget.mapTo(w, QPoint(0, 0)), widget.size())
        assert w.rect().contains(rect), (name, rect)
        assert widget.width() >= 60 and widget.height() >= 20, (name, widget.size())
        assert not widget.visibleRegion().isEmpty(), name
    gallery = w.findChild(QWidget, "gallery")
    assert gallery.viewport().height() >= 200  # a full row of thumbnails
    # the tool row shortened its labels to fit, and says the long one in the tooltip
    approve = w.findChild(QWidget, "approveButton")
    assert approve.text() in ("Approve", "Approve (A)") and approve.toolTip()
