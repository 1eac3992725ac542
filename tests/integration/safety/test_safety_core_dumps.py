"""The process never writes a core dump: the API key, tokens and secrets live in its memory.

Real processes, started with core dumps allowed (``ulimit -c unlimited`` in their parent), killed by SIGABRT or
SIGSEGV while they hold the key: the command line waiting on a paid POST to a loopback server that never answers,
and the window. Each reads its own limit in /proc/<pid>/limits; and where the kernel writes cores into the crashing
process's folder (a plain ``core_pattern``), a plain Python process beside it proves cores are written there, and
the app's folder stays empty.
"""

from __future__ import annotations

import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support.cli import cli_env

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and core files")

KEY = "pk_test_coreDumpSecret4242"
CORE_PATTERN = Path("/proc/sys/kernel/core_pattern")


def allow_core_dumps() -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


def cores_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.startswith("core"))


def core_limit(pid: int) -> str:
    line = next(l for l in Path(f"/proc/{pid}/limits").read_text().splitlines() if l.startswith("Max core file size"))
    return " ".join(line.split()[4:6])  # soft and hard


@pytest.fixture(scope="module")
def cores_land_in_cwd(tmp_path_factory) -> bool:
    """Whether a plain Python process killed here with core dumps allowed leaves a core file in its folder."""
    pattern = CORE_PATTERN.read_text().strip() if CORE_PATTERN.exists() else "|"
    if pattern.startswith("|") or "/" in pattern:
        return False
    folder = tmp_path_factory.mktemp("control")
    proc = subprocess.run([sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGABRT)"],
                          cwd=folder, preexec_fn=allow_core_dumps, timeout=30)
    assert proc.returncode == -signal.SIGABRT
    found = cores_in(folder)
    for core in found:
        core.unlink()
    return bool(found)


def crash_and_check(proc: subprocess.Popen, folder: Path, signum: int, cores_land_in_cwd: bool) -> None:
    try:
        assert core_limit(proc.pid) == "0 0"
        proc.send_signal(signum)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signum
    if cores_land_in_cwd:
        cores = cores_in(folder)
        assert cores == [], f"core written; holds the key: {any(KEY.encode() in c.read_bytes() for c in cores)}"


@pytest.mark.parametrize("signum", [signal.SIGABRT, signal.SIGSEGV], ids=["SIGABRT", "SIGSEGV"])
def test_a_crash_of_the_command_line_while_it_holds_the_key_writes_no_core(tmp_path, signum, cores_land_in_cwd):
    folder = tmp_path / "cwd"
    folder.mkdir()
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(30)
        env = cli_env(PIXII_API_KEY=KEY, LISTING_STUDIO_API_URL=f"http://127.0.0.1:{server.getsockname()[1]}",
                      LISTING_STUDIO_DATA_DIR=str(tmp_path / "data"))
        wrapper = "import sys; from desktop_app.cli import main; sys.exit(main())"
        proc = subprocess.Popen([sys.executable, "-c", wrapper, "generate", "--asin", "B0CORE0001", "--country", "US",
                                 "--type", "amazon_listing"], cwd=folder, env=env, preexec_fn=allow_core_dumps,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        conn, _ = server.accept()  # the paid POST is on the wire: the key is in the process's memory
        with conn:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(65536)
                assert chunk, "the command line closed the connection"
                request += chunk
            assert f"Bearer {KEY}".encode() in request
            crash_and_check(proc, folder, signum, cores_land_in_cwd)


def test_a_crash_of_the_window_writes_no_core(tmp_path, cores_land_in_cwd):
    folder = tmp_path / "cwd"
    folder.mkdir()
    data = tmp_path / "data"
    env = cli_env(PIXII_API_KEY=KEY, LISTING_STUDIO_API_URL="sandbox", LISTING_STUDIO_DATA_DIR=str(data),
                  QT_QPA_PLATFORM="offscreen")
    wrapper = "import sys; from desktop_app.ui.main.gui import run_gui; sys.exit(run_gui(['--smoke', '60']))"
    proc = subprocess.Popen([sys.executable, "-c", wrapper], cwd=folder, env=env, preexec_fn=allow_core_dumps,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not (data / "journal.sqlite").exists():  # the window has started: its journal is open
        assert proc.poll() is None, "the window ended by itself"
        assert time.monotonic() < deadline, "the window did not open its journal"
        time.sleep(0.05)
    crash_and_check(proc, folder, signal.SIGABRT, cores_land_in_cwd)
