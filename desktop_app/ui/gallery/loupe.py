"""The loupe: one image of the gallery over the whole window, to judge it before approving.

Opened by double-clicking a thumbnail or Space; Esc or Space closes it. Left / Right move through the job's images,
A / R / U approve, reject or clear the review and move on, as in the gallery. The image is decoded off the GUI
thread, at the size of the screen, in the app's image pool. Also the thumbnail's right-click menu.
"""

from __future__ import annotations

import asyncio
import os

from PySide6.QtCore import QEvent, QObject, QRect, QRectF, QSize, Qt, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QFont, QGuiApplication, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QMenu, QWidget

from desktop_app.ui.common import theme

KEYS = {Qt.Key.Key_A: "approved", Qt.Key.Key_R: "rejected", Qt.Key.Key_U: None, Qt.Key.Key_0: None}
def tile_menu(panel, row: int) -> QMenu | None:
    """A thumbnail's right-click menu: Approve, Reject, Clear review, View full size, Open file location, Copy file
    path (None when the row has no image)."""
    record = panel.model.record(row)
    if record is None:
        return None
    on_disk = panel.model.on_disk(row)
    menu = QMenu(panel)
    menu.setObjectName("tileMenu")
    for text, review, enabled in (("Approve", "approved", record.review != "approved"),
                                  ("Reject", "rejected", record.review != "rejected"),
                                  ("Clear review", None, record.review is not None)):
        menu.addAction(text, lambda r=review: panel.review(r, advance=False)).setEnabled(on_disk and enabled)
    menu.addSeparator()
    menu.addAction("View full size", panel.open_loupe).setEnabled(on_disk or bool(record.error_code))
    path = record.cache_path or ""
    menu.addAction("Open file location",
                   lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(os.path.dirname(path)))).setEnabled(on_disk)
    menu.addAction("Copy file path", lambda: QGuiApplication.clipboard().setText(path)).setEnabled(on_disk)
    return menu


MOVES = (Qt.Key.Key_Escape, Qt.Key.Key_Space, Qt.Key.Key_Left, Qt.Key.Key_Right)
KEPT = (Qt.Key.Key_Tab, Qt.Key.Key_Backtab, Qt.Key.Key_F6)  # the focus stays on the loupe while it is open
HINT = "← → move · A approve · R reject · U clear · Esc close"


