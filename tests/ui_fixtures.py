"""Shared fixtures of the UI tests (import with ``from ui_fixtures import *``).

One qasync loop for the whole session (design notes D.3), marked as the running loop only
while a UI test runs, so plain ``asyncio.run`` tests elsewhere in the suite keep working.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
from concurrent.futures import ThreadPoolExecutor

os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
import qasync  # noqa: E402
from PIL import Image  # noqa: E402
from PySide6.QtCore import QEvent, QMimeData, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QDragEnterEvent, QDropEvent  # noqa: E402
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit  # noqa: E402

from desktop_app.api.download import DownloadError  # noqa: E402

__all__ = ["qloop", "aloop", "studio_factory", "studio", "web", "simulate_drop", "png_bytes", "run",
           "UI_MARKS", "click_and_wait", "widget_texts"]

# Fail on Qt warnings; the offscreen platform's notices about what it cannot do are not ours.
UI_MARKS = [pytest.mark.qt_log_level_fail("WARNING"),
            pytest.mark.qt_log_ignore(r"This plugin does not support")]

_LOOP: qasync.QEventLoop | None = None
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="ui-tests")


@pytest.fixture(scope="session")
def qloop(qapp):
    global _LOOP
    if _LOOP is None:
        _LOOP = qasync.QEventLoop(qapp, already_running=True)
        asyncio.events._set_running_loop(None)
        # A plain pool instead of qasync's QThread one, which would still run at interpreter exit.
        _LOOP.set_default_executor(_POOL)
    yield _LOOP  # never stop()/close() it: stop() calls QApplication.exit()
    _POOL.shutdown(wait=True, cancel_futures=True)


@pytest.fixture
def aloop(qloop, qtbot):
    """The session loop, registered as the running loop for this test; leftovers cancelled after."""
    asyncio.events._set_running_loop(qloop)
    asyncio.set_event_loop(qloop)
    try:
        yield qloop
        pending = [t for t in asyncio.all_tasks(qloop) if not t.done()]
        for task in pending:
            task.cancel()
        qtbot.waitUntil(lambda: all(t.done() for t in pending), timeout=3000)
    finally:
        asyncio.events._set_running_loop(None)
        asyncio.set_event_loop(None)


def run(qtbot, loop, coro, timeout: int = 5000):
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


@pytest.fixture
def web(monkeypatch):
    from desktop_app.ui import services
    fake = FakeWeb(services.fetch_bytes)
    monkeypatch.setattr(services, "fetch_bytes", fake.fetch)
    monkeypatch.setattr(services, "fetch_to", fake.fetch_to)
    return fake


@pytest.fixture
def studio_factory(aloop, qtbot, web, monkeypatch):
    """Build Studio windows on the in-process sandbox; all are shut down cleanly after the test."""
    from desktop_app.app import Studio
    from desktop_app.config import load_settings

    monkeypatch.setenv("LISTING_STUDIO_API_URL", "sandbox")
    made: list[Studio] = []

    def make(start: bool = True, **env) -> Studio:
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        studio = Studio(load_settings(read_keyring=False))  # closed by aclose() below, not by qtbot
        made.append(studio)
        if start:
            studio.start()
        return studio

    yield make
    for studio in made:
        if not studio.closed:
            run(qtbot, aloop, studio.aclose())
        assert studio.tasks.idle()
        studio.window.deleteLater()


@pytest.fixture
def studio(studio_factory):
    return studio_factory()


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
    qtbot.waitUntil(lambda: not section._busy, timeout=timeout)


def widget_texts(dialog) -> str:
    """Every text a user can see or a screen reader reads, except what the masked fields hold."""
    masked = {e for e in dialog.findChildren(QLineEdit) if e.echoMode() != QLineEdit.EchoMode.Normal}
    parts = [w.text() for w in dialog.findChildren(QLabel)] + [w.text() for w in dialog.findChildren(QAbstractButton)]
    parts += [e.text() for e in dialog.findChildren(QLineEdit) if e not in masked]
    parts += [w.toolTip() + w.accessibleName() + w.accessibleDescription() + w.placeholderText()
              for w in dialog.findChildren(QLineEdit)]
    return "\n".join(parts)
