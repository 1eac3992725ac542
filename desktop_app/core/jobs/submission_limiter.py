"""A proactive submission limiter: submit only while the rate limits allow, so that normal operation
never receives a 429 (pixii.md §9: 10 submissions a minute, 500 a day, per organisation).

Two sources, the stricter wins:

* its own log of submissions, kept in the journal (so a restart, or a second instance on the same
  data dir, still counts them): at most ``per_minute`` in any sliding ``minute_window`` (which is
  stricter than a fixed calendar minute, whatever model the service uses) and at most ``per_day``
  since 00:00 UTC. Each submission counts from the moment its answer arrived, the latest moment the
  service can have counted it, so a sliding window here never overlaps the service's window; one
  whose answer never arrived (the process was killed) counts as one window after it was sent;
* the latest ``X-RateLimit-*`` headers (the limits and the day's remaining count are kept in the
  journal too): their limits cap ours, ``Remaining-Day`` 0 ends the day,
  and ``Remaining-Minute`` 0 waits for the service's window to reset. Its reset time is not in the
  headers, so the limiter tracks it: the window that answered "fresh" (the remaining count went up,
  or the previous estimate had run out) ends at the latest one window after that answer.

A 429 that comes anyway is honoured by the client (Retry-After); its ``blocked_until`` is respected
here too. The journal is read and written through a store (:mod:`desktop_app.store.inline`) on the
asynchronous paths (waiting, recording a submission and its answer), so that the window's copy never touches
SQLite on its GUI thread; :meth:`SubmissionLimiter.delay`, :meth:`~SubmissionLimiter.day_remaining` and
:meth:`~SubmissionLimiter.forecast` also answer synchronously (the command line, before its loop runs).
Window lengths are configurable (benchmarks scale the minute down); the environment
variable LISTING_STUDIO_MINUTE_WINDOW sets the minute window in seconds.
Other limits: SP-API calls in api/amazon/ratelimit.py; the waits between retries in api/retry.py.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
import os
import time
from dataclasses import dataclass
from typing import Awaitable, Callable, Mapping

from desktop_app.api.errors import RateLimited
from desktop_app.api.pixii.rate_state import RateLimitState
from desktop_app.store.inline import InlineStore, Store
from desktop_app.store.journal import Journal
from desktop_app.store.limits import LimiterLog

DAY = 86400.0


@dataclass(frozen=True)
class Limits:
    per_minute: int = 10
    per_day: int = 500
    minute_window: float = 60.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Limits":
        env = os.environ if env is None else env
        try:
            window = float(env.get("LISTING_STUDIO_MINUTE_WINDOW") or 60.0)
        except ValueError:
            window = 60.0
        return cls(minute_window=min(max(window, 0.1), 3600.0))


class DailyLimitReached(RateLimited):
    """The day's submissions are used up: nothing was sent."""

    def __init__(self, message: str) -> None:
        super().__init__("RATE_LIMIT_DAY_EXCEEDED", message, retry_after=None, daily=True, status=None)


@dataclass(frozen=True)
class Forecast:
    seconds: float   # until the last of the rows that fit today can be sent
    fit_today: int   # how many of them the daily limit still allows


def day_start(now: float) -> float:
    return math.floor(now / DAY) * DAY


@dataclass(frozen=True)
class Seen:
    """What the journal's log says at one moment: the times counted in the last window (ascending), the
    submissions sent today and since the stored announcement, and that announcement (see LimiterLog.announced)."""
    recent: list[float]
    today: int
    since_announced: int
    announced: dict


