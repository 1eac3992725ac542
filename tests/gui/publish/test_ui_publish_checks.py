"""The publish window checks a URL-given image before the preview is sent: fetched as Amazon will, its compliance
findings in its slot row and mark; a URL Amazon could not fetch is refused with nothing sent. Real widgets, the
in-process sandboxes and a loopback image host."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QMimeData, QPointF, Qt  # noqa: E402
from support.fake_pixii import FakePixii, image_bytes, send  # noqa: E402
from support.images import make  # noqa: E402
from support.ui import simulate_drop  # noqa: E402

from test_ui_publish import completed_job, fetch, open_dialog, wait_idle  # noqa: E402


@pytest.fixture
def host():
    with FakePixii() as fake:
        fake.routes["/small.png"] = image_bytes(make((300, 300), bg=(200, 200, 200), fmt="PNG"))
        fake.routes["/page.png"] = lambda h: send(h, 200, b"<html>no</html>", "text/html")
        yield fake


def drop_url(dialog, slot: str, url: str) -> None:
    mime = QMimeData()
    mime.setText(url)
    simulate_drop(dialog.rows[slot].assigned, mime, QPointF(10, 10))
    assert dialog.state.assigned[slot] == url


def test_url_findings_in_the_slot_row_before_the_preview(studio, qtbot, host):
    completed_job(studio, qtbot, approve=(0,))
    dialog = open_dialog(studio, qtbot)
    fetch(dialog, qtbot, "MUG-BLK-16", "US")
    drop_url(dialog, "MAIN", f"{host.url}/small.png")
    assert dialog.rows["MAIN"].badge.text() == "not checked"
    client = studio.rt.publish.client
    seen_at_preview = []
    original = client.patch_listings_item

    async def spy(*args, **kw):
        seen_at_preview.append((dialog.rows["MAIN"].status.text(), dialog.rows["MAIN"].badge.level))
        return await original(*args, **kw)
    client.patch_listings_item = spy
    qtbot.mouseClick(dialog.validate_button, Qt.MouseButton.LeftButton)
    wait_idle(dialog, qtbot)
    assert seen_at_preview, dialog.message.text()
    status, level = seen_at_preview[0]
    assert "300" in status and "background" in status.lower()
    assert level in ("warning", "fail")
    assert "VALID" in dialog.status_label.text()  # publishing goes on
    assert "300" in dialog.rows["MAIN"].status.text()


def test_a_url_amazon_could_not_fetch_is_refused_in_the_window(studio, qtbot, host):
    completed_job(studio, qtbot, approve=(0,))
    dialog = open_dialog(studio, qtbot)
    fetch(dialog, qtbot, "MUG-BLK-16", "US")
    drop_url(dialog, "PT03", f"{host.url}/page.png")
    qtbot.mouseClick(dialog.validate_button, Qt.MouseButton.LeftButton)
    wait_idle(dialog, qtbot)
    assert "IMAGE_URL_UNREACHABLE" in dialog.message.text() or "could not fetch" in dialog.message.text()
    assert studio.rt.spapi_emulator.stats()["submissions"] == []
