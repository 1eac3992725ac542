"""The inline message banner at the top of the window: errors with their code (no modal
cascades); short notices fade out by themselves."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton

ERROR_STYLE = ("QFrame#errorBanner { background: #fce8e6; border: 1px solid #f4c7c3; border-radius: 6px; }"
               "QLabel { color: #a50e0e; }")
INFO_STYLE = ("QFrame#errorBanner { background: #e6f4ea; border: 1px solid #ceead6; border-radius: 6px; }"
              "QLabel { color: #0d652d; }")


class Banner(QFrame):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("errorBanner")
        self.setAccessibleName("Messages")
        self.code = ""
        self.count = 0
        self.text_label = QLabel(objectName="errorBannerText", wordWrap=True)
        self.text_label.setTextFormat(Qt.TextFormat.RichText)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = QToolButton(objectName="errorBannerClose", text="✕")
        self.close_button.setAccessibleName("Dismiss the message")
        self.close_button.setToolTip("Dismiss (Esc)")
        self.close_button.setAutoRaise(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.text_label, 1)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.close_button.clicked.connect(self.dismiss)
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self.dismiss)
        self.hide()

    def show_error(self, code: str, message: str) -> None:
        self._timer.stop()
        self.count = self.count + 1 if self.isVisible() and self.code else 1
        self.code = code
        more = f" <span style='color:#5f6368'>(+{self.count - 1} earlier)</span>" if self.count > 1 else ""
        self.setStyleSheet(ERROR_STYLE)
        self.text_label.setText(f"⚠ <b>{_esc(code)}</b> — {_esc(message)}{more}")
        self.setAccessibleDescription(f"Error {code}: {message}")
        self.show()

    def show_info(self, message: str, timeout_ms: int = 6000) -> None:
        if self.isVisible() and self.code:
            return  # never hide an unread error behind a notice
        self.code = ""
        self.count = 0
        self.setStyleSheet(INFO_STYLE)
        self.text_label.setText(_esc(message))
        self.setAccessibleDescription(message)
        self.show()
        self._timer.start(timeout_ms)

    def text(self) -> str:
        return self.text_label.text()

    def dismiss(self) -> None:
        self._timer.stop()
        self.code = ""
        self.count = 0
        self.hide()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
