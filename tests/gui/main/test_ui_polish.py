"""Icon, empty states, dark palette, desktop notifications and the thumbnail row index."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QPalette  # noqa: E402
from PySide6.QtWidgets import QLabel  # noqa: E402


from desktop_app.ui.main import a11y
from desktop_app.ui.common import theme  # noqa: E402


def generate(w, qtbot, asin):
    w.form.asin_edit.setText(asin)
    w.form.generate()
    qtbot.waitUntil(lambda: w.jobs_model.record(0) is not None and w.jobs_model.record(0).asin == asin, timeout=3000)
    return w.jobs_model.record(0).job_id


def test_icon_and_desktop_file_name(studio, qapp):
    icon = theme.app_icon()
    assert not icon.isNull() and icon.availableSizes()
    assert not studio.window.windowIcon().isNull()
    theme.set_app_identity(qapp)
    assert qapp.desktopFileName() == theme.APP_ID and not qapp.windowIcon().isNull()


def test_job_table_empty_state(studio, qtbot):
    w = studio.window
    label = w.job_table.viewport().findChild(QLabel, "jobTableEmpty")
    assert label is not None and label.isVisibleTo(w) and "No jobs yet" in label.text()
    assert "Ctrl+Return" in label.text() and w.job_table.accessibleDescription() == label.text()
    generate(w, qtbot, "B0EMPTY001")
    assert not label.isVisibleTo(w)
    w.job_panel.filter_edit.setText("NOTHING")
    assert label.isVisibleTo(w) and label.text() == a11y.NO_MATCH
    w.job_panel.filter_edit.clear()
    assert not label.isVisibleTo(w)


def test_export_needs_an_approved_image(studio, qtbot):
    w = studio.window
    job_id = generate(w, qtbot, "B0NOAPPR01")
    qtbot.waitUntil(lambda: studio.rt.journal.job(job_id).status == "completed", timeout=5000)
    qtbot.waitUntil(lambda: w.gallery_model.rowCount() > 0, timeout=3000)
    assert not w.gallery.export_button.isEnabled()
    assert "Approve at least one image (A)" in w.gallery.export_button.toolTip()
    assert "approve with A" in w.gallery.summary.text()


def test_forced_dark_scheme_recolours_the_window(studio, qapp, qtbot, monkeypatch):
    w = studio.window
    old_style, old_palette = qapp.style().name(), QPalette(qapp.palette())
    monkeypatch.setenv(theme.SCHEME_ENV, "dark")
    assert theme.forced_scheme() == "dark" and theme.forced_scheme(["--light"]) == "light"
    try:
        theme.apply_scheme(qapp, "dark")
        qtbot.waitUntil(theme.is_dark, timeout=1000)
        assert theme.colors() is theme.DARK
        assert theme.DARK["notice_bg"] in w.mode_label.styleSheet()
        w.banner.show_error("SOME_ERROR", "text")
        assert theme.DARK["error_bg"] in w.banner.styleSheet()
        assert w.preview.backgroundBrush().color().name() == theme.DARK["preview_bg"]
        w.grab()  # paints the delegates with the dark colours, without warnings
        theme.apply_scheme(qapp, "light")
        assert not theme.is_dark() and theme.LIGHT["error_bg"] in w.banner.styleSheet()
    finally:
        qapp.setStyle(old_style)
        qapp.setPalette(old_palette)
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "unsetColorScheme"):
            hints.unsetColorScheme()
        theme.notifier().changed.emit()


class Recorder:
    def __init__(self):
        self.calls = []

    def __call__(self, title, body):
        self.calls.append((title, body))


def test_notification_only_when_the_window_is_inactive(studio_factory, qtbot):
    from desktop_app.ui.main.notify import JobNotifier

    studio = studio_factory()
    recorder = Recorder()
    active = {"value": False}
    notifier = JobNotifier(studio.service, studio.window, recorder, min_seconds=0, is_active=lambda: active["value"])
    ended = []  # jobs whose end the notifier has looked at (and notified, or not)
    notifier.handled.connect(lambda job_id, terminal: terminal and ended.append(job_id))
    w = studio.window
    job_id = generate(w, qtbot, "B0NOTIFY01")
    qtbot.waitUntil(lambda: studio.rt.journal.job(job_id).status == "completed", timeout=5000)
    qtbot.waitUntil(lambda: len(recorder.calls) == 1, timeout=2000)
    title, body = recorder.calls[0]
    assert "B0NOTIFY01" in title and "completed" in title and "ready to review" in body
    active["value"] = True
    job_id = generate(w, qtbot, "B0FAIL0001")
    qtbot.waitUntil(lambda: job_id in ended, timeout=5000)
    assert studio.rt.journal.job(job_id).status == "failed"
    assert len(recorder.calls) == 1  # the window was active: no notification
    active["value"] = False
    job_id = generate(w, qtbot, "B0FAIL0002")
    qtbot.waitUntil(lambda: len(recorder.calls) == 2, timeout=5000)
    assert "failed" in recorder.calls[1][0] and "GENERATION_FAILED" in recorder.calls[1][1]
    # a short job (under min_seconds) is not announced; the real window check is the default
    notifier.min_seconds = 3600
    job_id = generate(w, qtbot, "B0SHORT001")
    qtbot.waitUntil(lambda: job_id in ended, timeout=5000)
    assert len(recorder.calls) == 2
    assert JobNotifier(studio.service, w, recorder).is_active() == w.isActiveWindow()


def test_thumbnail_rows_index(studio, qtbot):
    w = studio.window
    job_id = generate(w, qtbot, "B0ROWS0001")
    qtbot.waitUntil(lambda: studio.rt.journal.job(job_id).status == "completed", timeout=5000)
    qtbot.waitUntil(lambda: w.gallery_model.rowCount() > 1, timeout=3000)
    qtbot.waitUntil(lambda: all(i.cached or i.error_code for i in studio.rt.journal.images(job_id)), timeout=5000)
    model = w.gallery_model
    model.refresh()
    for row, record in enumerate(model.records()):
        assert row in model._rows[model.key(record)]
    assert sum(len(rows) for rows in model._rows.values()) == model.rowCount()


def test_error_tile_code_is_not_cut(studio, qtbot):
    from desktop_app.ui.gallery.tiles import ZWSP
    w = studio.window
    job_id = generate(w, qtbot, "B0PART0001")
    qtbot.waitUntil(lambda: studio.rt.journal.job(job_id).status == "completed", timeout=5000)
    qtbot.waitUntil(lambda: w.gallery_model.rowCount() > 1, timeout=3000)
    metrics = w.gallery_view.fontMetrics()
    code = "IMAGE_GENERATION_ERROR".replace("_", "_" + ZWSP)
    lines = metrics.boundingRect(0, 0, 150, 400, int(Qt.TextFlag.TextWordWrap), code).height()
    assert lines > metrics.height()  # wraps to a second line instead of being clipped
    w.gallery_view.grab()
