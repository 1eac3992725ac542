"""The publish window's parts: the strip of the job's approved images (drag source) and one row per Amazon image
slot (current image on Amazon, the image assigned to it, a menu to choose one, Clear, compliance mark, issues)."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qsl, urlsplit

from PySide6.QtCore import QMimeData, QObject, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFrame, QGridLayout, QLabel, QListView, QListWidget,
                               QListWidgetItem, QPushButton, QSizePolicy, QStyle)

from desktop_app.api.answers import printable
from desktop_app.api.download import DownloadError, fetch_bytes
from desktop_app.store.journal import ImageRecord
from desktop_app.ui.common import theme
from desktop_app.ui.gallery.compliance_badge import ComplianceBadge
from desktop_app.core.publish.words import slot_name

IMAGE_MIME = "application/x-listing-studio-job-image"   # "job_id\nindex"
THUMB = 84
STRIP_THUMB = 56
KEEP = ""  # the combo's "keep what Amazon has" entry
REMOVE = "remove:"  # the combo's "remove Amazon's image" entry (PT01–PT08 and SWCH; never MAIN)


def image_key(record: ImageRecord) -> str:
    return f"{record.job_id}\n{record.index}"


def image_label(record: ImageRecord) -> str:
    """As the gallery names it, counted from 1: "1 · MAIN", "2 · PT01" ("10" past Amazon's last slot)."""
    slot = "MAIN" if record.index == 0 else f"PT{record.index:02d}" if record.index <= 8 else ""
    name = f"{record.index + 1} · {slot}" if slot else f"{record.index + 1}"
    return f"{name} · yours" if record.source == "user" else name


class ApprovedStrip(QListWidget):
    """The approved images of the job, in export order; drag one onto a slot."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("approvedStrip")
        self.setAccessibleName("Approved images of the job")
        self.setAccessibleDescription("Drag an image onto a slot, or choose it in the slot's menu.")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setMovement(QListView.Movement.Static)
        self.setIconSize(QSize(STRIP_THUMB, STRIP_THUMB))
        self.setGridSize(QSize(STRIP_THUMB + 36, STRIP_THUMB + 22))
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        self.setFixedHeight(STRIP_THUMB + 22 + bar + 2 * self.frameWidth() + 2)  # one row, and its scroll bar
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)

    def set_images(self, records: list[ImageRecord]) -> None:
        self.clear()
        for record in records:
            item = QListWidgetItem(image_label(record))
            item.setData(Qt.ItemDataRole.UserRole, image_key(record))
            item.setToolTip(f"{image_label(record)} — drag onto a slot")
            self.addItem(item)

    def set_thumbnail(self, key: str, pixmap: QPixmap) -> None:
        for row in range(self.count()):
            item = self.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == key:
                item.setIcon(pixmap)

    def mimeTypes(self) -> list[str]:
        return [IMAGE_MIME]

    def mimeData(self, items) -> QMimeData:
        mime = QMimeData()
        if items:
            mime.setData(IMAGE_MIME, items[0].data(Qt.ItemDataRole.UserRole).encode())
        return mime


def dropped_url(mime: QMimeData) -> str:
    """The first http(s) URL of a drop (links or text), or a local file as a file:// URL, else ""."""
    candidates = [u.toString() for u in mime.urls()] if mime.hasUrls() else []
    if mime.hasText():
        candidates += mime.text().split()
    return next((c.strip() for c in candidates if c.strip().lower().startswith(("https://", "http://", "file:///"))),
                "")


class SlotDropLabel(QLabel):
    """The assigned image of a slot; accepts an approved image dragged from the strip, a public image URL, or a
    photo file (which joins the job's images)."""
    dropped = Signal(str)  # image key, or the dropped URL

    def __init__(self, name: str, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAcceptDrops(True)
        self.setFixedSize(THUMB, THUMB)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasFormat(IMAGE_MIME) or dropped_url(event.mimeData()):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:
        mime = event.mimeData()
        value = bytes(mime.data(IMAGE_MIME)).decode() if mime.hasFormat(IMAGE_MIME) else dropped_url(mime)
        if not value:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.dropped.emit(value)


def _thumb_label(name: str, accessible: str) -> QLabel:
    label = QLabel(objectName=name)
    label.setAccessibleName(accessible)
    label.setFixedSize(THUMB, THUMB)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label


class SlotRow(QObject):
    """One slot's widgets, laid out in a row of the window's grid."""
    assign = Signal(str, str)  # slot, image key ("" to keep Amazon's current image, REMOVE to delete it)

    def __init__(self, slot: str, grid: QGridLayout, row: int, parent=None) -> None:
        super().__init__(parent)
        self.slot = slot
        self.name = QLabel(f"<b>{slot_name(slot)}</b>", objectName=f"slotName{slot}")
        self.name.setAccessibleName(f"Slot {slot}")
        self.current = _thumb_label(f"currentImage{slot}", f"Current {slot} image on Amazon")
        self.assigned = SlotDropLabel(f"assignedImage{slot}")
        self.assigned.setAccessibleName(f"Image to publish in {slot}")
        self.combo = QComboBox(objectName=f"slotCombo{slot}")
        self.combo.setAccessibleName(f"Image for {slot}")
        self.combo.setToolTip(f"Choose the approved image to publish in {slot}")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.clear_button = QPushButton("Clear", objectName=f"clearSlot{slot}")
        self.clear_button.setAccessibleName(f"Clear the image assigned to {slot}")
        self.clear_button.setToolTip(f"Keep Amazon's current {slot} image")
        self.badge = ComplianceBadge(f"compliance{slot}")
        self.status = QLabel(objectName=f"slotStatus{slot}", wordWrap=True)
        self.status.setAccessibleName(f"{slot} status and issues")
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.status.setMinimumWidth(220)
        for col, widget in enumerate((self.name, self.current, self.assigned, self.combo, self.clear_button,
                                      self.badge, self.status)):
            grid.addWidget(widget, row, col, Qt.AlignmentFlag.AlignVCenter)
        line = QFrame(objectName=f"slotLine{slot}")
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        grid.addWidget(line, row + 1, 0, 1, 7)
        self.assigned.dropped.connect(lambda key: self.assign.emit(self.slot, key))
        self.combo.activated.connect(lambda _i: self.assign.emit(self.slot, self.combo.currentData() or KEEP))
        self.clear_button.clicked.connect(lambda: self.assign.emit(self.slot, KEEP))
        self.set_current(None, None)
        self.set_assigned(None, None)
        theme.on_change(self, self._restyle)

    def _restyle(self) -> None:
        c = theme.colors()
        frame = f"border: 1px dashed {c['tile_border']}; border-radius: 4px; color: {c['muted']};"
        self.current.setStyleSheet(f"QLabel {{ {frame} }}")
        self.assigned.setStyleSheet(f"QLabel {{ {frame.replace('dashed', 'solid')} }}")

    # --- content ---------------------------------------------------------------------------------

    def set_choices(self, records: list[ImageRecord], key: str | None) -> None:
        self.combo.clear()
        self.combo.addItem("Keep current", KEEP)
        if self.slot != "MAIN":
            self.combo.addItem("Remove image", REMOVE)
        for record in records:
            self.combo.addItem(image_label(record), image_key(record))
        found = self.combo.findData(key or KEEP)
        self.combo.setCurrentIndex(max(found, 0))

    def set_current(self, url: str | None, pixmap: QPixmap | None, note: str = "") -> None:
        if pixmap is not None and not pixmap.isNull():
            self.current.setPixmap(pixmap.scaled(THUMB - 4, THUMB - 4, Qt.AspectRatioMode.KeepAspectRatio,
                                                 Qt.TransformationMode.SmoothTransformation))
        else:
            self.current.setPixmap(QPixmap())
            self.current.setText(note or ("empty" if not url else "loading…"))
        self.current.setToolTip(url or f"{self.slot} is empty on Amazon")

    def set_assigned(self, record: "ImageRecord | str | None", pixmap: QPixmap | None) -> None:
        self.clear_button.setEnabled(record is not None)
        if isinstance(record, str):  # a dropped public URL: Amazon fetches it as it is
            if self.combo.findData(record) < 0:
                self.combo.addItem(f"URL: {record.rsplit('/', 1)[-1][:28]}", record)
            self.combo.setCurrentIndex(self.combo.findData(record))
            self.assigned.setPixmap(QPixmap())
            self.assigned.setText("URL")
            self.assigned.setToolTip(record)
            self.badge.clear_verdict()
            self.badge.setText("not checked")
            self.badge.setStyleSheet(theme.muted_style())
            self.badge.setToolTip("The URL is fetched as Amazon will and checked when you validate or publish")
            return
        found = self.combo.findData(image_key(record) if record is not None else KEEP)
        if found >= 0:
            self.combo.setCurrentIndex(found)
        if record is None:
            self.assigned.setPixmap(QPixmap())
            self.assigned.setText("keep\ncurrent")
            self.assigned.setToolTip(f"Drop an approved image here to publish it in {self.slot}")
            self.badge.clear_verdict()
            return
        self.assigned.setToolTip(image_label(record))
        if pixmap is not None and not pixmap.isNull():
            self.assigned.setPixmap(pixmap.scaled(THUMB - 4, THUMB - 4, Qt.AspectRatioMode.KeepAspectRatio,
                                                  Qt.TransformationMode.SmoothTransformation))
        else:
            self.assigned.setPixmap(QPixmap())
            self.assigned.setText(image_label(record))

    def set_removed(self) -> None:
        """The slot's image on Amazon is to be deleted when publishing."""
        self.clear_button.setEnabled(True)
        self.combo.setCurrentIndex(max(self.combo.findData(REMOVE), 0))
        self.assigned.setPixmap(QPixmap())
        self.assigned.setText("remove\nimage")
        self.assigned.setToolTip(f"Publishing deletes the {self.slot} image on Amazon; Clear keeps it")
        self.badge.clear_verdict()

    def set_status(self, html: str, plain: str = "") -> None:
        self.status.setText(html)
        self.status.setAccessibleDescription(plain or html)


def issue_html(severity: str, code: str, message: str, attribute: str = "") -> str:
    c = theme.colors()
    colour = c["error_text"] if severity == "ERROR" else c["muted"]
    where = f" <span style='color:{c['muted']}'>({esc(attribute)})</span>" if attribute else ""
    return f"<span style='color:{colour}'><b>{esc(severity)}</b> {esc(code)}</span>: {esc(message)}{where}"


def esc(text: str) -> str:
    """Text (often from Amazon) for a rich-text label: control characters replaced, markup escaped."""
    return printable(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def decode_bytes(data: bytes, edge: int) -> QImage:
    """Decode and scale an image (worker thread: QImage only)."""
    image = QImage.fromData(data)
    if not image.isNull() and max(image.width(), image.height()) > edge:
        image = image.scaled(edge, edge, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    return image


async def fetch_image_bytes(rt, url: str) -> bytes:
    """An image Amazon serves, off the GUI thread: the in-process SP-API sandbox's image host answers its own
    URLs (in a worker thread); anything else is downloaded under the image-link rules. OSError when it cannot be
    had."""
    emulator = getattr(rt, "spapi_emulator", None)
    if emulator is not None and url.startswith(emulator.base_url + "/"):
        parts = urlsplit(url)
        answer = await asyncio.to_thread(emulator.handle, "GET", parts.path, dict(parse_qsl(parts.query)), {}, b"")
        status, body = answer.status, answer.body
    else:
        try:
            return await fetch_bytes(rt.http, url, rt.jobs.hop_rule, attempts=1, deadline=20.0)
        except DownloadError as exc:
            raise OSError(exc.message) from None
    if status != 200:
        raise OSError(f"HTTP {status}")
    return body
