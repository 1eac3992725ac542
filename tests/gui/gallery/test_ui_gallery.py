"""Drops onto the gallery (the seller's own images), the preview's zoom, the error banner."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QImage, QWheelEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


from test_ui_flow import generate, wait_completed  # noqa: E402
from support.ui import png_bytes, simulate_drop  # noqa: E402


@pytest.fixture
def done_job(studio, qtbot):
    w = studio.window
    job_id = generate(w, qtbot, "B0GALLERY1", "amazon_main_images")
    wait_completed(studio, qtbot, job_id)
    qtbot.waitUntil(w.preview.has_image, timeout=3000)
    return job_id


def images(studio, job_id):
    return studio.rt.journal.images(job_id)


def test_local_file_drop_adds_a_user_image(studio, qtbot, done_job, tmp_path):
    w = studio.window
    before = len(images(studio, done_job))
    photo = tmp_path / "my photo.jpg"
    photo.write_bytes(png_bytes((120, 90), fmt="JPEG"))
    md = QMimeData()
    md.setUrls([QUrl.fromLocalFile(str(photo))])
    with qtbot.waitSignal(studio.service.user_images_done, timeout=3000) as done:
        assert simulate_drop(w.gallery_view, md).isAccepted()
    assert done.args == [done_job, 1]
    after = images(studio, done_job)
    assert len(after) == before + 1
    mine = after[-1]
    assert mine.source == "user" and mine.cached and (mine.width, mine.height) == (120, 90) and mine.ext == "jpg"
    qtbot.waitUntil(lambda: w.gallery_model.rowCount() == before + 1, timeout=2000)
    assert w.gallery_model.index(before).data().endswith("yours")
    # approvable like the service's images
    w.gallery_view.setCurrentIndex(w.gallery_model.index(before))
    qtbot.keyClick(w.gallery_view, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: images(studio, done_job)[-1].review == "approved", timeout=3000)


def test_url_and_browser_img_drops_are_downloaded_and_verified(studio, qtbot, done_job):
    w = studio.window
    service_urls = [i.url for i in images(studio, done_job) if i.url]
    before = len(images(studio, done_job))
    md = QMimeData()
    md.setUrls([QUrl(service_urls[0])])  # a real image URL on the sandbox's image host
    with qtbot.waitSignal(studio.service.user_images_done, timeout=3000):
        simulate_drop(w.gallery_view, md)
    html = QMimeData()
    html.setHtml(f'<p><img src="{service_urls[-1]}"></p>')
    with qtbot.waitSignal(studio.service.user_images_done, timeout=3000) as done:
        simulate_drop(w.gallery_view, html)
    assert done.args[1] == 1
    added = images(studio, done_job)[before:]
    assert [i.url for i in added] == [service_urls[0], service_urls[-1]]
    assert all(i.source == "user" and i.cached for i in added)


def test_image_data_drop(studio, qtbot, done_job):
    before = len(images(studio, done_job))
    md = QMimeData()
    image = QImage(30, 20, QImage.Format.Format_RGB32)
    image.fill(0x3366CC)
    md.setImageData(image)
    with qtbot.waitSignal(studio.service.user_images_done, timeout=3000) as done:
        simulate_drop(studio.window.gallery_view, md)
    assert done.args[1] == 1 and images(studio, done_job)[-1].ext == "png"
    assert len(images(studio, done_job)) == before + 1


def test_non_image_drops_change_nothing(studio, qtbot, done_job, tmp_path, web):
    w = studio.window
    before = images(studio, done_job)
    notes = tmp_path / "notes.txt"
    notes.write_text("not a picture")
    md = QMimeData()
    md.setUrls([QUrl.fromLocalFile(str(notes))])
    with qtbot.waitSignal(studio.service.user_images_done, timeout=3000) as done:
        simulate_drop(w.gallery_view, md)
    assert done.args[1] == 0
    assert "NOT_AN_IMAGE" in w.banner.text() and "notes.txt" in w.banner.text()
    web.pages["https://cdn.example.com/page"] = b"<!doctype html><html><body>hi</body></html>"
    md2 = QMimeData()
    md2.setText("https://cdn.example.com/page")
    with qtbot.waitSignal(studio.service.user_images_done, timeout=3000):
        simulate_drop(w.gallery_view, md2)
    assert "an HTML page" in w.banner.text()
    w.banner.dismiss()
    md3 = QMimeData()
    md3.setText("hello there")
    simulate_drop(w.gallery_view, md3)
    assert w.banner.isVisible() and "nothing was changed" in w.banner.text()
    assert images(studio, done_job) == before
    assert w.gallery_model.rowCount() == len(before)


def test_preview_fit_actual_size_and_wheel_zoom(studio, qtbot, done_job):
    w = studio.window
    preview = w.preview
    assert preview.fit_mode and preview.zoom() < 1.0  # the sandbox images are larger than the pane
    qtbot.mouseClick(w.gallery.actual_button, Qt.MouseButton.LeftButton)
    assert preview.zoom() == pytest.approx(1.0) and w.gallery.zoom_label.text() == "100%"
    pos = QPointF(preview.viewport().rect().center())
    wheel = QWheelEvent(pos, preview.viewport().mapToGlobal(pos), QPoint(0, 0), QPoint(0, 120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(preview.viewport(), wheel)
    assert preview.zoom() == pytest.approx(1.25)
    qtbot.mouseClick(w.gallery.fit_button, Qt.MouseButton.LeftButton)
    assert preview.fit_mode and preview.zoom() < 1.0


def test_drop_without_a_job_is_refused(studio, qtbot, tmp_path):
    photo = tmp_path / "a.png"
    photo.write_bytes(png_bytes())
    md = QMimeData()
    md.setUrls([QUrl.fromLocalFile(str(photo))])
    simulate_drop(studio.window.gallery_view, md)
    assert "NO_JOB_SELECTED" in studio.window.banner.text()
