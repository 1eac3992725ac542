"""A data dir that cannot be used: a journal of a newer version, a read-only folder (a real read-only mount), a full
disk (a real small tmpfs), an empty journal. One line naming the cause, never a traceback; exit 2 before any
request, else 1 with the job id; the journal left as it was. Real CLI processes against a loopback emulator."""

import hashlib
import sqlite3
import subprocess

import pytest

from support.cli import cli_env, control, run_cli
from desktop_app.sandbox.pixii.emulator import PixiiEmulator
from desktop_app.sandbox.server import serve

KEY = "pk_test_dataDirSecret4242"
GEN = ("generate", "--asin", "B0DATADIR1", "--country", "US", "--type", "amazon_listing", "--json")


class FillsTheDiskOnPost(PixiiEmulator):
    """Accepts the paid POST, and the disk of the data dir is full by the time the answer arrives."""

    def __init__(self) -> None:
        super().__init__()
        self.disk = None

    def handle(self, method, path, query, headers, body):
        response = super().handle(method, path, query, headers, body)
        if method.upper() == "POST" and path.startswith("/v1/api/") and self.disk is not None:
            fill(self.disk)
        return response


@pytest.fixture
def emulator():
    return FillsTheDiskOnPost()


@pytest.fixture
def server(emulator):
    srv = serve(emulator, port=0)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def disk(tmp_path):
    """A real 4 MB tmpfs (root only), unmounted afterwards."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here ({r.stderr.strip()}): a real full or read-only disk "
                    "needs root")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def fill(folder) -> None:
    """Take every free byte of the file system of ``folder``."""
    with open(folder / "filler", "ab", buffering=0) as fh:
        for size in (1 << 20, 1 << 16, 4096, 1):
            try:
                while True:
                    fh.write(b"\0" * size)
            except OSError:
                continue


def env_for(server, data_dir):
    return cli_env(LISTING_STUDIO_API_URL=server.url, PIXII_API_KEY=KEY, LISTING_STUDIO_DATA_DIR=str(data_dir),
                   LISTING_STUDIO_GIVE_UP_AFTER="3")


def one_clean_line(err: str, code: str) -> str:
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert "Traceback" not in err and "cannot rollback" not in err, err
    assert len(errors) == 1 and code in errors[0], err
    return errors[0]


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_journal_of_a_newer_version_is_named_and_left_as_it_was(tmp_path, server):
    data = tmp_path / "data"
    env = env_for(server, data)
    assert run_cli("jobs", env=env).code == 0
    journal = data / "journal.sqlite"
    db = sqlite3.connect(journal)
    db.execute("PRAGMA user_version=99")
    db.close()  # the last connection: everything is in the journal file itself
    before = digest(journal)
    for args in (("jobs",), GEN):
        r = run_cli(*args, env=env)
        assert r.code == 2
        one_clean_line(r.err, "JOURNAL_TOO_NEW")
    assert run_cli(*GEN, env=env).json["error"]["code"] == "JOURNAL_TOO_NEW"
    assert digest(journal) == before
    assert control(server.url, "stats")["jobs_created"] == 0


def test_a_read_only_data_dir_is_named_before_any_request(disk, server):
    data = disk / "data"
    env = env_for(server, data)
    assert run_cli("jobs", env=env).code == 0
    before = digest(data / "journal.sqlite")
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    for args in (("jobs",), GEN):
        r = run_cli(*args, env=env)
        assert r.code == 2
        one_clean_line(r.err, "DATA_DIR_READ_ONLY")
    fresh = run_cli(*GEN, env=env_for(server, disk / "never-created"))
    assert fresh.code == 2 and fresh.json["error"]["code"] == "DATA_DIR_READ_ONLY"
    assert digest(data / "journal.sqlite") == before
    assert control(server.url, "stats")["jobs_created"] == 0


def test_a_full_disk_before_the_submission_sends_nothing(disk, server):
    env = env_for(server, disk / "data")
    assert run_cli("jobs", env=env).code == 0
    fill(disk)
    r = run_cli(*GEN, env=env)
    assert r.code == 2
    one_clean_line(r.err, "DISK_FULL")
    assert r.json["error"]["code"] == "DISK_FULL" and r.json["job_id"] is None
    assert control(server.url, "stats")["jobs_created"] == 0


def test_a_full_disk_after_the_paid_post_names_the_job_to_resume(disk, server, emulator):
    env = env_for(server, disk / "data")
    assert run_cli("jobs", env=env).code == 0
    emulator.disk = disk
    r = run_cli(*GEN, env=env)
    assert r.code == 1
    line = one_clean_line(r.err, "DISK_FULL")
    job_id = r.json["job_id"]
    assert job_id and f"[job {job_id}]" in line and r.json["error"]["code"] == "DISK_FULL"
    assert control(server.url, "stats")["jobs_created"] == 1

    emulator.disk = None
    (disk / "filler").unlink()  # space again: the printed id resumes the job, nothing is paid twice
    s = run_cli("status", job_id, "--json", env=env)
    assert s.code == 0, s.err
    listed = run_cli("jobs", "--json", env=env)
    assert job_id in [j["job_id"] for j in listed.json["jobs"]]
    assert control(server.url, "stats")["jobs_created"] == 1


def test_an_empty_journal_is_kept_aside_not_replaced(tmp_path, server):
    data = tmp_path / "data"
    data.mkdir()
    (data / "journal.sqlite").write_bytes(b"")
    r = run_cli("jobs", env=env_for(server, data))
    assert r.code == 0, r.err
    kept = list(data.glob("journal.sqlite.empty-*"))
    assert len(kept) == 1 and kept[0].stat().st_size == 0
    assert f"kept aside as {kept[0]}" in r.err
    assert (data / "journal.sqlite").stat().st_size > 0
