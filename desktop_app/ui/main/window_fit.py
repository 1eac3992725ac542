"""The main window on a laptop screen: opened inside the screen's available area (a remembered size or
position that no longer fits is pulled in), buttons that shorten their labels when their row is narrow, and
word-wrapped labels that always get the height of all their lines."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QPushButton, QStyle, QStyleOptionButton

DEFAULT_SIZE = QSize(1280, 800)
# Room kept for the window manager's title bar and borders (unknown until the window is shown).
FRAME_ALLOWANCE = QSize(16, 40)


def fitted(geometry: QRect, area: QRect, minimum: QSize) -> QRect:
    """``geometry`` (the client area) shrunk and moved so that its frame lies inside ``area``."""
    room = area.size() - FRAME_ALLOWANCE
    width = max(min(geometry.width(), room.width()), min(minimum.width(), room.width()))
    height = max(min(geometry.height(), room.height()), min(minimum.height(), room.height()))
    left_edge = area.left() + FRAME_ALLOWANCE.width() // 2
    top_edge = area.top() + FRAME_ALLOWANCE.height() - FRAME_ALLOWANCE.width() // 2
    x = min(max(geometry.x(), left_edge), area.right() + 1 - FRAME_ALLOWANCE.width() // 2 - width)
    y = min(max(geometry.y(), top_edge), area.bottom() + 1 - FRAME_ALLOWANCE.width() // 2 - height)
    return QRect(max(x, area.left()), max(y, area.top()), width, height)


def centred(size: QSize, area: QRect) -> QRect:
    rect = QRect(0, 0, size.width(), size.height())
    rect.moveCenter(area.center())
    return rect


def fit_to_screen(window, area: QRect | None = None, remembered: bool = False) -> None:
    """Size and place ``window`` inside ``area`` (default: its screen's available geometry). A first start is
    centred at the default size; a remembered geometry keeps its place unless it lies outside."""
    if window.isMaximized() or window.isFullScreen():
        return
    if area is None:
        screen = window.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
    start = window.geometry() if remembered else centred(DEFAULT_SIZE, area)
    window.setGeometry(fitted(start, area, window.minimumSizeHint()))


class ShrinkingButton(QPushButton):
    """A push button that asks for room for its long label but gets by with its short one: the layout may
    shrink it down to the short label, which it then shows (the long one stays in the tooltip)."""

    def __init__(self, text: str, short: str, **kwargs) -> None:
        super().__init__(text, **kwargs)
        self.long_text, self.short_text = text, short

    def _hint(self, text: str) -> QSize:
        option = QStyleOptionButton()
        self.initStyleOption(option)
        option.text = text
        metrics = self.fontMetrics()
        content = QSize(metrics.horizontalAdvance(text), max(metrics.height(), 14))
        return self.style().sizeFromContents(QStyle.ContentsType.CT_PushButton, option, content, self)

    def sizeHint(self) -> QSize:
        return self._hint(self.long_text)

    def minimumSizeHint(self) -> QSize:
        return self._hint(self.short_text)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        wanted = self.long_text if event.size().width() >= self.sizeHint().width() else self.short_text
        if self.text() != wanted:
            self.setText(wanted)


class WrappedLabel(QLabel):
    """A word-wrapped label whose minimum height is that of all its lines at its width: a layout (a tab, a dialog
    sized before the text came) can no longer cut a long message to its first line; the window grows instead."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.setWordWrap(True)

    def setText(self, text: str) -> None:
        super().setText(text)
        self._fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        need = max(self.heightForWidth(self.width()), 0) if self.text() else 0
        if need != self.minimumHeight():
            self.setMinimumHeight(need)
