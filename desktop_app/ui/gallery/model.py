"""List model of one job's images, read through the store worker, with thumbnails decoded off the GUI thread.

The job's images (and whether each file is on disk, and where the job is published) are read on the store worker
(:mod:`desktop_app.ui.common.store_worker`), never on the GUI thread. Thumbnails: the view asks only for visible rows; a
miss queues one decode per image in the app's decoding pool (:mod:`desktop_app.ui.gallery.thumbnails`) at the thumbnail's
size; the view drops the queued decodes of images scrolled off-screen, and showing another job drops them all. The
QImage comes back to the GUI thread, becomes a QPixmap there and goes into QPixmapCache; the rows whose
thumbnails arrived within one frame (the ``frame`` timer) are then refreshed together (one dataChanged per row, each repainting only its own tile, all in one paint).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import NamedTuple

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QPixmap, QPixmapCache

from desktop_app.api.answers import printable
from desktop_app.core.images.filefacts import present
from desktop_app.store.journal import ImageRecord, Journal
from desktop_app.ui.common import theme
from desktop_app.ui.gallery.thumbnails import ThumbnailPool, decode_image, shared_pool

__all__ = ["GalleryModel", "decode_image", "caption"]

THUMB_EDGE = 160
FRAME_MS = 16  # arrivals within one 60 Hz frame are shown together
RECORD_ROLE = Qt.ItemDataRole.UserRole
REVIEW_ROLE = Qt.ItemDataRole.UserRole + 1
ERROR_ROLE = Qt.ItemDataRole.UserRole + 2     # (code, message) or None
PATH_ROLE = Qt.ItemDataRole.UserRole + 3      # the cached file, or None
STATE_ROLE = Qt.ItemDataRole.UserRole + 4     # "ready" | "loading" | "error"


class Tile(NamedTuple):
    """What a tile paints (the roles above, read at once)."""
    caption: str
    pixmap: QPixmap
    record: ImageRecord
    review: str | None
    error: tuple[str, str] | None
    path: str | None
    state: str


def tile_of(index: QModelIndex) -> Tile | None:
    """The tile at ``index``: from a GalleryModel in one call, from any other model through its roles."""
    model = index.model()
    if isinstance(model, GalleryModel):
        return model.tile(index.row())
    if model is None or not index.isValid():
        return None
    return Tile(index.data() or "", index.data(Qt.ItemDataRole.DecorationRole), index.data(RECORD_ROLE),
                index.data(REVIEW_ROLE), index.data(ERROR_ROLE), index.data(PATH_ROLE), index.data(STATE_ROLE))


@dataclass(frozen=True)
class JobImages:
    """One read of a job for the gallery (made on the store worker)."""
    job_id: str
    listing_type: str
    images: list[ImageRecord]
    on_disk: list[bool]       # per image: its cached file is there
    published: str            # " · on Amazon: SKU (US) live", or ""


def read_job_images(journal: Journal, job_id: str) -> JobImages:
    """The job's images as the gallery shows them (store worker thread)."""
    record = journal.job(job_id)
    images = journal.images(job_id) if record else []
    return JobImages(job_id, record.listing_type if record else "", images,
                     [present(r.cache_path) for r in images], published_note(journal, job_id))


def published_note(journal: Journal, job_id: str | None) -> str:
    """" · on Amazon: SKU (US) live" for the job's latest standing publish, else ""."""
    from desktop_app.api.amazon.marketplaces import BY_ID
    from desktop_app.store.publishes import PublishStore
    rec = PublishStore(journal).latest_for_job(job_id) if job_id else None
    if rec is None:
        return ""
    market = BY_ID.get(rec.marketplace_id)
    state = {"accepted": "submitted", "sending": "unknown"}.get(rec.state, rec.state)
    return f" · on Amazon: {rec.sku} ({market.country if market else rec.marketplace_id}) {state}"


def caption(record: ImageRecord, listing_type: str) -> str:
    """Counted from 1 as sellers count: "1 · MAIN", "2 · PT01" (Amazon's slot names), "3" elsewhere."""
    name = f"{record.index + 1}"
    if listing_type.startswith("amazon"):
        name += " · " + ("MAIN" if record.index == 0 else f"PT{record.index:02d}")
    return f"{name} · yours" if record.source == "user" else name


