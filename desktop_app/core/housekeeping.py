"""Sweeping of temp files that a killed process left behind.

Every file the app writes (cache, export) appears atomically: a hidden ``.….part`` temp file first,
renamed once complete, so a crash never leaves a partial file under a real name. A ``kill -9`` in the
middle of a write can still leave the hidden temp file; it is never read, and it is removed here once
it is old enough that no live writer (this instance or another one) can still be working on it.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

log = logging.getLogger(__name__)

STALE_AFTER = 3600.0  # seconds: no single file write takes this long


def sweep_stale_temp(folder: Path, prefix: str = ".", *, recursive: bool = False,
                     older_than: float = STALE_AFTER, now: float | None = None) -> int:
    """Remove hidden ``prefix…part`` files older than ``older_than`` seconds in ``folder``; returns
    how many. Never follows symlinks, never raises."""
    now = time.time() if now is None else now
    removed = 0
    try:
        candidates = folder.rglob(f"{prefix}*.part") if recursive else folder.glob(f"{prefix}*.part")
        for path in candidates:
            try:
                info = path.lstat()
                if path.is_symlink() or not path.is_file() or now - info.st_mtime < older_than:
                    continue
                os.unlink(path)
                removed += 1
            except OSError:
                continue
    except OSError:
        return removed
    if removed:
        log.info("Removed %d stale temp file(s) in %s", removed, folder)
    return removed
