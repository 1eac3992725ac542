"""The window's answer to a data folder it cannot use (a journal of a newer version, a read-only folder, a full
disk): a dialog that says why in the seller's words and offers to open the folder, instead of a crash.

Shown with open() and awaited through its ``finished`` signal (never exec()), so it never blocks in a nested
event loop; ``opener`` (the desktop's "open this folder") can be replaced, e.g. in tests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from desktop_app.store.datadir import DATA_DIR_READ_ONLY, DISK_FULL, JOURNAL_TOO_NEW, DataDirError
from desktop_app.ui.common.tasks import signal_future

_ADVICE = {
    JOURNAL_TOO_NEW: "Its job journal was written by a newer version of Listing Studio. Update Listing Studio to "
                     "open it; the journal has been left exactly as it was.",
    DATA_DIR_READ_ONLY: "The folder is read-only, so no job could be recorded (a job that is paid for must be "
                        "recorded first). Make it writable, or start Listing Studio with another folder "
                        "(LISTING_STUDIO_DATA_DIR).",
    DISK_FULL: "The disk that holds it is full. Free some space, then start Listing Studio again.",
}


def nearest_folder(path: Path) -> Path:
    """``path`` or its nearest existing parent (the folder that can be shown)."""
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


class DataDirDialog(QDialog):
    def __init__(self, error: DataDirError, parent: QWidget | None = None,
                 opener: Callable[[QUrl], object] | None = None) -> None:
        super().__init__(parent)
        self.error = error
        self.opener = opener or QDesktopServices.openUrl
        self.setObjectName("dataDirDialog")
        self.setWindowTitle("Listing Studio can't use its data folder")
        self.setAccessibleName(self.windowTitle())
        self.folder = nearest_folder(Path(error.folder))
        self.headline = QLabel(f"<b>Listing Studio can't use its data folder</b> ({error.code})",
                               objectName="dataDirHeadline")
        self.detail = QLabel(wordWrap=True, objectName="dataDirDetail")
        self.detail.setText(f"{_ADVICE.get(error.code, error.message)}\n\nFolder: {error.folder}")
        self.buttons = QDialogButtonBox(self)
        self.open_button = self.buttons.addButton("Open folder", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.setObjectName("dataDirOpenButton")
        self.open_button.setAccessibleName("Open the data folder")
        self.quit_button = self.buttons.addButton("Quit", QDialogButtonBox.ButtonRole.RejectRole)
        self.quit_button.setObjectName("dataDirQuitButton")
        self.quit_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.detail)
        layout.addWidget(self.buttons)
        self.open_button.clicked.connect(self.open_folder)
        self.quit_button.clicked.connect(self.reject)
        self.resize(520, self.sizeHint().height())

    def open_folder(self) -> None:
        self.opener(QUrl.fromLocalFile(str(self.folder)))


async def explain_data_dir(error: DataDirError, *, close_after: float | None = None,
                           opener: Callable[[QUrl], object] | None = None) -> int:
    """Show the dialog until the seller closes it (or ``close_after`` seconds); returns the exit code, 2."""
    dialog = DataDirDialog(error, opener=opener)
    done = signal_future(dialog.finished)
    dialog.open()
    if close_after is not None:
        asyncio.get_running_loop().call_later(close_after, dialog.reject)
    await done
    dialog.deleteLater()
    return 2
