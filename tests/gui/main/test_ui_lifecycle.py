"""Start and stop: restart resumes unfinished jobs, quitting mid-poll is clean, run_gui works."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from support.ui import run_in_window  # noqa: E402

from desktop_app.api.pixii.models import ListingRequest  # noqa: E402


def test_restart_shows_jobs_and_resumes_an_unfinished_one(studio_factory, qtbot, aloop):
    first = studio_factory()
    first.window.form.asin_edit.setText("B0RESUME01")
    qtbot.mouseClick(first.window.form.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: first.window.jobs_model.rowCount() == 1, timeout=3000)
    run_in_window(qtbot, aloop, first.aclose())  # closed while the job is still pending
    assert first.tasks.idle() and first.rt.http.is_closed

    second = studio_factory(start=False)
    (record,) = second.rt.journal.jobs()
    assert record.status == "pending"
    qtbot.waitUntil(lambda: second.window.jobs_model.rowCount() == 1, timeout=2000)  # before any network traffic
    resuming = second.start()  # the journal is read through the store worker, after the window is shown
    qtbot.waitUntil(resuming.done, timeout=3000)
    assert resuming.result() == 1
    assert second.service.polling(record.job_id)
    qtbot.waitUntil(lambda: second.rt.journal.job(record.job_id).status == "completed", timeout=5000)
    qtbot.waitUntil(lambda: second.window.jobs_model.index(0, 3).data().startswith("completed"), timeout=2000)
    qtbot.waitUntil(lambda: all(i.cached for i in second.rt.journal.images(record.job_id)), timeout=5000)
    assert second.window.job_panel.current_job() == record.job_id
    qtbot.waitUntil(lambda: second.window.gallery_model.thumbnails_ready() >= 1, timeout=3000)


def test_resume_after_a_job_submitted_outside_the_window(studio_factory, qtbot, aloop):
    """A pending job journalled by another process (e.g. the CLI) is polled on start."""
    loader = studio_factory(start=False)
    record = run_in_window(qtbot, aloop, loader.rt.jobs.submit(ListingRequest("B0CLIJOB01", "DE", "amazon_main_images")))
    run_in_window(qtbot, aloop, loader.aclose())
    studio = studio_factory()
    qtbot.waitUntil(lambda: "Resumed watching 1 unfinished job" in studio.window.banner.text(), timeout=3000)
    qtbot.waitUntil(lambda: studio.rt.journal.job(record.job_id).status == "completed", timeout=5000)


def test_quitting_mid_poll_is_clean(studio_factory, qtbot, aloop, caplog):
    studio = studio_factory()
    studio.window.form.asin_edit.setText("B0STUCK001")  # stays processing forever
    qtbot.mouseClick(studio.window.form.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: studio.window.jobs_model.rowCount() == 1, timeout=3000)
    job_id = studio.window.jobs_model.record(0).job_id
    qtbot.waitUntil(lambda: studio.rt.journal.job(job_id).status == "processing", timeout=3000)
    assert studio.service.polling(job_id)
    studio.window.close()  # the user closes the window: the close is turned into a shutdown
    assert studio.quit_requested.is_set() and studio.window.isVisible()
    run_in_window(qtbot, aloop, studio.aclose())
    assert studio.tasks.idle() and studio.rt.http.is_closed and not studio.window.isVisible()
    assert [t for t in asyncio.all_tasks(aloop) if not t.done()] == []
    assert "Task was destroyed" not in caplog.text
    assert studio.tasks.spawn(asyncio.sleep(0)) is None  # nothing new starts after shutdown


def test_run_gui_smoke_in_a_subprocess(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LISTING_STUDIO_API_URL="sandbox",
               LISTING_STUDIO_DATA_DIR=str(tmp_path / "data"), PYTHONASYNCIODEBUG="0")
    shot = tmp_path / "shot.png"
    proc = subprocess.run([sys.executable, "-c", "import sys; from desktop_app.cli import main; "
                           f"sys.exit(__import__('desktop_app.ui.main.gui', fromlist=['run_gui']).run_gui("
                           f"['--smoke', '0.8', '--screenshot', {str(shot)!r}]))"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "Task was destroyed" not in proc.stderr and "Traceback" not in proc.stderr
    assert shot.is_file() and shot.stat().st_size > 1000

