"""After the publish window's first two minutes, the main window keeps watching accepted publishes on a widening
schedule until Amazon serves them, and says so in the banner (sandbox SP-API in-process, its clock driven)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from support.ui import run_in_window  # noqa: E402

from desktop_app.core.publish.words import when  # noqa: E402
from desktop_app.store.publishes import ACCEPTED, LIVE  # noqa: E402
from desktop_app.sandbox.amazon.emulator import SPAPI_SANDBOX_URL  # noqa: E402
from desktop_app.ui.publish.watch import PublishWatcher  # noqa: E402


def test_an_accepted_publish_is_watched_until_amazon_serves_it(studio_factory, qtbot, aloop):
    studio = studio_factory(LISTING_STUDIO_SP_API_URL="sandbox")
    w = studio.window
    idle = w.publish_watch.start()
    qtbot.waitUntil(idle.done, timeout=5000)
    assert studio.rt.spapi_client is None  # nothing to watch: it ended without a request
    publish = studio.rt.publish
    emulator = studio.rt.spapi_emulator
    emulator.configure(processing_seconds=3600.0)  # Amazon takes an hour
    url = f"{SPAPI_SANDBOX_URL}/spapi-media/watched.png"
    outcome = run_in_window(qtbot, aloop, publish.publish("MUG-BLK-16", "US", {"PT03": url}))
    assert outcome.status == "ACCEPTED"

    watcher = w.publish_watch = PublishWatcher(studio.service, w.banner, schedule=(0.05, 0.1), round_timeout=0.05)
    task = watcher.start()
    qtbot.waitUntil(lambda: watcher.rounds >= 2, timeout=5000)  # rounds go on while it is not live
    assert not task.done() and publish.store.get(outcome.record_id).state == ACCEPTED
    assert watcher.start() is task  # one watch at a time
    emulator.advance(3600.0)  # Amazon has processed it
    qtbot.waitUntil(task.done, timeout=5000)
    rounds = watcher.rounds
    assert publish.store.get(outcome.record_id).state == LIVE
    said = w.banner.text()
    assert "MUG-BLK-16 in the United States" in said and "4 · PT03" in said and "#" not in said
    again = watcher.start()
    qtbot.waitUntil(again.done, timeout=5000)  # settled: nothing more to do
    assert watcher.rounds == rounds


def test_a_publish_amazon_rejects_later_is_named_by_listing_date_and_slots(studio_factory, qtbot, aloop):
    studio = studio_factory(LISTING_STUDIO_SP_API_URL="sandbox")
    w = studio.window
    publish = studio.rt.publish
    emulator = studio.rt.spapi_emulator
    emulator.configure(processing_seconds=0.0)
    emulator.add_fault("invalid_image")  # Amazon takes the submission, then rejects its image while processing
    url = f"{SPAPI_SANDBOX_URL}/spapi-media/rejected.png"
    outcome = run_in_window(qtbot, aloop, publish.publish("LAMP-WHT", "DE", {"PT02": url}))
    assert outcome.status == "ACCEPTED"
    watcher = w.publish_watch = PublishWatcher(studio.service, w.banner, schedule=(0.05,), round_timeout=0.05)
    task = watcher.start()
    qtbot.waitUntil(task.done, timeout=5000)
    rec = publish.store.get(outcome.record_id)
    assert rec.state == ACCEPTED and rec.error_code
    said = w.banner.text()
    assert w.banner.isVisible() and rec.error_code in said  # the code, as detail
    assert all(word in said for word in ("LAMP-WHT", "Germany", "3 · PT02", when(rec.created_at))), said
    assert "#" not in said and "accepted" not in said and "INVALID" not in said.replace("INVALID_IMAGE", "")
