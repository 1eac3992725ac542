"""The inline message banner at the top of the window: errors with their code (no modal
cascades); short notices fade out by themselves; a standing notice (e.g. the first-run sandbox
note) comes back once a passing message is dismissed. A message may carry one action button.
Every text goes through the log redaction, so no API key can ever be shown here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton

from ..api.answers import printable
from ..logs import redact_text
from . import theme


@dataclass(frozen=True)
class BannerAction:
    text: str                    # e.g. "Add API key…"
    name: str                    # the button's objectName
    callback: Callable[[], None]


class Banner(QFrame):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("errorBanner")
        self.setAccessibleName("Messages")
        self.code = ""
        self.count = 0
        self.action: BannerAction | None = None
        self._notice: tuple[str, BannerAction | None] | None = None  # the standing notice
        self._showing_notice = False
        self.text_label = QLabel(objectName="errorBannerText", wordWrap=True)
        self.text_label.setTextFormat(Qt.TextFormat.RichText)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action_button = QPushButton(objectName="bannerAction")
        self.action_button.hide()
        self.action_button.clicked.connect(self._act)
        self.close_button = QToolButton(objectName="errorBannerClose", text="✕")
        self.close_button.setAccessibleName("Dismiss the message")
        self.close_button.setToolTip("Dismiss (Esc)")
        self.close_button.setAutoRaise(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.text_label, 1)
        layout.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.close_button.clicked.connect(self.dismiss)
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._expire)
        self._kind = "info"
        theme.notifier().changed.connect(self._restyle)
        self.hide()

    # --- showing --------------------------------------------------------------------------------------

    def show_error(self, code: str, message: str, action: BannerAction | None = None) -> None:
        code, message = printable(redact_text(code)), printable(redact_text(message))
        self._timer.stop()
        if self.isVisible() and self.code == code and action is not None and self.action == action:
            return  # the same actionable error again (e.g. the key refused by several polls): said once
        self.count = self.count + 1 if self.isVisible() and self.code else 1
        self.code = code
        self._showing_notice = False
        more = f" <span style='color:{theme.colors()['muted']}'>(+{self.count - 1} earlier)</span>" if self.count > 1 else ""
        self._set_kind("error")
        self.text_label.setText(f"⚠ <b>{_esc(code)}</b> — {_esc(message)}{more}")
        self.setAccessibleDescription(f"Error {code}: {message}")
        self._set_action(action)
        self.show()

    def show_info(self, message: str, timeout_ms: int = 6000) -> None:
        if self.isVisible() and self.code:
            return  # never hide an unread error behind a notice
        message = printable(redact_text(message))
        self.code = ""
        self.count = 0
        self._showing_notice = False
        self._set_kind("info")
        self.text_label.setText(_esc(message))
        self.setAccessibleDescription(message)
        self._set_action(None)
        self.show()
        self._timer.start(timeout_ms)

    def show_notice(self, message: str, action: BannerAction | None = None) -> None:
        """A standing notice: stays until dismissed, and comes back after a passing message."""
        self._notice = (redact_text(message), action)
        if not (self.isVisible() and self.code):
            self._show_notice()

    def clear_notice(self) -> None:
        self._notice = None
        if self._showing_notice:
            self._showing_notice = False
            self._set_action(None)
            self.hide()

    def clear_error(self, code: str) -> None:
        """Take an error down once it no longer holds (e.g. the refused key was replaced)."""
        if self.isVisible() and self.code == code:
            self.dismiss()

    def _show_notice(self) -> None:
        assert self._notice is not None
        message, action = self._notice
        self._timer.stop()
        self.code = ""
        self.count = 0
        self._showing_notice = True
        self._set_kind("notice")
        self.text_label.setText(f"<b>{_esc(message)}</b>")
        self.setAccessibleDescription(message)
        self._set_action(action)
        self.show()

    def _restyle(self) -> None:
        self.setStyleSheet(theme.banner_style(self._kind))

    def _set_kind(self, kind: str) -> None:
        self._kind = kind
        self.setStyleSheet(theme.banner_style(kind))

    def _set_action(self, action: BannerAction | None) -> None:
        self.action = action
        if action is None:
            self.action_button.hide()
            self.action_button.setObjectName("bannerAction")
            return
        self.action_button.setText(action.text)
        self.action_button.setObjectName(action.name)
        self.action_button.setAccessibleName(action.text.rstrip("…"))
        self.action_button.show()

    def _act(self) -> None:
        if self.action is not None:
            self.action.callback()

    # --- reading and hiding -------------------------------------------------------------------------

    def text(self) -> str:
        return self.text_label.text()

    def showing_notice(self) -> bool:
        return self.isVisible() and self._showing_notice

    def _expire(self) -> None:
        if self._notice is not None:
            self._show_notice()
        else:
            self.dismiss()

    def dismiss(self) -> None:
        """Hide the message; a standing notice comes back unless it is the one dismissed."""
        self._timer.stop()
        self.code = ""
        self.count = 0
        if self._showing_notice:
            self._notice = None
        if self._notice is not None and self.isVisible():
            self._show_notice()
            return
        self._showing_notice = False
        self._set_action(None)
        self.hide()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
