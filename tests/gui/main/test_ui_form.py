"""The form: ASIN validation, pasted product links, marketplace search, listing types, the
reference-images drop area, and the Live-mode reachability check before a paid submission."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QMimeData, QModelIndex, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402
from PySide6.QtWidgets import QComboBox, QLineEdit, QListView, QPushButton, QWidget  # noqa: E402
from support.ui import png_bytes, simulate_drop  # noqa: E402


REQUIRED = ("asinEdit", "marketplaceCombo", "listingTypeCombo", "referenceImages", "generateButton", "jobTable",
            "gallery", "preview", "approveButton", "rejectButton", "exportButton", "modeLabel")


def test_required_object_names_and_accessible_names(studio):
    w = studio.window
    for name in REQUIRED:
        found = w.findChild(QWidget, name)
        assert found is not None, name
    interactive = (QLineEdit, QComboBox, QPushButton, QListView)
    for kind in interactive:
        for child in w.findChildren(kind):
            if child.isVisibleTo(w) and child.parent() is not None and not isinstance(child.parent(), QComboBox):
                if child.objectName().startswith("qt_"):
                    continue
                assert child.objectName(), f"{kind.__name__} without objectName"
                assert child.accessibleName(), f"{child.objectName()} without accessible name"
    assert w.findChild(QWidget, "modeLabel").text() == "Sandbox — sample images, no credits used"


def test_asin_is_trimmed_upper_cased_and_validated(studio, qtbot):
    form = studio.window.form
    edit, button = form.asin_edit, form.generate_button
    assert not button.isEnabled() and "Enter an ASIN" in form.hint.text()
    qtbot.keyClicks(edit, " b0cx 23v2")
    assert edit.text() == "B0CX23V2"
    assert not button.isEnabled() and "exactly 10 characters" in form.hint.text()
    qtbot.keyClicks(edit, "zk")
    assert edit.text() == "B0CX23V2ZK"
    assert button.isEnabled()
    assert "Ready" in form.hint.text()
    edit.setText("B0CX23V2Z!")
    assert not button.isEnabled() and "only letters and digits" in form.hint.text()
    edit.setText("https://example.com/thing")
    assert not button.isEnabled() and "not an Amazon product page" in form.hint.text()


def test_pasted_amazon_uk_link_gives_asin_and_gb(studio, qtbot):
    form = studio.window.form
    QGuiApplication.clipboard().setText("  https://www.amazon.co.uk/Some-Kettle/dp/b0cx23v2zk/ref=sr_1_1?th=1 ")
    form.asin_edit.setFocus()
    qtbot.keyClick(form.asin_edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert form.asin_edit.text() == "B0CX23V2ZK"
    assert form.country() == "GB"
    assert form.market_combo.currentText() == "United Kingdom (GB, UK)"
    assert form.generate_button.isEnabled()
    form.asin_edit.clear()
    qtbot.keyClicks(form.asin_edit, "amazon.de/gp/product/B0DE000001")
    assert (form.asin_edit.text(), form.country()) == ("B0DE000001", "DE")


def test_marketplace_search_and_listing_types(studio, qtbot):
    form = studio.window.form
    combo = form.market_combo
    assert combo.count() == 24  # the United Kingdom once (GB and UK)
    assert combo.completer().filterMode() == Qt.MatchFlag.MatchContains
    combo.lineEdit().clear()
    qtbot.keyClicks(combo.lineEdit(), "germ")
    completer = combo.completer()
    assert completer.completionCount() == 1 and completer.currentCompletion() == "Germany (DE)"
    combo.setEditText("se")
    assert form.country() == "SE"
    form.asin_edit.setText("B0CX23V2ZK")
    combo.setEditText("Narnia")
    assert form.country() is None
    assert not form.generate_button.isEnabled() and "not a marketplace" in form.hint.text()
    form.set_country("JP")
    assert form.generate_button.isEnabled()
    types = form.type_combo
    assert [types.itemData(i) for i in range(types.count())] == [
        "amazon_listing", "amazon_main_images", "amazon_mobile_listing", "shopify_listing", "tiktok_listing"]
    types.setCurrentIndex(4)
    assert form.type_desc.text() == "TikTok Shop visuals" and form.type_desc.isVisible()


def test_reference_drops_fill_main_and_others(studio, qtbot):
    form = studio.window.form
    refs = form.refs
    md = QMimeData()
    md.setUrls([QUrl("https://cdn.example.com/main.jpg"), QUrl("https://cdn.example.com/side.jpg")])
    assert simulate_drop(refs, md).isAccepted()
    html = QMimeData()
    html.setHtml('<a href="https://shop.example.com/p/1"><img alt="x" src="https://cdn.example.com/back.png"></a>')
    html.setUrls([QUrl("https://shop.example.com/p/1")])
    simulate_drop(refs, html)
    text = QMimeData()
    text.setText("https://cdn.example.com/a.webp\nhttps://www.google.com/imgres?imgurl=https%3A%2F%2Fcdn.example.com%2Fg.jpg")
    simulate_drop(refs, text)
    assert refs.urls() == ["https://cdn.example.com/main.jpg", "https://cdn.example.com/side.jpg",
                           "https://cdn.example.com/back.png", "https://cdn.example.com/a.webp",
                           "https://cdn.example.com/g.jpg"]
    form.asin_edit.setText("B0CX23V2ZK")
    request = form.request()
    assert request.main_image_url == "https://cdn.example.com/main.jpg"
    assert request.other_image_urls[0] == "https://cdn.example.com/side.jpg" and len(request.other_image_urls) == 4
    # reorder and remove
    refs.setCurrentRow(1)
    qtbot.mouseClick(form.up_button, Qt.MouseButton.LeftButton)
    assert form.request().main_image_url == "https://cdn.example.com/side.jpg"
    refs.setCurrentRow(4)
    qtbot.keyClick(refs, Qt.Key.Key_Delete)
    assert "https://cdn.example.com/g.jpg" not in refs.urls() and refs.count() == 4
    assert refs.item(0).text().startswith("Main:")
    # a drag inside the list moves the row in the model (what InternalMove does on drop)
    assert refs.model().moveRow(QModelIndex(), 3, QModelIndex(), 0)
    assert refs.urls()[0] == "https://cdn.example.com/a.webp"
    assert refs.item(0).text() == "Main: https://cdn.example.com/a.webp" and refs.item(1).text().startswith("Other 1:")


def test_non_url_drop_shows_message_and_changes_nothing(studio, qtbot):
    form = studio.window.form
    md = QMimeData()
    md.setUrls([QUrl("https://cdn.example.com/main.jpg")])
    simulate_drop(form.refs, md)
    before = form.refs.urls()
    junk = QMimeData()
    junk.setText("just some words")
    simulate_drop(form.refs, junk)
    assert form.refs.urls() == before
    banner = studio.window.banner
    assert banner.isVisible() and "INVALID_IMAGE_URL" in banner.text() and "nothing was changed" in banner.text()


def test_reference_thumbnails_are_loaded(studio, qtbot, web):
    web.pages["https://cdn.example.com/ok.png"] = png_bytes()
    md = QMimeData()
    md.setUrls([QUrl("https://cdn.example.com/ok.png")])
    simulate_drop(studio.window.form.refs, md)
    qtbot.waitUntil(lambda: "https://cdn.example.com/ok.png" in studio.window.form.refs._thumbs, timeout=3000)


def test_ctrl_return_submits(studio, qtbot):
    w = studio.window
    w.form.asin_edit.setText("B0CTRLRET1")
    w.activateWindow()
    w.form.asin_edit.setFocus()
    qtbot.keyClick(w.form.asin_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: w.jobs_model.rowCount() == 1, timeout=3000)
    assert studio.rt.journal.jobs()[0].asin == "B0CTRLRET1"


@pytest.fixture
def live_studio(studio_factory):
    return studio_factory(LISTING_STUDIO_API_URL="https://api.pixii.example", PIXII_API_KEY="pk_live_SECRETSECRET")


def test_live_mode_flags_unreachable_urls_and_checks_before_paying(live_studio, qtbot, web):
    w = live_studio.window
    assert w.mode_label.text() == "Live (pk_live_…)"
    assert "SECRET" not in w.mode_label.text() + w.windowTitle()
    form = w.form
    form.asin_edit.setText("B0CX23V2ZK")
    md = QMimeData()
    md.setText("http://192.168.1.20/photo.jpg")
    simulate_drop(form.refs, md)
    assert form.refs.problems() and not form.generate_button.isEnabled()
    assert "private address" in form.hint.text()
    form.refs.clear_urls()
    web.pages["https://cdn.example.com/page.jpg"] = b"<!doctype html><html>login</html>"
    md2 = QMimeData()
    md2.setUrls([QUrl("https://cdn.example.com/page.jpg")])
    simulate_drop(form.refs, md2)
    assert form.generate_button.isEnabled()
    submits = []
    live_studio.service.submit = lambda request: submits.append(request)
    qtbot.mouseClick(form.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(form.refs.problems()), timeout=3000)
    assert submits == []
    assert "NOT_AN_IMAGE" in form.refs.problems()[0][1]
    assert "INVALID_IMAGE_URL" in w.banner.text() and "no credits were used" in w.banner.text()
    assert not form.generate_button.isEnabled()
