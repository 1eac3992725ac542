"""A listing published from the window and suppressed later: while the app runs, a desktop notification and a
banner with a one-click Undo that puts the previous images back (in-process SP-API sandbox, its clock driven)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QPushButton  # noqa: E402
from support.ui import run_in_window  # noqa: E402

from desktop_app.core.publish.words import when  # noqa: E402
from desktop_app.store.publishes import UNDONE  # noqa: E402
from desktop_app.sandbox.amazon.emulator import SPAPI_SANDBOX_URL  # noqa: E402
from desktop_app.sandbox.amazon.data import SANDBOX_SELLER_ID, US  # noqa: E402
from desktop_app.ui.publish.health import PublishHealthWatch  # noqa: E402


def test_a_suppression_is_notified_with_a_one_click_undo(studio_factory, qtbot, aloop):
    studio = studio_factory(LISTING_STUDIO_SP_API_URL="sandbox")
    w = studio.window
    idle = w.publish_health.start()
    qtbot.waitUntil(idle.done, timeout=5000)
    assert studio.rt.spapi_client is None  # nothing published: it ended without a request
    publish = studio.rt.publish
    emulator = studio.rt.spapi_emulator
    emulator.configure(processing_seconds=0.0)
    before = run_in_window(qtbot, aloop, publish.fetch_listing("MUG-BLK-16", "US")).slots["MAIN"]
    outcome = run_in_window(qtbot, aloop, publish.publish("MUG-BLK-16", "US",
                                                           {"MAIN": f"{SPAPI_SANDBOX_URL}/spapi-media/bright.jpg"}))
    assert outcome.status == "ACCEPTED"

    notes = []
    watch = w.publish_health = PublishHealthWatch(studio.service, w.banner, interval=0.05,
                                                  notify=lambda title, body: notes.append((title, body)))
    task = watch.start()
    qtbot.waitUntil(lambda: watch.rounds >= 2, timeout=5000)
    assert notes == [] and "LISTING_SUPPRESSED" not in w.banner.text()  # live and discoverable: nothing to say
    emulator.suppress(SANDBOX_SELLER_ID, "MUG-BLK-16", US, "INVALID_IMAGE")  # Amazon, some time later
    qtbot.waitUntil(lambda: bool(notes), timeout=5000)
    rounds = watch.rounds
    qtbot.waitUntil(lambda: watch.rounds >= rounds + 2, timeout=5000)
    assert len(notes) == 1  # said once, not every round
    title, body = notes[0]
    assert "MUG-BLK-16" in title and "United States" in title and "suppressed" in title
    assert "1 · MAIN" in body and "#" not in body and "submission" not in body
    shown = w.banner.text()
    assert w.banner.isVisible() and "LISTING_SUPPRESSED" in shown  # the code, as detail
    assert all(word in shown for word in ("MUG-BLK-16", "United States", "1 · MAIN")) and "#" not in shown
    button = w.banner.findChild(QPushButton, "undoSuppressedPublish")
    rec = publish.store.get(outcome.record_id)
    assert button is not None and button.isVisible() and button.text() == f"Undo {when(rec.created_at)} — 1 · MAIN"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: watch.undo_task is not None and watch.undo_task.done(), timeout=5000)
    assert publish.store.get(outcome.record_id).state == UNDONE
    qtbot.waitUntil(lambda: emulator.listing(SANDBOX_SELLER_ID, "MUG-BLK-16", US) is not None, timeout=2000)
    main = emulator.listing(SANDBOX_SELLER_ID, "MUG-BLK-16", US)["attributes"]["main_product_image_locator"]
    assert main[0]["media_location"] == before  # the previous image is back
    said = w.banner.text()
    assert "undo of MUG-BLK-16 in the United States" in said and "1 · MAIN" in said and "#" not in said
    assert "submission" not in said
    task.cancel()
