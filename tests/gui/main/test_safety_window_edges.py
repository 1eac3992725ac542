"""The window at the HTTP edges: an image that redirects in a loop or to the cloud metadata address is that image's
DOWNLOAD_FAILED (no internal-error banner, the other images arrive), and service text shows without control
characters."""

from __future__ import annotations

import io
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from support.fake_pixii import FakePixii, image_bytes, redirect, send_json  # noqa: E402

from test_ui_flow import generate, wait_completed  # noqa: E402

KEY = "pk_test_windowEdges0001"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 600), (250, 250, 250)).save(out, "PNG")
    return out.getvalue()


def test_redirect_loops_and_metadata_redirects_fail_only_their_image(studio_factory, qtbot):
    with FakePixii() as fake:
        fake.ads = ["/img/0", "/img/loop", "/img/meta"]
        fake.routes = {"/img/0": image_bytes(png()), "/img/loop": redirect("/img/loop"),
                       "/img/meta": redirect("http://169.254.169.254/latest/meta-data/")}
        studio = studio_factory(LISTING_STUDIO_API_URL=fake.url, PIXII_API_KEY=KEY)
        job_id = generate(studio.window, qtbot, "B0WINDOW01")
        wait_completed(studio, qtbot, job_id, timeout=10000)
        images = {i.index: i for i in studio.rt.journal.images(job_id)}
        assert images[0].cached and not images[0].error_code
        assert images[1].error_code == "DOWNLOAD_FAILED" and "loop" in images[1].error_message
        assert images[2].error_code == "DOWNLOAD_FAILED" and "redirect" in images[2].error_message
        assert "INTERNAL" not in studio.window.banner.text()
        assert fake.posts == 1


def test_a_refusal_with_escape_sequences_shows_clean_in_the_banner(studio_factory, qtbot):
    with FakePixii() as fake:
        fake.submit_answer = lambda h: send_json(h, 422, {"success": False, "error": {
            "code": "VALIDATION_ERROR", "message": "\x1b[2JBad ASIN\r\nerror: forged\x07"}})
        studio = studio_factory(LISTING_STUDIO_API_URL=fake.url, PIXII_API_KEY=KEY)
        form = studio.window.form
        form.asin_edit.clear()
        qtbot.keyClicks(form.asin_edit, "B0WINDOW02")
        qtbot.mouseClick(form.generate_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "VALIDATION_ERROR" in studio.window.banner.text(), timeout=5000)
        shown = studio.window.banner.text()
        assert "Bad ASIN" in shown and not any(c in shown for c in "\x1b\r\n\x07"), repr(shown)
