"""The gallery of the selected job: its thumbnails (:class:`~desktop_app.ui.gallery.view.GalleryView`), approve and
reject (buttons, A / R / U keys; each moves on to the next image), a large preview, the loupe and the tile's menu, the
review summary, export, and drops of the seller's own images."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QPushButton, QSizePolicy, QSplitter, QVBoxLayout, QWidget

from desktop_app.api.answers import printable
from desktop_app.ui.common import theme
from desktop_app.ui.gallery import make_compliant
from desktop_app.ui.gallery.compliance_badge import checker_for
from desktop_app.ui.gallery.loupe import Loupe, tile_menu
from desktop_app.ui.gallery.model import GalleryModel
from desktop_app.ui.gallery.preview import PreviewView
from desktop_app.ui.gallery.view import GalleryView
from desktop_app.ui.main.services import ImageSource
from desktop_app.ui.main.window_fit import ShrinkingButton


class GalleryPanel(QWidget):
    export_requested = Signal(str)

    def __init__(self, service, model: GalleryModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.model = model
        self._preview_task: asyncio.Task | None = None
        self._preview_path: str | None = None
        self.title = QLabel("<b>Images</b> — select a job", objectName="galleryTitle")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.summary = QLabel(objectName="reviewSummary")
        self.view = GalleryView(self)
        self.view.setModel(model)
        self.compliance = checker_for(service)  # pass / warning / fail marks, checked off the GUI thread
        self.view.itemDelegate().checker = self.compliance
        self.compliance.checked.connect(self.view.file_changed)
        self.preview = PreviewView(self)

        self.approve_button = self._button("Approve (A)", "approveButton", "Approve the selected image", "Approve")
        self.reject_button = self._button("Reject (R)", "rejectButton", "Reject the selected image", "Reject")
        self.clear_button = self._button("Clear (U)", "clearReviewButton", "Clear the review of the selected image",
                                         "Clear")
        self.fit_button = self._button("Fit", "fitButton", "Fit the preview to the window (F)")
        self.actual_button = self._button("100%", "actualSizeButton", "Show the image at 100 % (1)")
        for b in (self.fit_button, self.actual_button):
            b.setMaximumWidth(64)
        self.zoom_label = QLabel(objectName="zoomLabel")
        self.zoom_label.setMinimumWidth(44)
        self.info_label = QLabel(objectName="imageInfo")
        self.info_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # may shrink
        self.info_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.export_button = self._button("Export approved…", "exportButton", "Export the approved images to a folder",
                                          "Export…")
        self.compliant_action = make_compliant.install(self)

        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.summary)
        tools = QHBoxLayout()
        for w in (self.approve_button, self.reject_button, self.clear_button):
            tools.addWidget(w)
        tools.addSpacing(8)
        for w in (self.fit_button, self.actual_button, self.zoom_label):
            tools.addWidget(w)
        tools.addStretch(1)
        tools.addWidget(self.export_button)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addLayout(tools)
        lower_layout.addWidget(self.preview, 1)
        lower_layout.addWidget(self.info_label)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(lower)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 3)  # the thumbnails get the room (the loupe is Space away)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([420, 280])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.splitter, 1)

        self.approve_button.clicked.connect(lambda: self.review("approved"))
        self.reject_button.clicked.connect(lambda: self.review("rejected"))
        self.clear_button.clicked.connect(lambda: self.review(None))
        self.fit_button.clicked.connect(self.preview.fit)
        self.actual_button.clicked.connect(self.preview.actual_size)
        self.export_button.clicked.connect(lambda: self.export_requested.emit(self.model.job_id))
        self.preview.zoom_changed.connect(lambda z: self.zoom_label.setText(f"{z * 100:.0f}%" if self.preview.has_image() else ""))
        self.view.review_key.connect(lambda r: self.review(r or None))
        self.view.dropped.connect(self.add_drop)
        self.view.loupe_requested.connect(self.open_loupe)
        self.view.menu_requested.connect(self.show_tile_menu)
        self.loupe: Loupe | None = None
        self.tile_menu: QMenu | None = None
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        model.modelReset.connect(self._reset)
        model.dataChanged.connect(self._data_changed)
        model.rowsInserted.connect(self._rows_inserted)
        model.read_done.connect(self.update_state)  # e.g. where the job is published changed
        theme.on_change(self, self._restyle)
        self.update_state()

    def _restyle(self) -> None:
        c = theme.colors()
        for label in (self.summary, self.info_label):
            label.setStyleSheet(theme.muted_style())
        self.approve_button.setStyleSheet(f"QPushButton:enabled {{ color: {c['approve_text']}; font-weight: 600; }}")
        self.reject_button.setStyleSheet(f"QPushButton:enabled {{ color: {c['reject_text']}; font-weight: 600; }}")
        self.view.viewport().update()

    def _button(self, text: str, name: str, tip: str, short: str = "") -> QPushButton:
        b = ShrinkingButton(text, short, objectName=name) if short else QPushButton(text, objectName=name)
        b.setAccessibleName(tip)
        b.setToolTip(tip)
        return b

    # --- state ---------------------------------------------------------------------------------------

    def current_row(self) -> int:
        index = self.view.currentIndex()
        return index.row() if index.isValid() else -1

    def set_title(self, text: str, placeholder: str) -> None:
        self.title.setText(text)
        if placeholder != self.view.placeholder:
            self.view.placeholder = placeholder
            self.view.viewport().update()
            if self.model.rowCount() == 0:
                self._show_preview()

    def update_state(self, *_args) -> None:
        record = self.model.record(self.current_row())
        reviewable = record is not None and self.model.on_disk(self.current_row())
        info = ""
        if record is not None:
            info = self.model.index(self.current_row()).data()
            if record.width and record.height:
                info += f" · {record.width}×{record.height} {record.ext or ''}"
            if record.review:
                info += f" · {record.review}"
        self.info_label.setText(info)
        self.approve_button.setEnabled(reviewable and record.review != "approved")
        self.reject_button.setEnabled(reviewable and record.review != "rejected")
        self.clear_button.setEnabled(reviewable and record.review is not None)
        self.compliant_action.setEnabled(reviewable)
        records = self.model.records()
        approved = sum(1 for row, r in enumerate(records) if r.review == "approved" and self.model.on_disk(row))
        failed = sum(1 for r in records if r.error_code)
        self.export_button.setEnabled(approved > 0)
        self.export_button.setToolTip("Export the approved images to a folder" if approved else
                                      "Approve at least one image (A) to export it")
        if records:
            text = f"{len(records)} images · {approved} approved"
            text += f" · {failed} failed" if failed else ""
            text += self.model.published
            self.summary.setText(text + (" — approve with A to export" if not approved and failed < len(records) else ""))
        else:
            self.summary.setText("")

    def _reset(self) -> None:
        self._preview_path = None
        if self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(0))
        else:
            self._show_preview()
        self.update_state()

    def _rows_inserted(self, *_args) -> None:
        if not self.view.currentIndex().isValid() and self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(0))
        self.update_state()

    def _data_changed(self, top_left, bottom_right, roles=()) -> None:
        if roles and list(roles) == [Qt.ItemDataRole.DecorationRole]:
            return  # a thumbnail arrived: nothing else changed
        row = self.current_row()
        if top_left.row() <= row <= bottom_right.row():
            self._show_preview()
        self.update_state()

    def _current_changed(self, *_args) -> None:
        self._show_preview()
        self.update_state()

    # --- review -----------------------------------------------------------------------------------------

    def review(self, review: str | None, advance: bool = True) -> None:
        """Approve, reject or clear the current image, then move on to the next one (the review loop)."""
        row = self.current_row()
        record = self.model.record(row)
        if record is None or not self.model.on_disk(row):
            return
        # always written: the tile may not show a review the store worker has just recorded
        self.service.set_review(record.job_id, record.index, review)
        if advance and row + 1 < self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(row + 1))

    # --- the loupe and the tile's menu ---------------------------------------------------------------------

    def open_loupe(self) -> None:
        """The current image over the whole window (Esc or Space closes it)."""
        if self.model.record(self.current_row()) is None:
            return
        if self.loupe is None:
            self.loupe = Loupe(self)
        self.loupe.open()

    def show_tile_menu(self, index, where) -> None:
        """The thumbnail's menu: approve, reject, clear, view full size, open the file's folder, copy its path."""
        if self.tile_menu is not None:
            self.tile_menu.deleteLater()
        self.tile_menu = tile_menu(self, index.row())
        if self.tile_menu is not None:
            self.tile_menu.popup(where)

    # --- preview ------------------------------------------------------------------------------------------

    def _show_preview(self) -> None:
        record = self.model.record(self.current_row())
        if record is None:
            self._preview_path = None
            self.preview.show_message("No image to preview." if self.model.job_id else
                                      "Select a job, then an image, to preview it here.")
            return
        if record.error_code:
            self._preview_path = None
            self.preview.show_message(printable(f"{record.error_code}: {record.error_message or ''}"), error=True)
            return
        if not self.model.on_disk(self.current_row()):
            self._preview_path = None
            self.preview.show_message("Downloading…")
            return
        if record.cache_path == self._preview_path:
            return
        self._preview_path = record.cache_path
        self.model.pool.cancel(self)
        if self._preview_task is not None:
            self._preview_task.cancel()
        self._preview_task = self.service.tasks.spawn(self._load_preview(record.cache_path), name="preview")

    async def _load_preview(self, path: str) -> None:
        image = await self.model.pool.load(self, path, path)  # full size: the preview zooms to 100 %
        if path != self._preview_path:
            return
        if image.isNull():
            self.preview.show_message("This image could not be decoded for the preview.", error=True)
        else:
            self.preview.show_pixmap(QPixmap.fromImage(image))

    # --- the seller's own images ------------------------------------------------------------------------------

    def add_drop(self, content) -> None:
        job_id = self.model.job_id
        if not job_id:
            self.service.error.emit("NO_JOB_SELECTED", "Select a job first: dropped images are added to the selected job.")
            return
        sources = ([ImageSource("url", u) for u in content.urls] + [ImageSource("file", f) for f in content.files]
                   + [ImageSource("data", data=d) for d in content.data])
        if not sources:
            what = ", ".join(content.rejected[:3]) or "nothing usable"
            self.service.error.emit("NOT_AN_IMAGE", f"That drop holds no image file or image URL ({what}); "
                                    "nothing was changed.")
            return
        self.service.add_user_images(job_id, sources)
