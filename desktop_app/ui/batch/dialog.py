"""File ▸ Import batch…: pick a CSV file or paste a column of ASINs / Amazon links / CSV text; every row
is validated first and previewed in a table (line, product, country, listing type, and the problem of an
invalid row in a seller's words, its code as a tooltip), with the plan (products, how long the rate limits
make it take when it is not instant, what is known of the cost) before anything is sent. Non-modal: the
window stays usable while the dialog is open. Start hands the parsed batch to the window's BatchController."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout)

from desktop_app.api.pixii.vocab import COUNTRIES, LISTING_TYPES, country_name, listing_type_name
from desktop_app.core.batch.rows import (
    ALIASES, COLUMNS as BATCH_COLUMNS, ParsedBatch, Plan, parse_batch, read_batch_file,
)
from desktop_app.core.validation import InputError
from desktop_app.ui.common import theme
from desktop_app.ui.main.window_fit import WrappedLabel

NO_DEFAULT = ""
COLUMNS = ("Line", "Product", "Country", "Listing type", "Problem")


def duration_text(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} seconds"
    if seconds < 5400:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.1f} hours"


def plan_text(plan: Plan) -> str:
    """The plan in a seller's words: how many products, how long it takes (nothing when it is instant), the cost."""
    products = f"{plan.rows} product{'s' if plan.rows != 1 else ''} to generate"
    if plan.to_submit < plan.rows:
        products += f" ({plan.to_submit} still to send)"
    lines = [products + "."]
    if plan.min_seconds >= 1:
        lines.append(f"At the current rate limits, sending them takes about {duration_text(plan.min_seconds)}.")
    if plan.fit_today < plan.to_submit:
        lines.append(f"Only {plan.fit_today} fit in today's limit: resume the batch tomorrow for the rest.")
    lines.append(f"Credits: {plan.credits_note}.")
    return "\n".join(lines)


def raw_columns(lines: list[str]) -> tuple[str, ...]:
    """The batch's columns: named by its header row, else the documented order."""
    for line in lines:
        if line.strip() and not line.lstrip().startswith("#"):
            names = [c.strip().lower().replace(" ", "_").replace("-", "_") for c in next(csv.reader([line]), [])]
            if names and names[0] in ALIASES:
                return tuple(ALIASES.get(n, n) for n in names)
            break
    return BATCH_COLUMNS


