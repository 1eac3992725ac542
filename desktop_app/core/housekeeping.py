"""Temp files: how the app names them, removes them when interrupted, and sweeps those a killed process left.

Every file the app writes (cache, export) appears atomically: a hidden ``.NAME.OWNER-RANDOM.part`` temp file
first, renamed once complete, so a crash never leaves a partial file under a real name. OWNER is this computer
(a short hash of its name) and this process id, so a later run can prove a temp file is its own kind and that
no live process still writes it.

- SIGINT / SIGTERM: :func:`stop_writes` (called by the command line's signal handler) stops every copy in
  progress and removes every temp file this process has open.
- ``kill -9``: the next export of the job into that folder removes the temp files whose writer is gone
  (:func:`sweep_stale_temp`), whatever their age; temp files of unknown writers only once an hour old.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import random
import re
import tempfile
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)

STALE_AFTER = 3600.0  # seconds: no single file write takes this long

_stopping = threading.Event()
_live: set[str] = set()  # temp files this process is writing (set operations are atomic under the GIL)


class WritesStopped(OSError):
    """The process was interrupted: no file write goes on."""

    def __init__(self) -> None:
        super().__init__("interrupted")


def _host_tag() -> str:
    try:  # the host name as gethostname() gives it (uname's node name) without loading the socket module
        host = (os.uname().nodename if hasattr(os, "uname") else _socket_host()) or "localhost"
    except OSError:
        host = "localhost"
    return hashlib.sha1(host.encode("utf-8", "replace")).hexdigest()[:8]


def _socket_host() -> str:
    import socket
    return socket.gethostname()


_HOST = _host_tag()
_OURS = re.compile(r"\.(?P<host>[0-9a-f]{8})-(?P<pid>\d+)-[A-Za-z0-9_]+\.part")


_NEW_FILE = (os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
             | getattr(os, "O_BINARY", 0))
_names = random.Random()  # the random part of a temp name (O_EXCL, not the name, keeps it private)


def new_temp(folder: Path | str, name: str, mode: int = 0o600) -> tuple[int, str]:
    """Create the hidden temp file for ``folder/name`` (``mode`` less the umask: private unless asked); returns
    (fd, path). Raises WritesStopped once stopped."""
    prefix = os.path.join(os.path.abspath(folder), f".{name}.{_HOST}-{os.getpid()}-")
    for _attempt in range(tempfile.TMP_MAX):
        path = f"{prefix}{_names.getrandbits(48):012x}.part"
        try:
            fd = os.open(path, _NEW_FILE, mode)
            break
        except FileExistsError:
            continue
    else:
        raise FileExistsError(errno.EEXIST, "No usable temporary file name found", prefix)
    _live.add(path)
    if _stopping.is_set():  # stopped between mkstemp and the registration above
        os.close(fd)
        discard_temp(path)
        raise WritesStopped()
    return fd, path


def check_not_stopped() -> None:
    """Raise WritesStopped after an interrupt: called between chunks of a long write."""
    if _stopping.is_set():
        raise WritesStopped()


def discard_temp(path: str) -> None:
    """Remove a temp file (done or abandoned); never raises."""
    _live.discard(path)
    try:
        os.unlink(path)
    except OSError:
        pass


def stop_writes() -> int:
    """Stop every write of this process and remove its temp files; returns how many were removed.
    Safe in a signal handler: no lock is taken."""
    _stopping.set()
    removed = 0
    for path in list(_live):
        try:
            os.unlink(path)
            removed += 1
        except OSError:
            pass
        _live.discard(path)
    return removed


def process_gone(pid: int) -> bool:
    """True when no live process of this computer has ``pid`` (a zombie counts as gone). POSIX only."""
    if os.name != "posix" or pid <= 0:
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)  # signal 0: existence check only
    except ProcessLookupError:
        return True
    except OSError:
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False


def _abandoned(path: Path) -> bool:
    """A temp file named by this app on this computer whose writing process has ended."""
    match = _OURS.search(path.name)
    return bool(match) and match["host"] == _HOST and process_gone(int(match["pid"]))


def sweep_stale_temp(folder: Path, prefix: str = ".", *, recursive: bool = False,
                     older_than: float = STALE_AFTER, now: float | None = None) -> int:
    """Remove hidden ``prefix…part`` files in ``folder`` whose writer is provably gone, or older than
    ``older_than`` seconds; returns how many. Never follows symlinks, never raises."""
    now = time.time() if now is None else now
    removed = 0
    try:
        candidates = folder.rglob(f"{prefix}*.part") if recursive else folder.glob(f"{prefix}*.part")
        for path in candidates:
            try:
                info = path.lstat()
                if path.is_symlink() or not path.is_file():
                    continue
                if now - info.st_mtime < older_than and not _abandoned(path):
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
