"""Table model of the journal's jobs, kept in its display order (newest first, a batch kept together), so the
view never sorts: each row's texts are computed once on the store worker's thread (see :mod:`.jobs_rows`),
``data()`` only hands them out. The list is read whole once (and after a Live/Sandbox switch), then updated
row by row as jobs change. Jobs the seller removed from the list stay in the journal and can be shown again."""

from __future__ import annotations

import bisect
import time
from typing import Callable, NamedTuple

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from desktop_app.core.jobs.expiry import EXPIRED, EXPIRING
from desktop_app.api.pixii.vocab import country_name
from desktop_app.store.job_overview import job_overview, job_overviews
from desktop_app.store.journal import JobRecord, Journal
from desktop_app.ui.main.jobs_rows import TYPICAL_SECONDS, JobRow, make_row, progress, status_text
from desktop_app.ui.common.responsive import collector_paused


COLUMNS = ("ASIN", "Market", "Type", "Status", "Created", "Credits", "Batch")
COL_ASIN, COL_MARKET, COL_TYPE, COL_STATUS, COL_CREATED, COL_CREDITS, COL_BATCH = range(len(COLUMNS))
JOB_ID_ROLE = Qt.ItemDataRole.UserRole
PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 2   # 0.0 … 1.0
STATUS_ROLE = Qt.ItemDataRole.UserRole + 3     # the raw status string
EXPIRY_ROLE = Qt.ItemDataRole.UserRole + 5     # expiry.result_status of the job
EXPIRY_RECHECK_TICKS = 300                     # the expiry state moves with time: re-read every 5 min
FAILED_TEXT = QColor("#b3261e")
RIGHT_ALIGNED = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
DISPLAY, ACCESSIBLE, TOOLTIP, FOREGROUND, ALIGNMENT = (
    int(r) for r in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole,
                     Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.TextAlignmentRole))
ANSWERED = frozenset((DISPLAY, ACCESSIBLE, TOOLTIP, FOREGROUND, ALIGNMENT, int(JOB_ID_ROLE), int(PROGRESS_ROLE),
                      int(STATUS_ROLE), int(EXPIRY_ROLE)))


class Listing(NamedTuple):
    """The list as read on the store worker: the rows shown and those the seller removed, each in order, with
    what the window would otherwise compute by walking every row on the GUI thread."""
    shown: list[JobRow]
    hidden: list[JobRow]
    ids: tuple[str, ...]          # of the rows shown
    unfinished: frozenset[str]
    batches: bool                 # a job of a batch is shown
    rowof: dict[str, int]         # job id -> its place among the rows shown (the model's own from then on)


def listing(rows: list[JobRow], hidden: frozenset[str] = frozenset()) -> Listing:
    shown = [r for r in rows if r.job_id not in hidden]
    ids = tuple(r.job_id for r in shown)
    return Listing(shown, [r for r in rows if r.job_id in hidden], ids,
                   frozenset(r.job_id for r in shown if not r.terminal), any(r.record.batch_id for r in shown),
                   {job_id: i for i, job_id in enumerate(ids)})


def load_rows(journal: Journal, service: str, exported: dict[str, str], hidden: frozenset[str] = frozenset(),
              previous: tuple[JobRow, ...] = ()) -> Listing:
    """Every job's row, in the list's order (runs on the store worker). A row equal to its ``previous`` one is
    that very object: the window replaces only the rows that changed (and frees the others here)."""
    before = {r.job_id: r for r in previous}
    rows = []
    with collector_paused():
        for o in job_overviews(journal, service):
            row = make_row(o, exported.get(o.record.job_id, ""))
            old = before.get(row.job_id)
            rows.append(old if old == row else row)
        rows.sort(key=lambda row: row.sort_key, reverse=True)
        return listing(rows, hidden)


def load_row(journal: Journal, job_id: str, exported: str) -> JobRow | None:
    overview = job_overview(journal, job_id)
    return make_row(overview, exported) if overview is not None else None


def _place(rows: list[JobRow], row: JobRow) -> int:
    """Where ``row`` goes in ``rows`` (newest first)."""
    return bisect.bisect_left(rows, _Desc(row.sort_key), key=lambda r: _Desc(r.sort_key))