def raw_cells(lines: list[str], line: int, columns: tuple[str, ...]) -> dict[str, str]:
    """The cells of an invalid row as typed, by column (to show what it says beside what is wrong)."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    cells = [c.strip() for c in next(csv.reader([text], skipinitialspace=True), [])]
    return dict(zip(columns, cells))


def market_names() -> list[tuple[str, str]]:
    """(country name, code) once per country (GB and UK are both the United Kingdom), sorted by name."""
    seen: dict[str, str] = {}
    for code in COUNTRIES:
        seen.setdefault(country_name(code), code)
    return sorted(seen.items())


class BatchDialog(QDialog):
    start_requested = Signal(object, str)   # ParsedBatch, source label (file name or "pasted")

    def __init__(self, controller, parent=None, *, country: str | None = None, listing_type: str | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setObjectName("batchDialog")
        self.setWindowTitle("Import batch")
        self.setModal(False)
        self.resize(720, 620)
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
        for name, code in market_names():
            self.country_combo.addItem(name, code)
        self.type_combo = QComboBox(objectName="batchTypeCombo")
        self.type_combo.setAccessibleName("Default listing type")
        self.type_combo.addItem("(none — each row names it)", NO_DEFAULT)
        for value, desc in LISTING_TYPES.items():
            self.type_combo.addItem(listing_type_name(value), value)
            self.type_combo.setItemData(self.type_combo.count() - 1, desc, Qt.ItemDataRole.ToolTipRole)
        self._select(self.country_combo, country)
        self._select(self.type_combo, listing_type)

        self.rows_table = QTableWidget(0, len(COLUMNS), objectName="batchPreview")
        self.rows_table.setAccessibleName("The batch's rows")
        self.rows_table.setHorizontalHeaderLabels(COLUMNS)
        self.rows_table.verticalHeader().hide()
        self.rows_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.rows_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.rows_table.setTabKeyNavigation(False)
        self.rows_table.setWordWrap(False)
        header = self.rows_table.horizontalHeader()
        for column in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.rows_label = QLabel("<b>Rows</b>", objectName="batchRowsLabel")
        self.plan_label = WrappedLabel(objectName="batchPlan")
        self.plan_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason_label = WrappedLabel(objectName="batchStartReason")
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
        layout.addWidget(self.rows_label)
        layout.addWidget(self.rows_table, 2)
        layout.addWidget(self.plan_label)
        layout.addLayout(buttons)

        self._planning: asyncio.Task | None = None   # the plan on its way (dropped when the dialog closes)
        self.finished.connect(self._drop_plan)
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
        self._drop_plan()
        self.rows_table.setRowCount(0)
        self.batch = None
        text = self.text()
        try:
            batch = parse_batch(text, country=self.country_combo.currentData() or None,
                                listing_type=self.type_combo.currentData() or None,
                                api_is_local=self.controller.service.settings.api_is_local)
        except InputError as exc:
            self.rows_label.setText("<b>Rows:</b> none")
            return self._blocked(exc.message, detail=exc.code)
        self.batch = batch
        self._preview(batch, text.splitlines())
        bad = len(batch.invalid)
        self.rows_label.setText(f"<b>Rows: {len(batch.rows)} ready</b>" + (f", <b>{bad} with a problem</b>" if bad else "")
                                if batch.rows or bad else "<b>Rows:</b> none")
        if not batch.rows and not batch.invalid:
            return self._blocked("Paste ASINs or choose a CSV file." if not text.strip() else "No rows to submit.",
                                 plan="")
        self._make_plan(batch)
        if bad:
            return self._blocked(f"Fix the {bad} row{'s' if bad != 1 else ''} with a problem first (nothing is sent "
                                 "until every row is ready).", plan=None)
        busy = self.controller.busy_reason()
        if busy:
            return self._blocked(busy, plan=None)
        self.reason_label.clear()
        self.reason_label.setToolTip("")
        self.start_button.setEnabled(True)
        self.start_button.setToolTip("")

    def _preview(self, batch: ParsedBatch, lines: list[str]) -> None:
        """One table row per line: what a valid row will generate, or what is wrong with an invalid one."""
        entries = [(row.line, row.request.asin, country_name(row.request.country_code),
                    listing_type_name(row.request.listing_type), "", "") for row in batch.rows]
        columns = raw_columns(lines)
        for bad in batch.invalid:
            raw = raw_cells(lines, bad.line, columns)
            country = raw.get("country_code", "")
            problem = (f"'{country}' is not a marketplace: use a country code such as DE, FR or GB."
                       if bad.code == "INVALID_COUNTRY" else bad.reason)
            entries.append((bad.line, raw.get("asin", ""), country_name(country) if country in COUNTRIES else country,
                            listing_type_name(raw.get("listing_type", "")), problem, bad.code))
        table = self.rows_table
        table.setRowCount(len(entries))
        for r, (line, product, country, kind, problem, code) in enumerate(sorted(entries)):
            for column, value in enumerate((str(line), product, country, kind, problem)):
                item = QTableWidgetItem(value)
                item.setToolTip(f"{problem} ({code})" if code else value)
                if problem:
                    item.setForeground(theme.color("error_text"))
                table.setItem(r, column, item)

    def _make_plan(self, batch: ParsedBatch) -> None:
        """Work the plan out in the background (it reads the journal); an older plan still on its way is dropped."""
        self._drop_plan()
        self.plan_label.setText("Working out the plan…" if batch.rows else "")
        self._planning = self.controller.service.tasks.spawn(self._plan(batch)) if batch.rows else None

    async def _plan(self, batch: ParsedBatch) -> None:
        try:
            text = plan_text(await self.controller.plan(batch))
        except Exception as exc:  # noqa: BLE001 — a plan that cannot be made must not break the dialog
            text = f"The plan could not be made: {getattr(exc, 'message', exc)}"
        self.plan_label.setText(text)

    def _drop_plan(self) -> None:
        if self._planning is not None:
            self._planning.cancel()
            self._planning = None

    @property
    def planned(self) -> bool:
        """The plan shown is the one of the rows shown (none is on its way)."""
        return self._planning is None or self._planning.done()

    def _blocked(self, reason: str, plan: str | None = "", detail: str = "") -> None:
        self.start_button.setEnabled(False)
        self.start_button.setToolTip(reason)
        self.reason_label.setText(reason)
        self.reason_label.setToolTip(detail)
        if plan is not None:
            self.plan_label.setText(plan)

    def _start(self) -> None:
        self.validate()
        if self.batch is None or not self.start_button.isEnabled():
            return
        self.start_requested.emit(self.batch, self.source)
        self.close()
