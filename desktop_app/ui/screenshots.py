"""Render the main window in its main states on the embedded sandbox and save PNG screenshots.

    python -m desktop_app.ui.screenshots [OUTDIR]      (default: screenshots/)

Runs offscreen unless a display is set (use it under Xvfb for the real platform plugin). Uses a
throw-away data dir, so nothing of the user's journal is touched.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_API", "pyside6")
if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QMimeData  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

STATES = ("empty", "running", "gallery", "main", "error")


async def _until(predicate, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise TimeoutError("the window did not reach the expected state")
        await asyncio.sleep(0.05)


async def _settle(app: QApplication, seconds: float = 0.4) -> None:
    await asyncio.sleep(seconds)  # lets Qt lay out and paint; never processEvents() inside a task


async def shoot(outdir: Path) -> list[Path]:
    from ..app import Studio
    from ..config import load_settings
    from .dropdata import parse_mime

    app = QApplication.instance()
    studio = Studio(load_settings(read_keyring=False))
    w = studio.window
    saved: list[Path] = []

    def grab(name: str) -> None:
        path = outdir / f"{name}.png"
        w.grab().save(str(path))
        saved.append(path)

    try:
        studio.start()
        await _settle(app)
        grab("empty")

        form = w.form
        form.asin_edit.setText("https://www.amazon.co.uk/dp/B0CX23V2ZK")
        form._asin_edited(form.asin_edit.text())
        mime = QMimeData()
        mime.setText("https://cdn.example.com/kettle-front.jpg\nhttps://cdn.example.com/kettle-side.jpg")
        form.add_drop(parse_mime(mime))
        form.generate()
        await _until(lambda: w.jobs_model.rowCount() == 1 and w.jobs_model.record(0).status == "processing")
        await _settle(app, 1.2)
        grab("running")

        job_id = w.jobs_model.record(0).job_id
        await _until(lambda: all(i.cached or i.error_code for i in studio.rt.journal.images(job_id))
                     and studio.rt.journal.job(job_id).status == "completed")
        w.job_panel.select_job(job_id)
        await _until(lambda: w.gallery_model.thumbnails_ready() >= min(3, w.gallery_model.rowCount()))
        for row, review in ((0, "approved"), (1, "approved"), (2, "rejected")):
            record = w.gallery_model.record(row)
            studio.service.set_review(record.job_id, record.index, review)
        w.gallery_view.setCurrentIndex(w.gallery_model.index(1))
        w.gallery_view.setFocus()
        await _until(w.preview.has_image)
        await _settle(app)
        grab("gallery")
        grab("main")  # the state to look at first: a completed job, gallery and preview filled

        form.asin_edit.setText("B0FAIL0001")
        form.generate()
        await _until(lambda: w.banner.isVisible() and "GENERATION_FAILED" in w.banner.text())
        w.job_panel.select_job(job_id)
        await _settle(app)
        grab("error")
    finally:
        await studio.aclose()
    return saved


def main(argv: list[str] | None = None) -> int:
    import qasync

    argv = sys.argv[1:] if argv is None else argv
    outdir = Path(argv[0] if argv else "screenshots").resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="listing-studio-shots-") as data:
        os.environ.update({"LISTING_STUDIO_API_URL": "sandbox", "LISTING_STUDIO_DATA_DIR": data,
                           "LISTING_STUDIO_POLL_INTERVAL": "0.3"})
        os.environ.setdefault("LISTING_STUDIO_SANDBOX_PENDING", "0.3")
        os.environ.setdefault("LISTING_STUDIO_SANDBOX_PROCESSING", "3")
        app = QApplication.instance() or QApplication([sys.argv[0]])
        app.setApplicationName("Listing Studio")
        app.setQuitOnLastWindowClosed(False)
        with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
            saved = runner.run(shoot(outdir))
    for path in saved:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
