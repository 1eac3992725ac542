"""The main window in a seller's words: listing types by name with a one-line description (the API's code as item
data), images counted from 1 in the gallery and the publish window, one United Kingdom in the marketplace picker
(found by GB and by UK), and Enter on a partly typed marketplace picking the one that matches."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.ui.form import DESCRIPTION_ROLE  # noqa: E402
from test_ui_publish import completed_job, open_dialog  # noqa: E402


def type_in_market(qtbot, form, text: str) -> None:
    edit = form.market_combo.lineEdit()
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def test_listing_types_are_named_for_sellers(studio, qtbot):
    form = studio.window.form
    types = form.type_combo
    names = [types.itemText(i) for i in range(types.count())]
    assert names == ["Amazon listing", "Amazon main images", "Amazon mobile listing", "Shopify product page",
                     "TikTok Shop listing"]
    assert all("_" not in n for n in names)
    assert types.itemData(0) == "amazon_listing"                  # what the service is sent
    assert types.itemData(0, DESCRIPTION_ROLE) == "Full Amazon listing: main image plus gallery"
    form.set_listing_type("shopify_listing")
    assert form.listing_type() == "shopify_listing" and form.type_desc.text() == "Shopify product-page visuals"
    qtbot.keyClicks(form.asin_edit, "B0CX23V2ZK")
    form.set_country("DE")
    assert form.hint.text().startswith("Ready: B0CX23V2ZK in Germany as Shopify product page")


def test_one_united_kingdom_found_by_gb_and_uk(studio, qtbot):
    form = studio.window.form
    combo = form.market_combo
    kingdoms = [combo.itemText(i) for i in range(combo.count()) if "United Kingdom" in combo.itemText(i)]
    assert kingdoms == ["United Kingdom (GB, UK)"]
    for typed in ("UK", "gb", "uk"):
        type_in_market(qtbot, form, typed)
        assert form.country() == "GB", typed
        qtbot.keyClick(combo.lineEdit(), Qt.Key.Key_Return)
        assert combo.currentText() == "United Kingdom (GB, UK)"
    form.set_country("US")
    form.set_country("UK")                                        # e.g. a remembered choice of an older version
    assert combo.currentText() == "United Kingdom (GB, UK)" and form.country() == "GB"


def test_prefix_and_enter_picks_the_single_match(studio, qtbot):
    form = studio.window.form
    combo = form.market_combo
    form.asin_edit.setText("B0CX23V2ZK")
    type_in_market(qtbot, form, "Ger")
    assert form.country() is None and not form.generate_button.isEnabled()
    qtbot.keyClick(combo.lineEdit(), Qt.Key.Key_Return)
    assert combo.currentText() == "Germany (DE)" and form.country() == "DE"
    assert form.generate_button.isEnabled()
    type_in_market(qtbot, form, "de")                             # a code beats the names that contain it
    qtbot.keyClick(combo.lineEdit(), Qt.Key.Key_Return)
    assert combo.currentText() == "Germany (DE)"
    type_in_market(qtbot, form, "United")                        # three match: nothing is guessed
    qtbot.keyClick(combo.lineEdit(), Qt.Key.Key_Return)
    assert combo.currentText() == "United" and form.country() is None
    assert "not a marketplace" in form.hint.text()


def test_images_are_counted_from_one_in_the_gallery_and_the_publish_window(studio, qtbot):
    w = studio.window
    completed_job(studio, qtbot, approve=(0, 1))
    model = w.gallery_model
    assert [model.index(r).data() for r in range(3)] == ["1 · MAIN", "2 · PT01", "3 · PT02"]
    w.gallery_view.setCurrentIndex(model.index(1))
    assert w.gallery.info_label.text().startswith("2 · PT01")
    assert "Amazon listing" in w.gallery.title.text() and "amazon_listing" not in w.gallery.title.text()
    dialog = open_dialog(studio, qtbot)
    assert [dialog.strip.item(i).text() for i in range(dialog.strip.count())] == ["1 · MAIN", "2 · PT01"]
    combo = dialog.rows["PT01"].combo
    choices = [combo.itemText(i) for i in range(combo.count())]
    assert "1 · MAIN" in choices and "2 · PT01" in choices
    assert not any(c.startswith("Image 0") for c in choices)
