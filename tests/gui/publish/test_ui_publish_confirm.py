"""The publish window asks before a real publish, naming the product, the marketplace and the slots (Cancel sends
nothing, Publish sends once), and fits a small laptop screen with its buttons visible."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRect, Qt  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402
from test_ui_publish import completed_job, confirmation, fetch, open_dialog, wait_idle  # noqa: E402


def test_a_real_publish_is_confirmed_naming_product_marketplace_and_slots(studio, qtbot, monkeypatch):
    monkeypatch.setenv("LISTING_STUDIO_SPAPI_PROCESSING", "0.2")
    completed_job(studio, qtbot, "B0SANDMUG1", approve=(0, 1))
    dialog = open_dialog(studio, qtbot)
    fetch(dialog, qtbot, "MUG-BLK-16", "US")
    assert dialog.market_combo.currentText() == "United States"  # countries by name, not codes
    assert "United States" in dialog.info_label.text() and "ATVPDKIKX0DER" not in dialog.info_label.text()
    emulator = studio.rt.spapi_emulator
    store = studio.rt.publish.store

    # Cancel (the default button, so Return): nothing reaches the SP-API
    qtbot.mouseClick(dialog.publish_button, Qt.MouseButton.LeftButton)
    box = confirmation(dialog, qtbot)
    for part in ("Sandbox Ceramic Mug", "B0SANDMUG1", "MUG-BLK-16", "United States", "1 · MAIN, 2 · PT01"):
        assert part in box.text(), (part, box.text())
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    assert dialog.busy() and not dialog.publish_button.isEnabled()
    qtbot.keyClick(box, Qt.Key.Key_Return)
    wait_idle(dialog, qtbot)
    assert "nothing was sent" in dialog.status_label.text().lower()
    assert emulator.stats()["submissions"] == [] and store.last_id() == 0

    # Publish: validated and sent once
    qtbot.mouseClick(dialog.publish_button, Qt.MouseButton.LeftButton)
    box = confirmation(dialog, qtbot)
    yes = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    assert yes.text() == "Publish"
    qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "submitted" in dialog.status_label.text() or dialog.message.isVisible(), timeout=8000)
    assert "submitted" in dialog.status_label.text(), dialog.message.text()
    assert [s["mode"] for s in emulator.stats()["submissions"]] == ["VALIDATION_PREVIEW", None]
    wait_idle(dialog, qtbot)
    dialog.close()


def test_validate_asks_nothing(studio, qtbot):
    completed_job(studio, qtbot, "B0SANDMUG1", approve=(0,))
    dialog = open_dialog(studio, qtbot)
    fetch(dialog, qtbot, "MUG-BLK-16", "US")
    qtbot.mouseClick(dialog.validate_button, Qt.MouseButton.LeftButton)
    wait_idle(dialog, qtbot)
    assert "VALID" in dialog.status_label.text()
    assert not dialog.findChildren(QMessageBox, "publishConfirmBox")
    assert [s["mode"] for s in studio.rt.spapi_emulator.stats()["submissions"]] == ["VALIDATION_PREVIEW"]


def test_the_window_fits_a_small_screen_with_its_buttons_visible(studio, qtbot, tmp_path):
    completed_job(studio, qtbot, "B0SANDMUG1", approve=(0, 1))
    dialog = open_dialog(studio, qtbot)
    fetch(dialog, qtbot, "MUG-BLK-16", "US")
    for width, height in ((1024, 600), (1280, 720), (1366, 768)):
        area = QRect(0, 0, width, height)  # the available area (panels already taken off)
        dialog.fit_to_screen(area)
        qtbot.waitUntil(lambda a=area: a.contains(dialog.frameGeometry()) or a.contains(dialog.geometry()),
                        timeout=2000)
        assert dialog.width() <= width and dialog.height() <= height, (dialog.size(), area)
        for button in (dialog.publish_button, dialog.validate_button, dialog.undo_button, dialog.close_button):
            assert button.isVisible(), button.objectName()
            top_left = button.mapToGlobal(button.rect().topLeft())
            bottom_right = button.mapToGlobal(button.rect().bottomRight())
            assert area.contains(top_left) and area.contains(bottom_right), (button.objectName(), area)
        scroll = dialog.findChild(type(dialog.findChild(object, "slotScroll")), "slotScroll")
        qtbot.waitUntil(lambda s=scroll: s.viewport().height() > 80, timeout=2000)  # a slot row at least
        dialog.grab().save(str(tmp_path / f"publish-{width}x{height}.png"))
        if (width, height) != (1024, 600):
            assert len(rows_in_view(dialog, scroll)) >= 4, (width, height, rows_in_view(dialog, scroll))


def rows_in_view(dialog, scroll) -> list[str]:
    """The slots whose whole row (both images) shows in the slots' scroll area without scrolling."""
    view = scroll.viewport().rect()
    shown = []
    for slot, row in dialog.rows.items():
        for part in (row.current, row.assigned):
            top = part.mapTo(scroll.viewport(), part.rect().topLeft())
            bottom = part.mapTo(scroll.viewport(), part.rect().bottomRight())
            if not (view.contains(top) and view.contains(bottom)):
                break
        else:
            shown.append(slot)
    return shown
