"""The live job panel: filter by ASIN or batch, the job table (status with a progress bar, elapsed time and
estimate, the expiry state of results and what was done with them, a Batch column whose rows sort together),
the job's menu (right-click, the Menu key or Shift+F10: open, refresh, retry, export, open the export folder,
publish, copy the job id, remove from the list) and keys for open (Enter), refresh (F5) and copy (Ctrl+C).
A batch's progress panel sits on top."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QGuiApplication, QKeySequence, QPainter, QPalette
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QHBoxLayout, QLabel, QLineEdit, QMenu, QStyle,
                               QStyledItemDelegate, QStyleOptionViewItem, QTableView, QVBoxLayout, QWidget)

from desktop_app.core.jobs.expiry import EXPIRED, EXPIRING
from desktop_app.ui.common import theme
from desktop_app.ui.main.jobs_model import COL_BATCH, COL_CREDITS, COL_STATUS, JOB_ID_ROLE, JobsModel

STATUS_COLOURS = {"pending": "#9aa0a6", "processing": "#1a73e8", "completed": "#188038", "failed": "#c5221f",
                  EXPIRING: "#f29900", EXPIRED: "#80868b"}
TEXT_COLOURS = {"failed": "#b3261e", EXPIRING: "#8a4b00", EXPIRED: "#5f6368"}
STATUS_MIN_WIDTH = 232   # "pending · 0:02 · about 5 min left", "3 approved · exported · published" stay readable
DARK_TEXT_COLOURS = {"failed": "#f28b82", EXPIRING: "#fdd663", EXPIRED: "#a8adb4"}


def _bar_colour(status: str) -> QColor:
    colour = QColor(STATUS_COLOURS.get(status, "#9aa0a6"))
    colour.setAlpha(110 if status in ("pending", "processing") else 70)
    return colour


TRACK = {False: QColor("#eceff1"), True: QColor("#3a3d42")}            # by dark
BARS = {status: _bar_colour(status) for status in STATUS_COLOURS}
TEXT_PENS = {False: {k: QColor(v) for k, v in TEXT_COLOURS.items()},  # by dark, then status
             True: {k: QColor(v) for k, v in DARK_TEXT_COLOURS.items()}}
PANEL = QStyle.ControlElement.CE_ItemViewItem
LEFT_MIDDLE = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
ELIDE = Qt.TextElideMode.ElideRight
NO_PEN = Qt.PenStyle.NoPen
ANTIALIASED = QPainter.RenderHint.Antialiasing
TEXT_ROLE = QPalette.ColorRole.Text


HAS_DISPLAY = QStyleOptionViewItem.ViewItemFeature.HasDisplay
RIGHT_MIDDLE = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight


class CellDelegate(QStyledItemDelegate):
    """Paints a plain cell as Qt's own delegate does, but asks the model once for its text: the stock delegate
    asks seven roles of every visible cell at every repaint, each a call into Python that may first wait for
    the interpreter lock while a worker thread runs."""

    def paint(self, painter: QPainter, option, index) -> None:
        column = index.column()
        option.text = index.model().cell_text(index.row(), column)
        option.features |= HAS_DISPLAY
        if column == COL_CREDITS:
            option.displayAlignment = RIGHT_MIDDLE
        widget = option.widget
        (widget.style() if widget is not None else QApplication.style()).drawControl(PANEL, option, painter, widget)


class StatusDelegate(QStyledItemDelegate):
    """Paints the status cell as a small progress bar with the status text and elapsed time. It paints for every
    visible row at every repaint, so it reads the row straight from the model (one Python call, not one per role)
    and uses colours made once."""

    def paint(self, painter: QPainter, option, index) -> None:
        status, fraction, text = index.model().status_paint(index.row())
        widget = option.widget
        painter.save()
        if widget is not None:  # selection background and focus frame (the option carries no text)
            widget.style().drawControl(PANEL, option, painter, widget)
        rect = QRectF(option.rect).adjusted(4, 4, -4, -4)
        painter.setRenderHint(ANTIALIASED)
        painter.setPen(NO_PEN)
        dark = theme.is_dark(option.palette)
        painter.setBrush(TRACK[dark])
        painter.drawRoundedRect(rect, 4, 4)
        if fraction > 0:
            painter.setBrush(BARS.get(status) or BARS["pending"])
            painter.drawRoundedRect(QRectF(rect.left(), rect.top(), rect.width() * fraction, rect.height()), 4, 4)
        pen = TEXT_PENS[dark].get(status)
        painter.setPen(pen if pen is not None else option.palette.color(TEXT_ROLE))
        text = painter.fontMetrics().elidedText(text, ELIDE, int(rect.width()) - 8)
        painter.drawText(rect.adjusted(6, 0, -4, 0), LEFT_MIDDLE, text)
        painter.restore()


class JobTable(QTableView):
    """The job table; its Status column takes the room the others leave, never less than it needs to be read
    (a narrow pane scrolls sideways instead)."""
    open_requested = Signal()
    refresh_requested = Signal()
    copy_requested = Signal()
    menu_requested = Signal()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit_status()

    def fit_status(self) -> None:
        others = sum(self.columnWidth(c) for c in range(self.model().columnCount() if self.model() else 0)
                     if c != COL_STATUS and not self.isColumnHidden(c))
        self.setColumnWidth(COL_STATUS, max(STATUS_MIN_WIDTH, self.viewport().width() - others))

    def keyPressEvent(self, event) -> None:
        shift_f10 = event.key() == Qt.Key.Key_F10 and event.modifiers() == Qt.KeyboardModifier.ShiftModifier
        if event.key() == Qt.Key.Key_Menu or shift_f10:
            self.menu_requested.emit()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_requested.emit()
        elif event.key() == Qt.Key.Key_F5:
            self.refresh_requested.emit()
        elif event.matches(QKeySequence.StandardKey.Copy):
            self.copy_requested.emit()
        else:
            super().keyPressEvent(event)


class JobPanel(QWidget):
    job_selected = Signal(str)      # current job changed ("" for none)
    open_requested = Signal(str)
    refresh_requested = Signal(str)
    export_requested = Signal(str)
    retry_requested = Signal(str)
    remove_requested = Signal(str)
    folder_requested = Signal(str)
    publish_requested = Signal(str)

    def __init__(self, model: JobsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        # the model keeps its rows in the list's order and filters them itself: the view never sorts

        self.filter_edit = QLineEdit(objectName="jobFilter", placeholderText="Filter by ASIN, batch file or type")
        self.filter_edit.setAccessibleName("Filter jobs by ASIN, batch file or listing type")
        self.filter_edit.setClearButtonEnabled(True)
        self.count_label = QLabel(objectName="jobCount")
        self.count_label.setStyleSheet("color: #5f6368;")

        self.table = JobTable(objectName="jobTable")
        self.table.setAccessibleName("Jobs")
        self.table.setModel(model)
        self.table.setItemDelegate(CellDelegate(self.table))
        self.table.setItemDelegateForColumn(COL_STATUS, StatusDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; the arrow keys move inside it
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(28)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        for col, width in enumerate((96, 46, 120, STATUS_MIN_WIDTH, 90, 52, 84)):
            self.table.setColumnWidth(col, width)
        header.moveSection(header.visualIndex(COL_STATUS), 1)   # the status right after the product
        header.setStretchLastSection(False)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

        self.open_action = QAction("Open", self, shortcut=QKeySequence(Qt.Key.Key_Return))
        self.refresh_action = QAction("Refresh", self, shortcut=QKeySequence(Qt.Key.Key_F5))
        self.export_action = QAction("Export approved…", self)
        self.copy_action = QAction("Copy job id", self, shortcut=QKeySequence.StandardKey.Copy)
        self.retry_action = QAction("Retry", self, objectName="retryJobAction")
        self.folder_action = QAction("Open export folder", self, objectName="openExportFolderAction")
        self.publish_action = QAction("Publish…", self, objectName="publishJobAction")
        self.remove_action = QAction("Remove from list", self, objectName="removeJobAction")
        self.remove_action.setToolTip("Hide the job in this window; it stays in the journal")
        self.show_hidden_action = QAction("Show removed jobs", self, objectName="showHiddenJobsAction",
                                          checkable=True)
        self.open_action.triggered.connect(self._open)
        self.refresh_action.triggered.connect(self._refresh)
        self.export_action.triggered.connect(self._export)
        self.copy_action.triggered.connect(self.copy_job_id)
        for action, signal in ((self.retry_action, self.retry_requested), (self.remove_action, self.remove_requested),
                               (self.folder_action, self.folder_requested),
                               (self.publish_action, self.publish_requested)):
            action.triggered.connect(lambda _checked=False, s=signal: self._emit(s))
        self.show_hidden_action.toggled.connect(self._show_hidden)
        self.menu: QMenu | None = None   # the job's menu while it is open

        top = QHBoxLayout()
        top.addWidget(QLabel("<b>Jobs</b>"))
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._layout = layout
        layout.addLayout(top)
        layout.addWidget(self.table, 1)

        self.filter_edit.textChanged.connect(self._filter)
        self.table.customContextMenuRequested.connect(self._menu)
        self.table.menu_requested.connect(self._menu_at_current)
        self.table.open_requested.connect(self._open)
        self.table.refresh_requested.connect(self._refresh)
        self.table.copy_requested.connect(self.copy_job_id)
        self.table.doubleClicked.connect(lambda _i: self._open())
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset):
            signal.connect(self._count)
        self._wanted = ""   # a job to select once its row arrives
        self._resetting = ""   # the current job while the model resets ("-": none)
        model.modelAboutToBeReset.connect(self._before_reset)
        model.modelReset.connect(self._after_reset)
        model.rowsInserted.connect(self._arrived)
        model.modelReset.connect(self._arrived)
        self._count()
        self.table.setColumnHidden(COL_BATCH, not model.has_batches())

        self.ticker = QTimer(self, interval=1000)
        self.ticker.timeout.connect(model.tick)
        self.ticker.start()

    # --- selection ---------------------------------------------------------------------------------

    def current_job(self) -> str:
        index = self.table.currentIndex()
        return index.data(JOB_ID_ROLE) or "" if index.isValid() else ""

    def select_job(self, job_id: str) -> bool:
        """Make ``job_id`` the current job; a job not in the list yet (just submitted, its row being read)
        is selected when its row arrives."""
        if self.model.row_of(job_id) < 0 and self.model.in_list(job_id):  # hidden by the filter: show it
            self.filter_edit.clear()
        row = self.model.row_of(job_id)
        self._wanted = job_id if row < 0 else ""
        if row < 0:
            return False
        index = self.model.index(row, 0)
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)
        return True

    def _arrived(self, *_args) -> None:
        if self._wanted and self.model.row_of(self._wanted) >= 0:
            self.select_job(self._wanted)

    def _current_changed(self, current, _previous) -> None:
        if not self._resetting:
            self.job_selected.emit(current.data(JOB_ID_ROLE) or "" if current.isValid() else "")

    def _before_reset(self) -> None:
        self._resetting = self.current_job() or "-"

    def _after_reset(self) -> None:
        """A re-read or a new filter: the current job stays current when it is still shown (no flicker of
        the gallery through "no job")."""
        was, self._resetting = self._resetting, ""
        if was != "-" and self.model.row_of(was) >= 0:
            self.table.setCurrentIndex(self.model.index(self.model.row_of(was), 0))
        if self.current_job() != (was if was != "-" else ""):
            self.job_selected.emit(self.current_job())

    # --- actions ---------------------------------------------------------------------------------------

    def _open(self) -> None:
        if self.current_job():
            self.open_requested.emit(self.current_job())

    def _refresh(self) -> None:
        if self.current_job():
            self.refresh_requested.emit(self.current_job())

    def _export(self) -> None:
        if self.current_job():
            self.export_requested.emit(self.current_job())

    def copy_job_id(self) -> None:
        job_id = self.current_job()
        if job_id:
            QGuiApplication.clipboard().setText(job_id)

    def _emit(self, signal) -> None:
        if self.current_job():
            signal.emit(self.current_job())

    def _menu_at_current(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self.table.scrollTo(index)
            self._menu(self.table.visualRect(index).center())

    def _menu(self, pos) -> None:
        """The job's menu at ``pos`` (viewport coordinates); the row under it becomes the current job."""
        if not self.table.indexAt(pos).isValid():
            return
        self.table.setCurrentIndex(self.table.indexAt(pos))
        row = self.model.job_row(self.table.currentIndex().row())
        if row is None:
            return
        record = row.record
        menu = QMenu(self.table)
        menu.setObjectName("jobMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.destroyed.connect(lambda *_a: setattr(self, "menu", None))
        for action in (self.open_action, self.refresh_action, self.export_action, self.folder_action,
                       self.publish_action, None, self.retry_action, self.copy_action, None, self.remove_action,
                       self.show_hidden_action):
            menu.addAction(action) if action is not None else menu.addSeparator()
        completed = record.status == "completed" and row.expiry != "expired"
        self.export_action.setEnabled(completed)
        self.publish_action.setEnabled(completed and row.approved > 0)
        self.folder_action.setEnabled(bool(row.exported))
        self.retry_action.setEnabled(record.status == "failed" or row.expiry == "expired")
        hidden = self.model.marks is not None and row.job_id in self.model.marks.hidden()
        self.remove_action.setText("Put back in the list" if hidden else "Remove from list")
        self.show_hidden_action.setText(f"Show removed jobs ({self.model.hidden_count()})"
                                        if self.model.hidden_count() else "Show removed jobs")
        self.show_hidden_action.setEnabled(self.model.hidden_count() > 0 or self.model.show_hidden)
        self.menu = menu
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def _show_hidden(self, show: bool) -> None:
        current = self.current_job()
        self.model.set_show_hidden(show)
        if current:
            self.select_job(current)

    def _filter(self, text: str) -> None:
        self.model.set_filter(text)
        self._count()

    def set_batch_panel(self, panel: QWidget) -> None:
        """Show a batch's progress panel above the table."""
        self._layout.insertWidget(0, panel)

    def _count(self, *_args) -> None:
        if self.table.isColumnHidden(COL_BATCH) == self.model.has_batches():
            self.table.setColumnHidden(COL_BATCH, not self.model.has_batches())
            self.table.fit_status()
        shown, total = self.model.rowCount(), self.model.total()
        self.count_label.setText(f"{shown} of {total}" if shown != total else f"{total} job{'s' if total != 1 else ''}")
