"""Helpers of the money-safety tests: a command line against a loopback Pixii sandbox, bounded waits and the
journal's submissions as another process sees them."""

import os
import sqlite3
import time

from support.cli import cli_env

KEY = "pk_live_interruptKey0001"
POST_PATH = "/v1/api/listing_builder"


def env_for(url, data):
    return cli_env(LISTING_STUDIO_API_URL=url, PIXII_API_KEY=KEY, LISTING_STUDIO_DATA_DIR=str(data),
                   LISTING_STUDIO_POLL_INTERVAL="0.05", LISTING_STUDIO_GIVE_UP_AFTER="5",
                   LISTING_STUDIO_MINUTE_WINDOW="1")


def wait_for(what, condition, timeout=30.0):
    """Poll ``condition`` until it is true (bounded); the test fails naming ``what`` otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def intents(data):
    path = data / "journal.sqlite"
    if not path.exists():
        return []
    conn = sqlite3.connect(path, timeout=10)
    try:
        return conn.execute("SELECT id, state, job_id FROM intents ORDER BY id").fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()


def unused_pid() -> int:
    """A process id no process has now (counted down from above the usual range)."""
    pid = 4_000_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except OSError:
            pass
        pid -= 1
