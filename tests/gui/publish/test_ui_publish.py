"""Job ▸ Publish to Amazon… through the real widgets on the in-process sandboxes (Pixii and SP-API): fetch a
listing, assign two approved images, validate (an issue next to its slot), fix, publish (submitted → live), undo;
the journal holds each submission. Also the compliance marks of the gallery tiles."""

from __future__ import annotations

import os
import re

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QMimeData, QPointF, Qt  # noqa: E402
from PySide6.QtWidgets import QComboBox, QLineEdit, QListView, QMessageBox, QPushButton  # noqa: E402
from support.ui import png_bytes, simulate_drop  # noqa: E402

from desktop_app.sandbox.amazon.emulator import SPAPI_SANDBOX_URL  # noqa: E402
from desktop_app.sandbox.amazon.data import SANDBOX_SELLER_ID, US  # noqa: E402
from desktop_app.ui.publish.slots import IMAGE_MIME  # noqa: E402
from desktop_app.api.retry import WATCH_PUBLISH  # noqa: E402


MEDIA = f"{SPAPI_SANDBOX_URL}/spapi-media/"


def completed_job(studio, qtbot, asin: str = "B0SANDMUG1", approve=(0, 1), country: str = "") -> str:
    """A completed job of `asin` (by default the product of the sandbox listing MUG-BLK-16) with `approve` approved."""
    w = studio.window
    w.form.asin_edit.setText(asin)
    if country:
        w.form.set_country(country)
    w.form.type_combo.setCurrentIndex(w.form.type_combo.findData("amazon_listing"))
    qtbot.mouseClick(w.form.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.jobs_model.rowCount() >= 1, timeout=3000)
    job_id = w.jobs_model.record(0).job_id
    qtbot.waitUntil(lambda: studio.rt.journal.job(job_id).status == "completed", timeout=5000)
    qtbot.waitUntil(lambda: all(i.cached or i.error_code for i in studio.rt.journal.images(job_id)), timeout=5000)
    for index in approve:
        qtbot.waitUntil(studio.service.set_review(job_id, index, "approved").done, timeout=3000)
    w.job_panel.select_job(job_id)
    qtbot.waitUntil(lambda: w.gallery_model.job_id == job_id, timeout=2000)
    return job_id


def open_dialog(studio, qtbot):
    w = studio.window
    w.publish_action.trigger()
    dialog = w.publish_dialog
    assert dialog is not None and dialog.isVisible() and not dialog.isModal()
    assert dialog.objectName() == "publishDialog"
    qtbot.waitUntil(lambda: bool(dialog.strip_title.text()), timeout=3000)  # the job's images, read off the GUI thread
    return dialog


def fetch(dialog, qtbot, sku: str, country: str) -> None:
    dialog.sku_edit.clear()
    qtbot.keyClicks(dialog.sku_edit, sku)
    dialog.set_country(country)
    qtbot.mouseClick(dialog.fetch_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy(), timeout=5000)


def confirmation(dialog, qtbot):
    """The question asked before a real publish, once it is shown."""
    def shown():
        return next((b for b in dialog.findChildren(QMessageBox, "publishConfirmBox") if b.isVisible()), None)
    qtbot.waitUntil(lambda: shown() is not None, timeout=5000)
    return shown()


def click_publish(dialog, qtbot) -> None:
    """Publish, and answer the confirmation with its Publish button."""
    qtbot.mouseClick(dialog.publish_button, Qt.MouseButton.LeftButton)
    box = confirmation(dialog, qtbot)
    yes = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)


def wait_idle(dialog, qtbot, timeout=8000) -> None:
    qtbot.waitUntil(lambda: not dialog.busy(), timeout=timeout)


