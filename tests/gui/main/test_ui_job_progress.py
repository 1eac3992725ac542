"""While a job runs: its row, the gallery's title and the gallery pane show the elapsed time and an estimate
from the service's own typical duration (the sandbox's pending + processing times), on the job list's clock;
the gallery pane and the preview pane do not repeat the same placeholder."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktop_app.ui.main.jobs_model import COL_STATUS, PROGRESS_ROLE  # noqa: E402
from desktop_app.ui.main.jobs_rows import TYPICAL_SECONDS, epoch, typical_seconds  # noqa: E402
from test_ui_flow import generate  # noqa: E402


def test_a_running_job_shows_elapsed_time_and_estimate(studio_factory, qtbot):
    studio = studio_factory(LISTING_STUDIO_SANDBOX_PENDING="100", LISTING_STUDIO_SANDBOX_PROCESSING="200")
    w = studio.window
    model = w.jobs_model
    assert model.typical == 300.0 and typical_seconds(False) == TYPICAL_SECONDS == 120.0
    job_id = generate(w, qtbot, "B0SLOWJOB1")
    qtbot.waitUntil(lambda: w.gallery_model.job_id == job_id, timeout=2000)
    start = epoch(model.record(0).created_at)
    now = [start + 30]
    model.clock = lambda: now[0]

    def status() -> str:
        return model.index(model.row_of(job_id), COL_STATUS).data()

    model.tick()
    assert status() == "pending · 0:30 · about 5 min left"
    assert "0:30 · about 5 min left" in w.gallery.title.text()
    now[0] = start + 150
    model.tick()
    assert status() == "pending · 2:30 · about 3 min left"
    assert abs(model.index(0, COL_STATUS).data(PROGRESS_ROLE) - (0.02 + 0.88 * 0.5)) < 1e-9
    now[0] = start + 290
    model.tick()
    assert status() == "pending · 4:50 · about 10 s left" and "about 10 s left" in w.gallery.title.text()
    now[0] = start + 400
    model.tick()
    assert status() == "pending · 6:40 · taking longer than usual"
    assert 0.9 < model.index(0, COL_STATUS).data(PROGRESS_ROLE) < 0.95

    grid = w.gallery_view.placeholder
    assert "6:40 · taking longer than usual" in grid
    assert w.preview._text.toPlainText() == "No image to preview." != grid
