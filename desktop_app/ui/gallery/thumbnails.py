"""The window's one pool of image work (thumbnails, the preview, the loupe, image-rules checks), shared by the
whole app.

Decoding runs on a few worker threads, never on the GUI thread, at the size it is shown (QImageReader with
setScaledSize: JPEG scales while decoding). The workers never take every core: one is left to the GUI thread, which
otherwise waits for the CPU while it paints (a 2-core machine decodes on one worker). Each request belongs to an owner (a gallery, the loupe); an owner drops
the requests it no longer needs (images scrolled off-screen, another job shown) and those still queued are never
decoded. The QImage comes back to the awaiting coroutine on the GUI thread, which makes the QPixmap there.
"""

from __future__ import annotations

import asyncio
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable, Hashable, Iterable

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QImageReader

MAX_WORKERS = 2


def worker_count(cores: int | None = None) -> int:
    """Decoding workers for a machine of ``cores`` cores: at most MAX_WORKERS, one core left to the GUI thread."""
    cores = cores if cores is not None else (os.cpu_count() or 1)
    return max(1, min(MAX_WORKERS, cores - 1))


WORKERS = worker_count()
HUGE = 64_000_000  # pixels: above this a full view is decoded scaled down (no screen shows more)


def decode_image(path: str, edge: int | None = None, box: QSize | None = None) -> QImage:
    """The image file decoded to fit ``edge``×``edge`` (or ``box``), never larger than the file; its EXIF
    orientation applied. Worker threads only: QImage, no QPixmap."""
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    size = reader.size()
    limit = QSize(edge, edge) if edge else box
    if limit is not None and size.isValid() and (size.width() > limit.width() or size.height() > limit.height()):
        size.scale(limit, Qt.AspectRatioMode.KeepAspectRatio)
        reader.setScaledSize(size)
    elif limit is None and size.isValid() and size.width() * size.height() > HUGE:
        size.scale(8000, 8000, Qt.AspectRatioMode.KeepAspectRatio)
        reader.setScaledSize(size)
    return reader.read()


class ThumbnailPool:
    """A bounded pool of decoders with per-owner cancellation of the work not started yet."""

    def __init__(self, workers: int = WORKERS, decode: Callable[..., QImage] = decode_image) -> None:
        self.decode = decode
        self.workers = workers
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="decode")
        self._lock = threading.Lock()
        self._queued: dict[Hashable, dict[Hashable, Future]] = {}   # owner → key → future

    def load(self, owner: Hashable, key: Hashable, path: str, edge: int | None = None,
             box: QSize | None = None) -> asyncio.Future:
        """Decode ``path`` on a worker; awaited on the GUI thread. Cancelled if the owner drops ``key`` first."""
        return self.run(owner, key, self.decode, path, edge, box)

    def run(self, owner: Hashable, key: Hashable, fn: Callable, *args) -> asyncio.Future:
        """Any other work on an image (e.g. its image-rules check) in the same bounded pool, cancellable alike."""
        future = self._executor.submit(fn, *args)
        with self._lock:
            self._queued.setdefault(owner, {})[key] = future
        future.add_done_callback(lambda f, o=owner, k=key: self._forget(o, k, f))
        return asyncio.wrap_future(future)

    def _forget(self, owner: Hashable, key: Hashable, future: Future) -> None:
        with self._lock:
            mine = self._queued.get(owner)
            if mine is not None and mine.get(key) is future:
                del mine[key]
                if not mine:
                    del self._queued[owner]

    def keep_only(self, owner: Hashable, keys: Iterable[Hashable]) -> int:
        """Cancel the owner's queued decodes whose key is not in ``keys``; how many were cancelled."""
        keep = set(keys)
        with self._lock:
            drop = [f for k, f in self._queued.get(owner, {}).items() if k not in keep]
        return sum(f.cancel() for f in drop)

    def cancel(self, owner: Hashable) -> int:
        """Cancel every queued decode of the owner (it shows something else, or closes)."""
        return self.keep_only(owner, ())

    def queued_keys(self, owner: Hashable) -> set[Hashable]:
        """The owner's decodes waiting for a worker."""
        with self._lock:
            return {k for k, f in self._queued.get(owner, {}).items() if not f.running() and not f.done()}

    def queued(self, owner: Hashable) -> int:
        return len(self.queued_keys(owner))


_SHARED: ThumbnailPool | None = None


def shared_pool() -> ThumbnailPool:
    """The app's one decoding pool (made on first use)."""
    global _SHARED
    if _SHARED is None:
        _SHARED = ThumbnailPool()
    return _SHARED
