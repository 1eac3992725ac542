"""The one retry policy: backoff bounds, jitter, caps, Retry-After, give-up time and retry count."""

import math

from support.aio import run

from desktop_app.api.retry import WATCH_PUBLISH, RetryPolicy


class Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_backoff_doubles_up_to_the_cap_and_jitter_draws_below_the_bound():
    draws = []

    def uniform(low, high):
        draws.append((low, high))
        return high * 0.5

    policy = RetryPolicy(base=0.5, cap=3.0, uniform=uniform)
    waits = [policy.backoff(n) for n in range(5)]
    assert draws == [(0.0, 0.5), (0.0, 1.0), (0.0, 2.0), (0.0, 3.0), (0.0, 3.0)]
    assert waits == [0.25, 0.5, 1.0, 1.5, 1.5]


def test_without_jitter_the_wait_is_the_bound_itself():
    policy = RetryPolicy(base=0.2, cap=1.0, jitter=False, uniform=lambda a, b: 1 / 0)
    assert [policy.backoff(n) for n in range(4)] == [0.2, 0.4, 0.8, 1.0]


def test_real_jitter_stays_within_zero_and_the_bound():
    policy = RetryPolicy(base=1.0, cap=4.0)
    for n in range(8):
        for _ in range(50):
            assert 0.0 <= policy.backoff(n) <= min(4.0, 2 ** n)


def test_retry_after_wins_over_backoff_but_never_beyond_the_ceiling():
    policy = RetryPolicy(base=0.5, cap=8.0, ceiling=120.0, uniform=lambda a, b: b)
    assert policy.wait(0, retry_after=30.0) == 30.0
    assert policy.wait(5, retry_after=1.0) == 1.0          # shorter than the backoff: still the server's word
    assert policy.wait(0, retry_after=3600.0) == 120.0
    assert policy.wait(0, retry_after=None) == 0.5
    assert policy.wait(0, at_least=5.0) == 5.0
    assert policy.wait(4, at_least=5.0) == 8.0


def test_attempts_give_up_when_the_next_wait_passes_the_give_up_time():
    clock = Clock()
    policy = RetryPolicy(base=1.0, cap=4.0, give_up_after=10.0, jitter=False)
    run_ = policy.start(clock=clock, sleep=clock.sleep)

    async def loop():
        while True:
            wait = run_.next_wait()
            if not run_.allows(wait):
                return
            await run_.pause(wait)

    run(loop())
    assert clock.slept == [1.0, 2.0, 4.0]   # a further 4 s would end at 11 s, past the 10 s give-up time
    assert run_.retry == 3 and run_.elapsed == 7.0


def test_attempts_stop_after_max_retries_whatever_the_time():
    clock = Clock()
    policy = RetryPolicy(base=0.01, give_up_after=math.inf, max_retries=4)
    attempts = policy.start(clock=clock, sleep=clock.sleep)

    async def loop():
        while attempts.allows(wait := attempts.next_wait()):
            await attempts.pause(wait)

    run(loop())
    assert attempts.retry == 4 and len(clock.slept) == 4


def test_another_policy_can_judge_the_same_attempts():
    clock = Clock()
    timed = RetryPolicy(give_up_after=1.0)
    counted = timed.but(give_up_after=math.inf, max_retries=2)
    attempts = timed.start(clock=clock, sleep=clock.sleep)
    clock.now += 50.0
    assert not attempts.allows(0.0)
    assert attempts.allows(0.0, counted)
    attempts.retry = 2
    assert not attempts.allows(0.0, counted)


def test_a_publish_is_watched_after_2_s_then_doubling_up_to_a_minute():
    waits = [WATCH_PUBLISH.wait(n) for n in range(8)]
    assert waits == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]
    assert WATCH_PUBLISH.allows(5, elapsed=62.0, wait=waits[5]) is False  # 2+4+8+16+32 = 62 s, then 60 > 120 s