class GalleryModel(QAbstractListModel):
    read_done = Signal(str)   # the job id whose images were just read from the journal

    def __init__(self, service, pool: ThumbnailPool | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.pool = pool or shared_pool()
        self.job_id = ""
        self.listing_type = ""
        self.published = ""
        self._items: list[ImageRecord] = []
        self._on_disk: list[bool] = []
        self._stale = False                      # the journal changed since the last read began
        self._reading: asyncio.Task | None = None
        self._pending: set[str] = set()
        self._rows: dict[str, list[int]] = {}   # thumbnail key → rows (one decode serves them all)
        self._arrived: set[str] = set()          # thumbnail keys decoded since the last frame
        self.frame = QTimer(self, singleShot=True, interval=FRAME_MS)
        self.frame.timeout.connect(self._show_arrived)
        self._placeholder = QPixmap(THUMB_EDGE, THUMB_EDGE)
        self._placeholder.fill(theme.color("placeholder"))
        theme.notifier().changed.connect(self._retheme)

    def _retheme(self) -> None:
        self._placeholder.fill(theme.color("placeholder"))
        if self._items:
            self.dataChanged.emit(self.index(0), self.index(len(self._items) - 1), [Qt.ItemDataRole.DecorationRole])

    def _index_rows(self) -> None:
        self._rows = {}
        for row, record in enumerate(self._items):
            self._rows.setdefault(self.key(record), []).append(row)

    @staticmethod
    def key(record: ImageRecord) -> str:
        return f"thumb:{record.sha256 or record.cache_path}:{THUMB_EDGE}"

    # --- Qt model API ---------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._items)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags | Qt.ItemFlag.ItemIsDropEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def _pixmap(self, row: int, r: ImageRecord) -> QPixmap:
        if not self._on_disk[row]:
            return self._placeholder
        pixmap = QPixmapCache.find(self.key(r))
        if pixmap is None or pixmap.isNull():
            self._request(r)
            return self._placeholder
        return pixmap

    def _error(self, r: ImageRecord) -> tuple[str, str] | None:
        return (printable(r.error_code), printable(r.error_message or "")) if r.error_code else None

    def tile(self, row: int) -> Tile | None:
        """All a tile paints, in one call (a paint of every visible tile would otherwise ask eight roles each)."""
        if not 0 <= row < len(self._items):
            return None
        r, on_disk = self._items[row], self._on_disk[row]
        state = "error" if r.error_code else ("ready" if on_disk else "loading")
        return Tile(caption(r, self.listing_type), self._pixmap(row, r), r, r.review, self._error(r),
                    r.cache_path if on_disk else None, state)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        row = index.row()
        r = self._items[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return caption(r, self.listing_type)
        if role == Qt.ItemDataRole.DecorationRole:
            return self._pixmap(row, r)
        if role == RECORD_ROLE:
            return r
        if role == REVIEW_ROLE:
            return r.review
        if role == ERROR_ROLE:
            return self._error(r)
        if role == PATH_ROLE:
            return r.cache_path if self._on_disk[row] else None
        if role == STATE_ROLE:
            return "error" if r.error_code else ("ready" if self._on_disk[row] else "loading")
        if role == Qt.ItemDataRole.ToolTipRole:
            parts = [caption(r, self.listing_type)]
            if r.width and r.height:
                parts.append(f"{r.width}×{r.height} {r.ext or ''}".strip())
            if r.error_code:
                parts.append(printable(f"{r.error_code}: {r.error_message or ''}"))
            if r.review:
                parts.append(r.review)
            if r.url:
                parts.append(r.url if len(r.url) < 90 else r.url[:87] + "…")
            return "\n".join(parts)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            state = f"error {r.error_code}" if r.error_code else (r.review or "not reviewed")
            return f"Image {caption(r, self.listing_type)}, {state}"
        if role == Qt.ItemDataRole.SizeHintRole:
            return QSize(THUMB_EDGE + 16, THUMB_EDGE + 34)
        return None

    # --- content ------------------------------------------------------------------------------------

    def set_journal(self, _journal=None) -> None:
        """Another journal (after a Live/Sandbox switch): no job is shown until one is selected."""
        self._pending.clear()  # their decodes were cancelled with the old runtime's tasks
        self.set_job("")

    def set_job(self, job_id: str) -> None:
        """Show another job: empty at once (its queued thumbnails dropped), filled when the store worker has read it."""
        self.pool.cancel(self)
        self.beginResetModel()
        self.job_id = job_id
        self.listing_type = ""
        self.published = ""
        self._items, self._on_disk = [], []
        self._index_rows()
        self.endResetModel()
        if job_id:
            self.refresh()

    def refresh(self) -> None:
        """Re-read the current job's images (on the store worker): changed rows get dataChanged, new ones are
        inserted. Asked again while a read runs, it reads once more after it."""
        if not self.job_id or self.service.store is None:
            return
        self._stale = True
        if self._reading is None or self._reading.done():
            self._reading = self.service.tasks.spawn(self._read(), name="gallery-read")

    async def _read(self) -> None:
        while self._stale and self.job_id:
            self._stale = False
            read = await self.service.store.call(read_job_images, self.job_id)
            if read.job_id == self.job_id:
                self._apply(read)
                self.read_done.emit(read.job_id)

    def reading(self) -> bool:
        """A read of the journal is under way (for tests and benchmarks)."""
        return self._reading is not None and not self._reading.done()

    def _apply(self, read: JobImages) -> None:
        fresh, on_disk = read.images, read.on_disk
        self.listing_type, self.published = read.listing_type, read.published
        if [r.index for r in fresh[:len(self._items)]] != [r.index for r in self._items] or not self._items:
            self.beginResetModel()
            self._items, self._on_disk = list(fresh), list(on_disk)
            self._index_rows()
            self.endResetModel()
            return
        for row, record in enumerate(fresh[:len(self._items)]):
            if record != self._items[row] or on_disk[row] != self._on_disk[row]:
                old_rows = self._rows.get(self.key(self._items[row]), [])
                if self.key(record) != self.key(self._items[row]):  # e.g. the download finished
                    if row in old_rows:
                        old_rows.remove(row)
                    self._rows.setdefault(self.key(record), []).append(row)
                self._items[row], self._on_disk[row] = record, on_disk[row]
                i = self.index(row)
                self.dataChanged.emit(i, i)
        if len(fresh) > len(self._items):
            self.beginInsertRows(QModelIndex(), len(self._items), len(fresh) - 1)
            for row in range(len(self._items), len(fresh)):
                self._rows.setdefault(self.key(fresh[row]), []).append(row)
            self._items.extend(fresh[len(self._items):])
            self._on_disk.extend(on_disk[len(self._on_disk):])
            self.endInsertRows()

    def record(self, row: int) -> ImageRecord | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def records(self) -> list[ImageRecord]:
        return list(self._items)

    def on_disk(self, row: int) -> bool:
        """The image of this row is downloaded (its file was there when the journal was last read)."""
        return 0 <= row < len(self._on_disk) and self._on_disk[row]

    # --- thumbnails ----------------------------------------------------------------------------------

    def keep_only(self, rows: range) -> int:
        """Drop the queued thumbnail decodes of every row outside ``rows`` (scrolled off-screen)."""
        keys = {self.key(self._items[row]) for row in rows if 0 <= row < len(self._items)}
        return self.pool.keep_only(self, keys)

    def _request(self, record: ImageRecord) -> None:
        key = self.key(record)
        if key in self._pending:
            return
        self._pending.add(key)
        if self.service.tasks.spawn(self._load(key, record.cache_path), key=key) is None:
            self._pending.discard(key)  # shutting down

    async def _load(self, key: str, path: str) -> None:
        try:
            image = await self.pool.load(self, key, path, THUMB_EDGE)
        except asyncio.CancelledError:
            if asyncio.current_task().cancelling():
                raise
            return  # dropped: scrolled off-screen or another job shown; asked again when painted again
        finally:
            self._pending.discard(key)
        # GUI thread: QPixmap only here. An undecodable file gets a grey tile, not a retry loop.
        QPixmapCache.insert(key, QPixmap.fromImage(image) if not image.isNull() else self._placeholder)
        self._arrived.add(key)
        if not self.frame.isActive():
            self.frame.start()

    def _show_arrived(self) -> None:
        """The thumbnails that arrived during the last frame: each row's own tile is repainted, in one paint."""
        arrived, self._arrived = self._arrived, set()
        for key in arrived:
            for row in self._rows.get(key, ()):
                i = self.index(row)
                self.dataChanged.emit(i, i, [Qt.ItemDataRole.DecorationRole])

    def has_thumbnail(self, row: int) -> bool:
        """The row's thumbnail is decoded (for tests and benchmarks)."""
        return self.on_disk(row) and QPixmapCache.find(self.key(self._items[row])) is not None

    def thumbnails_ready(self) -> int:
        """How many downloaded images have a decoded thumbnail (for tests and benchmarks)."""
        return sum(self.has_thumbnail(row) for row in range(len(self._items)))

    def close(self) -> None:
        """The window closes: drop every queued decode."""
        self.pool.cancel(self)
