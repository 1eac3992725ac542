"""Batch parsing and planning, the proactive limiter, poll leases and the expiry helper (no network)."""

import asyncio
import os
import time

import pytest

from support.safety import unused_pid

from desktop_app.api.pixii.models import Ad, Job, ListingRequest
from desktop_app.api.pixii.rate_state import RateLimitState
from desktop_app.core.jobs import expiry
from desktop_app.core.batch.rows import parse_batch, plan_batch
from desktop_app.store.journal import Journal
from desktop_app.core.jobs.lease import PollLeases
from desktop_app.core.jobs.process import ProcessIdentity
from desktop_app.core.jobs.submission_limiter import DailyLimitReached, Limits, SubmissionLimiter, day_start
from desktop_app.core.validation import InputError

CSV = """# catalogue
asin,country_code,listing_type,main_image_url,other_image_urls
b0testasin,us,amazon_listing,,
B0SECOND01,,shopify_listing,https://img.example/m.jpg,https://img.example/a.jpg https://img.example/b.jpg

https://www.amazon.co.uk/dp/B0THIRD001?ref=x
B0SHORT
B0FOURTH01,XX
B0FIFTH001,US,instagram
B0SIXTH001,US,amazon_listing,ftp://x
B0SEVENTH1,US,amazon_listing,,,extra
"""


def test_parse_validates_every_row_with_line_numbers():
    batch = parse_batch(CSV, country="de", listing_type="amazon_main_images")
    assert [(r.line, r.request.asin, r.request.country_code, r.request.listing_type) for r in batch.rows] == [
        (3, "B0TESTASIN", "US", "amazon_listing"), (4, "B0SECOND01", "DE", "shopify_listing"),
        (6, "B0THIRD001", "GB", "amazon_main_images")]
    assert batch.rows[1].request.main_image_url == "https://img.example/m.jpg"
    assert batch.rows[1].request.other_image_urls == ("https://img.example/a.jpg", "https://img.example/b.jpg")
    assert [(i.line, i.code) for i in batch.invalid] == [
        (7, "INVALID_ASIN"), (8, "INVALID_COUNTRY"), (9, "INVALID_LISTING_TYPE"), (10, "INVALID_IMAGE_URL"),
        (11, "INVALID_ROW")]
    assert not batch.ok


def test_bare_asins_and_links_take_the_defaults_and_missing_ones_are_named():
    text = "\ufeffB0TESTASIN\nhttps://www.amazon.de/Some-Thing,Else/dp/B0TESTASI2/ref=sr_1\n  # note\n"
    batch = parse_batch(text, country="us", listing_type="tiktok_listing")
    assert [(r.line, r.request.asin, r.request.country_code) for r in batch.rows] == [
        (1, "B0TESTASIN", "US"), (2, "B0TESTASI2", "DE")]
    assert batch.ok
    bare = parse_batch("B0TESTASIN\n")
    assert [(i.line, i.code) for i in bare.invalid] == [(1, "INVALID_COUNTRY")]
    bare = parse_batch("B0TESTASIN\n", country="US")
    assert [(i.line, i.code) for i in bare.invalid] == [(1, "INVALID_LISTING_TYPE")]
    with pytest.raises(InputError):
        parse_batch("B0TESTASIN\n", country="XX")


def test_header_columns_in_any_order_and_unknown_columns_refused():
    batch = parse_batch("type,country,asin\namazon_listing,fr,B0TESTASIN\n")
    assert batch.ok and batch.rows[0].request == ListingRequest("B0TESTASIN", "FR", "amazon_listing")
    bad = parse_batch("asin,colour\nB0TESTASIN,red\n", country="US", listing_type="amazon_listing")
    assert [(i.line, i.code) for i in bad.invalid] == [(1, "INVALID_ROW")] and "colour" in bad.invalid[0].reason


def test_private_reference_urls_are_refused_for_a_remote_service_only():
    text = "B0TESTASIN,US,amazon_listing,http://127.0.0.1:9/m.png\n"
    assert parse_batch(text).invalid[0].code == "INVALID_IMAGE_URL"
    assert parse_batch(text, api_is_local=True).ok


def test_batch_id_follows_normalized_content_and_defaults():
    a = parse_batch("asin,country_code,listing_type\nB0TESTASIN,US,amazon_listing\n")
    b = parse_batch("ASIN , Country_Code , Listing_Type\n b0testasin , us , AMAZON_LISTING \n")
    c = parse_batch("B0TESTASIN\n", country="US", listing_type="amazon_listing")
    assert a.batch_id == b.batch_id
    assert c.batch_id != a.batch_id  # another line number and defaults: another batch
    assert parse_batch("B0TESTASIN\n", country="US", listing_type="amazon_listing").batch_id == c.batch_id


