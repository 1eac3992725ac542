"""File ▸ Import batch…: pick a CSV file or paste a column of ASINs / Amazon links / CSV text; every row
is validated first (invalid ones listed with their line and reason), the plan (rows, the time the rate
limits impose, what is known of the cost) is shown before anything is sent. Non-modal: the window stays
usable while the dialog is open. Start hands the parsed batch to the window's BatchController."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton, QVBoxLayout)

from ..api.vocab import COUNTRIES, LISTING_TYPES
from ..core.batch import ParsedBatch, parse_batch, read_batch_file
from ..core.validation import InputError

NO_DEFAULT = ""


def plan_text(describe: str, invalid: int) -> str:
    """Plan.describe() as short lines, each starting with a capital."""
    lines = [part[:1].upper() + part[1:] for part in describe.split("; ")]
    if invalid:
        lines[0] = lines[0].replace("row(s)", "valid row(s)", 1)
    return "\n".join(lines)


class BatchDialog(QDialog):
    start_requested = Signal(object, str)   # ParsedBatch, source label (file name or "pasted")

    def __init__(self, controller, parent=None, *, country: str | None = None, listing_type: str | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setObjectName("batchDialog")
        self.setWindowTitle("Import batch")
        self.setModal(False)
        self.resize(640, 560)
        self.batch: ParsedBatch | None = None
        self.source = "pasted"
        self._file_text: str | None = None   # the text read from the chosen file (the paste box is then unused)

        self.file_edit = QLineEdit(objectName="batchFile", placeholderText="No file chosen — or paste below")
        self.file_edit.setReadOnly(True)
        self.file_edit.setAccessibleName("Batch file")
        self.browse_button = QPushButton("Choose CSV…", objectName="batchBrowseButton")
        self.clear_file_button = QPushButton("Clear", objectName="batchClearFileButton")
        self.clear_file_button.setEnabled(False)
        self.text_edit = QPlainTextEdit(objectName="batchText")
        self.text_edit.setAccessibleName("Pasted ASINs, Amazon links or CSV rows")
        self.text_edit.setPlaceholderText("One ASIN or Amazon product link per line, or CSV rows:\n"
                                          "asin,country_code,listing_type,main_image_url,other_image_urls")
        self.country_combo = QComboBox(objectName="batchCountryCombo")
        self.country_combo.setAccessibleName("Default marketplace")
        self.country_combo.addItem("(none — each row names it)", NO_DEFAULT)
        for code, name in COUNTRIES.items():
            self.country_combo.addItem(f"{code} — {name}", code)
        self.type_combo = QComboBox(objectName="batchTypeCombo")
        self.type_combo.setAccessibleName("Default listing type")
        self.type_combo.addItem("(none — each row names it)", NO_DEFAULT)
        for value, desc in LISTING_TYPES.items():
            self.type_combo.addItem(value, value)
            self.type_combo.setItemData(self.type_combo.count() - 1, desc, Qt.ItemDataRole.ToolTipRole)
        self._select(self.country_combo, country)
        self._select(self.type_combo, listing_type)

        self.errors = QListWidget(objectName="batchErrors")
        self.errors.setAccessibleName("Invalid rows")
        self.errors.setMaximumHeight(130)
        self.errors.setWordWrap(True)
        self.errors.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.errors_label = QLabel("<b>Invalid rows</b>")
        self.plan_label = QLabel(objectName="batchPlan", wordWrap=True)
        self.plan_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason_label = QLabel(objectName="batchStartReason", wordWrap=True)
        self.reason_label.setStyleSheet("color: #a50e0e;")
        self.start_button = QPushButton("Start batch", objectName="batchStartButton")
        self.start_button.setDefault(True)
        self.close_button = QPushButton("Close", objectName="batchCloseButton")

        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.browse_button)
        file_row.addWidget(self.clear_file_button)
        defaults = QFormLayout()
        defaults.addRow("CSV file:", file_row)
        defaults.addRow("Default &marketplace:", self.country_combo)
        defaults.addRow("Default listing &type:", self.type_combo)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reason_label, 1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.start_button)
        layout = QVBoxLayout(self)
        layout.addLayout(defaults)
        layout.addWidget(QLabel("Or paste ASINs, Amazon links or CSV rows:"))
        layout.addWidget(self.text_edit, 1)
        layout.addWidget(self.errors_label)
        layout.addWidget(self.errors)
        layout.addWidget(self.plan_label)
        layout.addLayout(buttons)

        self._timer = QTimer(self, singleShot=True, interval=150)
        self._timer.timeout.connect(self.validate)
        self.text_edit.textChanged.connect(self._text_changed)
        self.country_combo.currentIndexChanged.connect(self.validate)
        self.type_combo.currentIndexChanged.connect(self.validate)
        self.browse_button.clicked.connect(self._browse)
        self.clear_file_button.clicked.connect(self.clear_file)
        self.start_button.clicked.connect(self._start)
        self.close_button.clicked.connect(self.close)
        self.file_dialog: QFileDialog | None = None
        self.validate()

    @staticmethod
    def _select(combo: QComboBox, value: str | None) -> None:
        index = combo.findData(value) if value else -1
        combo.setCurrentIndex(max(0, index))

    # --- input ----------------------------------------------------------------------------------

    def _text_changed(self) -> None:
        if self._file_text is None:
            self._timer.start()

    def _browse(self) -> None:
        dialog = QFileDialog(self, "Choose a batch file", "", "CSV or text (*.csv *.txt);;All files (*)")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.load_file)
        self.file_dialog = dialog
        dialog.open()

    def load_file(self, path: str) -> asyncio.Task | None:
        """Read ``path`` off the GUI thread, then validate it."""
        return self.controller.service.tasks.spawn(self._load(path), key="batch-file")

    async def _load(self, path: str) -> None:
        try:
            text = await asyncio.to_thread(read_batch_file, path)
        except InputError as exc:
            self.controller.service.error.emit(exc.code, exc.message)
            return
        self._file_text = text
        self.source = Path(path).name
        self.file_edit.setText(path)
        self.text_edit.setEnabled(False)
        self.clear_file_button.setEnabled(True)
        self.validate()

    def clear_file(self) -> None:
        self._file_text = None
        self.source = "pasted"
        self.file_edit.clear()
        self.text_edit.setEnabled(True)
        self.clear_file_button.setEnabled(False)
        self.validate()

    def text(self) -> str:
        return self._file_text if self._file_text is not None else self.text_edit.toPlainText()

    # --- validation and plan --------------------------------------------------------------------

    def validate(self) -> None:
        self._timer.stop()
        self.errors.clear()
        self.batch = None
        text = self.text()
        try:
            batch = parse_batch(text, country=self.country_combo.currentData() or None,
                                listing_type=self.type_combo.currentData() or None,
                                api_is_local=self.controller.service.settings.api_is_local)
        except InputError as exc:
            return self._blocked(f"{exc.code}: {exc.message}")
        self.batch = batch
        for bad in batch.invalid:
            item = QListWidgetItem(f"Line {bad.line}: {bad.code} — {bad.reason}")
            item.setData(Qt.ItemDataRole.UserRole, bad.line)
            item.setToolTip(item.text())
            self.errors.addItem(item)
        self.errors_label.setText(f"<b>Invalid rows: {len(batch.invalid)}</b>" if batch.invalid
                                  else "<b>Invalid rows:</b> none")
        self.errors.setVisible(bool(batch.invalid))
        if not batch.rows and not batch.invalid:
            return self._blocked("Paste ASINs or choose a CSV file." if not text.strip() else "No rows to submit.",
                                 plan="")
        try:
            self.plan_label.setText(plan_text(self.controller.plan(batch).describe(), len(batch.invalid))
                                    if batch.rows else "")
        except Exception as exc:  # noqa: BLE001 — a plan that cannot be made must not break the dialog
            self.plan_label.setText(f"The plan could not be computed: {getattr(exc, 'message', exc)}")
        if batch.invalid:
            n = len(batch.invalid)
            return self._blocked(f"Fix the {n} invalid row{'s' if n != 1 else ''} first (nothing is sent until "
                                 "every row is valid).", plan=None)
        busy = self.controller.busy_reason()
        if busy:
            return self._blocked(busy, plan=None)
        self.reason_label.clear()
        self.start_button.setEnabled(True)
        self.start_button.setToolTip("")

    def _blocked(self, reason: str, plan: str | None = "") -> None:
        self.start_button.setEnabled(False)
        self.start_button.setToolTip(reason)
        self.reason_label.setText(reason)
        if plan is not None:
            self.plan_label.setText(plan)

    def _start(self) -> None:
        self.validate()
        if self.batch is None or not self.start_button.isEnabled():
            return
        self.start_requested.emit(self.batch, self.source)
        self.close()
