"""``listing-studio batch`` as a black box against the loopback sandbox: exit codes, stderr lines, the
--json shape, pacing without 429s, resume without paying twice, export folders."""

import sqlite3
import subprocess
import sys

import pytest

from support.cli import cli_env, control, files_in, run_cli
from desktop_app.sandbox.pixii.emulator import PixiiEmulator
from desktop_app.sandbox.server import serve

KEY = "pk_test_batchCliKey12345"
SHAPE = {"batch_id", "rows", "submitted", "completed", "failed", "remaining", "error"}
ROW = {"line", "asin", "country", "listing_type", "job_id", "status", "error_code", "error", "images"}


@pytest.fixture
def server():
    srv = serve(PixiiEmulator(), port=0)
    srv.start()
    control(srv.url, "config", {"ads_per_type": {"amazon_listing": 3, "shopify_listing": 2}})
    yield srv
    srv.stop()


@pytest.fixture
def env(server, tmp_path):
    return cli_env(LISTING_STUDIO_API_URL=server.url, PIXII_API_KEY=KEY, LISTING_STUDIO_DATA_DIR=str(tmp_path / "d"),
                   LISTING_STUDIO_GIVE_UP_AFTER="3", LISTING_STUDIO_MINUTE_WINDOW="1")


def api_calls(url, prefix="/v1/api"):
    return [r for r in control(url, "stats")["requests"] if r["path"].startswith(prefix)]