class Loupe(QWidget):
    """Covers its window; follows the gallery's current image."""

    def __init__(self, panel) -> None:
        window = panel.window()
        super().__init__(window)
        self.setObjectName("loupe")
        self.setAccessibleName("Full-size view of the image")
        self.setAccessibleDescription(HINT)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.panel = panel
        self.pixmap = QPixmap()
        self.shown_path: str | None = None
        self.message = ""
        self._task: asyncio.Task | None = None
        window.installEventFilter(self)
        panel.view.selectionModel().currentChanged.connect(self._follow)
        panel.model.dataChanged.connect(self._follow)
        self.hide()

    # --- open and close -----------------------------------------------------------------------------

    def open(self) -> None:
        self.setGeometry(self.parentWidget().rect())
        self.raise_()
        self.show()
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        self._follow()

    def close_loupe(self) -> None:
        self.hide()
        self.panel.model.pool.cancel(self)
        self.panel.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(self.parentWidget().rect())
        return False

    # --- the image ------------------------------------------------------------------------------------

    def record(self):
        return self.panel.model.record(self.panel.current_row())

    def _follow(self, *_args) -> None:
        if not self.isVisible():
            return
        row = self.panel.current_row()
        record = self.panel.model.record(row)
        if record is None:
            self.close_loupe()
            return
        path = record.cache_path if self.panel.model.on_disk(row) else None
        if record.error_code:
            self._set(QPixmap(), f"{record.error_code}: {record.error_message or ''}")
        elif path is None:
            self._set(QPixmap(), "Downloading…")
        elif path != self.shown_path:
            self.shown_path = path
            self.pixmap, self.message = QPixmap(), "Loading…"
            self.panel.model.pool.cancel(self)
            if self._task is not None:
                self._task.cancel()
            self._task = self.panel.service.tasks.spawn(self._load(path), name="loupe")
        self.update()

    def _set(self, pixmap: QPixmap, message: str) -> None:
        self.shown_path = None
        self.pixmap, self.message = pixmap, message

    def screen_box(self) -> QSize:
        screen = self.screen()
        size = screen.size() if screen is not None else QSize(1920, 1080)
        return size * self.devicePixelRatioF()

    async def _load(self, path: str) -> None:
        image = await self.panel.model.pool.load(self, path, path, box=self.screen_box())
        if path != self.shown_path:
            return
        if image.isNull():
            self._set(QPixmap(), "This image could not be decoded.")
        else:
            self.pixmap, self.message = QPixmap.fromImage(image), ""
            self.pixmap.setDevicePixelRatio(self.devicePixelRatioF())
        self.update()

    # --- keys ---------------------------------------------------------------------------------------------

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and (event.key() in KEYS or event.key() in MOVES
                                                                  or event.key() in KEPT):
            event.accept()  # the loupe's keys before the window's shortcuts (Esc, Space, A / R / U)
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Escape, Qt.Key.Key_Space):
            self.close_loupe()
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            row = self.panel.current_row() + (1 if key == Qt.Key.Key_Right else -1)
            if 0 <= row < self.panel.model.rowCount():
                self.panel.view.setCurrentIndex(self.panel.model.index(row))
        elif key in KEYS and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.panel.review(KEYS[key])
        elif key in KEPT:
            pass  # F6 would move to a pane hidden under the loupe
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def focusNextPrevChild(self, _next: bool) -> bool:
        return True  # Tab would move to a widget hidden under the loupe, where Esc no longer closes it

    def mouseDoubleClickEvent(self, event) -> None:
        self.close_loupe()

    # --- painting --------------------------------------------------------------------------------------------

    def paintEvent(self, event) -> None:
        c = theme.colors()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.fillRect(self.rect(), QColor(20, 20, 20))
        bar = 36
        area = self.rect().adjusted(12, 12, -12, -bar - 8)
        if not self.pixmap.isNull():
            size = self.pixmap.deviceIndependentSize().toSize()
            if size.width() > area.width() or size.height() > area.height():
                size = size.scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(area.center())
            painter.drawPixmap(target, self.pixmap)
        if self.message:
            painter.setPen(QColor(220, 220, 220))
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message)
        record = self.record()
        if record is not None:
            row = self.panel.current_row()
            review = record.review
            caption = self.panel.model.index(row).data() or ""
            where = f"{row + 1} of {self.panel.model.rowCount()}"
            state = {"approved": "approved", "rejected": "rejected"}.get(review or "", "not reviewed")
            painter.setPen(QColor(235, 235, 235))
            bold = QFont(self.font())
            bold.setBold(True)
            painter.setFont(bold)
            line = QRect(16, self.height() - bar, self.width() - 32, bar - 8)
            painter.drawText(line, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             f"{caption} · {state} · {where}")
            painter.setFont(self.font())
            painter.setPen(QColor(170, 170, 170))
            painter.drawText(line, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, HINT)
            if review in ("approved", "rejected"):
                badge = QRectF(self.width() - 56, 16, 36, 36)
                painter.setRenderHint(QPainter.RenderHint.Antialiasing)
                painter.setPen(QPen(QColor("white"), 2))
                painter.setBrush(QColor(c["green"] if review == "approved" else c["red"]))
                painter.drawEllipse(badge)
                mark = QFont(self.font())
                mark.setBold(True)
                mark.setPixelSize(22)
                painter.setFont(mark)
                painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, "✓" if review == "approved" else "✗")
        painter.end()
