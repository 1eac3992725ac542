"""The window while it publishes a job of 7 × 95 MB images to an Amazon listing (offscreen; the Pixii and SP-API
sandboxes in a loopback server of their own, its ``image_bytes`` setting): the longest stall of the GUI thread from
the click on Publish in the publish window (the confirmation answered) until the window shows the outcome
("submitted"), seen by a 1 ms timer, paired with the longest stall of the same window idling for as long (the
noise floor), alternately, ≥ 5 times; median and spread. A real publish, not Validate: Amazon states no size limit
for these images (their sides are within its 10,000 px), so the publish is not refused up front; the window fetches
and checks each image as Amazon will, then Amazon's check (the preview) and the real request run. Between runs the
window watches the submission until it is live (not measured). When the goal is missed, one more publish runs
with the GUI thread sampled during its stalls: what it was doing is printed and recorded.

The sandbox runs in its own process, as in the other window stall benches: Amazon's side (its own fetch of every
image, twice) never shares this process. ``--embedded`` measures the window on the in-process sandboxes instead
(printed only, not recorded): then Amazon's fetches run in the window's process.

    .venv/bin/python bench/large_publish_stall.py [--quick] [--embedded]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.export_cli_vs_cp import cli_env  # noqa: E402
from bench.stallmeter import (SandboxServer, StallMeter, paired_runs, record_stall, spread,  # noqa: E402
                              window_env, window_with_approved_job)

NAME = "longest GUI-thread stall while the window publishes 7 × 95 MB images (1 ms timer)"
GOAL = "≤ 16 ms"
BIG = 95 * 1000 * 1000
COUNT = 7
SKU = "MUG-BLK-16"  # the sandbox listing of the job's product (B0SANDMUG1)


async def until(check, limit: float = 180) -> None:
    deadline = time.monotonic() + limit
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        await asyncio.sleep(0.01)


def confirmation(dialog):
    from PySide6.QtWidgets import QMessageBox
    return next((b for b in dialog.findChildren(QMessageBox, "publishConfirmBox") if b.isVisible()), None)


async def publish_once(dialog, meter: StallMeter) -> tuple[float, float, float]:
    """One publish through the window: (longest stall in ms, the GUI thread's CPU in it, seconds)."""
    from PySide6.QtWidgets import QMessageBox
    await until(lambda: not dialog.busy() and dialog.publish_button.isEnabled())
    await asyncio.sleep(0.5)  # the window is idle: only the publish is measured
    meter.start()
    started = time.perf_counter()
    dialog.publish_button.click()
    await until(lambda: confirmation(dialog) is not None)
    box = confirmation(dialog)
    next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole).click()
    await until(lambda: "submitted" in dialog.status_label.text() or "refused" in dialog.status_label.text()
                or dialog.message.isVisible() or not dialog.busy())
    took = time.perf_counter() - started
    stall = meter.stop()
    status = dialog.status_label.text()
    assert "submitted" in status and "refused" not in status, (status, dialog.message.text())
    # the window watches the submission until Amazon serves it, then re-reads the listing (not measured)
    await until(lambda: "live" in dialog.status_label.text() and not dialog.busy())
    await asyncio.sleep(2)  # the re-read listing's thumbnails
    return stall, meter.busy_ms, took


async def measure(repeats: int, profile_if_missed: bool) -> dict:
    from desktop_app.api.retry import WATCH_PUBLISH

    studio, _job_id = await window_with_approved_job("B0SANDMUG1", COUNT)
    window = studio.window
    window.publish_action.trigger()
    dialog = window.publish_dialog
    await until(lambda: bool(dialog.strip_title.text()))  # the job's images
    dialog.sku_edit.setText(SKU)
    dialog.set_country("US")
    dialog.fetch_button.click()
    await until(lambda: dialog.state.view is not None and not dialog.busy())
    assert len(dialog.state.assigned) == COUNT, dialog.state.assigned
    studio.rt.publish.watch_retry = WATCH_PUBLISH.but(base=0.2)  # re-read soon while watching for "live"
    meter = StallMeter()
    await publish_once(dialog, meter)  # the first publish: the connections, the code paths warmed once
    result = await paired_runs(lambda _tag: publish_once(dialog, meter), meter, repeats, profile_if_missed)
    await studio.aclose()
    return result


