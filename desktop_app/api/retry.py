"""The retry policy: how long to wait between attempts and when to give up — decided here and nowhere else.

Every retry loop of the app (Pixii GETs and unsent submissions, SP-API calls, the LWA token exchange, image
downloads, re-asking for a job whose answer was unusable, the window polling again after trouble, re-reading a
published listing until Amazon serves the new images) takes a :class:`RetryPolicy` and runs its attempts through :meth:`RetryPolicy.start`. The wait before retry ``n``
(0-based) is "full jitter" exponential backoff: a uniform draw in ``[0, min(cap, base * 2**n)]`` (without
jitter, the bound itself). A server's ``Retry-After`` wins over the backoff, never beyond ``ceiling``. A loop
gives up when the next wait would take it past ``give_up_after`` seconds since its first attempt, or after
``max_retries`` retries. The app's named schedules are at the end of this module.

How many requests may be sent is a separate decision: ``api/pixii/rate_state.py`` (what Pixii says is left),
``api/amazon/ratelimit.py`` (SP-API token buckets) and ``core/jobs/submission_limiter.py`` (pacing Pixii submissions).
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from dataclasses import dataclass, field, replace
from typing import Awaitable, Callable

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class RetryPolicy:
    base: float = 0.5             # seconds: the bound of the first wait
    cap: float = 8.0              # seconds: the bound never grows beyond this
    give_up_after: float = 60.0   # seconds since the first attempt
    max_retries: float = math.inf  # retries after the first attempt
    ceiling: float = 120.0        # seconds: the longest single wait, even when a server asks for more
    jitter: bool = True
    uniform: Callable[[float, float], float] = field(default=random.uniform, repr=False, compare=False)

    def backoff(self, retry: int) -> float:
        """The wait before retry ``retry`` (0-based), from the backoff alone."""
        bound = min(self.cap, self.base * 2 ** retry)
        return self.uniform(0.0, bound) if self.jitter else bound

    def wait(self, retry: int, *, retry_after: float | None = None, at_least: float = 0.0) -> float:
        """The wait before retry ``retry``: the server's ``retry_after`` when it gave one, else the backoff but at
        least ``at_least``; never longer than ``ceiling``."""
        wanted = retry_after if retry_after else max(self.backoff(retry), at_least)
        return min(wanted, self.ceiling)

    def allows(self, retry: int, elapsed: float, wait: float) -> bool:
        """Whether retry ``retry`` may still happen after waiting ``wait`` seconds, ``elapsed`` after the start."""
        return retry < self.max_retries and elapsed + wait <= self.give_up_after

    def but(self, **changes) -> RetryPolicy:
        """This policy with some fields changed (a loop with its own bounds)."""
        return replace(self, **changes)

    def start(self, *, clock: Callable[[], float] = time.monotonic, sleep: Sleep = asyncio.sleep) -> Attempts:
        return Attempts(self, clock, sleep)


class Attempts:
    """One retry loop under a policy: counts the retries and the time since the first attempt."""

    def __init__(self, policy: RetryPolicy, clock: Callable[[], float], sleep: Sleep) -> None:
        self.policy = policy
        self._clock, self._sleep = clock, sleep
        self.started = clock()
        self.retry = 0  # retries done so far

    @property
    def elapsed(self) -> float:
        return self._clock() - self.started

    def next_wait(self, *, retry_after: float | None = None, at_least: float = 0.0) -> float:
        return self.policy.wait(self.retry, retry_after=retry_after, at_least=at_least)

    def allows(self, wait: float, policy: RetryPolicy | None = None) -> bool:
        """Whether to retry after ``wait``; ``policy``: judge by other bounds (e.g. a count, not a time)."""
        return (policy or self.policy).allows(self.retry, self.elapsed, wait)

    async def pause(self, wait: float) -> None:
        """Wait before the next attempt and count it."""
        await self._sleep(wait)
        self.retry += 1


# The window keeps a job it could not poll (the client already retried for its give-up time) and polls it again
# every 30 s, for as long as the window is open.
POLL_AGAIN_AFTER_TROUBLE = RetryPolicy(base=30.0, cap=30.0, jitter=False, give_up_after=math.inf)

# Watching a publish until Amazon serves the new images (processing takes seconds to minutes): the first re-read
# after 2 s, then doubling up to 60 s; the watch's own timeout replaces ``give_up_after``.
WATCH_PUBLISH = RetryPolicy(base=2.0, cap=60.0, jitter=False, give_up_after=120.0)
