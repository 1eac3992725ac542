"""The command line as a black box: exit codes, --json shapes, stderr lines, files on disk."""

import sqlite3
import time

import pytest
from PIL import Image

from support.cli import cli_env, control, files_in, run_cli, start_cli
from desktop_app.sandbox.pixii.emulator import PixiiEmulator
from desktop_app.sandbox.server import serve

KEY = "pk_test_cliSecretKey987654"


@pytest.fixture
def server():
    srv = serve(PixiiEmulator(), port=0)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def live_env(server, tmp_path):
    return cli_env(LISTING_STUDIO_API_URL=server.url, PIXII_API_KEY=KEY,
                   LISTING_STUDIO_DATA_DIR=str(tmp_path / "data"), LISTING_STUDIO_GIVE_UP_AFTER="3")


def api_requests(url):
    return [r for r in control(url, "stats")["requests"] if r["path"].startswith("/v1/api")]


def test_generate_on_the_default_sandbox_exports_amazon_names(tmp_path):
    out = tmp_path / "out"
    r = run_cli("generate", "--asin", "b0testasin", "--country", "us", "--type", "amazon_listing",
                "--export", str(out), "--json")
    assert r.code == 0, r.err
    names = files_in(out)
    assert names[0] == "B0TESTASIN.MAIN.jpg"
    assert names[1:] == [f"B0TESTASIN.PT{i:02d}.png" for i in range(1, len(names))]
    for name in names:
        with Image.open(out / name) as im:
            im.load()
    data = r.json
    assert set(data) == {"job_id", "status", "asin", "country", "listing_type", "error_code", "credit_cost",
                         "error", "images", "stale"}
    assert data["stale"] == []
    assert (data["status"], data["asin"], data["country"], data["error"]) == ("completed", "B0TESTASIN", "US", None)
    assert [i["index"] for i in data["images"]] == list(range(len(names)))
    assert all(i["file"].startswith(str(out)) and i["error"] is None for i in data["images"])
    assert "sandbox" in r.err.lower() and "completed" in r.err
    assert "image rules" not in r.err  # the sandbox's Amazon images meet Amazon's rules: no warning


def test_index_naming_for_shopify(tmp_path):
    out = tmp_path / "out"
    r = run_cli("generate", "--asin", "B0SHOPIFY1", "--country", "GB", "--type", "shopify_listing",
                "--export", str(out))
    assert r.code == 0, r.err
    names = files_in(out)
    assert names[0].startswith("B0SHOPIFY1_01.")
    # exported unchanged, but each file below Shopify's recommended size is named on stderr (exit 0 all the same)
    warned = [line for line in r.err.splitlines() if "on shopify's image rules" in line]
    assert len(warned) == len(names) and warned[0].startswith(f"warning: {names[0]} (main): warning")
    assert "2048" in warned[0]


@pytest.mark.parametrize("args,code", [
    (["--asin", "B0SHORT", "--country", "US", "--type", "amazon_listing"], "INVALID_ASIN"),
    (["--asin", "B0TESTASIN", "--country", "XX", "--type", "amazon_listing"], "INVALID_COUNTRY"),
    (["--asin", "B0TESTASIN", "--country", "US", "--type", "instagram"], "INVALID_LISTING_TYPE"),
    (["--asin", "B0TESTASIN", "--country", "US", "--type", "amazon_listing", "--image", "ftp://x/y.png"],
     "INVALID_IMAGE_URL"),
])
def test_invalid_input_exits_2_without_any_request(server, live_env, args, code):
    r = run_cli("generate", *args, "--json", env=live_env)
    assert r.code == 2
    assert r.err.strip().count("\n") == 0 and code in r.err
    assert r.json["error"]["code"] == code and r.json["job_id"] is None
    assert api_requests(server.url) == []


def test_private_reference_url_is_refused_for_a_remote_service(tmp_path):
    env = cli_env(LISTING_STUDIO_API_URL="https://api.pixii.invalid", PIXII_API_KEY=KEY)
    r = run_cli("generate", "--asin", "B0TESTASIN", "--country", "US", "--type", "amazon_listing",
                "--main-image", "https://192.168.0.10/main.jpg", env=env)
    assert r.code == 2 and "INVALID_IMAGE_URL" in r.err


def test_plain_http_api_url_to_a_remote_host_is_invalid_configuration():
    env = cli_env(LISTING_STUDIO_API_URL="http://api.pixii.ai", PIXII_API_KEY=KEY)
    r = run_cli("status", "job_x", "--json", env=env)
    assert r.code == 2 and "INVALID_API_URL" in r.err


