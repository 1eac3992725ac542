"""Why the data dir (job journal, image cache) cannot be used, in the seller's words.

The journal raises :class:`DataDirError` instead of SQLite's or the OS's own error when the folder is read-only,
the disk is full, or the journal was written by a newer version; the command line prints it as one line (exit 2
before any request, else 1 with the job id), the window explains it in a dialog that offers to open the folder.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

JOURNAL_TOO_NEW = "JOURNAL_TOO_NEW"
DATA_DIR_READ_ONLY = "DATA_DIR_READ_ONLY"
DISK_FULL = "DISK_FULL"

_SQLITE_READONLY, _SQLITE_FULL, _SQLITE_CANTOPEN = 8, 13, 14
_READ_ONLY_ERRNOS = (errno.EROFS, errno.EACCES, errno.EPERM)


class DataDirError(Exception):
    """The data dir cannot be used. ``job_id``: a job accepted by the service that the journal could not record."""

    def __init__(self, code: str, message: str, folder: Path) -> None:
        super().__init__(message)
        self.code, self.message, self.folder = code, message, folder
        self.job_id: str | None = None


def read_only(folder: Path) -> bool:
    """True when nothing can be written in ``folder`` (or its nearest existing parent): a read-only mount or
    no write permission."""
    probe = folder
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    try:
        if os.statvfs(probe).f_flag & os.ST_RDONLY:
            return True
    except (OSError, AttributeError):  # AttributeError: no statvfs (Windows)
        pass
    return not os.access(probe, os.W_OK)


def too_new(folder: Path, version: int) -> DataDirError:
    return DataDirError(JOURNAL_TOO_NEW, f"the job journal in {folder} was written by a newer Listing Studio "
                        f"(schema {version}); update Listing Studio, or use another data dir "
                        "(LISTING_STUDIO_DATA_DIR)", folder)


def classify(exc: BaseException, folder: Path) -> DataDirError | None:
    """The data-dir problem behind ``exc`` (an OSError or SQLite error while using ``folder``), or None."""
    if isinstance(exc, DataDirError):
        return exc
    code: str | None = None
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            code = DISK_FULL
        elif exc.errno in _READ_ONLY_ERRNOS or (exc.errno is not None and read_only(folder)):
            code = DATA_DIR_READ_ONLY
    elif isinstance(exc, sqlite3.Error):
        number = getattr(exc, "sqlite_errorcode", -1) & 0xFF
        text = str(exc).lower()
        if number == _SQLITE_FULL or "disk is full" in text:
            code = DISK_FULL
        elif number == _SQLITE_READONLY or "readonly database" in text:
            code = DATA_DIR_READ_ONLY
        elif number == _SQLITE_CANTOPEN or "unable to open" in text or "disk i/o error" in text:
            code = DATA_DIR_READ_ONLY if read_only(folder) else DISK_FULL if _full(folder) else None
    if code == DISK_FULL:
        return DataDirError(code, f"the disk of the data dir {folder} is full; free some space and run the "
                            "command again", folder)
    if code == DATA_DIR_READ_ONLY:
        return DataDirError(code, f"the data dir {folder} is read-only; make it writable or use another one "
                            "(LISTING_STUDIO_DATA_DIR)", folder)
    return None


def _full(folder: Path) -> bool:
    try:
        st = os.statvfs(folder)
    except (OSError, AttributeError):
        return False
    return st.f_bavail * st.f_frsize < 64 * 1024