class JobsModel(QAbstractTableModel):
    """The rows shown are the list's rows that match the filter text (filtered here, in one pass over cached
    texts: no view or proxy asks ``data()`` row by row to filter or sort)."""
    loaded = Signal()   # the whole list was (re)read

    def __init__(self, service=None, parent: QObject | None = None, marks=None) -> None:
        """``service``: the StudioService whose store worker reads the journal (None: rows set by hand);
        ``marks``: the seller's marks on jobs (hidden, exported folder), a :class:`~.job_marks.JobMarks`."""
        super().__init__(parent)
        self.service = service
        self.marks = marks
        self.clock: Callable[[], float] = time.time
        self.typical = TYPICAL_SECONDS   # the service's usual time for a job, shapes the estimate
        self.show_hidden = False
        self._ticks = 0
        self._generation = 0
        self._all: list[JobRow] = []             # the list (without the removed jobs unless show_hidden)
        self._hidden: dict[str, JobRow] = {}     # removed from the list, shown with show_hidden
        self._filter = ""                        # casefolded
        self._rows: list[JobRow] = self._all     # shown: _all itself when there is no filter
        self._rowof: dict[str, int] = {}
        self._unfinished: set[str] = set()
        self._ids: tuple[str, ...] | None = None  # of _all, as last read whole (None: changed since)
        self._batches = False

    # --- reading the journal (on the store worker) ------------------------------------------------------

    def _hidden_ids(self) -> frozenset[str]:
        return frozenset(self.marks.hidden()) if self.marks is not None and not self.show_hidden else frozenset()

    def _exported(self) -> dict[str, str]:
        return self.marks.exported() if self.marks is not None else {}

    def reload(self):
        """Read the whole list again (in the background); :attr:`loaded` when it is shown."""
        self._generation += 1
        return self.service.tasks.spawn(self._reload(self._generation, self.service.settings.service),
                                        name="jobs-list")

    async def _reload(self, generation: int, service: str) -> None:
        found = await self.service.store.call(load_rows, service, self._exported(), self._hidden_ids(),
                                              tuple(self._all))
        if generation == self._generation:
            self.set_rows(found)

    def update_job(self, job_id: str):
        """Re-read one job (in the background): update its row in place, or insert it where it sorts."""
        return self.service.tasks.spawn(self._update(self._generation, job_id), name=f"jobs-row:{job_id}")

    async def _update(self, generation: int, job_id: str) -> None:
        row = await self.service.store.call(load_row, job_id, self._exported().get(job_id, ""))
        if row is not None and generation == self._generation and row.record.service == self.service.settings.service:
            self.put(row)

    # --- the rows -----------------------------------------------------------------------------------------

    def set_rows(self, found: Listing) -> None:
        """Show a :class:`Listing` (rows already in the list's order)."""
        self._hidden = {r.job_id: r for r in found.hidden}
        self._unfinished = set(found.unfinished)
        self._batches = found.batches
        if found.ids == self._ids and not self._filter:   # re-read, nothing moved: changed rows in place
            rows = self._all
            for i, row in enumerate(found.shown):
                if row is not rows[i]:
                    rows[i] = row
                    self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))
        else:
            self.beginResetModel()
            self._all = found.shown
            self._ids = found.ids
            self._rows = self._matching()
            self._rowof = found.rowof if self._rows is self._all else {r.job_id: i for i, r in enumerate(self._rows)}
            self.endResetModel()
        self.loaded.emit()

    def _matching(self) -> list[JobRow]:
        return [r for r in self._all if self._filter in r.filter_text] if self._filter else self._all

    def set_filter(self, text: str) -> None:
        """Show only the jobs whose ASIN, batch label or listing type contains ``text``."""
        text = text.strip().casefold()
        if text == self._filter:
            return
        self.beginResetModel()
        self._filter = text
        self._rows = self._matching()
        self._rowof = {r.job_id: i for i, r in enumerate(self._rows)}
        self.endResetModel()

    def _reindex(self, start: int) -> None:
        rows, rowof = self._rows, self._rowof
        for i in range(start, len(rows)):
            rowof[rows[i].job_id] = i

    def put(self, row: JobRow) -> None:
        """Update a row in place, or insert it where it sorts."""
        if row.job_id in self._hidden:
            self._hidden[row.job_id] = row
            return
        if row.terminal:
            self._unfinished.discard(row.job_id)
        else:
            self._unfinished.add(row.job_id)
        self._batches = self._batches or bool(row.record.batch_id)
        if self._rows is not self._all:   # filtered: keep the whole list in order too
            old = next((i for i, r in enumerate(self._all) if r.job_id == row.job_id), None)
            if old is not None:
                del self._all[old]
            self._all.insert(_place(self._all, row), row)
            if self._filter not in row.filter_text:
                self.take(row.job_id)
                return
        at = self._rowof.get(row.job_id)
        if at is not None and self._rows[at].sort_key == row.sort_key:
            self._rows[at] = row
            self.dataChanged.emit(self.index(at, 0), self.index(at, len(COLUMNS) - 1))
            return
        if at is not None:
            self.take(row.job_id, keep_in_list=True)
        at = _place(self._rows, row)
        self._ids = None
        self.beginInsertRows(QModelIndex(), at, at)
        self._rows.insert(at, row)
        self._reindex(at)
        self.endInsertRows()

    def take(self, job_id: str, keep_in_list: bool = False) -> JobRow | None:
        """Remove a job's row from the rows shown (and from the list, unless ``keep_in_list``)."""
        if not keep_in_list and self._rows is not self._all:
            self._all[:] = [r for r in self._all if r.job_id != job_id]
            self._ids = None
        at = self._rowof.pop(job_id, None)
        if at is None:
            return None
        self._ids = None
        self.beginRemoveRows(QModelIndex(), at, at)
        row = self._rows.pop(at)
        self._reindex(at)
        self.endRemoveRows()
        return row

    def hide_job(self, job_id: str) -> None:
        """Remove a job from the list (it stays in the journal)."""
        if self.marks is not None:
            self.marks.set_hidden(job_id, True)
        if self.show_hidden:
            return
        row = self._row_anywhere(job_id)
        self.take(job_id)
        if row is not None:
            self._hidden[job_id] = row
            self._unfinished.discard(job_id)

    def unhide_job(self, job_id: str) -> None:
        if self.marks is not None:
            self.marks.set_hidden(job_id, False)
        row = self._hidden.pop(job_id, None)
        if row is not None:
            self.put(row)

    def set_show_hidden(self, show: bool) -> None:
        """Show the jobs removed from the list too (or not)."""
        self.show_hidden = show
        rows = sorted(self._all + list(self._hidden.values()), key=lambda r: r.sort_key, reverse=True)
        self.set_rows(listing(rows, self._hidden_ids()))

    def _row_anywhere(self, job_id: str) -> JobRow | None:
        return next((r for r in self._all if r.job_id == job_id), None)

    def hidden_count(self) -> int:
        return len(self._hidden)

    def total(self) -> int:
        """Jobs in the list, whatever the filter."""
        return len(self._all)

    def in_list(self, job_id: str) -> bool:
        return job_id in self._rowof or self._row_anywhere(job_id) is not None

    def has_batches(self) -> bool:
        return self._batches

    def row_of(self, job_id: str) -> int:
        return self._rowof.get(job_id, -1)

    def record(self, row: int) -> JobRecord | None:
        return self._rows[row].record if 0 <= row < len(self._rows) else None

    def job_row(self, row: int) -> JobRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rows(self) -> list[JobRow]:
        """The whole list, whatever the filter."""
        return list(self._all)

    def unfinished(self) -> list[str]:
        return list(self._unfinished)

    # --- Qt model API ---------------------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    # flags(): Qt's own (enabled and selectable), answered without a call into Python

    def cell_text(self, row: int, column: int) -> str:
        """The text of a cell, as ``data()`` gives it (one call per painted cell)."""
        if not 0 <= row < len(self._rows):
            return ""
        r = self._rows[row]
        if column == COL_STATUS and not r.terminal and r.expiry != "expired":
            return status_text(r.record, self.clock(), self.typical)
        return r.cells[column]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY):
        """Hands out the row's cached values. A paint asks seven roles of every visible cell (each a call into
        Python that may first wait for the interpreter lock): those never set answer before anything else."""
        if role not in ANSWERED:
            return None
        row = index.row()   # -1 for an invalid index
        rows = self._rows
        if not 0 <= row < len(rows):
            return None
        r = rows[row]
        if role == DISPLAY or role == ACCESSIBLE:
            col = index.column()
            if role == ACCESSIBLE and col == COL_MARKET and r.record.country:
                return country_name(r.record.country)
            return self.cell_text(row, col)
        if role == JOB_ID_ROLE:
            return r.job_id
        if role == STATUS_ROLE:
            return r.record.status
        if role == EXPIRY_ROLE:
            return r.expiry
        if role == PROGRESS_ROLE:
            return progress(r.record, self.clock(), self.typical)
        if role == TOOLTIP:
            return r.tooltip
        if role == FOREGROUND:
            return FAILED_TEXT if index.column() == COL_STATUS and r.record.status == "failed" else None
        return RIGHT_ALIGNED if index.column() == COL_CREDITS else None   # ALIGNMENT

    def status_paint(self, row: int) -> tuple[str, float, str]:
        """What the status cell of ``row`` paints: the state its colour shows (the expiry state of a finished job
        whose results expire), how far along it is (0–1) and its text — one call per painted cell."""
        if not 0 <= row < len(self._rows):
            return "", 0.0, ""
        r = self._rows[row]
        record = r.record
        status = record.status
        if r.expiry in (EXPIRING, EXPIRED) and status != "failed":
            status = r.expiry
        return status, float(progress(record, self.clock(), self.typical) or 0.0), self.cell_text(row, COL_STATUS)

    def status_now(self, record: JobRecord) -> str:
        """The job's status with its elapsed time and estimate, on the model's clock."""
        return status_text(record, self.clock(), self.typical)

    # --- the clock ------------------------------------------------------------------------------------------

    def tick(self) -> None:
        """Advance the elapsed time and estimate of the unfinished jobs; now and then re-read the completed
        ones' expiry state (it moves with time)."""
        self._ticks += 1
        if self._ticks % EXPIRY_RECHECK_TICKS == 0 and self.service is not None:
            self.reload()
            return
        for job_id in self._unfinished:
            row = self._rowof.get(job_id)
            if row is not None:
                index = self.index(row, COL_STATUS)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, PROGRESS_ROLE])


class _Desc:
    """Orders sort keys backwards (the list is newest first) for :func:`bisect.bisect_left`."""
    __slots__ = ("key",)

    def __init__(self, key: str) -> None:
        self.key = key

    def __lt__(self, other: "_Desc") -> bool:
        return self.key > other.key
