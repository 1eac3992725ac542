"""The publish window publishes the same images to other marketplaces of the listing's region, chosen in a
multi-select: each marketplace previewed, journalled and undoable on its own, one result line each (real widgets,
in-process sandboxes)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.api.amazon.marketplaces import MARKETPLACES  # noqa: E402
from desktop_app.sandbox.amazon.emulator import SPAPI_SANDBOX_URL  # noqa: E402
from desktop_app.sandbox.amazon.data import SANDBOX_SELLER_ID  # noqa: E402
from test_ui_publish import click_publish, completed_job, fetch, open_dialog, wait_idle  # noqa: E402
from test_ui_publish_checks import drop_url  # noqa: E402

MAIN = "main_product_image_locator"


def test_other_marketplaces_of_the_region_each_on_their_own(studio, qtbot, monkeypatch):
    monkeypatch.setenv("LISTING_STUDIO_SPAPI_PROCESSING", "0")
    completed_job(studio, qtbot, asin="B0SANDCDL4", approve=(0,), country="DE")  # the candle's own job
    dialog = open_dialog(studio, qtbot)
    picker = dialog.also_markets
    assert not picker.isEnabled()  # nothing fetched: no region yet
    fetch(dialog, qtbot, "CANDLE-EU", "DE")
    assert not dialog.message.isVisible(), dialog.message.text()
    offered = [a.data() for a in picker.menu().actions()]
    assert "France" in [a.text() for a in picker.menu().actions()]  # countries by name
    assert "FR" in offered and "IT" in offered and "DE" not in offered and "US" not in offered
    assert all(MARKETPLACES[c].region == "EU" for c in offered)
    picker.action("FR").setChecked(True)
    picker.action("IT").setChecked(True)
    assert picker.text() == "Also: France, Italy"
    url = f"{SPAPI_SANDBOX_URL}/spapi-media/candle-everywhere.jpg"
    drop_url(dialog, "PT02", url)
    click_publish(dialog, qtbot)
    wait_idle(dialog, qtbot)
    status = dialog.status_label.text()
    assert status.startswith("Germany: ") and "France: <b>submitted</b>" in status \
        and "Italy: <b>submitted</b>" in status and "#" not in status, status
    store = studio.rt.publish.store
    records = [store.get(i) for i in range(1, store.last_id() + 1)]
    real = [r for r in records if r.state in ("accepted", "live")]
    assert sorted(r.marketplace_id for r in real) == sorted(MARKETPLACES[c].marketplace_id for c in ("DE", "FR", "IT"))
    assert all(r.slots_after["PT02"] == url for r in real)
    emulator = studio.rt.spapi_emulator
    es = emulator.listing(SANDBOX_SELLER_ID, "CANDLE-EU", MARKETPLACES["ES"].marketplace_id)
    assert "other_product_image_locator_2" not in es["attributes"]  # not chosen: untouched
