"""The window's first frame: an empty shell of the main window, shown and painted before the services,
the HTTP client, the keyring and the rest of the window are imported; the main window takes its place
when they are ready.

Only Qt and the standard library are imported here: this module is on the path to the first frame.
``LISTING_STUDIO_FIRST_PAINT=FILE`` records, at the shell's first paint, the time and the modules
loaded so far (JSON), for the start-up benchmark and the test that keeps heavy imports behind it.
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QMainWindow

FIRST_PAINT_ENV = "LISTING_STUDIO_FIRST_PAINT"
PAINT_WAIT_MS = 1000  # a window that is never exposed (minimised, no display) does not hold the start


def record_first_paint(path: str) -> None:
    """Write the time of the first frame and the modules imported before it to ``path`` (whole or not at all)."""
    import json

    painted = time.time()
    with open(f"{path}.tmp", "w", encoding="utf-8") as out:
        json.dump({"time": painted, "modules": sorted(sys.modules)}, out)
    os.replace(f"{path}.tmp", path)


class StartupShell(QMainWindow):
    """The main window's size, title and colours with "Starting…" in its status bar, painted at once (no Qt
    enum is touched: loading them would cost as much as the rest of the shell)."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self.setObjectName("startupShell")
        self.setWindowTitle(title)
        self.resize(1280, 800)
        self.statusBar().showMessage(f"Starting {title}…")
        self.painted = False
        self.abandoned = False  # closed by the user before the main window was ready
        self.handed_over = False
        self._waiting: QEventLoop | None = None

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self.painted:
            return
        self.painted = True
        path = os.environ.get(FIRST_PAINT_ENV)
        if path:
            record_first_paint(path)
        if self._waiting is not None:
            self._waiting.quit()

    def show_and_paint(self) -> None:
        """Show the shell and run Qt's events until it has painted its first frame."""
        self.show()
        if self.painted:
            return
        self._waiting = QEventLoop()
        QTimer.singleShot(PAINT_WAIT_MS, self._waiting.quit)
        self._waiting.exec()
        self._waiting = None

    def hand_over(self, window: QMainWindow) -> None:
        """``window`` takes the shell's place and state; the shell closes once the window is shown."""
        window.setGeometry(self.geometry())
        window.setWindowState(self.windowState())
        self.handed_over = True
        QTimer.singleShot(0, self.close)

    def closeEvent(self, event) -> None:
        if not self.handed_over:
            self.abandoned = True
        event.accept()
