"""Fixtures of the window tests: one qasync loop for the whole session (design notes D.3), marked as the running
loop only while a window test runs, so plain ``asyncio.run`` tests elsewhere in the suite keep working; Studio
windows on the in-process sandbox; a fake web for reference-photo fetches. Every test here fails on a Qt warning.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
import qasync  # noqa: E402
from support.ui import FakeWeb, run_in_window  # noqa: E402

# Fail on Qt warnings; the offscreen platform's notices about what it cannot do are not ours.
UI_MARKS = [pytest.mark.qt_log_level_fail("WARNING"),
            pytest.mark.qt_log_ignore(r"This plugin does not support")]


def pytest_collection_modifyitems(items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.path).startswith(here + os.sep):
            for mark in UI_MARKS:
                item.add_marker(mark)


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


@pytest.fixture(autouse=True)
def journal_off_the_gui_thread():
    """The guard: the app's code (window, or a core service on the window's loop) calling the journal on the GUI
    thread raises; it goes through the store worker (desktop_app/ui/common/store_worker.py)."""
    from desktop_app.store.database import Database
    from desktop_app.ui.common.store_worker import refuse_gui_thread
    Database.guard = staticmethod(refuse_gui_thread())
    yield
    Database.guard = None


@pytest.fixture
def web(monkeypatch):
    from desktop_app.ui.main import services
    fake = FakeWeb(services.fetch_bytes)
    monkeypatch.setattr(services, "fetch_bytes", fake.fetch)
    monkeypatch.setattr(services, "fetch_to", fake.fetch_to)
    return fake


@pytest.fixture
def studio_factory(aloop, qtbot, web, monkeypatch):
    """Build Studio windows on the in-process sandbox; all are shut down cleanly after the test."""
    from desktop_app.ui.main.studio import Studio
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
            run_in_window(qtbot, aloop, studio.aclose())
        assert studio.tasks.idle()
        studio.window.deleteLater()


@pytest.fixture
def studio(studio_factory):
    return studio_factory()
