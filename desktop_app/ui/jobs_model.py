"""Table model of the journal's jobs (newest first), updated row by row as jobs change (never reset per
poll). Batch rows carry a short label (file name + line) and a sort key that keeps a batch together; the
status of a completed job tells its expiry state (expiry.result_status), cached per job."""

from __future__ import annotations

import math
import time
from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from ..api.vocab import country_name, listing_type_name
from ..core import expiry
from ..store.batches import BatchTable
from ..store.journal import JobRecord, Journal

COLUMNS = ("ASIN", "Market", "Type", "Status", "Created", "Credits", "Batch")
COL_ASIN, COL_MARKET, COL_TYPE, COL_STATUS, COL_CREATED, COL_CREDITS, COL_BATCH = range(len(COLUMNS))
JOB_ID_ROLE = Qt.ItemDataRole.UserRole
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1
PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 2   # 0.0 … 1.0
STATUS_ROLE = Qt.ItemDataRole.UserRole + 3     # the raw status string
SORT_ROLE = Qt.ItemDataRole.UserRole + 4       # a string; descending order = newest first, a batch kept together
EXPIRY_ROLE = Qt.ItemDataRole.UserRole + 5     # expiry.result_status of the job
FILTER_ROLE = Qt.ItemDataRole.UserRole + 6     # what the filter box matches: ASIN, batch label, listing type
EXPIRY_TEXT = {expiry.EXPIRING: "expires soon — images not downloaded", expiry.EXPIRED: "expired"}
EXPIRY_RECHECK_TICKS = 300                     # the expiry state moves with time: re-check every 5 min
TYPICAL_SECONDS = 90.0                          # shapes the (estimated) progress of a running job


def epoch(iso: str | None) -> float | None:
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def elapsed(record: JobRecord, now: float | None = None) -> float | None:
    start = epoch(record.created_at)
    if start is None:
        return None
    end = epoch(record.completed_at) if record.terminal else None
    if end is None:
        end = record.updated_at if record.terminal else (now or time.time())
    return max(0.0, end - start)


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 60}:{seconds % 60:02d}"


def progress(record: JobRecord, now: float | None = None) -> float:
    if record.terminal:
        return 1.0
    if record.status == "pending":
        return 0.05
    spent = elapsed(record, now) or 0.0
    return 0.1 + 0.85 * (1.0 - math.exp(-spent / TYPICAL_SECONDS))


def status_text(record: JobRecord, now: float | None = None) -> str:
    if record.status == "failed":
        return f"failed: {record.error_code}" if record.error_code else "failed"
    duration = format_duration(elapsed(record, now))
    return f"{record.status} · {duration}" if duration else record.status


