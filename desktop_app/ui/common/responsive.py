"""Process-wide settings that keep the GUI thread from waiting on Python's interpreter lock while the store
worker (or a thumbnail thread) runs Python code: reading 10,000 jobs' rows takes the worker half a second of
pure Python, and every call the GUI thread makes into Python in that time (a timer, a paint asking ``data()``)
must first get the lock back."""

from __future__ import annotations

import gc
import sys
from contextlib import contextmanager
from typing import Iterator

GIL_SLICE = 0.001   # seconds a background thread keeps the lock while the GUI thread asks for it (default 5 ms)
_frozen = False


def share_the_gil() -> None:
    """Hand the interpreter lock to a waiting thread after 1 ms instead of 5 ms: a GUI-thread callback that
    needs it twice waits at most ~2 ms behind the store worker, not ~10 ms."""
    sys.setswitchinterval(min(sys.getswitchinterval(), GIL_SLICE))


def freeze_startup_objects() -> None:
    """Keep what start-up made (modules, the window, its widgets; all of it lives as long as the process) out
    of the cyclic collector, so a full collection triggered by a long job list does not walk it all while the
    GUI thread waits for the lock. Once per process: freezing again would keep whatever cyclic garbage exists
    at that moment (an earlier window's, in a test session) from ever being collected. Frozen objects are still
    freed by reference counting when nothing refers to them any more."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection while the store worker reads the whole job list: its thousands of passing objects
    (the journal's records, the overviews, the rows equal to those shown) would otherwise live long enough to
    reach the oldest generation and set off a full collection, which holds the lock for its whole length.
    They are freed by reference counting when the read ends; only the store worker's single thread pauses
    the collector."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