def test_unwritable_export_dir_exits_2(server, live_env, tmp_path):
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    r = run_cli("generate", "--asin", "B0TESTASIN", "--country", "US", "--type", "amazon_listing",
                "--export", str(a_file), env=live_env)
    assert r.code == 2 and "INVALID_EXPORT_DIR" in r.err
    assert api_requests(server.url) == []


def test_unknown_job_and_revoked_key_exit_3(server, live_env):
    r = run_cli("status", "job_doesnotexist", "--json", env=live_env)
    assert r.code == 3 and "JOB_NOT_FOUND" in r.err and r.json["error"]["code"] == "JOB_NOT_FOUND"
    control(server.url, "keys", {"key": KEY, "revoked": True})
    r = run_cli("generate", "--asin", "B0TESTASIN", "--country", "US", "--type", "amazon_listing", env=live_env)
    assert r.code == 3 and "UNAUTHORIZED" in r.err
    assert KEY not in r.err + r.out


def test_service_down_exits_6(tmp_path):
    env = cli_env(LISTING_STUDIO_API_URL="http://127.0.0.1:9", PIXII_API_KEY=KEY, LISTING_STUDIO_GIVE_UP_AFTER="1")
    r = run_cli("generate", "--asin", "B0TESTASIN", "--country", "US", "--type", "amazon_listing", "--json", env=env)
    assert r.code == 6 and r.json["error"]["code"] == "UNREACHABLE"
    r = run_cli("jobs", "--asin", "B0TESTASIN", "--json", env=env)
    assert r.code == 0 and "warning" in r.err and r.json == {"jobs": []}


def test_failed_job_exits_4_and_partial_exits_5(server, live_env, tmp_path):
    r = run_cli("generate", "--asin", "B0FAIL0001", "--country", "US", "--type", "amazon_listing", "--json",
                env=live_env)
    assert r.code == 4 and r.json["status"] == "failed" and r.json["error_code"] in r.err
    out = tmp_path / "out"
    r = run_cli("generate", "--asin", "B0PART0001", "--country", "US", "--type", "amazon_listing",
                "--export", str(out), "--json", env=live_env)
    assert r.code == 5
    failed = [i for i in r.json["images"] if i["error"]]
    assert failed and all(i["file"] is None for i in failed)
    assert "B0PART0001.MAIN.jpg" in files_in(out)
    # the failed slot stays empty; nothing is renumbered
    assert len(files_in(out)) == len(r.json["images"]) - len(failed)


def test_html_and_truncated_images_are_per_image_errors(server, live_env):
    for asin in ("B0HTML0001", "B0TRUNC001"):
        r = run_cli("generate", "--asin", asin, "--country", "US", "--type", "amazon_listing", "--json", env=live_env)
        assert r.code == 5
        assert r.json["images"][1]["error"]["code"] == "NOT_AN_IMAGE"


def test_no_wait_then_status_then_export_across_processes(tmp_path):
    r = run_cli("generate", "--asin", "B0TESTASIN", "--country", "DE", "--type", "amazon_main_images",
                "--no-wait", "--json")
    assert r.code == 0 and r.json["status"] == "pending"
    job_id = r.json["job_id"]
    s = run_cli("status", job_id, "--json")
    assert s.code == 0 and s.json["job_id"] == job_id
    out = tmp_path / "out"
    e = run_cli("export", job_id, str(out), "--json")
    assert e.code == 0, e.err
    assert files_in(out)[0] == "B0TESTASIN.MAIN.jpg"
    again = run_cli("export", job_id, str(out), "--json")  # the same bytes are there already: exported
    assert again.code == 0, again.err
    assert again.json["images"] == e.json["images"] and again.json["stale"] == []


def test_ambiguous_post_creates_exactly_one_job(server, live_env):
    control(server.url, "faults", {"kind": "reset_after_create", "path": "/v1/api/listing_builder", "count": 1})
    r = run_cli("generate", "--asin", "B0AMBIG001", "--country", "US", "--type", "amazon_listing", "--json",
                env=live_env)
    assert r.code == 0, r.err
    assert control(server.url, "stats")["jobs_created"] == 1
    jobs = run_cli("jobs", "--json", env=live_env).json["jobs"]
    assert [j["job_id"] for j in jobs] == [r.json["job_id"]]