def created_text(record: JobRecord) -> str:
    stamp = epoch(record.created_at)
    if stamp is None:
        return record.created_at or ""
    local = datetime.fromtimestamp(stamp)
    if local.date() == datetime.now().date():
        return local.strftime("today %H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


def credits_text(record: JobRecord) -> str:
    """Net credits used; "↩" marks a refund (the tooltip has the detail)."""
    if record.credit_cost is None:
        return "—"
    if record.credits_refunded:
        return f"↩ {max(0.0, record.credit_cost - record.credits_refunded):g}"
    return f"{record.credit_cost:g}"


class JobsModel(QAbstractTableModel):
    def __init__(self, journal: Journal, service: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ticks = 0
        self._load(journal, service)

    def _load(self, journal: Journal, service: str) -> None:
        self.journal = journal
        self.service = service
        self._rows: list[JobRecord] = journal.jobs(service=service)
        self._rowof = {r.job_id: i for i, r in enumerate(self._rows)}
        self._expiry: dict[str, str] = {}                       # job id → expiry.result_status
        self._batches: dict[str, tuple[str, float, dict[str, int]]] = {}  # batch id → (source, created, job → line)

    def set_source(self, journal: Journal, service: str) -> None:
        """Show the jobs of another journal / service (after a Live/Sandbox switch)."""
        self.beginResetModel()
        self._load(journal, service)
        self.endResetModel()

    # --- batches and expiry (cached: data() runs on every paint) ---------------------------------

    def _batch(self, batch_id: str, job_id: str) -> tuple[str, float, int | None]:
        known = self._batches.get(batch_id)
        if known is None or job_id not in known[2]:
            info = BatchTable(self.journal).info(batch_id)
            source = (info.source or "pasted") if info else "batch"
            created = float(info.created_at) if info else 0.0
            known = (source.replace("\\", "/").rsplit("/", 1)[-1], created, self.journal.batch_lines(batch_id))
            known[2].setdefault(job_id, None)  # a job without its intent: asked once, not on every paint
            self._batches[batch_id] = known
        return known[0], known[1], known[2].get(job_id)

    def batch_label(self, record: JobRecord) -> str:
        if not record.batch_id:
            return ""
        source, _created, line = self._batch(record.batch_id, record.job_id)
        return f"{source}:{line}" if line is not None else source

    def sort_key(self, record: JobRecord) -> str:
        if record.batch_id:
            _source, created, line = self._batch(record.batch_id, record.job_id)
            anchor = created or epoch(record.created_at) or record.recorded_at
            return f"{anchor:017.3f}|{record.batch_id}|{999999 - (line or 0):06d}"
        anchor = epoch(record.created_at) or record.recorded_at
        return f"{anchor:017.3f}|{record.recorded_at:017.3f}|{record.job_id}"

    def expiry_state(self, record: JobRecord) -> str:
        state = self._expiry.get(record.job_id)
        if state is None:
            images = self.journal.images(record.job_id) if record.status == "completed" else []
            state = expiry.result_status(record, images)
            self._expiry[record.job_id] = state
        return state

    def status_cell(self, record: JobRecord) -> str:
        state = self.expiry_state(record)
        if state == expiry.EXPIRED:
            return "expired" if record.status != "failed" else status_text(record)
        if state == expiry.EXPIRING:
            return f"{record.status} · {EXPIRY_TEXT[state]}"
        return status_text(record)

    def has_batches(self) -> bool:
        return any(r.batch_id for r in self._rows)

    # --- Qt model API ---------------------------------------------------------------------------

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
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.AccessibleTextRole and col == COL_MARKET and r.country:
            return country_name(r.country)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if col == COL_STATUS:
                return self.status_cell(r)
            if col == COL_BATCH:
                return self.batch_label(r)
            return (r.asin or "?", r.country or "—", listing_type_name(r.listing_type) or "—", "", created_text(r),
                    credits_text(r))[col]
        if role == JOB_ID_ROLE:
            return r.job_id
        if role == RECORD_ROLE:
            return r
        if role == STATUS_ROLE:
            return r.status
        if role == EXPIRY_ROLE:
            return self.expiry_state(r)
        if role == PROGRESS_ROLE:
            return progress(r)
        if role == SORT_ROLE:
            return self.sort_key(r)
        if role == FILTER_ROLE:
            return f"{r.asin} {self.batch_label(r)} {listing_type_name(r.listing_type)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(r)
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_STATUS and r.status == "failed":
            return QColor("#b3261e")
        if role == Qt.ItemDataRole.TextAlignmentRole and col == COL_CREDITS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _tooltip(self, r: JobRecord) -> str:
        tip = f"Job {r.job_id}\nStatus: {r.status}\nCreated: {r.created_at}"
        if r.country:
            tip += f"\nMarketplace: {country_name(r.country)} ({r.country})"
        if r.batch_id:
            tip += f"\nBatch: {self.batch_label(r)} ({r.batch_id})"
        if r.error_code:
            tip += f"\nError: {r.error_code}"
        if r.credit_cost is not None:
            tip += f"\nCredits: {r.credit_cost:g} charged" + (f", {r.credits_refunded:g} refunded"
                                                               if r.credits_refunded else "")
        if r.main_image_url or r.other_image_urls:
            tip += f"\nReference photos: {1 if r.main_image_url else 0} main + {len(r.other_image_urls)} other"
        state = self.expiry_state(r)
        if r.status == "completed" or state == expiry.EXPIRED:
            tip += "\nImages: " + expiry.describe(state, r)
        return tip

    # --- live updates -------------------------------------------------------------------------------

    def row_of(self, job_id: str) -> int:
        return self._rowof.get(job_id, -1)

    def record(self, row: int) -> JobRecord | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def update_job(self, job_id: str) -> None:
        """Re-read one job from the journal: update its row in place, or insert it where it sorts."""
        record = self.journal.job(job_id)
        if record is None or record.service != self.service:
            return
        self._expiry.pop(job_id, None)
        row = self._rowof.get(job_id)
        if row is not None:
            self._rows[row] = record
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
            return
        key = (record.created_at, record.recorded_at)
        row = 0
        while row < len(self._rows) and (self._rows[row].created_at, self._rows[row].recorded_at) >= key:
            row += 1
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.insert(row, record)
        self._rowof = {r.job_id: i for i, r in enumerate(self._rows)}
        self.endInsertRows()

    def tick(self) -> None:
        """Advance the elapsed time and estimated progress of the unfinished jobs; now and then, the
        expiry state of the completed ones (it moves with time)."""
        self._ticks += 1
        recheck = self._ticks % EXPIRY_RECHECK_TICKS == 0
        if recheck:
            self._expiry.clear()
        for row, record in enumerate(self._rows):
            if not record.terminal or recheck:
                index = self.index(row, COL_STATUS)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, PROGRESS_ROLE])

    def unfinished(self) -> list[str]:
        return [r.job_id for r in self._rows if not r.terminal]
