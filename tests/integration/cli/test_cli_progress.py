"""Progress you can see: the live line while a command waits (driven by an injected clock), the estimate from
earlier jobs, ``generate``'s lines when stderr is not a terminal, and ``batch --dry-run``'s plan."""

import io
from dataclasses import replace

from support.cli import run_cli
from desktop_app.cli.progress import Progress, typical_seconds
from desktop_app.store.journal import JobRecord, Journal


def record(status: str, job_id: str = "job_1", **kw) -> JobRecord:
    base = JobRecord(job_id, "sandbox", "B0TESTASIN", "US", "amazon_listing", None, (), status,
                     "2026-01-01T00:00:00Z", None, None, None, None, None, 0.0, 0.0, None)
    return replace(base, **kw)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_log_gets_a_line_per_state_change_and_every_few_seconds():
    out, clock = io.StringIO(), Clock()
    progress = Progress(out, tty=False, clock=clock, estimate=lambda r: 120.0)
    progress(record("pending"))
    clock.now += 2
    progress(record("pending"))           # same state, 2 s later: nothing new
    clock.now += 4
    progress(record("pending"))           # 6 s: a heartbeat line
    clock.now += 1
    progress(record("processing"))        # a new state: at once
    clock.now += 60
    progress(record("completed"))
    clock.now += 10
    progress(record("completed"))         # the downloads notify again: said once is enough
    lines = out.getvalue().splitlines()
    assert lines == ["job_1 (B0TESTASIN, US, amazon_listing)",
                     "job_1: pending, 0 s elapsed, about 2 min 00 s to go",
                     "job_1: pending, 6 s elapsed, about 1 min 54 s to go",
                     "job_1: processing, 7 s elapsed, about 1 min 53 s to go",
                     "job_1: completed, 1 min 07 s elapsed"]
    assert "\r" not in out.getvalue()


def test_a_terminal_gets_one_line_rewritten_in_place():
    out, clock = io.StringIO(), Clock()
    progress = Progress(out, tty=True, clock=clock, estimate=lambda r: 10.0)
    progress(record("processing"))
    clock.now += 1
    progress.tick()
    clock.now += 12
    progress.tick()
    progress(record("completed"))
    progress(record("completed"))
    text = out.getvalue()
    head, live = text.split("\n", 1)
    assert head == "job_1 (B0TESTASIN, US, amazon_listing)"
    frames = live.rstrip("\n").split("\r")[1:]
    assert [f.rstrip() for f in frames] == ["job_1: processing, 0 s elapsed, about 10 s to go",
                                            "job_1: processing, 1 s elapsed, about 9 s to go",
                                            "job_1: processing, 13 s elapsed, longer than the usual 10 s",
                                            "job_1: completed, 13 s elapsed"]
    assert len(frames[-1]) >= len(frames[-2].rstrip())  # the longer line before is wiped
    assert text.endswith("\n")
    progress.tick()
    assert out.getvalue() == text  # nothing drawn after the end


def test_the_estimate_is_the_median_of_earlier_jobs_of_the_type(tmp_path):
    journal = Journal(tmp_path / "journal.sqlite")
    assert typical_seconds(journal, "sandbox", "amazon_listing", "live") == 120.0
    assert typical_seconds(journal, "sandbox", "amazon_listing", "test") == 1.0
    assert typical_seconds(journal, "sandbox", "amazon_listing", "sandbox") == 0.05 + 0.2  # as the tests set it
    from desktop_app.api.pixii.models import parse_job
    for i, took in enumerate((90, 100, 300)):
        job = parse_job({"id": f"job_{i}", "status": "processing", "created_at": f"2026-01-0{i + 1}T00:00:00Z",
                         "completed_at": f"2026-01-0{i + 1}T00:{took // 60:02d}:{took % 60:02d}Z"})
        journal.add_known_job("sandbox", job, "B0TESTASIN", "US", "amazon_listing")
        journal.write([("UPDATE jobs SET status='completed' WHERE job_id=?", (job.id,))])
    assert typical_seconds(journal, "sandbox", "amazon_listing", "live") == 100.0
    assert typical_seconds(journal, "sandbox", "shopify_listing", "live") == 120.0
    journal.close()


def test_generate_shows_its_progress_on_a_log(tmp_path):
    r = run_cli("generate", "--asin", "B0TESTASIN", "--country", "US", "--type", "amazon_listing")
    assert r.code == 0, r.err
    job_lines = [line for line in r.err.splitlines() if line.startswith("job_")]
    assert any(" elapsed" in line and ": pending" in line or ": processing" in line for line in job_lines)
    assert any(": completed, " in line and " elapsed" in line for line in job_lines)
    assert "\r" not in r.err


def test_dry_run_plan_names_rows_per_marketplace_and_type_and_the_limits(tmp_path):
    csv = tmp_path / "rows.csv"
    csv.write_text("\n".join([*(f"B0PLAN{i:04d},US,amazon_listing" for i in range(14)),
                              *(f"B0PLAN{i:04d},DE,shopify_listing" for i in range(3)), "B0PLAN9999"]) + "\n")
    r = run_cli("batch", str(csv), "--country", "GB", "--type", "tiktok_listing", "--dry-run")
    assert r.code == 0, r.err
    table = [line.split() for line in r.out.splitlines() if line.startswith("  ")]
    assert table == [["US", "amazon_listing", "14"], ["DE", "shopify_listing", "3"], ["GB", "tiktok_listing", "1"]]
    assert "10 a minute, 500 a day (500 left today)" in r.out
    assert "at least 60 s" in r.out and "credits:" in r.out
    j = run_cli("batch", str(csv), "--country", "GB", "--type", "tiktok_listing", "--dry-run", "--json")
    plan = j.json["plan"]
    assert plan["groups"] == [{"country": "US", "listing_type": "amazon_listing", "rows": 14},
                              {"country": "DE", "listing_type": "shopify_listing", "rows": 3},
                              {"country": "GB", "listing_type": "tiktok_listing", "rows": 1}]
    assert (plan["per_minute"], plan["per_day"], plan["left_today"]) == (10, 500, 500)


def test_a_small_batch_fits_the_rate_limits_at_once_and_a_missing_file_is_named_with_its_path(tmp_path):
    csv = tmp_path / "few.csv"
    csv.write_text("B0PLAN0001\nB0PLAN0002\n")
    r = run_cli("batch", str(csv), "--country", "US", "--type", "amazon_listing", "--dry-run")
    assert r.code == 0 and "0 s" not in r.out and "no wait" in r.out
    missing = run_cli("batch", str(tmp_path / "sub" / "nope.csv"), "--country", "US", "--type", "amazon_listing")
    assert missing.code == 2 and str(tmp_path / "sub" / "nope.csv") in missing.err