def run(repeats: int, embedded: bool, tmp: Path) -> dict:
    import qasync
    from PySide6.QtWidgets import QApplication

    from desktop_app.sandbox.amazon.data import (SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN,
                                                 SANDBOX_SELLER_ID)

    os.environ.update({k: v for k, v in cli_env(tmp / "data", BIG).items() if k != "PYTHONPATH"},
                      LISTING_STUDIO_POLL_INTERVAL="0.05", LISTING_STUDIO_SPAPI_PROCESSING="0.5")
    for name in ("SP_API_CLIENT_ID", "SP_API_CLIENT_SECRET", "SP_API_REFRESH_TOKEN", "SP_API_SELLER_ID",
                 "LISTING_STUDIO_SP_API_URL", "LISTING_STUDIO_S3_BUCKET"):
        os.environ.pop(name, None)
    server = None
    if not embedded:  # Pixii and SP-API in a loopback server process of their own, the sandbox seller's keys
        server = SandboxServer(pending=0, processing=0, limit=1000)
        os.environ.update(window_env(tmp / "data", server, poll=0.05),
                          LISTING_STUDIO_SP_API_URL=server.url, LISTING_STUDIO_LWA_URL=f"{server.url}/auth/o2/token",
                          SP_API_CLIENT_ID=SANDBOX_CLIENT_ID, SP_API_CLIENT_SECRET=SANDBOX_CLIENT_SECRET,
                          SP_API_REFRESH_TOKEN=SANDBOX_REFRESH_TOKEN, SP_API_SELLER_ID=SANDBOX_SELLER_ID)
    try:
        app = QApplication.instance() or QApplication([])
        with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
            result = runner.run(measure(repeats, profile_if_missed=not embedded))
        del app
    finally:
        if server is not None:
            server.stop()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 5")
    parser.add_argument("--embedded", action="store_true", help="the in-process sandboxes (printed, not recorded)")
    args = parser.parse_args()
    repeats = 3 if args.quick else 5
    with tempfile.TemporaryDirectory() as tmp:
        r = run(repeats, args.embedded, Path(tmp))
    floors, stalls, busy, secs = r["floors"], r["stalls"], r["busy"], r["secs"]
    median, floor = statistics.median(stalls), statistics.median(floors)
    where = "in-process sandboxes" if args.embedded else "sandbox server in its own process"
    print(f"({where}) idle noise floor: median {floor:.1f} ms (spread {spread(floors)}); publishing: median "
          f"{median:.1f} ms (spread {spread(stalls)}), the GUI thread's own CPU time in it {spread(busy)} ms; "
          f"click to outcome {statistics.median(secs):.2f} s (spread {spread(secs)}); load average "
          f"{os.getloadavg()[0]:.1f}")
    if args.embedded:
        return 0
    detail = (f"longest GUI stall from the click on Publish (confirmation answered) until the window shows "
              f"\"submitted\", {COUNT} approved images of 95 MB ({COUNT * BIG / 1e6:.0f} MB) fetched and checked as "
              f"Amazon will, then Amazon's check and the real request (sandbox server in its own process): median "
              f"{median:.1f} ms (spread {spread(stalls)}, {repeats} runs), the GUI thread's own CPU in it "
              f"{spread(busy)} ms; idle floor {floor:.1f} ms (spread {spread(floors)}), paired and alternating; "
              f"click to outcome {statistics.median(secs):.2f} s; `python bench/large_publish_stall.py`")
    record_stall(NAME, GOAL, median, detail, r["stacks"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
