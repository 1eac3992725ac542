"""The main window: the form and the job panel on the left, the gallery and preview on the right,
the message banner on top, mode / credits / rate limits in the status bar."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QGroupBox, QLabel, QMainWindow, QSplitter, QVBoxLayout, QWidget)

from ..api.pixii import redact
from .banner import Banner
from .export_dialog import ExportDialog
from .form import SubmitForm
from .gallery import GalleryPanel
from .gallery_model import GalleryModel, ImageLoader
from .job_panel import JobPanel
from .jobs_model import JobsModel, status_text

SANDBOX_TEXT = "Sandbox — sample images, no credits used"


class MainWindow(QMainWindow):
    close_requested = Signal()

    def __init__(self, service, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.allow_close = False
        self.service = service
        self.settings = service.settings
        self.export_dialog: ExportDialog | None = None
        self.setObjectName("mainWindow")
        mode = "Sandbox" if self.settings.sandbox else "Live"
        self.setWindowTitle(f"Listing Studio — {mode}")
        self.resize(1280, 800)

        self.banner = Banner(self)
        self.form = SubmitForm(service, self)
        self.jobs_model = JobsModel(service.journal, self.settings.service, self)
        self.job_panel = JobPanel(self.jobs_model, self)
        self.loader = ImageLoader(service.tasks.spawn, parent=self)
        self.gallery_model = GalleryModel(service.journal, self.loader, self)
        self.gallery = GalleryPanel(service, self.gallery_model, self)

        # convenient handles (tests, accessibility checks)
        self.asin_edit = self.form.asin_edit
        self.generate_button = self.form.generate_button
        self.job_table = self.job_panel.table
        self.gallery_view = self.gallery.view
        self.preview = self.gallery.preview

        form_box = QGroupBox("New listing")
        form_box.setObjectName("formBox")
        box_layout = QVBoxLayout(form_box)
        box_layout.addWidget(self.form)
        left = QWidget()
        left.setMinimumWidth(540)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(form_box)
        left_layout.addWidget(self.job_panel, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.gallery)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([640, 640])
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self._build_status_bar()
        self._build_menus()

        service.job_changed.connect(self._job_changed)
        service.submitted.connect(self._submitted)
        service.error.connect(self.banner.show_error)
        service.info.connect(self.banner.show_info)
        service.credits_changed.connect(self._credits)
        service.rate_limit_changed.connect(self.rate_label.setText)
        self.job_panel.job_selected.connect(self.show_job)
        self.job_panel.open_requested.connect(self.open_job)
        self.job_panel.refresh_requested.connect(service.refresh)
        self.job_panel.export_requested.connect(self.export_job)
        self.gallery.export_requested.connect(self.export_job)
        self.job_panel.ticker.timeout.connect(self._tick)
        self.jobs_model.dataChanged.connect(self._activity)
        self.jobs_model.rowsInserted.connect(self._activity)
        self._activity()
        if self.jobs_model.rowCount():
            QTimer.singleShot(0, lambda: self.job_panel.select_job(self.jobs_model.record(0).job_id))
        self.form.asin_edit.setFocus()

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setSizeGripEnabled(False)
        self.mode_label = QLabel(objectName="modeLabel")
        if self.settings.sandbox:
            self.mode_label.setText(SANDBOX_TEXT)
            self.mode_label.setStyleSheet("QLabel { background: #fef7e0; color: #7a4f01; border: 1px solid #f9d77e;"
                                          " border-radius: 4px; padding: 2px 8px; font-weight: 600; }")
        else:
            self.mode_label.setText(f"Live ({redact(self.settings.api_key)})")
            self.mode_label.setStyleSheet("QLabel { background: #e6f4ea; color: #0d652d; border: 1px solid #ceead6;"
                                          " border-radius: 4px; padding: 2px 8px; font-weight: 600; }")
        self.mode_label.setAccessibleName("Mode")
        self.mode_label.setToolTip("Jobs go to the embedded sandbox: nothing is charged." if self.settings.sandbox
                                   else f"Jobs go to {self.settings.api_url} and cost credits.")
        self.credits_label = QLabel(objectName="creditsLabel")
        self.credits_label.setAccessibleName("Remaining credits")
        self.rate_label = QLabel(self.service.rate_limit_text(), objectName="rateLimitLabel")
        self.rate_label.setAccessibleName("Rate limits")
        self.activity_label = QLabel(objectName="activityLabel")
        self.activity_label.setAccessibleName("Activity")
        bar.addWidget(self.mode_label)
        bar.addWidget(self.activity_label, 1)
        bar.addPermanentWidget(self.rate_label)
        bar.addPermanentWidget(self.credits_label)
        self._credits(self.service.credits)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        generate = QAction("&Generate", self, shortcut=QKeySequence("Ctrl+Return"))
        generate.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        generate.triggered.connect(self.form.generate)
        export = QAction("&Export approved…", self, shortcut=QKeySequence("Ctrl+E"))
        export.triggered.connect(lambda: self.export_job(self.gallery_model.job_id))
        quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        for action in (generate, export):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        self.generate_action = generate
        job_menu = self.menuBar().addMenu("&Job")
        for action in (self.job_panel.refresh_action, self.job_panel.copy_action):
            job_menu.addAction(action)
        focus_filter = QAction("&Filter jobs", self, shortcut=QKeySequence.StandardKey.Find)
        focus_filter.triggered.connect(self.job_panel.filter_edit.setFocus)
        job_menu.addAction(focus_filter)
        dismiss = QAction("Dismiss message", self, shortcut=QKeySequence(Qt.Key.Key_Escape))
        dismiss.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        dismiss.triggered.connect(self.banner.dismiss)
        self.addAction(dismiss)

    # --- reactions --------------------------------------------------------------------------------------

    def _job_changed(self, job_id: str) -> None:
        self.jobs_model.update_job(job_id)
        if job_id == self.gallery_model.job_id:
            self.gallery_model.refresh()
            self._title(job_id)

    def _tick(self) -> None:
        record = self.service.journal.job(self.gallery_model.job_id) if self.gallery_model.job_id else None
        if record is not None and not record.terminal:
            self._title(record.job_id)

    def _submitted(self, job_id: str) -> None:
        self.job_panel.select_job(job_id)

    def show_job(self, job_id: str) -> None:
        if job_id == self.gallery_model.job_id:
            return
        self.gallery_model.set_job(job_id)
        self._title(job_id)
        if job_id:
            self.service.ensure_images(job_id)

    def open_job(self, job_id: str) -> None:
        self.show_job(job_id)
        self.gallery_view.setFocus()

    def _title(self, job_id: str) -> None:
        record = self.service.journal.job(job_id) if job_id else None
        if record is None:
            self.gallery.set_title("<b>Images</b> — select a job", "Select a job in the list to see its images.")
            return
        if record.status == "failed":
            placeholder = f"The job failed ({record.error_code or 'no error code'}): it has no images."
        elif record.terminal:
            placeholder = "This job has no images."
        else:
            placeholder = f"The images appear here when the job completes ({status_text(record)})."
        self.gallery.set_title(f"<b>{record.asin}</b> · {record.country} · {record.listing_type} · "
                               f"{status_text(record)}", placeholder)
        self.gallery.setToolTip(f"Job {record.job_id}")

    def _credits(self, value) -> None:
        if value is None:
            self.credits_label.setText("Credits: —" if not self.settings.sandbox else "")
        else:
            self.credits_label.setText(f"Credits left: {value:g}")

    def _activity(self, *_args) -> None:
        running = len(self.jobs_model.unfinished())
        self.activity_label.setText(f"Watching {running} unfinished job{'s' if running != 1 else ''}…" if running else "")

    def export_job(self, job_id: str) -> None:
        if not job_id:
            self.banner.show_error("NO_JOB_SELECTED", "Select a completed job to export its approved images.")
            return
        if self.export_dialog is not None:
            self.export_dialog.close()
        dialog = ExportDialog(self.service, job_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result, d=dialog: self._export_closed(d))
        self.export_dialog = dialog
        dialog.open()

    def _export_closed(self, dialog: ExportDialog) -> None:
        if self.export_dialog is dialog:
            self.export_dialog = None

    # --- closing -------------------------------------------------------------------------------------------

    def shut_down(self) -> None:
        """Before the journal closes: stop the timers and close the dialogs that read it."""
        self.job_panel.ticker.stop()
        if self.export_dialog is not None:
            self.export_dialog.close()
        self.hide()

    def closeEvent(self, event) -> None:
        if self.allow_close:
            event.accept()
        else:
            event.ignore()
            self.close_requested.emit()
