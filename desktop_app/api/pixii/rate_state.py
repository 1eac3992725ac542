"""What Pixii last told us about its submission rate limits (X-RateLimit-* headers, 429s), for display and for
pacing submissions — kept here and nowhere else.

Limits nothing itself: Pixii submissions are paced in ``core/jobs/submission_limiter.py``, SP-API calls in
``api/amazon/ratelimit.py``; the waits between retries are decided in ``api/retry.py``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Callable, Mapping


@dataclass(frozen=True)
class RateLimitSnapshot:
    limit_minute: int | None = None
    remaining_minute: int | None = None
    limit_day: int | None = None
    remaining_day: int | None = None
    # Monotonic time until which submissions should wait (after a 429), or 0.
    blocked_until: float = 0.0
    day_exhausted: bool = False

    def describe(self) -> str:
        """What is left, e.g. "1 of 10 submissions left this minute, 95 of 100 left today"."""
        if self.day_exhausted:
            return "Daily submission limit reached"
        parts = []
        if self.remaining_minute is not None:
            parts.append(f"{_left(self.remaining_minute, self.limit_minute)} left this minute")
        if self.remaining_day is not None:
            parts.append(f"{_left(self.remaining_day, self.limit_day, noun=not parts)} left today")
        wait = self.blocked_until - time.monotonic()
        if wait > 0:
            parts.append(f"waiting {wait:.0f} s" if parts else f"Submissions: waiting {wait:.0f} s")
        return ", ".join(parts) if parts else "Submissions: limits not known yet"


def _left(remaining: int, limit: int | None, noun: bool = True) -> str:
    """ "9 of 10 submissions", "1 submission" (``noun`` False: "9 of 10")."""
    count = f"{remaining} of {limit}" if limit else str(remaining)
    if not noun:
        return count
    return f"{count} submission{'' if remaining == 1 and not limit else 's'}"


def _int(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    try:
        return max(0, int(str(value).strip())) if value is not None else None
    except ValueError:
        return None


class RateLimitState:
    """Holds the latest X-RateLimit-* values; observers are told of every change."""

    def __init__(self) -> None:
        self._snapshot = RateLimitSnapshot()
        self._observers: list[Callable[[RateLimitSnapshot], None]] = []

    @property
    def snapshot(self) -> RateLimitSnapshot:
        return self._snapshot

    def subscribe(self, observer: Callable[[RateLimitSnapshot], None]) -> None:
        self._observers.append(observer)

    def _set(self, snapshot: RateLimitSnapshot) -> None:
        if snapshot != self._snapshot:
            self._snapshot = snapshot
            for observer in list(self._observers):
                observer(snapshot)

    def update_from_headers(self, headers: Mapping[str, str]) -> None:
        values = {
            "limit_minute": _int(headers, "X-RateLimit-Limit-Minute"),
            "remaining_minute": _int(headers, "X-RateLimit-Remaining-Minute"),
            "limit_day": _int(headers, "X-RateLimit-Limit-Day"),
            "remaining_day": _int(headers, "X-RateLimit-Remaining-Day"),
        }
        known = {k: v for k, v in values.items() if v is not None}
        if not known:
            return
        snap = replace(self._snapshot, **known)
        if snap.remaining_day is not None and snap.remaining_day > 0:
            snap = replace(snap, day_exhausted=False)
        self._set(snap)

    def note_limited(self, retry_after: float | None, daily: bool) -> None:
        until = time.monotonic() + retry_after if retry_after else self._snapshot.blocked_until
        self._set(replace(self._snapshot, blocked_until=until, day_exhausted=daily or self._snapshot.day_exhausted))
