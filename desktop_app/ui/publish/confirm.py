"""The publish window's questions: window-modal, opened with ``open()`` (the event loop and the window's other
tasks keep running), Cancel the default button, and only the seller's yes goes on. Before a real publish it names
the product (title, ASIN, SKU), the marketplace by its country and the slots it changes; the guard against another
product (:mod:`.publish_guard`) asks with the same box."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget
from shiboken6 import isValid

from desktop_app.ui.publish.state import confirm_text


async def ask(parent: QWidget, name: str, title: str, text: str, go: str,
              icon: QMessageBox.Icon = QMessageBox.Icon.Question) -> bool:
    """True only when the seller clicks ``go``; Cancel, Escape, Return (the default) or closing says no."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName(name)
    box.setAccessibleName(title)
    box.setTextFormat(Qt.TextFormat.PlainText)  # titles come from Amazon
    yes = box.addButton(go, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
    box.finished.connect(lambda _result: answer.done() or answer.set_result(box.clickedButton() is yes))
    box.open()
    try:
        return await answer
    finally:
        if isValid(box):  # gone already when the window was closed meanwhile
            box.close()
            box.deleteLater()


async def confirm_publish(parent: QWidget, view, slots: list[str], removed: list[str], also: list[str]) -> bool:
    """Asked before every real (not validate-only) publish."""
    return await ask(parent, "publishConfirmBox", "Publish to Amazon?", confirm_text(view, slots, removed, also),
                     "Publish")
