"""How many Amazon SP-API calls per second — decided here and nowhere else: client-side token buckets per
operation (sp-api-listings.md §7).

Other limits: Pixii submissions are paced in ``core/jobs/submission_limiter.py`` (from ``api/pixii/rate_state.py``);
the waits between retries are decided in ``api/retry.py``.

One bucket per (seller, region, operation): rate 5/s, burst 5 (the lowest published values), and a separate
bucket of 1/s, burst 1 for any PUT/PATCH with ``mode=VALIDATION_PREVIEW``. Waiting callers are served in order.
A numeric ``x-amzn-RateLimit-Limit`` response header becomes the operation bucket's rate (:func:`header_rate`,
:meth:`TokenBucket.set_rate`); the burst never changes.
"""

from __future__ import annotations

import asyncio
import time
from typing import Awaitable, Callable, Mapping

PREVIEW = "preview"
DEFAULT_RATES: dict[str, tuple[float, float]] = {
    "getListingsItem": (5.0, 5.0),
    "putListingsItem": (5.0, 5.0),
    "patchListingsItem": (5.0, 5.0),
    "deleteListingsItem": (5.0, 5.0),
    "getDefinitionsProductType": (5.0, 5.0),
    PREVIEW: (1.0, 1.0),
}


RATE_LIMIT_HEADER = "x-amzn-RateLimit-Limit"


def header_rate(value: str | None) -> float | None:
    """The requests-per-second of an ``x-amzn-RateLimit-Limit`` value ("5.0"), or None if absent or not a
    positive finite number."""
    if not value:
        return None
    try:
        rate = float(value.strip())
    except ValueError:
        return None
    return rate if 0 < rate < float("inf") else None


class TokenBucket:
    def __init__(self, rate: float, burst: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate, self.burst = float(rate), float(burst)
        self._clock, self._sleep = clock, sleep
        self._tokens = float(burst)
        self._stamp = clock()
        self._lock: asyncio.Lock | None = None

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def set_rate(self, rate: float) -> bool:
        """Adopt a new refill rate (from ``x-amzn-RateLimit-Limit``); the burst is unchanged. True if it changed."""
        if not rate > 0 or rate == self.rate or rate == float("inf"):
            return False
        self._refill()          # tokens earned so far count at the old rate
        self.rate = float(rate)
        return True

    def try_take(self) -> float:
        """Take a token and return 0, or return the seconds to wait for one."""
        self._refill()
        if self._tokens >= 1:
            self._tokens -= 1
            return 0.0
        return (1 - self._tokens) / self.rate

    async def acquire(self) -> None:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            while (wait := self.try_take()) > 0:
                await self._sleep(wait)


class BucketSet:
    def __init__(self, rates: Mapping[str, tuple[float, float]] | None = None, *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.rates = {**DEFAULT_RATES, **(rates or {})}
        self._clock, self._sleep = clock, sleep
        self._buckets: dict[tuple[str, str, str], TokenBucket] = {}

    def bucket(self, seller_id: str, region: str, operation: str) -> TokenBucket:
        key = (seller_id, region, operation)
        if key not in self._buckets:
            rate, burst = self.rates.get(operation, (5.0, 5.0))
            self._buckets[key] = TokenBucket(rate, burst, clock=self._clock, sleep=self._sleep)
        return self._buckets[key]
