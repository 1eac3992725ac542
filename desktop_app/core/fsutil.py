"""Small file-system and time helpers shared by the core."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path


def fsync_dir(path: Path) -> None:
    """Best effort: make a rename in ``path`` durable (not possible on Windows)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def iso_epoch(iso: str | None) -> float | None:
    """Seconds since the epoch of an ISO 8601 time (``Z`` accepted), or None if unreadable."""
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
    except (ValueError, AttributeError):
        return None