class SubmissionLimiter:
    def __init__(self, journal: Journal, service: str, rate_state: RateLimitState | None = None,
                 limits: Limits | None = None, *, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, store: Store | None = None) -> None:
        self.journal = journal
        self.store: Store = store or InlineStore(journal)
        self.log = LimiterLog(journal, service)
        self.service = service
        self.rate_state = rate_state or RateLimitState()
        self.limits = limits or Limits()
        self._clock = clock
        self._sleep = sleep
        self._remaining: int | None = None      # Remaining-Minute of the latest answer
        self._window_end: float | None = None   # latest possible end of the service's current window
        self._stored: dict | None = None        # the limits announced last, once read from the journal
        self.seen: Seen | None = None           # the log as last read

    # --- effective limits ------------------------------------------------------------------------

    @property
    def per_minute(self) -> int:
        header = self.rate_state.snapshot.limit_minute or self._announced().get("limit_minute")
        return max(1, min(self.limits.per_minute, header) if header else self.limits.per_minute)

    @property
    def per_day(self) -> int:
        header = self.rate_state.snapshot.limit_day
        header = header if header is not None else self._announced().get("limit_day")
        return min(self.limits.per_day, header) if header is not None else self.limits.per_day

    def _announced(self) -> dict:
        if self._stored is None:
            self._stored = self.log.announced()
        return self._stored

    # --- the log ---------------------------------------------------------------------------------

    def _times(self, since: float) -> list[float]:
        return self.log.counted_times(self.limits.minute_window, since)

    def read(self, journal: Journal, now: float) -> Seen:
        """The log at ``now``, read from ``journal`` (plain journal work: one store call)."""
        log = LimiterLog(journal, self.service)
        announced = log.announced() if self._stored is None else self._stored
        return Seen(log.counted_times(self.limits.minute_window, now - self.limits.minute_window),
                    log.sent_since(day_start(now)),
                    log.sent_since(max(day_start(now), announced.get("updated_at") or 0.0)), announced)

    def _seen(self, now: float, seen: Seen | None) -> Seen:
        seen = self.seen = seen or self.read(self.journal, now)
        if self._stored is None:
            self._stored = seen.announced
        return seen

    async def look(self, now: float | None = None) -> Seen:
        """The log at ``now`` (default: the clock's now), read through the store; kept as :attr:`seen`."""
        now = self._clock() if now is None else now
        return self._seen(now, await self.store.call(self.read, now))

    def day_remaining(self, now: float | None = None, seen: Seen | None = None) -> int:
        now = self._clock() if now is None else now
        seen = self._seen(now, seen)
        left = self.per_day - seen.today
        snap = self.rate_state.snapshot
        stored = seen.announced
        if snap.remaining_day is not None:
            left = min(left, snap.remaining_day)
        elif stored.get("remaining_day") is not None and stored.get("day_start") == day_start(now):
            left = min(left, stored["remaining_day"] - seen.since_announced)
        return 0 if snap.day_exhausted else max(0, left)

    # --- pacing ----------------------------------------------------------------------------------

    def delay(self, now: float | None = None, seen: Seen | None = None) -> float:
        """Seconds until a submission may be sent (0: now), from ``seen`` (else the journal, read at once).
        Raises DailyLimitReached."""
        now = self._clock() if now is None else now
        seen = self._seen(now, seen)
        if self.day_remaining(now, seen) <= 0:
            raise DailyLimitReached("The daily submission limit is reached; the rest waits for tomorrow")
        ready = now
        recent = seen.recent
        if len(recent) >= self.per_minute:
            ready = max(ready, recent[-self.per_minute] + self.limits.minute_window)
        if self._remaining == 0 and self._window_end is not None:
            ready = max(ready, self._window_end)
        blocked = self.rate_state.snapshot.blocked_until - time.monotonic()
        if blocked > 0:
            ready = max(ready, now + blocked)
        return max(0.0, ready - now)

    async def wait_ready(self, should_stop: Callable[[], bool] = lambda: False, step: float = 0.5) -> bool:
        """Sleep until a submission may be sent; False if ``should_stop`` turned true meanwhile."""
        while True:
            if should_stop():
                return False
            now = self._clock()
            wait = self.delay(now, await self.look(now))
            if wait <= 0:
                return True
            await self._sleep(min(wait, step))

    async def acquire(self) -> int:
        """Wait for the limits, then record a submission (atomically with the check, so two instances
        on one data dir share the budget). Returns the ticket to pass to :meth:`done`."""
        while True:
            await self.wait_ready()
            now = self._clock()
            ticket = await self.store.call(_record_if_room, self.service, now, self.limits.minute_window,
                                           self.per_minute, day_start(now), self.per_day)
            if ticket is not None:
                return ticket

    async def done(self, ticket: int) -> None:
        """The submission's answer arrived (or it failed): count it from now; learn from the headers."""
        now = self._clock()
        snap = self.rate_state.snapshot
        announced = None
        if snap.limit_minute is not None or snap.limit_day is not None or snap.remaining_day is not None:
            announced = self._stored = {"limit_minute": snap.limit_minute, "limit_day": snap.limit_day,
                                        "remaining_day": snap.remaining_day, "day_start": day_start(now),
                                        "updated_at": now}
        self._learn(now, snap.remaining_minute)
        await self.store.call(_answered, self.service, ticket, now, announced)

    def _learn(self, now: float, remaining: int | None) -> None:
        """The service's window, from the minute's remaining count of the latest answer."""
        if remaining is None:
            return
        fresh = (self._remaining is None or remaining > self._remaining or self._window_end is None
                 or now >= self._window_end)
        if fresh:
            self._window_end = now + self.limits.minute_window
        self._remaining = remaining

    # --- planning --------------------------------------------------------------------------------

    def forecast(self, rows: int, now: float | None = None, seen: Seen | None = None) -> Forecast:
        """The minimum time the limits impose to send ``rows`` more submissions, from what is known (``seen``,
        else the journal, read at once)."""
        now = self._clock() if now is None else now
        seen = self._seen(now, seen)
        fit = min(rows, self.day_remaining(now, seen))
        if fit <= 0:
            return Forecast(0.0, 0)
        window, cap = self.limits.minute_window, self.per_minute
        last = deque(seen.recent, maxlen=cap)  # ascending: the oldest of the last `cap` first
        header_left = self._remaining if self._window_end is not None and now < self._window_end else None
        t = now
        for i in range(fit):
            if header_left is not None and i >= header_left:
                t = max(t, self._window_end or t)
                header_left = None
            if len(last) == cap and last[0] > t - window:
                t = last[0] + window
            last.append(t)
        return Forecast(t - now, fit)


def _record_if_room(journal: Journal, service: str, *args) -> int | None:
    return LimiterLog(journal, service).record_if_room(*args)


def _answered(journal: Journal, service: str, ticket: int, now: float, announced: dict | None) -> None:
    LimiterLog(journal, service).answered(ticket, now, announced)
