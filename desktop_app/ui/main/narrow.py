"""The main window in half a laptop screen (683 px of a 1366 px one): below ``NARROW_BELOW`` px the columns
stack — the form and the job list side by side on top, the images below with the whole width — and a few
generous minimum heights (the reference-photo list, the preview) give way, so that the ASIN field, Generate,
the thumbnails, Approve and Export all stay on screen. Wider, the usual columns come back as they were."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtWidgets import QBoxLayout

NARROW_BELOW = 940           # px of the window's width
WINDOW_MINIMUM = QSize(640, 560)
WIDE_LEFT = 440              # px of the form's column when the window turns wide for the first time
# (widget attribute path, minimum height when narrow): lists and previews that may be shorter in a narrow window
NARROW_HEIGHTS = (("form.refs", 48), ("gallery.preview", 60))


def _find(window, path: str):
    obj = window
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


class NarrowLayout(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window_ = window
        self.splitter = window.splitter
        self.left = self.splitter.widget(0)
        self.narrow: bool | None = None  # the first apply() sets everything (a restored state may be either)
        self.wide_left = WIDE_LEFT  # the form column's width in the wide arrangement, as the seller left it
        self.heights = [(_find(window, path), narrow) for path, narrow in NARROW_HEIGHTS]
        self.wide_heights = [w.minimumHeight() for w, _ in self.heights]
        window.setMinimumSize(WINDOW_MINIMUM)  # the layout's own minimum is that of the wide arrangement
        window.installEventFilter(self)
        self.splitter.splitterMoved.connect(self._moved)
        if (window.width() >= NARROW_BELOW and self.splitter.orientation() == Qt.Orientation.Horizontal
                and self.splitter.sizes()[0] > 0):
            self.wide_left = self.splitter.sizes()[0]  # e.g. restored from the preferences
        self.apply(window.width())

    def _moved(self, *_args) -> None:
        if not self.narrow:
            self.wide_left = self.splitter.sizes()[0]

    def eventFilter(self, obj, event) -> bool:
        if obj is self.window_ and event.type() == QEvent.Type.Resize:
            self.apply(event.size().width())
        return False

    def apply(self, width: int) -> None:
        narrow = width < NARROW_BELOW
        if narrow == self.narrow:
            return
        first, self.narrow = self.narrow is None, narrow
        layout = self.left.layout()
        if narrow:
            for (widget, height) in self.heights:
                widget.setMinimumHeight(height)
            layout.setDirection(QBoxLayout.Direction.LeftToRight)
            self.splitter.setOrientation(Qt.Orientation.Vertical)
            top = self.left.minimumSizeHint().height()
            self.splitter.setSizes([top, max(self.splitter.height() - top, 1)])
        else:
            for (widget, _), height in zip(self.heights, self.wide_heights):
                widget.setMinimumHeight(height)
            layout.setDirection(QBoxLayout.Direction.TopToBottom)
            self.splitter.setOrientation(Qt.Orientation.Horizontal)
            if not first:  # the form column as the seller left it, once the splitter has its new width
                QTimer.singleShot(0, self._restore_wide)

    def _restore_wide(self) -> None:
        if not self.narrow:
            total = sum(self.splitter.sizes())
            self.splitter.setSizes([self.wide_left, max(total - self.wide_left, 1)])


def install(window) -> NarrowLayout:
    return NarrowLayout(window)
