"""Export under interrupts and re-runs: no temp file left by SIGINT/SIGTERM, one left by kill -9 removed by the
next export of the job, identical files count as exported, stale files named but never deleted. Real CLI
processes, real signals, the embedded sandbox."""

import json
import os
import signal
import time
from pathlib import Path

import pytest

from support.cli import cli_env, files_in, run_cli, start_cli


ASIN = "B0SAFEEXP1"
BIG = 120 * 1024 * 1024  # long enough to write that the test can catch the temp file on its way


@pytest.fixture
def job(tmp_path):
    """A completed sandbox job of ASIN, downloaded into its own data dir; returns (env, job_id)."""
    env = cli_env(LISTING_STUDIO_API_URL="sandbox", LISTING_STUDIO_DATA_DIR=str(tmp_path / "data"))
    r = run_cli("generate", "--asin", ASIN, "--country", "US", "--type", "amazon_listing", "--json", env=env)
    assert r.code == 0, r.err
    return env, r.json["job_id"]


def grow_first_cached_image(tmp_path: Path) -> None:
    """Make the cached MAIN image big (the export copies the cache's bytes as they are)."""
    import sqlite3
    with sqlite3.connect(tmp_path / "data" / "journal.sqlite") as db:
        (path,) = db.execute("SELECT cache_path FROM images WHERE idx=0").fetchone()
    with open(path, "ab") as fh:
        fh.truncate(BIG)


def temp_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(f".{ASIN}*.part")) if folder.exists() else []


def freeze_while_writing(proc, out: Path) -> list[Path]:
    """Stop ``proc`` (SIGSTOP) the moment a temp file of the export shows up; returns the temp files then."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if temp_files(out):
            os.kill(proc.pid, signal.SIGSTOP)
            return temp_files(out)
    return []


def frozen_export(env, job_id, out: Path):
    """An export frozen in the middle of writing a file (retried in the rare case the write ended first)."""
    for _attempt in range(5):
        proc = start_cli("export", job_id, str(out), "--json", env=env)
        parts = freeze_while_writing(proc, out)
        if parts:
            return proc, parts
        os.kill(proc.pid, signal.SIGCONT)
        proc.kill()
        proc.communicate()
        for f in out.iterdir():
            f.unlink()
    pytest.fail("the export never showed a temp file")


@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_an_interrupted_export_leaves_no_temp_file(tmp_path, job, sig, code):
    env, job_id = job
    grow_first_cached_image(tmp_path)
    out = tmp_path / "out"
    proc, parts = frozen_export(env, job_id, out)
    assert parts and all(p.parent == out for p in parts)
    os.kill(proc.pid, sig)
    os.kill(proc.pid, signal.SIGCONT)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == code, stderr
    assert temp_files(out) == [] and not any(n.startswith(".") for n in files_in(out))
    assert "Traceback" not in stderr and "interrupted" in stderr
    assert json.loads(stdout)["error"]["code"] == "INTERRUPTED"


def test_a_temp_file_left_by_kill_9_goes_with_the_next_export_and_a_live_writers_stays(tmp_path, job):
    env, job_id = job
    grow_first_cached_image(tmp_path)
    out = tmp_path / "out"
    killed, left = frozen_export(env, job_id, out)
    killed.kill()  # SIGKILL: no handler runs
    killed.communicate()
    assert temp_files(out) == left  # fresh (seconds old), yet provably abandoned

    live, writing = frozen_export(env, job_id, tmp_path / "out2")  # a live (stopped) writer in another folder...
    for p in writing:  # ...whose temp file is put beside the abandoned one
        os.link(p, out / p.name)
    try:
        r = run_cli("export", job_id, str(out), "--json", env=env)
        assert r.code == 0, r.err
        assert [p.name for p in temp_files(out)] == [p.name for p in writing]  # only the live writer's stays
        assert all(Path(i["file"]).parent == out for i in r.json["images"])
    finally:
        os.kill(live.pid, signal.SIGKILL)
        os.kill(live.pid, signal.SIGCONT)
        live.communicate()


def test_exporting_twice_exits_0_and_a_different_file_is_left_untouched(tmp_path, job):
    env, job_id = job
    out = tmp_path / "out"
    first = run_cli("export", job_id, str(out), "--json", env=env)
    assert first.code == 0, first.err
    before = {n: (out / n).read_bytes() for n in files_in(out)}
    again = run_cli("export", job_id, str(out), "--json", env=env)
    assert again.code == 0, again.err
    assert again.json["images"] == first.json["images"] and again.json["stale"] == []
    assert {n: (out / n).read_bytes() for n in files_in(out)} == before

    other = out / f"{ASIN}.PT01.png"
    other.write_bytes(b"the seller's own picture")
    third = run_cli("export", job_id, str(out), "--json", env=env)
    assert third.code == 5
    assert [i["error"]["code"] for i in third.json["images"] if i["error"]] == ["EXPORT_EXISTS"]
    assert other.read_bytes() == b"the seller's own picture"


def test_stale_files_are_named_and_listed_but_kept(tmp_path, job):
    env, job_id = job
    out = tmp_path / "out"
    out.mkdir()
    stale = [out / f"{ASIN}.PT08.png", out / f"{ASIN}.SWCH.jpg", out / f"{ASIN}.MAIN.webp"]
    kept = [out / f"{ASIN}_01.png", out / "B0OTHERONE.MAIN.jpg", out / f"{ASIN}.MAIN.jpg.txt", out / "notes.txt"]
    for p in stale + kept:
        p.write_bytes(b"x")
    r = run_cli("export", job_id, str(out), "--json", env=env)
    assert r.code == 0, r.err
    assert r.json["stale"] == sorted(str(p) for p in stale)
    lines = [line for line in r.err.splitlines() if line.startswith("stale: ")]
    assert lines == [f"stale: {p}" for p in sorted(stale)]
    assert all(p.read_bytes() == b"x" for p in stale + kept)


def test_stale_files_by_naming(tmp_path):
    from desktop_app.core.images.export import stale_files
    for name in ("B0SAFEEXP1.MAIN.png", "B0SAFEEXP1.PT01.png", "B0SAFEEXP1.PT12.jpg", "B0SAFEEXP1.SWCH.gif",
                 "B0SAFEEXP1_01.png", "B0SAFEEXP1_10.webp", "B0SAFEEXP1.PT1.png", "b0safeexp1.MAIN.png",
                 ".B0SAFEEXP1.MAIN.png.part", "B0SAFEEXP2.MAIN.png"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "B0SAFEEXP1.PT02.png").mkdir()
    names = lambda paths: [p.name for p in paths]  # noqa: E731
    assert names(stale_files(tmp_path, ASIN, "amazon", {tmp_path / "B0SAFEEXP1.MAIN.png"})) == [
        "B0SAFEEXP1.PT01.png", "B0SAFEEXP1.PT12.jpg", "B0SAFEEXP1.SWCH.gif"]
    assert names(stale_files(tmp_path, ASIN, "index", set())) == ["B0SAFEEXP1_01.png", "B0SAFEEXP1_10.webp"]
    assert stale_files(tmp_path / "missing", ASIN, "amazon", set()) == []
