"""The live line on stderr while a command waits for a job: its state, the time elapsed and an estimate of the
time left. On a terminal one line is rewritten in place (``\\r``) every second; otherwise (a log, a pipe) a plain
line is written when the state changes and every few seconds while it does not."""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable

TYPE_CHECKING = False  # as typing's, without loading typing (the cached export starts faster)
if TYPE_CHECKING:
    from typing import TextIO

    from desktop_app.store.journal import JobRecord, Journal

PLAIN_EVERY = 5.0          # seconds between plain lines while the state does not change
TYPICAL_LIVE = 120.0       # a live Listing Builder job takes about two minutes (api/pixii.md)
TYPICAL_TEST = 1.0         # a test key answers in under a second
SAMPLE = 20                # the latest finished jobs of a type that make its estimate


def _seconds(start: str | None, end: str | None) -> float | None:
    from datetime import datetime
    try:
        a = datetime.fromisoformat((start or "").replace("Z", "+00:00"))
        b = datetime.fromisoformat((end or "").replace("Z", "+00:00"))
    except ValueError:
        return None
    took = (b - a).total_seconds()
    return took if took >= 0 else None


def typical_seconds(journal: Journal, service: str, listing_type: str, key_mode: str) -> float:
    """How long a job of this type usually takes: the median of the latest finished ones in the journal, else
    what the service documents for the kind of key (``sandbox``: what the embedded sandbox is set to)."""
    took = [t for j in journal.jobs(service=service)[:200] if j.listing_type == listing_type and j.status ==
            "completed" and (t := _seconds(j.created_at, j.completed_at)) is not None][:SAMPLE]
    if took:
        import statistics
        return statistics.median(took)
    if key_mode == "sandbox":
        from desktop_app.sandbox.config import default_config
        config = default_config()
        return config["pending_seconds"] + config["processing_seconds"]
    return TYPICAL_TEST if key_mode == "test" else TYPICAL_LIVE


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


class Progress:
    """Called with each refreshed job record (JobService's ``on_job``); ``tick()`` redraws the terminal line."""

    def __init__(self, stream: TextIO | None = None, *, tty: bool | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 estimate: Callable[[JobRecord], float | None] | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.clock = clock
        self.estimate = estimate
        self.record: JobRecord | None = None
        self.started = clock()
        self.typical: float | None = None
        self.last_line = float("-inf")
        self.width = 0

    def __call__(self, record: JobRecord) -> None:
        now = self.clock()
        changed = self.record is None or (record.job_id, record.status) != (self.record.job_id, self.record.status)
        if not changed and record.terminal:
            return  # said once; later calls (the downloads) add nothing
        if self.record is None or self.record.job_id != record.job_id:
            self._end_line()
            self._write(f"{record.job_id} ({record.asin}, {record.country}, {record.listing_type})\n")
            self.started, self.typical = now, self.estimate(record) if self.estimate else None
        self.record = record
        if self.tty:
            self._draw(now)
            if record.terminal:
                self._end_line()
        elif changed or now - self.last_line >= PLAIN_EVERY:
            self._write(self.text(now) + "\n")
            self.last_line = now

    def text(self, now: float) -> str:
        assert self.record is not None
        elapsed = now - self.started
        line = f"{self.record.job_id}: {self.record.status}, {_duration(elapsed)} elapsed"
        if self.record.terminal or self.typical is None:
            return line
        if elapsed < self.typical:
            return f"{line}, about {_duration(math.ceil(self.typical - elapsed))} to go"
        return f"{line}, longer than the usual {_duration(self.typical)}"

    def tick(self) -> None:
        if self.tty and self.record is not None and not self.record.terminal:
            self._draw(self.clock())

    async def ticking(self, every: float = 1.0) -> None:
        """Redraw the terminal line every second until cancelled."""
        import asyncio  # here: a job exported from the cache is told without the event loop
        while True:
            await asyncio.sleep(every)
            self.tick()

    def _draw(self, now: float) -> None:
        text = self.text(now)
        self._write("\r" + text.ljust(self.width))
        self.width = len(text)

    def _end_line(self) -> None:
        if self.tty and self.width:
            self._write("\n")
            self.width = 0

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()
