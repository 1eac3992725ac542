"""Who a process is, so that work in the shared journal can belong to the live process doing it.

An identity is the host name, the process id and the process's start time (so that a process id the
system has handed to a new process is not taken for the old owner). ``alive()`` answers for processes of
this host only; for another host (a data dir on a shared drive) it cannot tell, and callers fall back on
the owner's heartbeat.
"""

from __future__ import annotations

import os
import socket
import sys
from typing import NamedTuple


def host_name() -> str:
    try:
        return (socket.gethostname() or "localhost").replace("|", "_")
    except OSError:
        return "localhost"


def start_time(pid: int) -> str | None:
    """The process's start time (clock ticks since boot, Linux), "0" where the system does not say, None
    when there is no such process."""
    if sys.platform != "linux":
        return "0"
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
    except OSError:
        return None
    if not fields or fields[0] == b"Z":  # a zombie has ended
        return None
    return fields[19].decode() if len(fields) > 19 else "0"


def _pid_exists(pid: int) -> bool | None:
    """True/False where the system can tell without side effects (POSIX), else None."""
    if os.name != "posix":
        return None
    try:
        os.kill(pid, 0)  # signal 0: an existence check only
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


class ProcessIdentity(NamedTuple):
    host: str
    pid: int
    start: str

    @classmethod
    def current(cls) -> "ProcessIdentity":
        return cls(host_name(), os.getpid(), start_time(os.getpid()) or "0")

    def token(self, nonce: str = "") -> str:
        """``host|pid|start|nonce``: the nonce tells apart several owners within one process."""
        return f"{self.host}|{self.pid}|{self.start}|{nonce}"

    @classmethod
    def parse(cls, token: str | None) -> "ProcessIdentity | None":
        parts = (token or "").split("|")
        if len(parts) != 4 or not parts[1].isdigit():
            return None
        return cls(parts[0], int(parts[1]), parts[2])

    def local(self) -> bool:
        return self.host == host_name()

    def alive(self) -> bool | None:
        """True/False for a process of this host (None: this system cannot tell); None for another host."""
        if not self.local():
            return None
        if sys.platform == "linux":
            return start_time(self.pid) == self.start
        return _pid_exists(self.pid)
