"""The main window: the form and the job panel on the left, the gallery and preview on the right,
the message banner on top, mode / credits / rate limits in the status bar."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QGroupBox, QMainWindow, QMessageBox, QSplitter, QVBoxLayout, QWidget)

from desktop_app.api.pixii.vocab import country_name, listing_type_name
from desktop_app import APP_NAME
from desktop_app.ui.main.banner import INPUT, NETWORK, Banner, BannerAction
from desktop_app.ui.batch.panel import BatchController
from desktop_app.ui.gallery.export_dialog import ExportDialog
from desktop_app.ui.publish.health import PublishHealthWatch
from desktop_app.ui.publish.watch import PublishWatcher
from desktop_app.ui.main.form import SubmitForm
from desktop_app.ui.gallery.panel import GalleryPanel
from desktop_app.ui.gallery.model import GalleryModel
from desktop_app.ui.main.job_actions import JobActions
from desktop_app.ui.main.job_marks import JobMarks
from desktop_app.ui.main.job_panel import JobPanel
from desktop_app.ui.main.jobs_model import JobsModel
from desktop_app.ui.main.jobs_rows import typical_seconds
from desktop_app.ui.common.prefs import Preferences
from desktop_app.ui.main.status import SANDBOX_TEXT, WindowStatus
from desktop_app.ui.main.window_fit import fit_to_screen

log = logging.getLogger(__name__)

class MainWindow(QMainWindow):
    close_requested = Signal()
    settings_requested = Signal()   # File ▸ Settings…, or a banner's button

    def __init__(self, service, parent: QWidget | None = None, prefs: Preferences | None = None) -> None:
        super().__init__(parent)
        self.allow_close = False
        self.quit_question: QMessageBox | None = None  # asked when quitting while submitting
        self.service = service
        self.prefs = prefs if prefs is not None else Preferences()
        self.export_dialog: ExportDialog | None = None
        self.settings_dialog = None  # the SettingsDialog while it is open
        self.publish_dialog = None   # the PublishDialog while it is open (non-modal)
        self.setObjectName("mainWindow")

        self.banner = Banner(self)
        self.publish_watch = PublishWatcher(service, self.banner)  # publishes until Amazon serves them
        self.publish_health = PublishHealthWatch(service, self.banner)  # published listings suppressed later
        self.form = SubmitForm(service, self)
        self.jobs_model = JobsModel(service, self, marks=JobMarks(self.prefs))
        self.jobs_model.typical = typical_seconds(self.settings.sandbox)
        self.job_panel = JobPanel(self.jobs_model, self)
        self.job_actions = JobActions(self)   # the job's menu, the question before generating again
        self.batch = BatchController(service, self)   # File ▸ Import batch…, the batch's progress panel
        self.job_panel.set_batch_panel(self.batch.panel)
        self.gallery_model = GalleryModel(service, parent=self)
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
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(form_box)
        left_layout.addWidget(self.job_panel, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.gallery)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([440, 840])  # the images get the room
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.status = WindowStatus(self.statusBar(), service, self.jobs_model)
        self.mode_label, self.rate_label = self.status.mode_label, self.status.rate_label  # handles (tests)
        self._build_menus()
        self._update_mode()
        self._restore_prefs()

        service.job_changed.connect(self._job_changed)
        service.submitted.connect(self._submitted)
        service.error.connect(self.banner.show_error)
        service.info.connect(self.banner.show_info)
        service.reached.connect(lambda: self.banner.resolve(NETWORK))
        self.form.asin_edit.textChanged.connect(self._form_edited)
        self.form.refs.model().rowsInserted.connect(self._form_edited)
        self.form.refs.model().rowsRemoved.connect(self._form_edited)
        service.credits_changed.connect(self.status.show_credits)
        service.rate_limit_changed.connect(self.status.rate_label.setText)
        service.key_refused.connect(self.show_key_refused)
        service.runtime_changed.connect(self._runtime_changed)
        self.form.request_ready.connect(self._remember_form)
        self.job_panel.job_selected.connect(self.show_job)
        self.job_panel.open_requested.connect(self.open_job)
        self.job_panel.refresh_requested.connect(service.refresh)
        self.job_panel.export_requested.connect(self.export_job)
        self.gallery.export_requested.connect(self.export_job)
        self.jobs_model.dataChanged.connect(self.status.show_activity)
        self.jobs_model.dataChanged.connect(self._row_changed)
        self.jobs_model.rowsInserted.connect(self.status.show_activity)
        self.jobs_model.loaded.connect(self._jobs_loaded)
        self.jobs_model.reload()
        self.form.asin_edit.setFocus()

    @property
    def settings(self):
        return self.service.settings  # follows a Live/Sandbox switch

    def _update_mode(self) -> None:
        """Title and mode label for the current service."""
        # ends with the application's display name, so that the platform does not add it a second time
        self.setWindowTitle(f"{'Sandbox' if self.settings.sandbox else 'Live'} — {APP_NAME}")
        self.status.show_mode(self.settings)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        generate = QAction("&Generate", self, shortcut=QKeySequence("Ctrl+Return"))
        generate.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        generate.triggered.connect(self.form.generate)
        export = QAction("&Export approved…", self, shortcut=QKeySequence("Ctrl+E"))
        export.triggered.connect(lambda: self.export_job(self.gallery_model.job_id))
        settings = QAction("&Settings…", self, shortcut=QKeySequence("Ctrl+,"))
        settings.setObjectName("settingsAction")
        settings.setMenuRole(QAction.MenuRole.PreferencesRole)
        settings.setStatusTip("API key, Live or Sandbox")
        settings.triggered.connect(self.settings_requested.emit)
        quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        batch = QAction("Import &batch…", self, shortcut=QKeySequence("Ctrl+B"))
        batch.setObjectName("batchAction")
        batch.setStatusTip("Generate for many ASINs from a CSV file or a pasted list")
        batch.triggered.connect(self.batch.open_dialog)
        self.batch_action = batch
        for action in (generate, batch, export):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(settings)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        self.settings_action = settings
        self.generate_action = generate
        job_menu = self.menuBar().addMenu("&Job")
        for action in (self.job_panel.refresh_action, self.job_panel.copy_action):
            job_menu.addAction(action)
        focus_filter = QAction("&Filter jobs", self, shortcut=QKeySequence.StandardKey.Find)
        focus_filter.triggered.connect(self.job_panel.filter_edit.setFocus)
        job_menu.addAction(focus_filter)
        publish = QAction("&Publish to Amazon…", self, shortcut=QKeySequence("Ctrl+Shift+P"))
        publish.setObjectName("publishAction")
        publish.setStatusTip("Send the selected job's approved images to an Amazon listing (SP-API)")
        publish.triggered.connect(self.open_publish)
        job_menu.addSeparator()
        job_menu.addAction(self.gallery.compliant_action)
        job_menu.addAction(publish)
        self.publish_action = publish
        dismiss = QAction("Dismiss message", self, shortcut=QKeySequence(Qt.Key.Key_Escape))
        dismiss.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        dismiss.triggered.connect(self.banner.dismiss)
        self.addAction(dismiss)

    # --- preferences, banners of the key and the mode ---------------------------------------------------

    def _restore_prefs(self) -> None:
        p = self.prefs
        if p.marketplace():
            self.form.set_country(p.marketplace())
        if p.listing_type():
            self.form.set_listing_type(p.listing_type())
        geometry = p.window_geometry()
        remembered = geometry is not None and self.restoreGeometry(geometry)
        fit_to_screen(self, remembered=remembered)
        state = p.window_state()
        if state is not None:
            self.restoreState(state)
        splitter = p.splitter_state()
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def save_prefs(self) -> None:
        self.prefs.set_form(self.form.country(), self.form.listing_type())
        self.prefs.set_window(self.saveGeometry(), self.saveState(), self.splitter.saveState())

    def _remember_form(self, request) -> None:
        self.prefs.set_form(request.country_code, request.listing_type)

    def show_first_run(self, keyring_problem: str | None = None) -> None:
        """No key yet: the sandbox notice with a button to add one (it stays until dismissed). A keyring
        that could not be read (locked, not answering) is mentioned mildly: a saved key may exist."""
        text = SANDBOX_TEXT + ". Add your Pixii API key to make real listing images."
        if keyring_problem and not keyring_problem.startswith("No system keyring"):
            text = f"{SANDBOX_TEXT}. {keyring_problem.rstrip('.')}, so a saved key could not be read."
        self.banner.show_notice(text, BannerAction("Add API key…", "addKeyButton", self.settings_requested.emit))

    def show_key_refused(self, message: str) -> None:
        self.banner.show_error("UNAUTHORIZED", message,
                               BannerAction("Open settings…", "keySettingsButton", self.settings_requested.emit))

    def before_switch(self) -> None:
        """A Live/Sandbox switch is about to close the journal: close what reads it."""
        if self.export_dialog is not None:
            self.export_dialog.close()
        self.batch.close_dialog()

    def _runtime_changed(self) -> None:
        """Another service, key or journal: relabel, reload the job table, forget the shown job."""
        self._update_mode()
        self.jobs_model.typical = typical_seconds(self.settings.sandbox)
        self.jobs_model.reload()
        self.gallery_model.set_journal(self.service.journal)
        self._title("")
        self.status.rate_label.setText(self.service.rate_limit_text())
        self.status.show_credits(self.service.credits)
        self.form.update_state()
        for url in self.form.refs.urls():  # thumbnails whose fetch was cancelled with the old runtime
            self.form.refs._request_thumb(url)
        self.banner.clear_error("UNAUTHORIZED")
        self.status.show_activity()

    # --- reactions --------------------------------------------------------------------------------------

    def _job_changed(self, job_id: str) -> None:
        self.jobs_model.update_job(job_id)
        if job_id == self.gallery_model.job_id:
            self.gallery_model.refresh()  # also where its images are published (e.g. a publish went live)
            self.gallery.update_state()

    def _jobs_loaded(self) -> None:
        self.status.show_activity()
        if self.jobs_model.rowCount() and not self.job_panel.current_job():
            self.job_panel.select_job(self.jobs_model.record(0).job_id)

    def _row_changed(self, top, bottom, _roles=()) -> None:
        """The shown job's row was re-read (or its clock ticked): its title follows."""
        if top.row() <= self.jobs_model.row_of(self.gallery_model.job_id) <= bottom.row():
            self._title(self.gallery_model.job_id)

    def _submitted(self, job_id: str) -> None:
        self.banner.resolve(INPUT)  # a new job started well: earlier mistakes are behind,
        self.banner.resolve(NETWORK)  # and the service answered
        self.job_panel.select_job(job_id)

    def _form_edited(self, *_args) -> None:
        if self.form.problem() is None:
            self.banner.resolve(INPUT)

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

    def _record(self, job_id: str):
        """The job as the job table holds it (kept current from the journal), or None."""
        return self.jobs_model.record(self.jobs_model.row_of(job_id)) if job_id else None

    def _title(self, job_id: str) -> None:
        record = self._record(job_id)
        if record is None:
            self.gallery.set_title("<b>Images</b> — select a job", "Select a job in the list to see its images.")
            return
        if record.status == "failed":
            placeholder = f"The job failed ({record.error_code or 'no error code'}): it has no images."
        elif record.terminal:
            placeholder = "This job has no images."
        else:
            placeholder = f"The images appear here when the job completes ({self.jobs_model.status_now(record)})."
        self.gallery.set_title(f"<b>{record.asin}</b> · {country_name(record.country)} · "
                               f"{listing_type_name(record.listing_type)} · "
                               f"{self.jobs_model.status_now(record)}", placeholder)
        self.gallery.setToolTip(f"Job {record.job_id}")

    def export_job(self, job_id: str) -> None:
        if not job_id:
            self.banner.show_error("NO_JOB_SELECTED", "Select a completed job to export its approved images.")
            return
        self.banner.resolve(INPUT)
        if self.export_dialog is not None:
            self.export_dialog.close()
        dialog = ExportDialog(self.service, job_id, self, prefs=self.prefs, record=self._record(job_id))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result, d=dialog: self._export_closed(d))
        dialog.export_done.connect(lambda *_counts, d=dialog: self.job_actions.exported(job_id, d.dest))
        self.export_dialog = dialog
        dialog.open()

    def open_publish(self):
        """Job ▸ Publish to Amazon…: the non-modal publish window for the selected job (one at a time)."""
        from desktop_app.ui.publish.dialog import PublishDialog

        self.banner.resolve(INPUT)
        dialog = self.publish_dialog
        if dialog is not None:
            if self.gallery_model.job_id and self.gallery_model.job_id != dialog.job_id:
                dialog.set_job(self.gallery_model.job_id)
        else:
            dialog = PublishDialog(self.service, self.gallery_model.job_id, self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.destroyed.connect(lambda *_a: setattr(self, "publish_dialog", None))
            self.publish_dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _export_closed(self, dialog: ExportDialog) -> None:
        if self.export_dialog is dialog:
            self.export_dialog = None

    # --- closing -------------------------------------------------------------------------------------------

    def shut_down(self) -> None:
        """Before the journal closes: stop the timers and close the dialogs that read it."""
        self.job_panel.ticker.stop()
        if self.export_dialog is not None:
            self.export_dialog.close()
        if self.settings_dialog is not None:
            self.settings_dialog.close()
        if self.publish_dialog is not None:
            self.publish_dialog.close()
        self.batch.close_dialog()
        try:
            self.save_prefs()
        except Exception:  # preferences are a convenience: never a reason not to close
            log.exception("Could not save the window preferences")
        self.hide()

    def submitting(self) -> str:
        """What is being submitted right now, in the seller's words ("" when nothing)."""
        if self.batch.running():
            return "A batch is still submitting jobs"
        if self.service.jobs.sending:
            return "A job is being submitted"
        return ""

    def closeEvent(self, event) -> None:
        if self.allow_close:
            event.accept()
            return
        event.ignore()
        what = self.submitting()
        if not what:
            self.close_requested.emit()
        elif self.quit_question is None:
            self.quit_question = QMessageBox(
                QMessageBox.Icon.Question, "Quit while submitting?",
                f"{what}.\n\nIf you quit now, no further job is submitted; the submission being sent is "
                "finished first and its job is kept (it is watched again when you open Listing Studio).",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
            self.quit_question.setObjectName("quitWhileSubmittingQuestion")
            self.quit_question.button(QMessageBox.StandardButton.Yes).setText("Quit")
            self.quit_question.setDefaultButton(QMessageBox.StandardButton.Cancel)
            self.quit_question.finished.connect(self._quit_answered)
            self.quit_question.open()

    def _quit_answered(self, code: int) -> None:
        question, self.quit_question = self.quit_question, None
        if question is not None:
            question.deleteLater()
        if code == QMessageBox.StandardButton.Yes:
            self.close_requested.emit()