def write(tmp_path, text, name="rows.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_invalid_rows_are_named_and_nothing_is_sent(server, env, tmp_path):
    csv = write(tmp_path, "asin,country_code,listing_type\nB0GOOD0001,US,amazon_listing\nB0BAD,US,amazon_listing\n"
                          "# comment\nB0GOOD0002,ZZ,amazon_listing\n")
    r = run_cli("batch", csv, "--json", env=env)
    assert r.code == 2
    lines = r.err.strip().splitlines()
    assert lines[0].startswith("line 3: INVALID_ASIN") and lines[1].startswith("line 5: INVALID_COUNTRY")
    assert "INVALID_ROWS" in lines[-1] and len(lines) == 3
    data = r.json
    assert set(data) == SHAPE and data["error"]["code"] == "INVALID_ROWS"
    assert [(row["line"], (row["error"] or {}).get("code")) for row in data["rows"]] == [
        (2, None), (3, "INVALID_ASIN"), (5, "INVALID_COUNTRY")]
    assert api_calls(server.url) == []
    r = run_cli("batch", str(tmp_path / "missing.csv"), env=env)
    assert r.code == 2 and "INVALID_FILE" in r.err
    r = run_cli("batch", csv, "--country", "XX", env=env)
    assert r.code == 2 and "INVALID_COUNTRY" in r.err


def test_dry_run_prints_the_plan_and_sends_nothing(server, env, tmp_path):
    csv = write(tmp_path, "\n".join(f"B0PLAN{i:04d}" for i in range(25)) + "\n")
    r = run_cli("batch", csv, "--country", "us", "--type", "amazon_listing", "--dry-run", env=env)
    assert r.code == 0 and "25 row(s)" in r.out and "2 s" in r.out and "credits: none" in r.out
    r = run_cli("batch", csv, "--country", "us", "--type", "amazon_listing", "--dry-run", "--json", env=env)
    assert r.json["plan"] == {"rows": 25, "to_submit": 25, "min_seconds": 2.0, "fit_today": 25, "credits": 0.0,
                              "groups": [{"country": "US", "listing_type": "amazon_listing", "rows": 25}],
                              "per_minute": 10, "per_day": 500, "left_today": 500}
    assert set(r.json) == SHAPE | {"plan"} and r.json["remaining"] == 25
    assert api_calls(server.url) == []


def test_batch_paces_exports_and_resumes(server, env, tmp_path):
    control(server.url, "config", {"minute_limit": 3, "minute_window_seconds": 1})
    rows = ["asin,country_code,listing_type", "B0ROW00001,US,amazon_listing", "B0ROW00002,GB,shopify_listing",
            "B0ROW00001,US,amazon_listing", "https://www.amazon.de/dp/B0ROW00003", "B0ROW00004,US,amazon_listing",
            "B0ROW00005,US,amazon_listing", "B0ROW00006,US,amazon_listing"]
    csv = write(tmp_path, "\n".join(rows) + "\n")
    out = tmp_path / "out"
    r = run_cli("batch", csv, "--type", "amazon_listing", "--export", str(out), "--json", env=env)
    assert r.code == 0, r.err
    data = r.json
    assert set(data) == SHAPE and all(set(row) == ROW for row in data["rows"])
    counts = (data["submitted"], data["completed"], data["failed"], data["remaining"], data["error"])
    assert counts == (7, 7, 0, 0, None)
    assert [row["line"] for row in data["rows"]] == [2, 3, 4, 5, 6, 7, 8]
    assert data["rows"][3]["country"] == "DE"
    stats = control(server.url, "stats")
    assert stats["jobs_created"] == 7 and stats["rate_limited"] == 0
    names = files_in(out)
    assert "line-4" in names and "B0ROW00001.MAIN.jpg" in names and "B0ROW00002_01.jpg" in names
    assert files_in(out / "line-4") == ["B0ROW00001.MAIN.jpg", "B0ROW00001.PT01.png", "B0ROW00001.PT02.png"]
    assert data["rows"][2]["images"][0]["file"] == str(out / "line-4" / "B0ROW00001.MAIN.jpg")
    before = len(api_calls(server.url, "/"))
    again = run_cli("batch", csv, "--type", "amazon_listing", "--export", str(out), "--json", env=env)
    assert again.code == 0, again.err
    assert [row["job_id"] for row in again.json["rows"]] == [row["job_id"] for row in data["rows"]]
    assert control(server.url, "stats")["jobs_created"] == 7
    assert len(api_calls(server.url, "/")) == before  # nothing resent, polled or downloaded again


def test_daily_limit_exits_3_naming_the_rows_left_then_resumes(server, env, tmp_path):
    control(server.url, "config", {"day_limit": 2})
    csv = write(tmp_path, "\n".join(f"B0DAY{i:05d}" for i in range(5)) + "\n")
    r = run_cli("batch", csv, "--country", "US", "--type", "amazon_listing", "--json", env=env)
    assert r.code == 3 and "RATE_LIMIT_DAY_EXCEEDED" in r.err and "3 row(s) left" in r.err
    assert (r.json["submitted"], r.json["completed"], r.json["remaining"]) == (2, 2, 3)
    assert control(server.url, "stats")["rate_limited"] == 0
    before = len(api_calls(server.url))
    r = run_cli("batch", csv, "--country", "US", "--type", "amazon_listing", "--json", env=env)
    assert r.code == 3 and r.json["remaining"] == 3
    assert len(api_calls(server.url)) == before  # the same day: it knows, and asks nothing

    def next_day():  # the sandbox's clock moves on a day; the journal's records move back by one
        control(server.url, "advance", {"seconds": 86400})
        conn = sqlite3.connect(tmp_path / "d" / "journal.sqlite")
        with conn:
            conn.execute("UPDATE submission_log SET sent_at = sent_at - 86400, done_at = done_at - 86400")
            conn.execute("UPDATE service_limits SET day_start = day_start - 86400, updated_at = updated_at - 86400")
        conn.close()

    next_day()
    r = run_cli("batch", csv, "--country", "US", "--type", "amazon_listing", "--json", env=env)
    assert r.code == 3 and (r.json["submitted"], r.json["remaining"]) == (4, 1), r.err
    next_day()
    r = run_cli("batch", csv, "--country", "US", "--type", "amazon_listing", "--json", env=env)
    assert r.code == 0, r.err
    assert control(server.url, "stats")["jobs_created"] == 5 and control(server.url, "stats")["rate_limited"] == 0


def test_partial_rows_exit_5_and_refusals_exit_3(server, env, tmp_path):
    csv = write(tmp_path, "B0PART0001\nB0GOOD0001\n")
    r = run_cli("batch", csv, "--country", "US", "--type", "amazon_listing", "--json", env=env)
    assert r.code == 5 and r.json["error"]["code"] == "PARTIAL"
    assert (r.json["completed"], r.json["failed"]) == (1, 1)
    control(server.url, "keys", {"key": KEY, "revoked": True})
    csv = write(tmp_path, "B0GOOD0002\n", "other.csv")
    r = run_cli("batch", csv, "--country", "US", "--type", "amazon_listing", "--json", env=env)
    assert r.code == 3 and "UNAUTHORIZED" in r.err and KEY not in r.err + r.out
    assert r.json["remaining"] == 1


def test_unreachable_exits_6_and_pasted_rows_on_stdin(tmp_path):
    env = cli_env(LISTING_STUDIO_API_URL="http://127.0.0.1:9", PIXII_API_KEY=KEY, LISTING_STUDIO_GIVE_UP_AFTER="1",
                  LISTING_STUDIO_DATA_DIR=str(tmp_path / "d"))
    proc = subprocess.run([sys.executable, "-m", "desktop_app.cli", "batch", "-", "--country", "US", "--type",
                           "amazon_listing", "--json"], input="B0TESTASIN\nhttps://amazon.com/dp/B0TESTASI2\n",
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 6 and "UNREACHABLE" in proc.stderr and "re-run" in proc.stderr
