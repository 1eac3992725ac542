"""What the window benches that watch the GUI thread share: a 1 ms QTimer stall meter, a loopback sandbox server
in its own process (so that its work never competes with the window's GUI thread), and a window on it."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
import urllib.request
from pathlib import Path

os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt, QTimer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
KEY = "pk_test_benchStallMeter1"


class StallMeter:
    """A 1 ms precise timer on the GUI thread; the longest gap between its ticks while running is the longest
    stall (a tick the GUI thread could not serve). ``busy_ms``: the CPU time the GUI thread itself used during
    that gap — near the gap, the window was working; near zero, it was waiting (for the CPU, held by other
    processes on a loaded machine, or for a lock)."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(1)
        self.timer.timeout.connect(self._tick)
        self.last = self.last_cpu = 0.0
        self.longest = self.busy_ms = 0.0
        self.ticks = 0

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        if self.ticks and now - self.last > self.longest:
            self.longest, self.busy_ms = now - self.last, (cpu - self.last_cpu) * 1000
        self.last, self.last_cpu = now, cpu
        self.ticks += 1

    def start(self) -> None:
        self.longest, self.busy_ms, self.ticks = 0.0, 0.0, 0
        self.timer.start()

    def stop(self) -> float:
        """The longest stall since start(), in ms."""
        self.timer.stop()
        return self.longest * 1000


class StallSampler:
    """What the GUI thread does while it stalls: a helper thread looks every ms at the ``meter``'s last tick and,
    when it is older than ``threshold_ms``, takes the GUI thread's stack (its innermost product frame and the
    innermost frame). Only for finding a stall's cause: the sampling itself takes the GIL now and then."""

    def __init__(self, meter: StallMeter, threshold_ms: float = 8.0) -> None:
        self.meter, self.threshold = meter, threshold_ms / 1000
        self.gui = threading.get_ident()
        self.seen: Counter[str] = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="stall-sampler", daemon=True)

    def __enter__(self) -> StallSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(0.001):
            if not self.meter.timer.isActive() or time.perf_counter() - self.meter.last < self.threshold:
                continue
            frame = sys._current_frames().get(self.gui)
            inner, mine = None, None
            while frame is not None:
                where = f"{Path(frame.f_code.co_filename).name}:{frame.f_lineno} {frame.f_code.co_name}"
                inner = inner or where
                if mine is None and str(ROOT / "desktop_app") in frame.f_code.co_filename:
                    mine = where
                frame = frame.f_back
            self.seen[f"{mine or '(no product frame)'} → {inner or '(in Qt, no Python frame)'}"] += 1

    def top(self, n: int) -> list[tuple[int, str]]:
        """The ``n`` stacks seen most often in stalls, with how many samples (≈ ms) each."""
        return [(count, stack) for stack, count in self.seen.most_common(n)]


async def idle_floor(seconds: float) -> float:
    """The longest gap of the meter while the window only idles for ``seconds`` (the noise floor), in ms."""
    meter = StallMeter()
    meter.start()
    await asyncio.sleep(seconds)
    return meter.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SandboxServer:
    """``listing-studio sandbox --port N`` in its own process, its "minute" scaled down to ``window`` s."""

    def __init__(self, pending: float, processing: float, window: float = 1.0, limit: int = 30) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, LISTING_STUDIO_SANDBOX_PENDING=str(pending),
                   LISTING_STUDIO_SANDBOX_PROCESSING=str(processing), PYTHONPATH=str(ROOT))
        self.proc = subprocess.Popen([sys.executable, "-m", "desktop_app.cli", "sandbox", "--port", str(self.port)],
                                     env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                self._post("/_sandbox/config", {"minute_window_seconds": window, "minute_limit": limit})
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise RuntimeError("the sandbox server did not start")
                time.sleep(0.1)

    def _post(self, path: str, body: dict) -> None:
        request = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=5).read()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def window_env(data_dir: Path, server: SandboxServer, poll: float, window: float = 1.0) -> dict[str, str]:
    """The environment of the window and of the command line: one data dir, the loopback sandbox, a test key."""
    return {"LISTING_STUDIO_DATA_DIR": str(data_dir), "LISTING_STUDIO_API_URL": server.url, "PIXII_API_KEY": KEY,
            "LISTING_STUDIO_POLL_INTERVAL": str(poll), "LISTING_STUDIO_MINUTE_WINDOW": str(window)}


def spread(values: list[float]) -> str:
    return f"{min(values):.1f}–{max(values):.1f}"


def run_beside_sandbox(pending: float, processing: float, poll: float, measure):
    """``measure(tmp)`` (a coroutine function) run on a qasync loop, with a loopback sandbox server of its own
    (``pending``/``processing`` seconds per job) and a throw-away data dir under ``tmp`` that the window uses."""
    import qasync
    from PySide6.QtWidgets import QApplication

    server = SandboxServer(pending=pending, processing=processing)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            os.environ.update(window_env(Path(tmp) / "data", server, poll=poll))
            app = QApplication.instance() or QApplication([])
            with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
                result = runner.run(measure(Path(tmp)))
            del app
    finally:
        server.stop()
    return result


def record_stall(name: str, goal: str, median: float, detail: str, stacks: list[tuple[int, str]]) -> None:
    """Record a stall bench's median; a miss says **not met** with what the GUI thread was doing in its stalls."""
    from bench.common import record
    if median > 16:
        what = "; ".join(f"{n}× {stack}" for n, stack in stacks) or "no GUI-thread frame caught in a stall"
        detail = f"not met: {detail}; what the GUI thread was doing in stalls > 8 ms: {what}"
        print("in the stalls:", what)
    record(name, median, goal, detail)


async def window_with_approved_job(asin: str, count: int):
    """A window (Studio) showing a finished sandbox job of ``asin`` whose first ``count`` images are approved,
    its thumbnails given time to show; the Studio and the job id."""
    from desktop_app.api.pixii.models import ListingRequest
    from desktop_app.config import load_settings
    from desktop_app.core.jobs.reviews import set_reviews
    from desktop_app.ui.main.studio import Studio

    studio = Studio(load_settings(read_keyring=False), notifier=False)
    studio.start()
    studio.window.resize(1280, 800)
    jobs = studio.rt.jobs
    job = await jobs.submit(ListingRequest(asin, "US", "amazon_listing"))
    await jobs.wait(job.job_id)
    await jobs.download_images(job.job_id)
    set_reviews(studio.rt.journal, job.job_id, range(count), "approved")
    studio.window.show_job(job.job_id)
    await asyncio.sleep(3)  # the gallery decodes and shows the thumbnails of the big images
    return studio, job.job_id


async def paired_runs(once, meter: StallMeter, repeats: int, profile_if_missed: bool) -> dict:
    """``repeats`` measured runs of ``once(tag)`` (→ longest stall, GUI CPU in it, seconds) alternating with an
    idle floor as long; when the median misses 16 ms, one more run with the GUI thread sampled in its stalls."""
    floors, stalls, busy, secs = [], [], [], []
    for run in range(repeats):
        if run % 2:
            floors.append(await idle_floor(statistics.median(secs)))
        stall, cpu, took = await once(run)
        stalls.append(stall)
        busy.append(cpu)
        secs.append(took)
        if not run % 2:
            floors.append(await idle_floor(took))
    stacks = []
    if profile_if_missed and statistics.median(stalls) > 16:
        with StallSampler(meter, threshold_ms=8) as sampler:
            await once("profiled")
        stacks = sampler.top(3)
    return {"floors": floors, "stalls": stalls, "busy": busy, "secs": secs, "stacks": stacks}
