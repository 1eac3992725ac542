"""The thumbnail grid of the selected job's images: tiles with review badges and error tiles, the A / R / U review
keys, Space or a double-click for the loupe, the tile's menu key, drops of the seller's own images, and repaints of only
the tiles whose marks changed. The panel around it is :mod:`desktop_app.ui.gallery.panel`."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QPainter, QRegion
from PySide6.QtWidgets import QAbstractItemView, QListView

from desktop_app.ui.common import theme
from desktop_app.ui.common.dropdata import can_accept, parse_mime
from desktop_app.ui.gallery.model import FRAME_MS, PATH_ROLE, THUMB_EDGE
from desktop_app.ui.gallery.tiles import TILE, TileDelegate


class GalleryView(QListView):
    review_key = Signal(str)      # "approved" | "rejected" | "" (clear)
    dropped = Signal(object)      # DropContent
    loupe_requested = Signal()    # Space or a double-click on a thumbnail
    menu_requested = Signal(object, object)  # (index, global position): a right-click on a thumbnail

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("gallery")
        self.setAccessibleName("Images of the selected job")
        self.setAccessibleDescription("A approves, R rejects, U clears the review; arrow keys move; Space or a "
                                      "double-click shows the image full size. "
                                      "Drop image files or image URLs here to add your own images.")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setGridSize(TILE + QSize(6, 6))
        self.setMinimumHeight(self.gridSize().height() + 2 * self.frameWidth() + 4)  # a full row of thumbnails
        self.setIconSize(QSize(THUMB_EDGE, THUMB_EDGE))
        self.setSpacing(0)
        self.setWordWrap(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.viewport().setAcceptDrops(True)  # drops arrive on the viewport
        self.setItemDelegate(TileDelegate(self))
        self._visible_timer = QTimer(self, singleShot=True, interval=20)  # after a scroll has settled a little
        self._visible_timer.timeout.connect(self._drop_hidden)
        self.verticalScrollBar().valueChanged.connect(lambda _value: self._visible_timer.start())
        self._changed_files: set[str] = set()  # images whose marks changed since the last frame
        self.frame = QTimer(self, singleShot=True, interval=FRAME_MS)
        self.frame.timeout.connect(self._repaint_changed)

    def file_changed(self, path: str) -> None:
        """Something drawn on the tiles of the image ``path`` changed (e.g. its image-rules verdict arrived): those
        tiles alone are repainted, with every other change of the same frame, in one paint."""
        self._changed_files.add(path)
        if not self.frame.isActive():
            self.frame.start()

    def _repaint_changed(self) -> None:
        changed, self._changed_files = self._changed_files, set()
        model, region = self.model(), QRegion()
        for row in self.visible_rows():
            index = model.index(row, 0)
            if index.data(PATH_ROLE) in changed:
                region += self.visualRect(index)
        if not region.isEmpty():
            self.viewport().update(region)

    placeholder = "Select a job in the list to see its images."

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self.model() is not None and self.model().rowCount() == 0 and self.placeholder:
            painter = QPainter(self.viewport())
            painter.setPen(theme.color("muted"))
            painter.drawText(self.viewport().rect().adjusted(16, 16, -16, -16),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.placeholder)
            painter.end()

    def visible_rows(self) -> range:
        """The rows whose tiles are at least partly in the viewport, as Qt paints them (tiles flow left to right,
        then down)."""
        model = self.model()
        count = model.rowCount() if model is not None else 0
        bottom = self.viewport().rect().bottom()

        def first(pred) -> int:  # the first row for which pred holds (pred is monotonic in the row)
            lo, hi = 0, count
            while lo < hi:
                mid = (lo + hi) // 2
                if pred(self.visualRect(model.index(mid, 0))):
                    hi = mid
                else:
                    lo = mid + 1
            return lo
        if not count:
            return range(0)
        return range(first(lambda r: r.bottom() >= 0), first(lambda r: r.top() > bottom))

    def _drop_hidden(self) -> None:
        if self.model() is not None:
            self.model().keep_only(self.visible_rows())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._visible_timer.start()

    def keyPressEvent(self, event) -> None:
        keys = {Qt.Key.Key_A: "approved", Qt.Key.Key_R: "rejected", Qt.Key.Key_U: "", Qt.Key.Key_0: ""}
        if event.key() in keys and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.review_key.emit(keys[event.key()])
            event.accept()
        elif self.currentIndex().isValid() and (event.key() == Qt.Key.Key_Menu or (
                event.key() == Qt.Key.Key_F10 and event.modifiers() == Qt.KeyboardModifier.ShiftModifier)):
            index = self.currentIndex()  # the menu key: the current thumbnail's menu, at the thumbnail
            self.menu_requested.emit(index, self.viewport().mapToGlobal(self.visualRect(index).center()))
            event.accept()
        elif event.key() == Qt.Key.Key_Space and not event.modifiers() and self.currentIndex().isValid():
            self.loupe_requested.emit()
            event.accept()
        else:
            super().keyPressEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:
        index = self.indexAt(event.position().toPoint())
        if index.isValid() and event.button() == Qt.MouseButton.LeftButton:
            self.setCurrentIndex(index)
            self.loupe_requested.emit()
            event.accept()
        else:
            super().mouseDoubleClickEvent(event)

    def contextMenuEvent(self, event) -> None:
        mouse = event.reason() == event.Reason.Mouse
        index = self.indexAt(event.pos()) if mouse else self.currentIndex()
        if not index.isValid():
            return
        self.setCurrentIndex(index)
        self.menu_requested.emit(index, event.globalPos() if mouse else
                                 self.viewport().mapToGlobal(self.visualRect(index).center()))
        event.accept()

    def dragEnterEvent(self, event) -> None:
        if event.source() is not self and can_accept(event.mimeData()):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()

    def dropEvent(self, event) -> None:
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.dropped.emit(parse_mime(event.mimeData()))
