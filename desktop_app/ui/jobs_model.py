"""Table model of the journal's jobs, kept in its display order (newest first, a batch kept together), so the
view never sorts: each row's texts are computed once on the store worker's thread (see :mod:`.jobs_rows`),
``data()`` only hands them out. The list is read whole once (and after a Live/Sandbox switch), then updated
row by row as jobs change. Jobs the seller removed from the list stay in the journal and can be shown again."""

from __future__ import annotations

import bisect
import logging
import time
from typing import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from ..api.vocab import country_name
from ..store.job_overview import job_overview, job_overviews
from ..store.journal import JobRecord, Journal
from .jobs_rows import TYPICAL_SECONDS, JobRow, make_row, progress, status_text

log = logging.getLogger(__name__)

COLUMNS = ("ASIN", "Market", "Type", "Status", "Created", "Credits", "Batch")
COL_ASIN, COL_MARKET, COL_TYPE, COL_STATUS, COL_CREATED, COL_CREDITS, COL_BATCH = range(len(COLUMNS))
JOB_ID_ROLE = Qt.ItemDataRole.UserRole
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1
PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 2   # 0.0 … 1.0
STATUS_ROLE = Qt.ItemDataRole.UserRole + 3     # the raw status string
SORT_ROLE = Qt.ItemDataRole.UserRole + 4       # a string; descending order = the list's order
EXPIRY_ROLE = Qt.ItemDataRole.UserRole + 5     # expiry.result_status of the job
FILTER_ROLE = Qt.ItemDataRole.UserRole + 6     # what the filter box matches: ASIN, batch label, listing type
EXPIRY_RECHECK_TICKS = 300                     # the expiry state moves with time: re-read every 5 min
FAILED_TEXT = QColor("#b3261e")


def load_rows(journal: Journal, service: str, exported: dict[str, str]) -> list[JobRow]:
    """Every job's row, in the list's order (runs on the store worker)."""
    rows = [make_row(o, exported.get(o.record.job_id, "")) for o in job_overviews(journal, service)]
    rows.sort(key=lambda row: row.sort_key, reverse=True)
    return rows


def load_row(journal: Journal, job_id: str, exported: str) -> JobRow | None:
    overview = job_overview(journal, job_id)
    return make_row(overview, exported) if overview is not None else None