def _wait_for(predicate, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _journal_rows(data_dir, sql):
    path = data_dir / "journal.sqlite"
    if not path.exists():
        return []
    try:
        return sqlite3.connect(path, timeout=5).execute(sql).fetchall()
    except sqlite3.OperationalError:
        return []


def test_killed_right_after_the_post_job_is_listed_and_exportable(server, live_env, tmp_path):
    control(server.url, "config", {"pending_seconds": 600})
    proc = start_cli("generate", "--asin", "B0KILLED01", "--country", "US", "--type", "amazon_listing", env=live_env)
    data_dir = tmp_path / "data"
    assert _wait_for(lambda: _journal_rows(data_dir, "SELECT job_id FROM jobs"))
    proc.kill()
    proc.wait()
    listed = run_cli("jobs", "--json", env=live_env)
    assert listed.code == 0 and len(listed.json["jobs"]) == 1
    job_id = listed.json["jobs"][0]["job_id"]
    control(server.url, "advance", {"seconds": 700})
    out = tmp_path / "out"
    e = run_cli("export", job_id, str(out), "--json", env=live_env)
    assert e.code == 0, e.err
    assert "B0KILLED01.MAIN.jpg" in files_in(out)
    assert control(server.url, "stats")["jobs_created"] == 1


def _kill_while_post_in_flight(server, env, asin):
    control(server.url, "faults", {"kind": "timeout_after_create", "path": "/v1/api/listing_builder", "count": 1})
    proc = start_cli("generate", "--asin", asin, "--country", "US", "--type", "amazon_listing", env=env)
    assert _wait_for(lambda: control(server.url, "stats")["jobs_created"] == 1)
    proc.kill()
    proc.wait()


def test_killed_while_the_post_answer_is_in_flight_jobs_adopts_it(server, live_env, tmp_path):
    _kill_while_post_in_flight(server, live_env, "B0INFLIGHT")
    listed = run_cli("jobs", "--json", env=live_env)
    assert listed.code == 0 and len(listed.json["jobs"]) == 1
    e = run_cli("export", listed.json["jobs"][0]["job_id"], str(tmp_path / "out"), env=live_env)
    assert e.code == 0, e.err
    assert control(server.url, "stats")["jobs_created"] == 1


def test_rerunning_generate_after_a_kill_in_flight_does_not_pay_twice(server, live_env):
    _kill_while_post_in_flight(server, live_env, "B0INFLIGHT")
    again = run_cli("generate", "--asin", "B0INFLIGHT", "--country", "US", "--type", "amazon_listing", "--json",
                    env=live_env)
    assert again.code == 0, again.err
    assert control(server.url, "stats")["jobs_created"] == 1
    assert [j["job_id"] for j in run_cli("jobs", "--json", env=live_env).json["jobs"]] == [again.json["job_id"]]


def test_daily_limit_exits_3_at_once(server, live_env):
    control(server.url, "config", {"day_limit": 0})
    started = time.monotonic()
    r = run_cli("generate", "--asin", "B0TESTASIN", "--country", "US", "--type", "amazon_listing", env=live_env)
    assert r.code == 3 and "RATE_LIMIT_DAY_EXCEEDED" in r.err
    assert time.monotonic() - started < 20


def test_minute_limit_waits_retry_after_then_succeeds(server, live_env):
    control(server.url, "config", {"minute_limit": 1, "minute_window_seconds": 2})
    first = run_cli("generate", "--asin", "B0TESTASIN", "--country", "US", "--type", "amazon_listing",
                    "--no-wait", env=live_env)
    second = run_cli("generate", "--asin", "B0TESTASIN", "--country", "US", "--type", "amazon_listing",
                     "--no-wait", env=live_env)
    assert first.code == 0 and second.code == 0, second.err
    assert control(server.url, "stats")["jobs_created"] == 2


def test_the_key_never_leaves_the_request_header(server, live_env, tmp_path):
    out = tmp_path / "out"
    r = run_cli("generate", "--asin", "B0TESTASIN", "--country", "US", "--type", "amazon_listing",
                "--export", str(out), "--json", env=live_env)
    assert r.code == 0, r.err
    assert KEY not in r.out + r.err
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    assert KEY not in str(control(server.url, "stats"))


def test_a_job_from_another_computer_can_be_read_but_not_named(server, live_env, tmp_path):
    other = dict(live_env, LISTING_STUDIO_DATA_DIR=str(tmp_path / "other"))
    r = run_cli("generate", "--asin", "B0ELSEWHER", "--country", "US", "--type", "amazon_listing", "--no-wait",
                "--json", env=other)
    job_id = r.json["job_id"]
    s = run_cli("status", job_id, "--json", env=live_env)
    assert s.code == 0 and s.json["job_id"] == job_id
    assert [j["job_id"] for j in run_cli("jobs", "--json", env=live_env).json["jobs"]] == [job_id]
    e = run_cli("export", job_id, str(tmp_path / "out"), env=live_env)
    assert e.code == 2 and "UNKNOWN_ASIN" in e.err
