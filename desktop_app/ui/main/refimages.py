"""The form's reference-images area: image URLs dropped or pasted, shown as small thumbnails,
reorderable (drag inside, move buttons) and removable (Delete key, button). The first URL is the
job's main_image_url, the rest its other_image_urls."""

from __future__ import annotations

import asyncio
from typing import Awaitable, Callable

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QIcon, QImage, QImageReader, QKeySequence, QPainter, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QStyle

from desktop_app.ui.common.dropdata import DropContent, can_accept, parse_mime

URL_ROLE = Qt.ItemDataRole.UserRole
PROBLEM_ROLE = Qt.ItemDataRole.UserRole + 1
THUMB = 40


def decode_small(data: bytes, edge: int = THUMB * 2) -> QImage:
    """Decode ``data`` scaled down while decoding (runs in a worker thread; QImage only)."""
    array = QByteArray(data)
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid():
        size.scale(edge, edge, Qt.AspectRatioMode.KeepAspectRatio)
        reader.setScaledSize(size)
    image = reader.read()
    buffer.close()
    return image


def _placeholder(colour: str) -> QIcon:
    pix = QPixmap(THUMB, THUMB)
    pix.fill(QColor(colour))
    painter = QPainter(pix)
    painter.setPen(QColor("#9aa0a6"))
    painter.drawRect(0, 0, THUMB - 1, THUMB - 1)
    painter.end()
    return QIcon(pix)


class ReferenceImages(QListWidget):
    """Emits ``dropped`` with what an external drop or a paste carried; ``changed`` after any edit."""

    dropped = Signal(object)   # DropContent
    changed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("referenceImages")
        self.setAccessibleName("Reference images")
        self.setAccessibleDescription("Drop or paste product photo URLs here. The first is the main image; "
                                      "drag to reorder, Delete removes the selected one.")
        self.setIconSize(QSize(THUMB, THUMB))
        self.setAcceptDrops(True)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setUniformItemSizes(True)
        self.fetcher: Callable[[str], Awaitable[bytes]] | None = None
        self.spawn: Callable | None = None
        self._thumbs: dict[str, QIcon] = {}
        self._loading = _placeholder("#f1f3f4")
        self._broken = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self.model().rowsMoved.connect(self._moved)

    # --- content ----------------------------------------------------------------------------------

    def urls(self) -> list[str]:
        return [self.item(i).data(URL_ROLE) for i in range(self.count())]

    def problems(self) -> list[tuple[int, str]]:
        return [(i, self.item(i).data(PROBLEM_ROLE)) for i in range(self.count()) if self.item(i).data(PROBLEM_ROLE)]

    def add_urls(self, urls: list[str], problem_of: Callable[[str], str | None]) -> int:
        known = set(self.urls())
        added = 0
        for url in urls:
            if url in known:
                continue
            known.add(url)
            item = QListWidgetItem(self._thumbs.get(url, self._loading), url)
            item.setData(URL_ROLE, url)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsDropEnabled)
            self.addItem(item)
            self.set_problem(self.count() - 1, problem_of(url))
            added += 1
            self._request_thumb(url)
        if added:
            self._relabel()
            self.changed.emit()
        return added

    def set_problem(self, row: int, problem: str | None) -> None:
        item = self.item(row)
        item.setData(PROBLEM_ROLE, problem)
        item.setForeground(QBrush(QColor("#b3261e")) if problem else QBrush())
        if problem:
            item.setIcon(self._broken)
        else:
            item.setIcon(self._thumbs.get(item.data(URL_ROLE), self._loading))
        self._relabel()

    def clear_urls(self) -> None:
        if self.count():
            self.clear()
            self.changed.emit()

    def remove_selected(self) -> None:
        row = self.currentRow()
        if row >= 0:
            self.takeItem(row)
            self._relabel()
            self.changed.emit()

    def move_selected(self, delta: int) -> None:
        row = self.currentRow()
        target = row + delta
        if row < 0 or not 0 <= target < self.count():
            return
        item = self.takeItem(row)
        self.insertItem(target, item)
        self.setCurrentRow(target)
        self._relabel()
        self.changed.emit()

    def _moved(self, *args) -> None:
        self._relabel()
        self.changed.emit()

    def _relabel(self) -> None:
        for i in range(self.count()):
            item = self.item(i)
            url, problem = item.data(URL_ROLE), item.data(PROBLEM_ROLE)
            role = "Main" if i == 0 else f"Other {i}"
            item.setText(f"{role}: {url}")
            item.setToolTip(f"{role} image\n{url}" + (f"\n⚠ {problem}" if problem else ""))
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{role} image {url}" + (f", problem: {problem}" if problem else ""))

    # --- thumbnails ---------------------------------------------------------------------------------

    def _request_thumb(self, url: str) -> None:
        if url in self._thumbs or self.fetcher is None or self.spawn is None:
            return
        self.spawn(self._load_thumb(url), key=f"refthumb:{url}")

    async def _load_thumb(self, url: str) -> None:
        try:
            data = await self.fetcher(url)  # type: ignore[misc]
            image = await asyncio.to_thread(decode_small, data)
        except Exception:  # a thumbnail is a courtesy: failures only leave the placeholder
            return
        if image.isNull():
            return
        icon = QIcon(QPixmap.fromImage(image))
        self._thumbs[url] = icon
        for i in range(self.count()):
            item = self.item(i)
            if item.data(URL_ROLE) == url and not item.data(PROBLEM_ROLE):
                item.setIcon(icon)

    # --- drag, drop and paste ----------------------------------------------------------------------------

    def _external(self, event) -> bool:
        return event.source() is not self

    def dragEnterEvent(self, event) -> None:
        if not self._external(event):
            super().dragEnterEvent(event)
        elif can_accept(event.mimeData()):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if not self._external(event):
            super().dragMoveEvent(event)
        else:
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()

    def dropEvent(self, event) -> None:
        if not self._external(event):
            super().dropEvent(event)
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.dropped.emit(parse_mime(event.mimeData()))

    def paste(self) -> None:
        mime = QGuiApplication.clipboard().mimeData()
        self.dropped.emit(parse_mime(mime) if mime is not None else DropContent())

    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste()
        elif event.matches(QKeySequence.StandardKey.Delete) or event.key() == Qt.Key.Key_Backspace:
            self.remove_selected()
        elif event.modifiers() & Qt.KeyboardModifier.AltModifier and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.move_selected(-1 if event.key() == Qt.Key.Key_Up else 1)
        else:
            super().keyPressEvent(event)