class JobsModel(QAbstractTableModel):
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
        self._rows: list[JobRow] = []
        self._hidden: dict[str, JobRow] = {}     # removed from the list, shown with show_hidden
        self._rowof: dict[str, int] = {}

    # --- reading the journal (on the store worker) ------------------------------------------------------

    def _hidden_ids(self) -> set[str]:
        return self.marks.hidden() if self.marks is not None else set()

    def _exported(self) -> dict[str, str]:
        return self.marks.exported() if self.marks is not None else {}

    def reload(self):
        """Read the whole list again (in the background); :attr:`loaded` when it is shown."""
        self._generation += 1
        return self.service.tasks.spawn(self._reload(self._generation, self.service.settings.service),
                                        key="jobs-list")

    async def _reload(self, generation: int, service: str) -> None:
        rows = await self.service.store.call(load_rows, service, self._exported())
        if generation == self._generation:
            self.set_rows(rows)

    def update_job(self, job_id: str):
        """Re-read one job (in the background): update its row in place, or insert it where it sorts."""
        return self.service.tasks.spawn(self._update(self._generation, job_id), name=f"jobs-row:{job_id}")

    async def _update(self, generation: int, job_id: str) -> None:
        row = await self.service.store.call(load_row, job_id, self._exported().get(job_id, ""))
        if row is not None and generation == self._generation and row.record.service == self.service.settings.service:
            self.put(row)

    # --- the rows -----------------------------------------------------------------------------------------

    def set_rows(self, rows: list[JobRow]) -> None:
        """Show ``rows`` (already in the list's order)."""
        hidden = self._hidden_ids() if not self.show_hidden else set()
        self.beginResetModel()
        self._rows = [r for r in rows if r.job_id not in hidden]
        self._hidden = {r.job_id: r for r in rows if r.job_id in hidden}
        self._reindex()
        self.endResetModel()
        self.loaded.emit()

    def _reindex(self, start: int = 0) -> None:
        if start == 0:
            self._rowof = {r.job_id: i for i, r in enumerate(self._rows)}
            return
        for i in range(start, len(self._rows)):
            self._rowof[self._rows[i].job_id] = i

    def put(self, row: JobRow) -> None:
        """Update a row in place, or insert it where it sorts."""
        if row.job_id in self._hidden:
            self._hidden[row.job_id] = row
            return
        at = self._rowof.get(row.job_id)
        if at is not None and self._rows[at].sort_key == row.sort_key:
            self._rows[at] = row
            self.dataChanged.emit(self.index(at, 0), self.index(at, len(COLUMNS) - 1))
            return
        if at is not None:
            self.take(row.job_id)
        at = bisect.bisect_left(self._rows, _Desc(row.sort_key), key=lambda r: _Desc(r.sort_key))
        self.beginInsertRows(QModelIndex(), at, at)
        self._rows.insert(at, row)
        self._reindex(at)
        self.endInsertRows()

    def take(self, job_id: str) -> JobRow | None:
        at = self._rowof.pop(job_id, None)
        if at is None:
            return None
        self.beginRemoveRows(QModelIndex(), at, at)
        row = self._rows.pop(at)
        self._reindex(at)
        self.endRemoveRows()
        return row

    def hide_job(self, job_id: str) -> None:
        """Remove a job from the list (it stays in the journal)."""
        if self.marks is not None:
            self.marks.set_hidden(job_id, True)
        row = self.take(job_id) if not self.show_hidden else None
        if row is not None:
            self._hidden[job_id] = row

    def set_show_hidden(self, show: bool) -> None:
        """Show the jobs removed from the list too (or not)."""
        self.show_hidden = show
        self.set_rows(sorted(self._rows + list(self._hidden.values()), key=lambda r: r.sort_key, reverse=True))

    def unhide_job(self, job_id: str) -> None:
        if self.marks is not None:
            self.marks.set_hidden(job_id, False)
        row = self._hidden.pop(job_id, None)
        if row is not None:
            self.put(row)

    def hidden_count(self) -> int:
        return len(self._hidden)

    def has_batches(self) -> bool:
        return any(r.record.batch_id for r in self._rows)

    def row_of(self, job_id: str) -> int:
        return self._rowof.get(job_id, -1)

    def record(self, row: int) -> JobRecord | None:
        return self._rows[row].record if 0 <= row < len(self._rows) else None

    def job_row(self, row: int) -> JobRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rows(self) -> list[JobRow]:
        return list(self._rows)

    def unfinished(self) -> list[str]:
        return [r.job_id for r in self._rows if not r.record.terminal]

    # --- Qt model API ---------------------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        row = index.row()
        if not index.isValid() or not 0 <= row < len(self._rows):
            return None
        r = self._rows[row]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if role == Qt.ItemDataRole.AccessibleTextRole and col == COL_MARKET and r.record.country:
                return country_name(r.record.country)
            if col == COL_STATUS and not r.record.terminal and r.expiry != "expired":
                return status_text(r.record, self.clock(), self.typical)
            return r.cells[col]
        if role == JOB_ID_ROLE:
            return r.job_id
        if role == STATUS_ROLE:
            return r.record.status
        if role == EXPIRY_ROLE:
            return r.expiry
        if role == PROGRESS_ROLE:
            return progress(r.record, self.clock(), self.typical)
        if role == FILTER_ROLE:
            return r.filter_text
        if role == SORT_ROLE:
            return r.sort_key
        if role == RECORD_ROLE:
            return r.record
        if role == Qt.ItemDataRole.ToolTipRole:
            return r.tooltip
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_STATUS and r.record.status == "failed":
            return FAILED_TEXT
        if role == Qt.ItemDataRole.TextAlignmentRole and col == COL_CREDITS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    # --- the clock ------------------------------------------------------------------------------------------

    def tick(self) -> None:
        """Advance the elapsed time and estimate of the unfinished jobs; now and then re-read the completed
        ones' expiry state (it moves with time)."""
        self._ticks += 1
        if self._ticks % EXPIRY_RECHECK_TICKS == 0 and self.service is not None:
            self.reload()
            return
        for row, r in enumerate(self._rows):
            if not r.record.terminal:
                index = self.index(row, COL_STATUS)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, PROGRESS_ROLE])


class _Desc:
    """Orders sort keys backwards (the list is newest first) for :func:`bisect.bisect_left`."""
    __slots__ = ("key",)

    def __init__(self, key: str) -> None:
        self.key = key

    def __lt__(self, other: "_Desc") -> bool:
        return self.key > other.key
