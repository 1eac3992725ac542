"""Ctrl+C and SIGTERM stop submitting at once: real command-line processes, real signals, the loopback
sandbox counting the POSTs. No new POST starts after the signal; the one on the wire is finished or left
journalled as ambiguous (reconciled on the next run, never lost, never repeated); the process exits within
10 s with 130 (SIGINT) or 143 (SIGTERM), one stderr line saying how to resume, and with --json exactly one
JSON object whose error.code is INTERRUPTED."""

import json
import signal
import subprocess
import time

import pytest

from support.cli import run_cli, start_cli
from support.safety import KEY, POST_PATH, env_for, intents, wait_for

EXIT_AFTER = 10.0


def stop(proc, sig):
    """Send ``sig``; the exit code, stdout, stderr and how long the process took to end."""
    proc.send_signal(sig)
    sent = time.monotonic()
    try:
        out, err = proc.communicate(timeout=EXIT_AFTER + 5)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"still running {EXIT_AFTER + 5:.0f} s after the signal: {err[-500:]}")
    return proc.returncode, out, err, time.monotonic() - sent


def batch_file(tmp_path, rows=25):
    csv = tmp_path / "rows.csv"
    csv.write_text("".join(f"B0STOP{i:04d},US,amazon_listing\n" for i in range(rows)))
    return csv


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_a_batch_from_submitting(sandbox, tmp_path, sig, code):
    emu, url = sandbox
    emu.add_fault("slow", path_prefix=POST_PATH, method="POST", count=0, seconds=0.3)
    proc = start_cli("batch", str(batch_file(tmp_path)), "--json", env=env_for(url, tmp_path / "data"))
    at_signal = wait_for("the 4th POST", lambda: emu.stats()["jobs_created"] >= 4 and emu.stats()["jobs_created"])
    exit_code, out, err, took = stop(proc, sig)
    created = emu.stats()["jobs_created"]
    assert exit_code == code, err
    assert took < EXIT_AFTER
    assert created <= at_signal + 1, f"{created} POSTs after the signal at {at_signal}"
    report = json.loads(out)  # exactly one JSON object
    assert report["error"]["code"] == "INTERRUPTED"
    last = err.strip().splitlines()[-1]
    assert "re-run" in last and "Traceback" not in err
    # nothing lost: every job the service made is in the journal, and re-running resumes without paying twice
    journalled = {job for _, state, job in intents(tmp_path / "data") if state == "accepted"}
    assert len(journalled) == created
    again = run_cli("batch", str(batch_file(tmp_path)), "--json", env=env_for(url, tmp_path / "data"))
    assert again.code == 0, again.err
    assert emu.stats()["jobs_created"] == 25


def test_a_signal_during_a_hanging_post_leaves_it_ambiguous_and_the_next_run_adopts_it(sandbox, tmp_path):
    emu, url = sandbox
    data = tmp_path / "data"
    emu.add_fault("stall", path_prefix=POST_PATH, method="POST", seconds=60)
    args = ("generate", "--asin", "B0STALL001", "--country", "US", "--type", "amazon_listing", "--json")
    proc = start_cli(*args, env=env_for(url, data))
    wait_for("the POST on the wire", lambda: emu.stalled == 1 and intents(data))
    exit_code, out, err, took = stop(proc, signal.SIGINT)
    assert exit_code == 130 and took < EXIT_AFTER, err
    assert json.loads(out)["error"]["code"] == "INTERRUPTED"
    assert [state for _, state, _ in intents(data)] == ["ambiguous"]
    emu.release_stalls()  # the service had the request: it makes the job now
    wait_for("the job", lambda: emu.stats()["jobs_created"] == 1)
    again = run_cli(*args, env=env_for(url, data))
    assert again.code == 0, again.err
    with emu.store.transaction() as state:
        (job_id,) = state["jobs"]
    assert again.json["job_id"] == job_id and emu.stats()["jobs_created"] == 1


def test_a_signal_while_waiting_on_a_job_exits_130_with_the_job_kept(sandbox, tmp_path):
    emu, url = sandbox
    emu.configure(processing_seconds=600)
    data = tmp_path / "data"
    proc = start_cli("generate", "--asin", "B0WAIT0001", "--country", "US", "--type", "amazon_listing",
                     env=env_for(url, data))
    wait_for("the job", lambda: [i for i in intents(data) if i[1] == "accepted"])
    exit_code, _, err, took = stop(proc, signal.SIGINT)
    assert exit_code == 130 and took < EXIT_AFTER
    (line,) = [ln for ln in err.splitlines() if "interrupted" in ln]
    job_id = intents(data)[0][2]
    assert job_id in line and "export" in line


def test_sigterm_during_a_publish_preview_sends_nothing_for_real(servers, tmp_path):
    from support.cli import spapi_cli_env
    srv, spapi = servers
    spapi.add_fault("slow", path_prefix="/listings/", method="PATCH", seconds=30)
    proc = start_cli("publish", "--sku", "MUG-BLK-16", "--country", "US", "--slot",
                     f"MAIN={srv.url}/spapi-media/new-main.jpg", "--json",
                     env=spapi_cli_env(srv.url, tmp_path / "data", KEY))
    wait_for("the preview on the wire",
             lambda: [r for r in spapi.stats()["requests"] if r["method"] == "PATCH"])
    exit_code, out, err, took = stop(proc, signal.SIGTERM)
    assert exit_code == 143 and took < EXIT_AFTER, err
    assert json.loads(out)["error"]["code"] == "INTERRUPTED"
    assert "interrupted" in err.strip().splitlines()[-1]
    patches = [r for r in spapi.stats()["requests"] if r["method"] in ("PATCH", "PUT")]
    assert len(patches) == 1 and [s for s in spapi.stats()["submissions"] if s["mode"] is None] == []
