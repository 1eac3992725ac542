"""'Export approved…': folder, naming preset, progress, what was written and skipped, a question
before replacing existing files, and an offer to open the folder. Stale files (this ASIN's names in the folder
that the export neither wrote nor confirmed) are listed with an offer to move them to the system trash; the
dialog never deletes anything on its own.

Never blocks: the dialog is shown with open() at once and reads the job's approved images through the store worker
(an Export clicked before that starts at once: the service reads them too; the report waits for the dialog's
list); the work runs as a task, and the replace question is awaited through its ``finished`` signal, never in a
nested event loop.

Stays out of the copy's way: the copying thread takes the GIL back after each of its system calls, so any Python
work on the GUI thread meanwhile slows every file. The progress bar moves at most once per frame
(:class:`~desktop_app.ui.common.frame_progress.FrameProgress`), the result names a few files and counts the rest,
no image-rules check starts while the files are written, and the folder and naming are saved afterwards.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import QFile, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QMessageBox, QProgressBar, QPushButton, QVBoxLayout, QWidget)

from desktop_app.api.pixii.vocab import country_name, listing_type_name
from desktop_app.core.images.export import (
    EXPORT_EXISTS, NAMING_PRESETS, ExportDirError, default_naming, export_stem, stale_files,
)
from desktop_app.ui.common import theme
from desktop_app.ui.common.async_op import BAD, WidgetOps
from desktop_app.ui.common.frame_progress import FRAME_S, FrameProgress
from desktop_app.ui.gallery.compliance_badge import ComplianceSummary
from desktop_app.ui.common.tasks import signal_future


STALE_SHOWN = 8  # stale files named one per line; the rest are counted
RESULT_SHOWN = 8  # files written, skipped or failed: named one per line (each kind); the rest are counted


def native_dialogs() -> bool:
    return QGuiApplication.platformName() not in ("offscreen", "minimal")


class ExportDialog(QDialog):
    export_done = Signal(int, int, int)   # written, skipped (existing), failed

    last_folder: str = ""
    progress_interval: float = FRAME_S  # the progress bar moves at most once per frame

    def __init__(self, service, job_id: str, parent: QWidget | None = None, prefs=None, record=None) -> None:
        """``record``: the job as the window already holds it (its ASIN and listing type shown at once), or None."""
        super().__init__(parent)
        self.prefs = prefs  # Preferences: the last export folder and naming (never a secret)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export approved images")
        self.setAccessibleName("Export approved images")
        self.service = service
        self.job_id = job_id
        self.record = record
        self.dest: Path | None = None
        self.question: QMessageBox | None = None
        self.folder_dialog: QFileDialog | None = None
        self.approved: list | None = None   # None until read from the journal
        self.export_progress: FrameProgress | None = None  # the last export's progress (how often it was shown)
        asin = self.record.asin if self.record else "?"

        self.intro = QLabel(wordWrap=True, objectName="exportIntro")
        self._introduce()
        self.folder_edit = QLineEdit(objectName="exportFolderEdit")
        self.folder_edit.setAccessibleName("Export folder")
        remembered = (prefs.export_folder() if prefs is not None else "") or ExportDialog.last_folder
        self.folder_edit.setText(remembered or str(Path.home() / "Listing Studio" / asin))
        self.browse_button = QPushButton("Choose…", objectName="exportBrowseButton")
        self.browse_button.setAccessibleName("Choose the export folder")
        self.naming_combo = QComboBox(objectName="exportNamingCombo")
        self.naming_combo.setAccessibleName("File naming")
        for preset in NAMING_PRESETS:
            example = ", ".join(f"{export_stem(asin, i, preset)}.jpg" for i in (0, 1)) if len(asin) == 10 else ""
            self.naming_combo.addItem(f"{preset} — {example}…" if example else preset, preset)
        listing_type = self.record.listing_type if self.record else ""
        naming = prefs.naming(listing_type) if prefs is not None else ""
        if naming not in NAMING_PRESETS:
            naming = default_naming(listing_type)
        self.naming_combo.setCurrentIndex(max(0, self.naming_combo.findData(naming)))
        self.progress = QProgressBar(objectName="exportProgress")
        self.progress.setAccessibleName("Export progress")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.compliance = ComplianceSummary(service, [], self.record.listing_type if self.record else "",
                                            "exportCompliance", self)
        self.result_label = QLabel(wordWrap=True, objectName="exportResult")
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stale: list[Path] = []
        self.stale_label = QLabel(wordWrap=True, objectName="exportStale")
        self.stale_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stale_label.hide()
        self.trash_button = QPushButton("Move them to the trash", objectName="trashStaleButton")
        self.trash_button.setAccessibleName("Move the stale files to the trash")
        self.trash_button.hide()

        self.buttons = QDialogButtonBox(self)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setObjectName("exportStartButton")
        self.export_button.setAccessibleName("Start the export")
        self.open_button = self.buttons.addButton("Open folder", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.setObjectName("openFolderButton")
        self.open_button.setAccessibleName("Open the export folder")
        self.open_button.hide()
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setObjectName("exportCloseButton")
        self.close_button.setAccessibleName("Close")

        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.browse_button)
        form = QFormLayout()
        form.addRow("Folder:", folder_row)
        form.addRow("Names:", self.naming_combo)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.compliance)
        layout.addWidget(self.progress)
        layout.addWidget(self.result_label)
        layout.addWidget(self.stale_label)
        layout.addWidget(self.trash_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.buttons)
        self.resize(560, self.sizeHint().height())

        self.browse_button.clicked.connect(self.choose_folder)
        self.export_button.clicked.connect(self.start)
        self.open_button.clicked.connect(self.open_folder)
        self.trash_button.clicked.connect(self.trash_stale)
        self.close_button.clicked.connect(self.reject)
        self.folder_edit.textChanged.connect(self._update)
        self._running = False
        self._update()
        self.export_button.setDefault(True)  # Return in the folder field exports
        self.folder_edit.setFocus()
        self.folder_edit.selectAll()
        self.setTabOrder(self.folder_edit, self.browse_button)
        self.setTabOrder(self.browse_button, self.naming_combo)
        self.setTabOrder(self.naming_combo, self.export_button)
        self.ops = WidgetOps(self, service.tasks, show=self._line, render=self._update)
        self.reading = self.ops.spawn(self._read(), name=f"export-read:{job_id}", failure="The job could not be read")

    def naming(self) -> str:
        return self.naming_combo.currentData()

    def _introduce(self) -> None:
        r = self.record
        what = f"<b>{r.asin}</b> ({country_name(r.country)}, {listing_type_name(r.listing_type)})" if r else "this job"
        if self.approved is None:
            self.intro.setText(f"Reading the approved images of {what}…")
            return
        count = len(self.approved)
        self.intro.setText(f"{count} approved image{'s' if count != 1 else ''} of {what} will be copied unchanged.")

    async def _read(self) -> None:
        """The job and its approved, cached images, through the store worker."""
        record, approved = await self.service.store.call(_job_and_approved, self.job_id)
        fresh_type = record is not None and (self.record is None or record.listing_type != self.record.listing_type)
        self.record = record
        self.approved = approved
        if fresh_type:
            naming = self.prefs.naming(record.listing_type) if self.prefs is not None else ""
            naming = naming if naming in NAMING_PRESETS else default_naming(record.listing_type)
            self.naming_combo.setCurrentIndex(max(0, self.naming_combo.findData(naming)))
        self.progress.setRange(0, max(1, len(self.approved)))
        self.compliance.set_images(self.approved, record.listing_type if record else "")
        self._introduce()
        self._update()

    def _line(self, text: str, tone: str) -> None:
        self._tone(tone == BAD)
        self.result_label.setText(text)

    def _tone(self, bad: bool) -> None:
        """The result in the error colour or not (a style sheet is set only when it changes: each re-polishes)."""
        sheet = f"color: {theme.colors()['error_text']};" if bad else ""
        if self.result_label.styleSheet() != sheet:
            self.result_label.setStyleSheet(sheet)

    def _update(self, *_args) -> None:
        readable = self.approved is None or bool(self.approved)   # while reading, Export waits for the images
        self.export_button.setEnabled(readable and bool(self.folder_edit.text().strip()) and not self._running)
        if self.approved == []:
            self.result_label.setText("No approved images: approve some in the gallery first (A).")

    # --- folder -------------------------------------------------------------------------------------

    def choose_folder(self) -> None:
        dialog = QFileDialog(self, "Export folder", self.folder_edit.text())
        dialog.setObjectName("exportFolderDialog")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, not native_dialogs())
        dialog.fileSelected.connect(self.folder_edit.setText)
        dialog.finished.connect(dialog.deleteLater)
        self.folder_dialog = dialog
        dialog.open()

    def open_folder(self) -> None:
        if self.dest is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.dest)))

    # --- export -------------------------------------------------------------------------------------

    def start(self) -> asyncio.Task | None:
        if self._running or self.approved == []:
            return None
        self._running = True
        self._update()
        self._tone(False)
        self.result_label.setText("Exporting…")
        return self.service.tasks.spawn(self._run(self.folder_edit.text().strip(), self.naming()), name="export")

    async def _run(self, folder: str, naming: str) -> None:
        try:
            # An Export clicked while the images are still being read does not wait for them: the service reads
            # the approved images itself, and the dialog's own list is needed only for the report. The folder is
            # checked (made if missing) in the service's worker job, before the copies.
            try:
                outcomes = await self._export_files(folder, naming, overwrite=False)
            except ExportDirError as exc:
                if await self._approved_images():
                    self._fail("INVALID_EXPORT_DIR", str(exc))
                return
            await self._report(folder, naming, outcomes)
        finally:
            self._running = False
            self._update()

    async def _approved_images(self) -> list:
        if self.approved is None and self.reading is not None:
            await asyncio.shield(self.reading)   # clicked before the images were read: wait for them
        return self.approved or []

    async def _export_files(self, folder: Path | str, naming: str, overwrite: bool):
        """The service's export of the approved images; the export thread's per-file progress is shown at most
        once per frame, and its last value before the outcomes are. No image-rules check starts meanwhile."""
        progress = self.export_progress = FrameProgress(self._set_progress, self.progress_interval)
        try:
            with self.compliance.checker.held():  # image-rules checks wait: the copy needs the GIL between calls
                return await self.service.jobs.export(self.job_id, folder, naming, approved_only=True,
                                                      overwrite=overwrite, progress=progress, make_dir=True)
        finally:
            progress.flush()

    def _set_progress(self, done: int, total: int) -> None:
        # setValue() repaints at once, holding the GIL the copy needs; with updates off it only marks the bar,
        # and the event loop paints it with the next frame (in Qt's own code, the GIL let go).
        self.progress.setUpdatesEnabled(False)
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)
        self.progress.setUpdatesEnabled(True)

    def _remember(self, dest: Path, naming: str) -> None:
        """The folder and naming for the next export, once the files are written: not in their way, and written
        to disk with the job's exported mark by one deferred sync of the preferences file."""
        if self.prefs is not None:
            self.prefs.remember_export(str(dest), self.record.listing_type if self.record else "", naming)

    async def _report(self, folder: str, naming: str, outcomes) -> None:
        """Ask before replacing; show what was written, skipped, failed, and the stale files."""
        wanted = {img.index for img in await self._approved_images()}
        if not wanted:
            return  # (clicked while reading a job with no approved image: nothing was written)
        asin = self.record.asin if self.record else ""
        dest, self.stale = await asyncio.to_thread(_settled, folder, asin, naming, outcomes, wanted)
        self.dest = dest
        ExportDialog.last_folder = str(dest)
        try:
            await self._show_result(dest, naming, outcomes, wanted, asin)
        finally:
            self._remember(dest, naming)

    async def _show_result(self, dest: Path, naming: str, outcomes, wanted: set[int], asin: str) -> None:
        existing = [o for o in outcomes if o.index in wanted and o.error_code == EXPORT_EXISTS]
        replaced = False
        if existing:
            names = ", ".join(Path(o.error_message.split(" already exists")[0]).name for o in existing[:4])
            self.question = QMessageBox(QMessageBox.Icon.Question, "Replace existing files?",
                                        f"{len(existing)} file(s) already exist in {dest}: {names}"
                                        f"{'…' if len(existing) > 4 else ''}\n\nReplace them with the approved images?",
                                        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
            self.question.setObjectName("replaceQuestion")
            self.question.setDefaultButton(QMessageBox.StandardButton.No)
            answer = signal_future(self.question.finished)
            self.question.open()
            (code,) = await answer
            self.question.deleteLater()
            self.question = None
            if code == QMessageBox.StandardButton.Yes:
                outcomes = await self._export_files(dest, naming, overwrite=True)
                _dest, self.stale = await asyncio.to_thread(_settled, dest, asin, naming, outcomes, wanted)
                replaced = True
        mine = [o for o in outcomes if o.index in wanted]
        written = [o for o in mine if o.error_code is None and o.file is not None and o.file.parent == dest]
        skipped = [o for o in mine if o.error_code == EXPORT_EXISTS]
        failed = [o for o in mine if o.error_code and o.error_code != EXPORT_EXISTS]
        lines = [f"Wrote {len(written)} file{'s' if len(written) != 1 else ''} to {dest}"
                 + (" (existing files replaced)" if replaced else "") + ":"]
        lines += _named([f"  ✓ {o.file.name}" for o in written], "written")
        lines += _named([f"  – skipped {o.error_message}" for o in skipped], "skipped")
        lines += _named([f"  ✗ {o.error_code}: {o.error_message}" for o in failed], "not written")
        self._tone(bool(failed))
        self.result_label.setText("\n".join(lines))
        self.open_button.setVisible(bool(written or skipped))
        self._show_stale()  # and the dialog grows once to show every line
        self.export_done.emit(len(written), len(skipped), len(failed))
        if failed:
            self.service.error.emit(failed[0].error_code, f"Export: {len(failed)} file(s) could not be written "
                                    f"({failed[0].error_message}).")

    # --- stale files -------------------------------------------------------------------------------

    def _show_stale(self, note: str = "") -> None:
        names = [p.name for p in self.stale]
        lines = [note] if note else []
        if names:
            lines.append(f"{len(names)} other file{'s' if len(names) != 1 else ''} of this ASIN in the folder "
                         f"{'are' if len(names) != 1 else 'is'} not part of this export (an image no longer "
                         "approved, or another job). They are kept unless you move them to the trash:")
            lines += [f"  • {name}" for name in names[:STALE_SHOWN]]
            if len(names) > STALE_SHOWN:
                lines.append(f"  … and {len(names) - STALE_SHOWN} more")
        self.stale_label.setText("\n".join(lines))
        self.stale_label.setVisible(bool(lines))
        self.trash_button.setVisible(bool(names))
        self._fit()

    def _fit(self) -> None:
        """Grow to show every line that appeared (never narrower, never shrinking under the seller's size)."""
        self.layout().activate()
        self.resize(self.width(), max(self.height(), self.sizeHint().height()))

    def trash_stale(self) -> None:
        """Move the listed stale files to the system trash (only on the seller's click)."""
        moved, kept = 0, []
        for path in self.stale:
            if QFile(str(path)).moveToTrash():
                moved += 1
            else:
                kept.append(path)
        note = f"Moved {moved} file{'s' if moved != 1 else ''} to the trash." if moved else ""
        if kept:
            note += (" " if note else "") + "The files below could not be moved: this drive may have no trash."
        self.stale = kept
        self._show_stale(note)
        self.close_button.setFocus()  # Return now closes; it never exports again by surprise

    def _fail(self, code: str, message: str) -> None:
        self._tone(True)
        self.result_label.setText(f"{code}: {message}")
        self.export_done.emit(0, 0, 1)


def _named(lines: list[str], what: str) -> list[str]:
    """The first RESULT_SHOWN lines, then how many more (a hundred names would make the dialog taller than the
    screen, and laying them out would hold the GUI thread longer than the copy)."""
    if len(lines) <= RESULT_SHOWN:
        return lines
    return lines[:RESULT_SHOWN] + [f"  … and {len(lines) - RESULT_SHOWN} more {what}"]


def _settled(folder: Path | str, asin: str, naming: str, outcomes, wanted: set[int]) -> tuple[Path, list[Path]]:
    """The export folder as the service resolved it (it exists now), and the stale files in it: this ASIN's
    names that the export neither wrote nor confirmed. Blocking."""
    dest = Path(folder).expanduser().resolve()
    written = {o.file for o in outcomes if o.index in wanted and o.error_code is None and o.file is not None
               and o.file.parent == dest}
    return dest, stale_files(dest, asin, naming, written)


def _job_and_approved(journal, job_id: str):
    """The job and its approved images whose cached file is there (a stat each: on the store worker's thread)."""
    return journal.job(job_id), [img for img in journal.images(job_id) if img.review == "approved" and img.cached]
