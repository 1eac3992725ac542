"""Moving around the main window by keyboard: F6 / Shift+F6 go to the next / previous pane (the form, the
jobs, the images), each pane remembering where its focus was; a ring in the focus colour around the
focused button, drawn over the style so that it shows in the light and the dark scheme alike. And panes that
keep their width: what a pane shows (a job's review summary) never pushes the split."""

from __future__ import annotations

from PySide6.QtCore import QObject, QRectF, Qt
from PySide6.QtGui import QKeySequence, QPainter, QPen, QShortcut
from PySide6.QtWidgets import QAbstractButton, QApplication, QFocusFrame, QWidget

from desktop_app.ui.common import theme


class PaneCycler(QObject):
    """F6 / Shift+F6 between ``panes``: (container, the widget to focus the first time) pairs."""

    def __init__(self, window, panes: list[tuple[QWidget, QWidget]]) -> None:
        super().__init__(window)
        self.panes = panes
        self.last: dict[int, QWidget] = {}
        for keys, step in (("F6", 1), ("Shift+F6", -1)):
            shortcut = QShortcut(QKeySequence(keys), window)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(lambda step=step: self.move(step))

    def current(self) -> int:
        focus = QApplication.focusWidget()
        for i, (pane, _first) in enumerate(self.panes):
            if focus is not None and (focus is pane or pane.isAncestorOf(focus)):
                return i
        return -1

    def move(self, step: int) -> None:
        here = self.current()
        if here >= 0:
            self.last[here] = QApplication.focusWidget()
        target = (here + step) % len(self.panes) if here >= 0 else (0 if step > 0 else len(self.panes) - 1)
        for _ in range(len(self.panes)):  # a hidden pane is skipped
            pane, first = self.panes[target]
            widget = self.last.get(target)
            if widget is None or not pane.isAncestorOf(widget) or not widget.isVisible() or not widget.isEnabled():
                widget = first
            if widget.isVisible() and widget.isEnabled():
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
                return
            target = (target + step) % len(self.panes)


class FocusRing(QFocusFrame):
    """A 2-px rounded ring in the theme's focus colour around the window's focused button."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.setObjectName("focusRing")
        self.window_ = window
        QApplication.instance().focusChanged.connect(self._focus_changed)

    def _focus_changed(self, _old, new) -> None:
        button = new if isinstance(new, QAbstractButton) and self.window_.isAncestorOf(new) else None
        self.setWidget(button)
        self.setVisible(button is not None)

    def paintEvent(self, _event) -> None:
        if self.widget() is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(theme.color("focus"), 2))
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 4, 4)
        painter.end()


def hold_pane_widths(splitter) -> None:
    """Fix each pane's minimum width to what its controls need now, before any job is shown: a longer text later
    (the summary of a finished job) is clipped rather than moving the split or widening the window."""
    for i in range(splitter.count()):
        pane = splitter.widget(i)
        pane.setMinimumWidth(pane.minimumSizeHint().width())


def install(window) -> None:
    from desktop_app.ui.main import narrow

    hold_pane_widths(window.splitter)
    window.narrow_layout = narrow.install(window)
    f, p, g = window.form, window.job_panel, window.gallery
    window.pane_cycler = PaneCycler(window, [(f, f.asin_edit), (p, p.table), (g, g.view)])
    window.focus_ring = FocusRing(window)
