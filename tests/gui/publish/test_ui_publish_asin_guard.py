"""The publish window never publishes a job's images onto another product unasked: images generated for ASIN
B0CX23V2ZK (DE) sent to MUG-BLK-16 (ASIN B0SANDMUG1, US) bring up a question naming both products whose default
button is Cancel; cancelling sends nothing (no submission, no journal row), answering yes publishes. Through the real
widgets on the in-process sandboxes."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402
from shiboken6 import isValid  # noqa: E402


from desktop_app.sandbox.amazon.data import SANDBOX_SELLER_ID, US  # noqa: E402
from test_ui_publish import click_publish, completed_job, fetch, open_dialog, wait_idle  # noqa: E402


SKU = "MUG-BLK-16"


def asked(dialog) -> bool:
    return any(b.isVisible() for b in dialog.findChildren(QMessageBox, "asinMismatchBox"))


def question(dialog, qtbot) -> QMessageBox:
    qtbot.waitUntil(lambda: asked(dialog), timeout=8000)
    return next(b for b in dialog.findChildren(QMessageBox, "asinMismatchBox") if b.isVisible())


def test_another_products_images_are_published_only_after_a_yes(studio, qtbot, monkeypatch):
    monkeypatch.setenv("LISTING_STUDIO_SPAPI_PROCESSING", "0.2")
    job_id = completed_job(studio, qtbot, "B0CX23V2ZK", approve=(0,), country="DE")
    dialog = open_dialog(studio, qtbot)
    fetch(dialog, qtbot, SKU, "US")
    assert dialog.state.view is not None and dialog.state.view.asin == "B0SANDMUG1", dialog.message.text()
    assert (studio.rt.journal.job(job_id).asin, studio.rt.journal.job(job_id).country) == ("B0CX23V2ZK", "DE")
    emulator = studio.rt.spapi_emulator
    store = studio.rt.publish.store
    before = emulator.listing(SANDBOX_SELLER_ID, SKU, US)

    # Publish: a question naming both products; Return answers it with its default button, Cancel
    click_publish(dialog, qtbot)
    box = question(dialog, qtbot)
    text = box.text()
    for part in ("B0CX23V2ZK", "in Germany", "B0SANDMUG1", "Sandbox Ceramic Mug", SKU, "in the United States"):
        assert part in text, (part, text)
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    assert dialog.busy() and not dialog.publish_button.isEnabled()  # nothing else starts meanwhile
    qtbot.keyClick(box, Qt.Key.Key_Return)
    wait_idle(dialog, qtbot)
    assert not asked(dialog)
    assert "nothing was sent" in dialog.status_label.text().lower()
    assert emulator.stats()["submissions"] == [] and store.last_id() == 0
    assert emulator.listing(SANDBOX_SELLER_ID, SKU, US) == before

    # Validate asks too; Escape cancels
    qtbot.mouseClick(dialog.validate_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(question(dialog, qtbot), Qt.Key.Key_Escape)
    wait_idle(dialog, qtbot)
    assert emulator.stats()["submissions"] == [] and store.last_id() == 0

    # Publish again, and this time the seller says yes: it is validated and sent
    click_publish(dialog, qtbot)
    box = question(dialog, qtbot)
    yes = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "submitted" in dialog.status_label.text() or dialog.message.isVisible(), timeout=8000)
    assert "submitted" in dialog.status_label.text(), dialog.message.text()
    assert [s["mode"] for s in emulator.stats()["submissions"]] == ["VALIDATION_PREVIEW", None]
    assert store.get(dialog.state.last_record_id).job_id == job_id
    wait_idle(dialog, qtbot)
    dialog.close()


def test_closing_the_window_while_asked_sends_nothing(studio, qtbot, caplog):
    completed_job(studio, qtbot, "B0CX23V2ZK", approve=(0,), country="DE")
    dialog = open_dialog(studio, qtbot)
    fetch(dialog, qtbot, SKU, "US")
    click_publish(dialog, qtbot)
    box = question(dialog, qtbot)
    dialog.close()
    qtbot.waitUntil(lambda: not isValid(box) and not dialog.busy(), timeout=5000)  # closed and deleted with it
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == []
    assert studio.rt.spapi_emulator.stats()["submissions"] == [] and studio.rt.publish.store.last_id() == 0
