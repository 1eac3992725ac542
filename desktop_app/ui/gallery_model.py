"""List model of one job's images, with thumbnails decoded off the GUI thread.

Thumbnails: the view asks only for visible rows; a miss starts one decode per image in a small
thread pool (QImageReader with setScaledSize: JPEG scales while decoding), the QImage comes back
to the GUI thread, becomes a QPixmap there and goes into QPixmapCache; the row is then
refreshed with dataChanged.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QImage, QImageReader, QPixmap, QPixmapCache

from ..api.answers import printable
from ..store.journal import ImageRecord, Journal
from . import theme

THUMB_EDGE = 160
RECORD_ROLE = Qt.ItemDataRole.UserRole
REVIEW_ROLE = Qt.ItemDataRole.UserRole + 1
ERROR_ROLE = Qt.ItemDataRole.UserRole + 2     # (code, message) or None
PATH_ROLE = Qt.ItemDataRole.UserRole + 3      # the cached file, or None
STATE_ROLE = Qt.ItemDataRole.UserRole + 4     # "ready" | "loading" | "error"


def decode_image(path: str, edge: int | None) -> QImage:
    """Read an image file, scaled to fit ``edge`` while decoding (worker thread: QImage only)."""
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    size = reader.size()
    if edge and size.isValid() and (size.width() > edge or size.height() > edge):
        size.scale(edge, edge, Qt.AspectRatioMode.KeepAspectRatio)
        reader.setScaledSize(size)
    elif not edge and size.isValid() and size.width() * size.height() > 64_000_000:
        size.scale(8000, 8000, Qt.AspectRatioMode.KeepAspectRatio)  # a preview never needs more
        reader.setScaledSize(size)
    return reader.read()


class ImageLoader(QObject):
    """Decodes images in a small thread pool; hands back QImages on the GUI thread."""

    def __init__(self, spawn, workers: int = 3, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.spawn = spawn
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="thumbs")

    async def load(self, path: str, edge: int | None) -> QImage:
        return await asyncio.get_running_loop().run_in_executor(self.pool, decode_image, path, edge)

    def shutdown(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def caption(record: ImageRecord, listing_type: str) -> str:
    """Counted from 1 as sellers count: "1 · MAIN", "2 · PT01" (Amazon's slot names), "3" elsewhere."""
    name = f"{record.index + 1}"
    if listing_type.startswith("amazon"):
        name += " · " + ("MAIN" if record.index == 0 else f"PT{record.index:02d}")
    return f"{name} · yours" if record.source == "user" else name


class GalleryModel(QAbstractListModel):
    def __init__(self, journal: Journal, loader: ImageLoader, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.journal = journal
        self.loader = loader
        self.job_id = ""
        self.listing_type = ""
        self._items: list[ImageRecord] = []
        self._pending: set[str] = set()
        self._rows: dict[str, list[int]] = {}   # thumbnail key → rows (one decode serves them all)
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

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        r = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return caption(r, self.listing_type)
        if role == Qt.ItemDataRole.DecorationRole:
            if not r.cached:
                return self._placeholder
            pixmap = QPixmapCache.find(self.key(r))
            if pixmap is None or pixmap.isNull():
                self._request(r)
                return self._placeholder
            return pixmap
        if role == RECORD_ROLE:
            return r
        if role == REVIEW_ROLE:
            return r.review
        if role == ERROR_ROLE:
            return (printable(r.error_code), printable(r.error_message or "")) if r.error_code else None
        if role == PATH_ROLE:
            return r.cache_path if r.cached else None
        if role == STATE_ROLE:
            return "error" if r.error_code else ("ready" if r.cached else "loading")
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

    def set_journal(self, journal: Journal) -> None:
        """Read another journal (after a Live/Sandbox switch); no job is shown until one is selected."""
        self.journal = journal
        self._pending.clear()  # their decodes were cancelled with the old runtime's tasks
        self.set_job("")

    def set_job(self, job_id: str) -> None:
        self.beginResetModel()
        self.job_id = job_id
        record = self.journal.job(job_id) if job_id else None
        self.listing_type = record.listing_type if record else ""
        self._items = self.journal.images(job_id) if record else []
        self._index_rows()
        self.endResetModel()

    def refresh(self) -> None:
        """Re-read the current job's images: changed rows get dataChanged, new ones are inserted."""
        if not self.job_id:
            return
        fresh = self.journal.images(self.job_id)
        if [r.index for r in fresh[:len(self._items)]] != [r.index for r in self._items]:
            self.set_job(self.job_id)
            return
        for row, record in enumerate(fresh[:len(self._items)]):
            if record != self._items[row]:
                old_rows = self._rows.get(self.key(self._items[row]), [])
                if self.key(record) != self.key(self._items[row]):  # e.g. the download finished
                    if row in old_rows:
                        old_rows.remove(row)
                    self._rows.setdefault(self.key(record), []).append(row)
                self._items[row] = record
                i = self.index(row)
                self.dataChanged.emit(i, i)
        if len(fresh) > len(self._items):
            self.beginInsertRows(QModelIndex(), len(self._items), len(fresh) - 1)
            for row in range(len(self._items), len(fresh)):
                self._rows.setdefault(self.key(fresh[row]), []).append(row)
            self._items.extend(fresh[len(self._items):])
            self.endInsertRows()

    def record(self, row: int) -> ImageRecord | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def records(self) -> list[ImageRecord]:
        return list(self._items)

    # --- thumbnails ----------------------------------------------------------------------------------

    def _request(self, record: ImageRecord) -> None:
        key = self.key(record)
        if key in self._pending:
            return
        self._pending.add(key)
        self.loader.spawn(self._load(key, record.cache_path), key=key)

    async def _load(self, key: str, path: str) -> None:
        try:
            image = await self.loader.load(path, THUMB_EDGE)
            # GUI thread: QPixmap only here. An undecodable file gets a grey tile, not a retry loop.
            QPixmapCache.insert(key, QPixmap.fromImage(image) if not image.isNull() else self._placeholder)
        finally:
            self._pending.discard(key)
        for row in self._rows.get(key, ()):
            i = self.index(row)
            self.dataChanged.emit(i, i, [Qt.ItemDataRole.DecorationRole])

    def thumbnails_ready(self) -> int:
        """How many cached images have a decoded thumbnail (for tests and benchmarks)."""
        return sum(1 for r in self._items if r.cached and QPixmapCache.find(self.key(r)) is not None)
