"""Helpers of the window tests: running a coroutine on the window's loop, sample images, a fake web, synthetic
drops, settings-section clicks and every visible text of a dialog. The fixtures are in tests/gui/conftest.py."""

from __future__ import annotations

import asyncio
import hashlib
import io

from PIL import Image
from PySide6.QtCore import QEvent, QMimeData, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit

from desktop_app.api.download import DownloadError


def run_in_window(qtbot, loop, coro, timeout: int = 5000):
    """Run ``coro`` on the session loop while pytest-qt spins Qt; return its result."""
    task = loop.create_task(coro)
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


def png_bytes(size=(64, 48), colour=(30, 120, 200), fmt="PNG") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format=fmt)
    return buf.getvalue()


class FakeWeb:
    """Stands in for the internet in reference-photo fetches (sandbox URLs still go to the sandbox)."""

    def __init__(self, real_fetch) -> None:
        self.pages: dict[str, bytes] = {}
        self.requests: list[str] = []
        self._real = real_fetch

    async def fetch(self, http, url, **kwargs) -> bytes:
        if url.startswith("https://sandbox.invalid/"):
            return await self._real(http, url, **kwargs)
        self.requests.append(url)
        await asyncio.sleep(0)
        if url in self.pages:
            return self.pages[url]
        raise DownloadError("URL_EXPIRED", "the image link has expired or is gone (HTTP 404)")

    async def fetch_to(self, http, url, sink, **kwargs):
        from desktop_app.api.download import Fetched
        data = await self.fetch(http, url, **kwargs)
        sink.write(data)
        return Fetched(hashlib.sha256(data).hexdigest(), len(data))


def simulate_drop(widget, mime: QMimeData, pos=QPointF(20, 20)):
    """Synthetic drag-enter + drop (design notes D.4); item views receive them on the viewport."""
    target = widget.viewport() if hasattr(widget, "viewport") else widget
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    try:
        enter = QDragEnterEvent(pos, *args)  # PySide6 >= 6.12 (the QPoint overload is deprecated there)
    except TypeError:
        enter = QDragEnterEvent(pos.toPoint(), *args)  # earlier releases only have QPoint
    QApplication.sendEvent(target, enter)
    if not enter.isAccepted():
        return enter
    drop = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                      QEvent.Type.Drop)
    QApplication.sendEvent(target, drop)
    return drop


def click_and_wait(qtbot, section, button, timeout=8000) -> None:
    """Click an enabled button of a settings section and wait until its request is done."""
    assert button.isEnabled(), button.objectName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not section.busy, timeout=timeout)


def widget_texts(dialog) -> str:
    """Every text a user can see or a screen reader reads, except what the masked fields hold."""
    masked = {e for e in dialog.findChildren(QLineEdit) if e.echoMode() != QLineEdit.EchoMode.Normal}
    parts = [w.text() for w in dialog.findChildren(QLabel)] + [w.text() for w in dialog.findChildren(QAbstractButton)]
    parts += [e.text() for e in dialog.findChildren(QLineEdit) if e not in masked]
    parts += [w.toolTip() + w.accessibleName() + w.accessibleDescription() + w.placeholderText()
              for w in dialog.findChildren(QLineEdit)]
    return "\n".join(parts)
