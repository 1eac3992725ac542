"""Half a laptop screen: at 683 px wide (half of 1366) the window stacks its panes — form and jobs on top, the
images below — and every essential control is on screen, unclipped; wider again, the columns come back."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint, QRect, Qt  # noqa: E402
from PySide6.QtWidgets import QWidget  # noqa: E402

ESSENTIAL = ("asinEdit", "generateButton", "jobTable", "gallery", "approveButton", "exportButton")


def settled(qapp) -> None:
    for _ in range(3):
        qapp.processEvents()


def assert_on_screen(w, names) -> None:
    for name in names:
        widget = w.findChild(QWidget, name)
        assert widget.isVisible(), name
        rect = QRect(widget.mapTo(w, QPoint(0, 0)), widget.size())
        assert w.rect().contains(rect), (name, rect)
        assert widget.visibleRegion().boundingRect() == widget.rect(), (name, widget.visibleRegion())  # unclipped


def test_half_a_1366_screen_stacks_the_panes_with_everything_reachable(studio, qtbot, qapp):
    w = studio.window
    assert w.minimumSize().width() <= 683 and w.minimumSize().height() <= 600
    w.show()
    qtbot.waitExposed(w)
    w.resize(1280, 720)
    settled(qapp)
    assert w.splitter.orientation() == Qt.Orientation.Horizontal
    wide = w.splitter.sizes()
    w.resize(683, 740)
    settled(qapp)
    assert (w.width(), w.height()) == (683, 740)
    assert w.splitter.orientation() == Qt.Orientation.Vertical
    assert w.minimumSizeHint().height() <= 740  # nothing squeezed below what it needs
    assert_on_screen(w, ESSENTIAL)
    assert w.gallery.width() >= 640  # the images get the whole width
    w.resize(1280, 720)
    settled(qapp)
    assert w.splitter.orientation() == Qt.Orientation.Horizontal and w.splitter.sizes() == wide
    assert_on_screen(w, ESSENTIAL)
