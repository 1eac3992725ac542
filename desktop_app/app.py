"""Start and stop of the desktop window: one qasync event loop, one TaskRegistry owning every
background task, clean shutdown before Qt quits (design notes B.3 / B.4).

Closing the window cancels the tasks, closes the HTTP client and the journal, then lets the
window close; unfinished jobs stay in the journal and are polled again on the next start.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

os.environ.setdefault("QT_API", "pyside6")

from PySide6.QtCore import QTimer  # noqa: E402  (PySide6 before qasync: binding choice)
from PySide6.QtGui import QPixmapCache  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

log = logging.getLogger(__name__)

APP_NAME = "Listing Studio"
PIXMAP_CACHE_KB = 160 * 1024




class Studio:
    """The composition root of the window: runtime, tasks, service, main window."""

    def __init__(self, settings=None) -> None:
        from .config import load_settings
        from .runtime import Runtime
        from .ui.main_window import MainWindow
        from .ui.services import StudioService
        from .ui.tasks import TaskRegistry

        QPixmapCache.setCacheLimit(max(QPixmapCache.cacheLimit(), PIXMAP_CACHE_KB))
        self.settings = settings or load_settings()
        self.rt = Runtime(self.settings)
        self.tasks = TaskRegistry()
        self.service = StudioService(self.rt, self.tasks)
        self.tasks.on_error = self._task_failed
        self.window = MainWindow(self.service)
        self.quit_requested = asyncio.Event()
        self.window.close_requested.connect(self.quit_requested.set)
        self.closed = False

    def _task_failed(self, exc: BaseException, name: str) -> None:
        self.service.error.emit("INTERNAL_ERROR", f"{name or 'a background task'} failed: {type(exc).__name__}: {exc}"
                                " (details in the log)")

    def start(self) -> int:
        """Show the window and resume every unfinished job; returns how many are polled."""
        self.window.show()
        banner = self.window.banner
        if self.rt.journal.recovered_from:
            banner.show_error("JOURNAL_RECOVERED", f"The job journal was damaged; it was kept aside as "
                              f"{self.rt.journal.recovered_from} and a new one was started.")
        elif self.settings.keyring_problem:
            banner.show_error("KEYRING_UNAVAILABLE", self.settings.keyring_problem)
        resumed = self.service.resume()
        if resumed:
            banner.show_info(f"Resumed watching {resumed} unfinished job{'s' if resumed != 1 else ''} from last time.")
        return resumed

    async def aclose(self) -> None:
        """Cancel every task, close the HTTP client and the journal, then let the window close."""
        if self.closed:
            return
        self.closed = True
        self.window.shut_down()
        await self.tasks.cancel_all()
        self.window.loader.shutdown()
        await self.rt.aclose()
        self.window.allow_close = True
        self.window.close()

    async def run(self, smoke: float | None = None, screenshot: str | None = None) -> int:
        self.start()
        if screenshot:
            QTimer.singleShot(int((smoke or 1.0) * 900), lambda: self._grab(screenshot))
        if smoke is not None:
            asyncio.get_running_loop().call_later(smoke, self.quit_requested.set)
        try:
            await self.quit_requested.wait()
        finally:
            await self.aclose()
        return 0

    def _grab(self, path: str) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.window.grab().save(path)


def _excepthook(exc_type, exc, tb) -> None:
    log.error("Unhandled exception", exc_info=(exc_type, exc, tb))
    sys.__excepthook__(exc_type, exc, tb)


def run_gui(argv: list[str] | None = None) -> int:
    """Open the main window; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="listing-studio gui")
    parser.add_argument("--smoke", type=float, nargs="?", const=1.0, metavar="SECONDS",
                        help="quit by itself after SECONDS (default 1; a start-up check)")
    parser.add_argument("--screenshot", metavar="PNG", help="save a picture of the window (with --smoke)")
    options, qt_args = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    qt_args = [a for a in qt_args if a != "gui"]  # `listing-studio gui` reaches here with its command name

    import qasync

    from .config import load_settings
    from .core.validation import InputError
    from .logs import setup_logging

    setup_logging()
    app = QApplication.instance() or QApplication([sys.argv[0], *qt_args])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setQuitOnLastWindowClosed(False)
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl+C in a terminal ends the app at once
    sys.excepthook = _excepthook
    try:
        settings = load_settings()
    except InputError as exc:
        print(f"error: {exc.code}: {exc.message}", file=sys.stderr)
        return 2

    async def amain() -> int:
        studio = Studio(settings)
        return await studio.run(options.smoke, options.screenshot)

    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        return runner.run(amain())
