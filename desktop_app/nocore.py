"""No core dumps: the API key, tokens and secrets live in the process's memory, and a crash must not write them
to disk. Called first thing by every entry point (the command line and the window)."""

from __future__ import annotations

import sys

PR_SET_DUMPABLE = 4


def disable_core_dumps() -> None:
    """Core file size 0 (soft and hard, so no child can raise it again); on Linux also not dumpable, which stops
    a core handler such as systemd-coredump or apport that the size limit does not stop. Windows writes no
    core files."""
    try:
        import resource
    except ImportError:
        return
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if sys.platform.startswith("linux"):
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
