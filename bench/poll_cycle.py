"""Requests per poll cycle with 500 finished and 10 active jobs in the journal (the window's own
resume-and-poll path on the in-process sandbox). Goal: proportional to the active jobs only."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtWidgets import QApplication  # noqa: E402
import qasync  # noqa: E402

from bench.common import record  # noqa: E402
from desktop_app.api.pixii.models import Ad, Job, ListingRequest, Submission  # noqa: E402
from desktop_app.config import load_settings  # noqa: E402
from desktop_app.runtime import Runtime  # noqa: E402
from desktop_app.ui.main.services import StudioService  # noqa: E402
from desktop_app.ui.common.tasks import TaskRegistry  # noqa: E402

FINISHED, ACTIVE, POLL, CYCLES = 500, 10, 0.1, 20


async def measure() -> tuple[float, int]:
    rt = Runtime(load_settings(read_keyring=False))
    for i in range(FINISHED):
        req = ListingRequest(f"B0DONE{i:04d}", "US", "amazon_listing")
        intent = rt.journal.add_intent(rt.settings.service, req)
        job_id = f"job_done_{i}"
        rt.journal.record_submission(intent, Submission(job_id, "pending", "2026-01-01T00:00:00Z", None))
        rt.journal.update_job(Job(job_id, "Listing Builder", "completed", "2026-01-01T00:00:00Z",
                                  ads=(Ad(None, "IMAGE_GENERATION_ERROR", "x"),)))
    for i in range(ACTIVE):
        await rt.jobs.submit(ListingRequest(f"B0STUCK{i:03d}", "US", "amazon_listing"))
    handled = []
    original = rt.emulator.handle

    def counting(method, path, *args, **kw):
        if path.startswith("/v1/api/"):
            handled.append(path)
        return original(method, path, *args, **kw)

    rt.emulator.handle = counting
    tasks = TaskRegistry()
    service = StudioService(rt, tasks)
    polled = await service.resume()
    await asyncio.sleep(POLL * CYCLES)
    await tasks.cancel_all()
    await rt.aclose()
    return len(handled) / CYCLES, polled


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update(LISTING_STUDIO_DATA_DIR=str(Path(tmp) / "data"), LISTING_STUDIO_API_URL="sandbox",
                          LISTING_STUDIO_POLL_INTERVAL=str(POLL))
        app = QApplication.instance() or QApplication([])  # noqa: F841
        with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
            per_cycle, polled = runner.run(measure())
    record("requests per poll cycle ÷ active jobs (500 finished + 10 active)", per_cycle / ACTIVE, "≈ 1",
           f"{per_cycle:.1f} requests per {POLL:g} s cycle; {polled} jobs resumed of {FINISHED + ACTIVE} journalled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