def test_fetch_assign_validate_publish_live_and_undo(studio, qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("LISTING_STUDIO_SPAPI_PROCESSING", "0.2")
    w = studio.window
    job_id = completed_job(studio, qtbot)
    assert w.publish_dialog is None and w.gallery_model.job_id == job_id
    assert w.publish_action.shortcut().toString() == "Ctrl+Shift+P"
    dialog = open_dialog(studio, qtbot)
    studio.rt.publish.watch_retry = WATCH_PUBLISH.but(base=0.1)  # re-read quickly while watching for "live"

    # CN is listed but cannot be chosen
    cn = dialog.market_combo.findData("CN")
    assert cn >= 0 and not dialog.market_combo.model().item(cn).isEnabled()

    # every visible interactive widget is named, for tests and screen readers
    for kind in (QLineEdit, QComboBox, QPushButton, QListView):
        for child in dialog.findChildren(kind):
            if child.isVisibleTo(dialog) and not isinstance(child.parent(), QComboBox) \
                    and not child.objectName().startswith("qt_"):
                assert child.objectName(), f"{kind.__name__} without objectName"
                assert child.accessibleName(), f"{child.objectName()} without accessible name"

    # an unknown SKU: one inline message, nothing else
    fetch(dialog, qtbot, "NO-SUCH-SKU", "US")
    assert dialog.message.isVisible() and "NOT_FOUND" in dialog.message.text().upper()
    assert dialog.state.view is None and not dialog.publish_button.isEnabled()

    # fetch MUG-BLK-16 (US): product type, title, ASIN, current images by slot
    fetch(dialog, qtbot, "MUG-BLK-16", "US")
    assert not dialog.message.isVisible(), dialog.message.text()
    from PySide6.QtCore import QRect
    dialog.fit_to_screen(QRect(0, 0, 1280, 720))
    view = dialog.state.view
    original = dict(view.slots)
    assert view.asin == "B0SANDMUG1" and view.product_type == "DRINKING_CUP"
    info = dialog.info_label.text()
    assert "B0SANDMUG1" in info and "DRINKING_CUP" in info and "Sandbox Ceramic Mug" in info
    assert original["MAIN"].endswith("mug-main.jpg") and original["PT03"] is None
    assert dialog.rows["MAIN"].current.toolTip() == original["MAIN"]
    qtbot.waitUntil(lambda: dialog.rows["MAIN"].current.pixmap() is not None
                    and not dialog.rows["MAIN"].current.pixmap().isNull(), timeout=5000)
    assert dialog.rows["PT03"].current.text() == "empty"

    # the two approved images are assigned by export order; compliance marks computed off the GUI thread
    assert sorted(dialog.state.assigned) == ["MAIN", "PT01"]
    assert dialog.strip.count() == 2
    qtbot.waitUntil(lambda: dialog.rows["MAIN"].badge.level in ("pass", "warning", "fail"), timeout=5000)
    qtbot.waitUntil(lambda: dialog.rows["PT01"].badge.level in ("pass", "warning", "fail"), timeout=5000)
    assert dialog.grab().save(str(tmp_path / "before.png"))
    assert dialog.rows["MAIN"].badge.toolTip().startswith("Amazon image rules")

    # an image in a format Amazon refuses, dropped as a URL onto PT01: Validate says INVALID next to PT01
    mime = QMimeData()
    mime.setText(f"{MEDIA}not-a-photo.webp")
    simulate_drop(dialog.rows["PT01"].assigned, mime, QPointF(10, 10))
    assert dialog.state.assigned["PT01"] == f"{MEDIA}not-a-photo.webp"
    qtbot.mouseClick(dialog.validate_button, Qt.MouseButton.LeftButton)
    wait_idle(dialog, qtbot)
    assert "INVALID" in dialog.status_label.text(), dialog.message.text()
    pt01 = dialog.rows["PT01"].status.text()
    assert "ERROR" in pt01 and "other_product_image_locator_1" in pt01

    # fix: the approved image back onto PT01 by drag from the strip, then Validate → VALID
    key = dialog.strip.item(1).data(Qt.ItemDataRole.UserRole)
    drag = QMimeData()
    drag.setData(IMAGE_MIME, key.encode())
    simulate_drop(dialog.rows["PT01"].assigned, drag, QPointF(10, 10))
    assert not isinstance(dialog.state.assigned["PT01"], str)
    # and a slot cleared / chosen again through its menu
    qtbot.mouseClick(dialog.rows["MAIN"].clear_button, Qt.MouseButton.LeftButton)
    assert "MAIN" not in dialog.state.assigned
    combo = dialog.rows["MAIN"].combo
    combo.setCurrentIndex(combo.findData(dialog.strip.item(0).data(Qt.ItemDataRole.UserRole)))
    combo.activated.emit(combo.currentIndex())
    assert dialog.state.assigned["MAIN"].index == 0
    qtbot.mouseClick(dialog.validate_button, Qt.MouseButton.LeftButton)
    wait_idle(dialog, qtbot)
    assert "VALID" in dialog.status_label.text() and "INVALID" not in dialog.status_label.text(), \
        dialog.message.text()
    assert dialog.state.view.slots == original  # validation changed nothing

    # publish: submitted with a submission id, then live; the slots show what Amazon serves now
    click_publish(dialog, qtbot)
    qtbot.waitUntil(lambda: "submitted" in dialog.status_label.text() or dialog.message.isVisible(), timeout=8000)
    assert "submitted" in dialog.status_label.text(), dialog.message.text()
    record_id = dialog.state.last_record_id
    assert record_id is not None
    qtbot.waitUntil(lambda: "live" in dialog.status_label.text().split("—")[0], timeout=15000)
    qtbot.waitUntil(lambda: dialog.state.view.slots["MAIN"] != original["MAIN"], timeout=5000)
    assert "live" in dialog.rows["MAIN"].status.text() and "live" in dialog.rows["PT01"].status.text()
    assert dialog.state.view.slots["PT02"] == original["PT02"]  # untouched slot kept
    store = studio.rt.publish.store
    assert store.get(record_id).state == "live"
    from desktop_app.core.publish.words import dates, when
    rec = store.get(record_id)
    # the previews just before it were journalled in the same minute: its date is told apart to the second
    date = dates(store.for_listing(SANDBOX_SELLER_ID, "MUG-BLK-16", US))[record_id]
    # (and, when a preview fell in the very same second, given its ordinal: "…:12, 2nd")
    assert date.startswith(when(rec.created_at)) and re.fullmatch(
        rf"{re.escape(when(rec.created_at, seconds=True))}(, \d+(st|nd|rd|th))?|{re.escape(when(rec.created_at))}", date)
    undo_text = f"Undo {date} — 1 · MAIN, 2 · PT01"
    assert dialog.undo_button.isEnabled() and dialog.undo_button.text() == undo_text and "#" not in undo_text
    assert "new image" in dialog.rows["MAIN"].status.text() and store.get(record_id).submission_id \
        not in dialog.status_label.text()  # the submission id only in the details (tooltip)
    assert store.get(record_id).submission_id in dialog.status_label.toolTip()
    qtbot.waitUntil(lambda: "on Amazon: MUG-BLK-16 (US) live" in w.gallery.summary.text(), timeout=3000)

    def shown(slot):
        pixmap = dialog.rows[slot].current.pixmap()
        return pixmap is not None and not pixmap.isNull()
    qtbot.waitUntil(lambda: shown("MAIN") and shown("PT01"), timeout=5000)  # the new images, as Amazon serves them
    assert dialog.grab().save(str(tmp_path / "publish.png"))  # renders after a publish

    # undo: the previous slots come back
    qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Undo of" in dialog.status_label.text() or dialog.message.isVisible(), timeout=8000)
    assert "Undo of" in dialog.status_label.text(), dialog.message.text()
    qtbot.waitUntil(lambda: dialog.state.view.slots == original, timeout=15000)
    assert store.get(record_id).state == "undone"
    qtbot.waitUntil(lambda: "on Amazon" not in w.gallery.summary.text(), timeout=3000)  # undone: no longer there
    # each row says what Amazon serves now: the previous image, not "the new image"
    qtbot.waitUntil(lambda: "previous image" in dialog.rows["MAIN"].status.text(), timeout=5000)
    for slot in ("MAIN", "PT01"):
        text = dialog.rows[slot].status.text()
        assert "previous image" in text and "new image" not in text, (slot, text)
    assert dialog.grab().save(str(tmp_path / "undone.png"))

    # the journal holds each submission (invalid preview, valid preview, the publish, its undo)
    rows = store.for_listing(SANDBOX_SELLER_ID, "MUG-BLK-16", US)
    states = [r.state for r in rows]  # newest first
    assert states[0] in ("accepted", "live") and rows[0].undo_of == record_id
    assert {"invalid", "valid", "undone"} <= set(states) and any(r.undo_of == record_id for r in rows)
    qtbot.waitUntil(lambda: dialog.history.count() == len(rows), timeout=3000)
    texts = [dialog.history.item(i).text() for i in range(dialog.history.count())]
    published = f"{dates(rows)[record_id]} · publish · 1 · MAIN, 2 · PT01 · undone"
    assert published in texts, texts
    assert len({t.split(" · ")[0] for t in texts}) == len(texts)  # no two submissions with the same date
    assert not any("#" in t or (r.submission_id and r.submission_id in t) for t in texts for r in rows)
    tips = [dialog.history.item(i).toolTip() for i in range(dialog.history.count())]
    assert any(store.get(record_id).submission_id in t for t in tips)
    dialog.close()
    qtbot.waitUntil(lambda: w.publish_dialog is None, timeout=3000)


def test_publish_errors_are_inline(studio, qtbot):
    completed_job(studio, qtbot, "B0PUBERR01")
    dialog = open_dialog(studio, qtbot)
    # revoked authorization: the seller's refresh token no longer works
    studio.rt.publish  # noqa: B018 — build the SP-API client and its emulator
    from desktop_app.sandbox.amazon.data import SANDBOX_REFRESH_TOKEN
    studio.rt.spapi_emulator.revoke_refresh_token(SANDBOX_REFRESH_TOKEN)
    fetch(dialog, qtbot, "LAMP-WHT", "DE")
    assert dialog.message.isVisible() and dialog.state.view is None
    assert "revoked" in dialog.message.text().lower() or "invalid_grant" in dialog.message.text().lower()
    assert not studio.window.banner.isVisible() or "revoked" not in studio.window.banner.text().lower()
    dialog.close()


def test_gallery_tiles_show_compliance_marks(studio, qtbot):
    w = studio.window
    job_id = completed_job(studio, qtbot, "B0COMPLY01", approve=())
    delegate = w.gallery_view.itemDelegate()
    model = w.gallery_model
    rows = [r for r in range(model.rowCount()) if model.record(r).cached]
    assert rows
    w.gallery_view.viewport().update()
    qtbot.waitUntil(lambda: all(delegate.verdict(model.index(r)) is not None for r in rows), timeout=8000)
    verdict = delegate.verdict(model.index(rows[0]))
    assert verdict.level in ("pass", "warning", "fail") and verdict.reasons()
    assert job_id


def test_remove_a_slot_image_publish_and_undo(studio, qtbot, monkeypatch):
    monkeypatch.setenv("LISTING_STUDIO_SPAPI_PROCESSING", "0.2")
    completed_job(studio, qtbot, "B0SANDMUG1", approve=(0,))  # the listing's product
    dialog = open_dialog(studio, qtbot)
    studio.rt.publish.watch_retry = WATCH_PUBLISH.but(base=0.1)
    fetch(dialog, qtbot, "MUG-BLK-16", "US")
    assert not dialog.message.isVisible(), dialog.message.text()
    original = dict(dialog.state.view.slots)
    assert original["PT02"] is not None

    from desktop_app.ui.publish.slots import REMOVE
    # MAIN can never be removed: its menu has no such entry
    assert dialog.rows["MAIN"].combo.findData(REMOVE) < 0
    assert all(dialog.rows[s].combo.findData(REMOVE) >= 0 for s in ("PT01", "PT08", "SWCH"))
    qtbot.mouseClick(dialog.rows["MAIN"].clear_button, Qt.MouseButton.LeftButton)
    assert not dialog.state.assigned and not dialog.publish_button.isEnabled()

    # PT02 → "Remove image" through its menu
    combo = dialog.rows["PT02"].combo
    combo.setCurrentIndex(combo.findData(REMOVE))
    combo.activated.emit(combo.currentIndex())
    assert dialog.state.removed == {"PT02"} and "remove" in dialog.rows["PT02"].assigned.text()
    assert dialog.publish_button.isEnabled() and dialog.rows["PT02"].clear_button.isEnabled()

    click_publish(dialog, qtbot)
    qtbot.waitUntil(lambda: "submitted" in dialog.status_label.text() or dialog.message.isVisible(), timeout=8000)
    assert "submitted" in dialog.status_label.text(), dialog.message.text()
    record_id = dialog.state.last_record_id
    qtbot.waitUntil(lambda: "live" in dialog.status_label.text().split("—")[0], timeout=15000)
    qtbot.waitUntil(lambda: dialog.state.view.slots["PT02"] is None, timeout=5000)
    assert {s: v for s, v in dialog.state.view.slots.items() if s != "PT02"} == \
        {s: v for s, v in original.items() if s != "PT02"}              # nothing else touched
    rec = studio.rt.publish.store.get(record_id)
    assert rec.operation == "patch" and rec.slots_before["PT02"] == original["PT02"] and rec.slots_after["PT02"] is None

    # undo puts the image back
    qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Undo of" in dialog.status_label.text() or dialog.message.isVisible(), timeout=8000)
    assert "Undo of" in dialog.status_label.text(), dialog.message.text()
    qtbot.waitUntil(lambda: dialog.state.view.slots == original, timeout=15000)
    assert studio.rt.publish.store.get(record_id).state == "undone"

    # Clear takes the removal back
    combo.setCurrentIndex(combo.findData(REMOVE))
    combo.activated.emit(combo.currentIndex())
    qtbot.mouseClick(dialog.rows["PT02"].clear_button, Qt.MouseButton.LeftButton)
    assert not dialog.state.removed and not dialog.publish_button.isEnabled()
    dialog.close()


def test_a_dropped_photo_without_a_bucket_is_flagged_when_assigned(studio, qtbot):
    """Without an S3 bucket, an image that has no lasting public URL is flagged the moment it is assigned, and a
    publish sends nothing (never a late failure at Amazon)."""
    from desktop_app.ui.main.services import ImageSource
    journal = studio.rt.journal
    job_id = completed_job(studio, qtbot, "B0NOBUCKET", approve=(0,))
    count = len(journal.images(job_id))
    studio.service.add_user_images(job_id, [ImageSource("data", data=png_bytes((1200, 1200), (90, 140, 60)))])
    qtbot.waitUntil(lambda: len(journal.images(job_id)) == count + 1, timeout=5000)
    dropped = journal.images(job_id)[-1]
    assert dropped.source == "user" and dropped.url is None
    qtbot.waitUntil(studio.service.set_review(job_id, dropped.index, "approved").done, timeout=3000)
    dialog = open_dialog(studio, qtbot)
    fetch(dialog, qtbot, "MUG-BLK-16", "US")
    assert dialog.state.hosting is False and dialog.strip.count() == 2
    assert "NEEDS_PUBLIC_URL" not in dialog.rows["MAIN"].status.text()  # the service link lasts: no hosting needed
    combo = dialog.rows["PT03"].combo
    combo.setCurrentIndex(combo.findData(dialog.strip.item(1).data(Qt.ItemDataRole.UserRole)))
    combo.activated.emit(combo.currentIndex())
    assert dialog.state.assigned["PT03"].index == dropped.index
    qtbot.waitUntil(lambda: "NEEDS_PUBLIC_URL" in dialog.rows["PT03"].status.text(), timeout=3000)
    status = dialog.rows["PT03"].status.text()
    assert "NEEDS_PUBLIC_URL" in status and "public URL" in status
    before = len(studio.rt.spapi_emulator.stats()["submissions"])
    click_publish(dialog, qtbot)
    wait_idle(dialog, qtbot)
    assert dialog.message.isVisible() and "bucket" in dialog.message.text().lower()
    assert len(studio.rt.spapi_emulator.stats()["submissions"]) == before  # nothing reached Amazon


def test_a_lost_answer_is_said_as_unknown_and_watched_until_live(studio_factory, qtbot, monkeypatch):
    """The real PATCH is applied but its answer is lost: the window says Amazon may have it (not "nothing was
    sent"), lists the submission, and the main window's watcher finds it live."""
    monkeypatch.setenv("LISTING_STUDIO_SPAPI_PROCESSING", "0.2")
    studio = studio_factory(LISTING_STUDIO_GIVE_UP_AFTER="1")  # the client gives up retrying soon
    w = studio.window
    completed_job(studio, qtbot, "B0SANDMUG1", approve=(0,))  # the listing's product
    dialog = open_dialog(studio, qtbot)
    fetch(dialog, qtbot, "MUG-BLK-16", "US")
    studio.rt.publish.watch_retry = WATCH_PUBLISH.but(base=0.1)
    emulator = studio.rt.spapi_emulator
    emulator.add_fault("reset_after", "/listings/", method="PATCH", count=0)  # every real PATCH; previews pass
    w.publish_watch.schedule = (0.1,)
    click_publish(dialog, qtbot)
    wait_idle(dialog, qtbot, timeout=15000)
    emulator.clear_faults()
    status = dialog.status_label.text()
    assert "unknown" in status and "may have applied" in status and "Nothing was sent" not in status
    assert dialog.history.count() == 1 and "unknown" in dialog.history.item(0).text()
    record_id = studio.rt.publish.store.last_id()
    qtbot.waitUntil(lambda: studio.rt.publish.store.get(record_id).state == "live", timeout=8000)
    qtbot.waitUntil(lambda: "MUG-BLK-16 in the United States" in w.banner.text(), timeout=3000)
    assert "1 · MAIN" in w.banner.text() and "#" not in w.banner.text()


def test_a_photo_file_dropped_on_a_slot_joins_the_job_and_fills_the_slot(studio, qtbot, tmp_path):
    from PySide6.QtCore import QUrl
    journal = studio.rt.journal
    job_id = completed_job(studio, qtbot, "B0LOCALFIL", approve=(0,))
    dialog = open_dialog(studio, qtbot)
    fetch(dialog, qtbot, "MUG-BLK-16", "US")
    main = dialog.state.assigned["MAIN"]
    photo = tmp_path / "my lifestyle shot.png"
    photo.write_bytes(png_bytes((1200, 900), (40, 90, 160)))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photo))])
    simulate_drop(dialog.rows["PT04"].assigned, mime, QPointF(10, 10))
    qtbot.waitUntil(lambda: not isinstance(dialog.state.assigned.get("PT04", ""), str), timeout=5000)
    record = dialog.state.assigned["PT04"]
    assert record.source == "user" and record.review == "approved" and record.job_id == job_id
    assert [r for r in journal.images(job_id) if r.source == "user"][0].review == "approved"
    assert dialog.strip.count() == 2 and dialog.state.assigned["MAIN"] is main  # the other slots keep their images
    # a file that is not an image: one clear message, nothing assigned, nothing added
    bad = tmp_path / "notes.txt"
    bad.write_text("not a photo")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(bad))])
    count = len(journal.images(job_id))
    simulate_drop(dialog.rows["PT05"].assigned, mime, QPointF(10, 10))
    qtbot.waitUntil(dialog.message.isVisible, timeout=5000)
    assert "notes.txt" in dialog.message.text() and "PT05" not in dialog.state.assigned
    assert len(journal.images(job_id)) == count


def test_listing_issues_stay_next_to_their_slot_when_thumbnails_and_verdicts_arrive(studio, qtbot):
    completed_job(studio, qtbot, "B0KEEPISSU", approve=(0, 1))
    dialog = open_dialog(studio, qtbot)
    studio.rt.publish  # noqa: B018 — builds the in-process SP-API sandbox
    studio.rt.spapi_emulator.add_fault("listing_issue", method="GET")  # Amazon complains about the main image
    fetch(dialog, qtbot, "MUG-BLK-16", "US")
    assert "18027" in dialog.rows["MAIN"].status.text()
    dialog.checker.ready.emit("compliance:any")  # a verdict arrives: every assigned slot is drawn again
    qtbot.waitUntil(lambda: dialog.rows["MAIN"].badge.level in ("pass", "warning", "fail"), timeout=5000)
    assert "18027" in dialog.rows["MAIN"].status.text()
