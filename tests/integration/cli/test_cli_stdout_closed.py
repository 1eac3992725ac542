"""A reader that stops reading (``listing-studio jobs | head -1``) is no error of the command: no traceback, no
"internal error" line, exit 141 (128 + SIGPIPE, as for the signals); the job it made is kept in the journal."""

from __future__ import annotations

import os
import subprocess
import sys

from support.cli import cli_env, run_cli


def run_into_closed_stdout(*args: str, env: dict) -> subprocess.CompletedProcess:
    read_end, write_end = os.pipe()
    os.close(read_end)   # the reader is gone before anything is written: every write to stdout fails
    try:
        return subprocess.run([sys.executable, "-m", "desktop_app.cli", *args], stdout=write_end,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env, text=True, timeout=90)
    finally:
        os.close(write_end)


def test_a_closed_stdout_ends_quietly_with_141_and_keeps_the_work(tmp_path):
    env = cli_env(LISTING_STUDIO_API_URL="sandbox", LISTING_STUDIO_DATA_DIR=str(tmp_path / "data"),
                  LISTING_STUDIO_SANDBOX_PENDING="0", LISTING_STUDIO_SANDBOX_PROCESSING="0")
    for args in (("generate", "--asin", "B0PIPEGONE", "--country", "US", "--type", "amazon_listing", "--json"),
                 ("jobs",)):
        done = run_into_closed_stdout(*args, env=env)
        assert done.returncode == 141, done.stderr
        assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr and "error:" not in done.stderr
    listed = run_cli("jobs", "--json", env=env)
    assert [(j["asin"], j["status"]) for j in listed.json["jobs"]] == [("B0PIPEGONE", "completed")]