class Clock:
    def __init__(self, t: float = 1_700_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += seconds


def _limiter(tmp_path, clock, state=None, **limits):
    journal = Journal(tmp_path / "j.sqlite")
    return SubmissionLimiter(journal, "svc", state or RateLimitState(), Limits(**limits), clock=clock,
                             sleep=clock.sleep)


def _send(lim):
    """One submission through ``lim``: its turn taken, its answer come."""
    asyncio.run(lim.done(asyncio.run(lim.acquire())))


def test_limiter_paces_its_own_minute_window_and_persists_it(tmp_path):
    clock = Clock()
    lim = _limiter(tmp_path, clock, minute_window=6.0)
    for _ in range(10):
        assert lim.delay() == 0
        _send(lim)
        clock.t += 0.1
    assert lim.delay() == pytest.approx(5.0)  # the oldest of the 10 leaves the 6 s window
    again = SubmissionLimiter(Journal(tmp_path / "j.sqlite"), "svc", limits=Limits(minute_window=6.0), clock=clock)
    assert again.delay() == pytest.approx(5.0)  # a restart still knows the recent submissions
    assert SubmissionLimiter(again.journal, "other", clock=clock).delay() == 0
    started = clock.t
    asyncio.run(lim.acquire())
    assert clock.t - started == pytest.approx(5.0)


def test_limiter_forecast_is_the_rate_limit_floor(tmp_path):
    lim = _limiter(tmp_path, Clock(), minute_window=6.0)
    assert lim.forecast(60).seconds == pytest.approx(30.0)
    assert lim.forecast(10).seconds == 0 and lim.forecast(11).seconds == pytest.approx(6.0)
    day = _limiter(tmp_path, Clock(), per_day=25)
    assert day.forecast(60).fit_today == 25


def test_headers_tighten_the_limits(tmp_path):
    clock, state = Clock(), RateLimitState()
    lim = _limiter(tmp_path, clock, state, minute_window=60.0)
    state.update_from_headers({"X-RateLimit-Limit-Minute": "10", "X-RateLimit-Remaining-Minute": "1",
                               "X-RateLimit-Limit-Day": "500", "X-RateLimit-Remaining-Day": "40"})
    _send(lim)  # another client used 8 of this window: the service says 1 left
    clock.t += 1
    state.update_from_headers({"X-RateLimit-Remaining-Minute": "0"})
    _send(lim)
    assert lim.delay() == pytest.approx(59.0)  # one window after the answer that opened it
    assert lim.day_remaining() == 40 - 0  # headers say 40 left, our own count 2 of 500
    state.update_from_headers({"X-RateLimit-Limit-Day": "2", "X-RateLimit-Remaining-Day": "5"})
    with pytest.raises(DailyLimitReached):
        lim.delay()


def test_day_count_restarts_at_utc_midnight(tmp_path):
    clock = Clock(day_start(1_700_000_000.0) + 86400 - 30)
    lim = _limiter(tmp_path, clock, per_day=3)
    for _ in range(3):
        _send(lim)
    with pytest.raises(DailyLimitReached):
        lim.delay()
    clock.t += 60
    assert lim.delay() == 0


def test_a_restart_remembers_the_announced_limits_and_unanswered_submissions(tmp_path):
    clock, state = Clock(), RateLimitState()
    lim = _limiter(tmp_path, clock, state)
    state.update_from_headers({"X-RateLimit-Limit-Minute": "2", "X-RateLimit-Remaining-Minute": "1",
                               "X-RateLimit-Limit-Day": "3", "X-RateLimit-Remaining-Day": "1"})
    _send(lim)
    clock.t += 1
    asyncio.run(lim.acquire())  # killed before its answer: counts as one window after it was sent
    restarted = SubmissionLimiter(Journal(tmp_path / "j.sqlite"), "svc", clock=clock)
    assert (restarted.per_minute, restarted.per_day) == (2, 3)
    assert restarted._times(clock.t - 60) == [clock.t - 1, clock.t + 60]
    with pytest.raises(DailyLimitReached):  # the service said 1 left today, and it was used since
        restarted.delay()
    clock.t += 86400
    assert restarted.day_remaining() == 3 and restarted.delay() == 0


def test_sweep_removes_only_old_hidden_temp_files(tmp_path):
    from desktop_app.core.housekeeping import sweep_stale_temp
    old, young, real = tmp_path / ".B0X.MAIN.jpg.abc.part", tmp_path / ".B0X.PT01.png.def.part", tmp_path / "a.part"
    for p in (old, young, real):
        p.write_bytes(b"x")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    assert sweep_stale_temp(tmp_path, ".B0X") == 1
    assert not old.exists() and young.exists() and real.exists()


def test_a_429_blocks_until_retry_after(tmp_path):
    state = RateLimitState()
    lim = _limiter(tmp_path, Clock(), state)
    state.note_limited(3.0, daily=False)
    assert 2.0 < lim.delay() <= 3.0


def test_two_limiters_on_one_journal_share_the_budget(tmp_path):
    clock = Clock()
    a, b = _limiter(tmp_path, clock), _limiter(tmp_path, clock)
    for i in range(10):
        _send(a if i % 2 else b)
    assert a.delay() > 0 and b.delay() > 0


def test_plan_counts_rows_time_and_credits(tmp_path):
    lim = _limiter(tmp_path, Clock(), minute_window=60.0)
    batch = parse_batch("\n".join(f"B0TESTAS{i:02d}" for i in range(25)), country="US",
                        listing_type="amazon_listing")
    plan = plan_batch(batch, lim, key_mode="live")
    assert (plan.rows, plan.to_submit, plan.min_seconds, plan.credits) == (25, 25, 120.0, None)
    assert "unknown" in plan.describe() and "2 min" in plan.describe()
    plan = plan_batch(batch, lim, key_mode="live", known_prices={"amazon_listing": 10},
                      submitted_lines={1, 2, 3, 4, 5})
    assert (plan.to_submit, plan.credits, plan.min_seconds) == (20, 200.0, 60.0)
    assert plan_batch(batch, lim, key_mode="test").credits == 0


def test_poll_leases_are_exclusive_renewable_and_taken_over(tmp_path):
    now = [1000.0]
    journal = Journal(tmp_path / "j.sqlite")
    other = Journal(tmp_path / "j.sqlite")
    a, b = PollLeases(journal, ttl=0.3, clock=lambda: now[0]), PollLeases(other, ttl=0.3, clock=lambda: now[0])
    assert a.claim("job_1") and a.claim("job_1")
    assert not b.claim("job_1")
    assert b.claim("job_2")
    now[0] += 0.29
    assert not b.claim("job_1")  # still held
    now[0] += 0.02
    assert b.claim("job_1") and not a.claim("job_1")  # expired: the other instance takes it over
    b.release_all()
    assert a.claim("job_1")
    gone = ProcessIdentity.current()._replace(pid=unused_pid())
    dead = PollLeases(other, ttl=60, owner=gone.token("dead"), clock=lambda: now[0])
    assert dead.claim("job_3")
    assert a.claim("job_3")  # its owner process is gone: no need to wait for the lease to expire


def _record(journal, completed_at, status="completed", urls=("https://x.example/1.png",)):
    job = Job("job_e", "Listing Builder", status, "2020-01-01T00:00:00Z", completed_at=completed_at,
              ads=tuple(Ad(u) for u in urls) if status == "completed" else None)
    journal.add_known_job("svc", job, "B0TESTASIN", "US", "amazon_listing")
    return journal.job("job_e"), journal.images("job_e")


def test_expiry_status(tmp_path):
    journal = Journal(tmp_path / "j.sqlite")
    record, images = _record(journal, "2020-01-01T00:10:00Z")
    done = 1577837400.0
    assert expiry.result_status(record, images, now=done + 3600) == expiry.PENDING
    assert expiry.result_status(record, images, now=done + 6.5 * 86400) == expiry.EXPIRING
    assert "h" in expiry.describe(expiry.EXPIRING, record, now=done + 6.5 * 86400)
    assert expiry.result_status(record, images, now=done + 8 * 86400) == expiry.EXPIRED
    assert expiry.likely_expired(record, now=done + 8 * 86400)
    path = tmp_path / "img.png"
    path.write_bytes(b"x")
    journal.set_image_cached("job_e", 0, "a" * 64, "png", path, 1, 1)
    images = journal.images("job_e")
    assert expiry.result_status(record, images, now=done + 8 * 86400) == expiry.CACHED
    running = Journal(tmp_path / "k.sqlite")
    record, images = _record(running, None, status="processing")
    assert expiry.result_status(record, images, now=done) == expiry.RUNNING
    assert expiry.result_status(record, images, now=done + 8 * 86400) == expiry.EXPIRED
