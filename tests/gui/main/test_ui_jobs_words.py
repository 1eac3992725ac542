"""The job table speaks a seller's words: listing types by name, the market's country named in its tooltip,
and the filter box finds jobs by that name as well as by ASIN."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.api.pixii.models import ListingRequest  # noqa: E402
from desktop_app.store.journal import Journal  # noqa: E402
from desktop_app.ui.main.jobs_model import COL_ASIN, COL_MARKET, COL_TYPE, JobsModel, load_rows  # noqa: E402


def model_of(tmp_path, jobs) -> JobsModel:
    journal = Journal(tmp_path / "j.sqlite")
    for n, (asin, country, listing_type) in enumerate(jobs):
        intent = journal.add_intent("svc", ListingRequest(asin, country, listing_type))
        journal.accept(intent, f"job_{n}", "pending", f"2026-01-0{n + 1}T00:00:00Z", owner=None)
    model = JobsModel()
    with ThreadPoolExecutor(1) as worker:  # as the window's store worker does: never on the GUI thread
        model.set_rows(worker.submit(load_rows, journal, "svc", {}).result())
    journal.close()
    return model


def test_type_shows_the_listing_types_name_and_market_tooltip_names_the_country(qtbot, tmp_path):
    model = model_of(tmp_path, [("B0WORDS001", "US", "amazon_listing"), ("B0WORDS002", "DE", "shopify_listing")])
    rows = {model.index(r, COL_ASIN).data(): r for r in range(model.rowCount())}
    us, de = rows["B0WORDS001"], rows["B0WORDS002"]
    assert model.index(us, COL_TYPE).data() == "Amazon listing"
    assert model.index(de, COL_TYPE).data() == "Shopify product page"
    assert model.index(us, COL_MARKET).data() == "US" and model.index(de, COL_MARKET).data() == "DE"
    assert "Marketplace: United States (US)" in model.index(us, COL_MARKET).data(Qt.ItemDataRole.ToolTipRole)
    assert "Marketplace: Germany (DE)" in model.index(de, COL_MARKET).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(de, COL_MARKET).data(Qt.ItemDataRole.AccessibleTextRole) == "Germany"


def test_the_filter_matches_asin_and_the_type_name(qtbot, tmp_path):
    model = model_of(tmp_path, [("B0WORDS001", "US", "amazon_listing"), ("B0WORDS002", "DE", "shopify_listing")])
    model.set_filter("shopify product")
    assert [model.index(r, COL_ASIN).data() for r in range(model.rowCount())] == ["B0WORDS002"]
    model.set_filter("b0words001")
    assert [model.index(r, COL_ASIN).data() for r in range(model.rowCount())] == ["B0WORDS001"]
    model.set_filter("")
    assert model.rowCount() == 2
