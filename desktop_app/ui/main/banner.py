"""The inline messages at the top of the window, in two rows that never hide each other:

- the standing notice (e.g. the first-run sandbox note, a batch left unfinished): stays until dismissed or
  until what it says no longer holds;
- the message: errors in a seller's words with their code as the detail (no modal cascades), short notices
  that fade out by themselves.

An error goes away by itself once its cause is gone: a mistake in what the seller typed, dropped or chose
(``INPUT``) when the next action starts well or the form becomes valid; a network failure (``NETWORK``) when
the next request to the service succeeds. Errors about something that happened (a job failed, Amazon
suppressed a listing) stay until read and dismissed. A message or the notice may carry one action button.
Every text goes through the log redaction, so no API key can ever be shown here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout

from desktop_app.api.answers import printable
from desktop_app.logs import redact_text
from desktop_app.ui.common import theme

INPUT = "input"      # cleared when the next action starts well or the form becomes valid
NETWORK = "network"  # cleared when the next request to the service succeeds
EVENT = "event"      # stays until dismissed

INPUT_CODES = frozenset({
    "INVALID_IMAGE_URL", "INVALID_ASIN", "NO_JOB_SELECTED", "NOT_AN_IMAGE", "VALIDATION_ERROR",
    "BATCH_RUNNING", "BATCH_NOT_FOUND", "FILE_UNREADABLE", "NOT_REPAIRABLE", "INVALID_INPUT", "EMPTY_BATCH",
})
NETWORK_CODES = frozenset({"UNREACHABLE", "BAD_RESPONSE", "INTERNAL_ERROR", "SERVICE_UNAVAILABLE"})


def cause_of(code: str) -> str:
    """What makes an error with this code go away (INPUT, NETWORK or EVENT)."""
    if code in INPUT_CODES:
        return INPUT
    if code in NETWORK_CODES or code.startswith("HTTP_5"):
        return NETWORK
    return EVENT


@dataclass(frozen=True)
class BannerAction:
    text: str                    # e.g. "Add API key…"
    name: str                    # the button's objectName
    callback: Callable[[], None]


class _Row(QFrame):
    """One row: a text, an optional action button and a ✕."""

    def __init__(self, name: str, close_name: str, close_tip: str, parent) -> None:
        super().__init__(parent, objectName=name)
        self.action: BannerAction | None = None
        self.label = QLabel(objectName=f"{name}Text", wordWrap=True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button = QPushButton(objectName="bannerAction")
        self.button.hide()
        self.button.clicked.connect(self._act)
        self.close_button = QToolButton(objectName=close_name, text="✕")
        self.close_button.setAccessibleName(close_tip)
        self.close_button.setToolTip(close_tip)
        self.close_button.setAutoRaise(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def set_action(self, action: BannerAction | None) -> None:
        self.action = action
        if action is None:
            self.button.hide()
            self.button.setObjectName("bannerAction")
            return
        self.button.setText(action.text)
        self.button.setObjectName(action.name)
        self.button.setAccessibleName(action.text.rstrip("…"))
        self.button.show()

    def _act(self) -> None:
        if self.action is not None:
            self.action.callback()


class Banner(QFrame):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("errorBanner")
        self.setAccessibleName("Messages")
        self.code = ""
        self.cause = ""
        self.count = 0
        self.notice_row = _Row("bannerNotice", "bannerNoticeClose", "Dismiss the notice", self)
        self.message_row = _Row("bannerMessage", "errorBannerClose", "Dismiss the message (Esc)", self)
        self.text_label = self.message_row.label
        self.action_button = self.message_row.button
        self.close_button = self.message_row.close_button
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.notice_row)
        layout.addWidget(self.message_row)
        self.close_button.clicked.connect(self.dismiss)
        self.notice_row.close_button.clicked.connect(lambda: self.clear_notice())
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._hide_message)
        self._kind = "info"
        theme.notifier().changed.connect(self._restyle)
        self._restyle()
        self.hide()

    @property
    def action(self) -> BannerAction | None:
        """The action of the message shown, else the notice's."""
        if self.message_row.isVisibleTo(self):
            return self.message_row.action
        return self.notice_row.action if self.notice_row.isVisibleTo(self) else None

    # --- showing --------------------------------------------------------------------------------------

    def show_error(self, code: str, message: str, action: BannerAction | None = None) -> None:
        code, message = printable(redact_text(code)), printable(redact_text(message))
        self._timer.stop()
        showing = self.message_row.isVisibleTo(self)
        if showing and self.code == code and action is not None and self.message_row.action == action:
            return  # the same actionable error again (e.g. the key refused by several polls): said once
        self.count = self.count + 1 if showing and self.code else 1
        self.code, self.cause = code, cause_of(code)
        muted = theme.colors()['muted']
        more = f", +{self.count - 1} earlier" if self.count > 1 else ""
        self._kind = "error"
        # the seller's line first; the code is only the detail (for support, a search, the log)
        self.text_label.setText(f"⚠ {_esc(message)} <span style='color:{muted}'>({_esc(code)}{more})</span>")
        self.setAccessibleDescription(f"Error {code}: {message}")
        self._show_row(self.message_row, action)

    def show_info(self, message: str, timeout_ms: int = 6000) -> None:
        if self.message_row.isVisibleTo(self) and self.code:
            return  # never hide an unread error behind a passing message
        message = printable(redact_text(message))
        self.code, self.cause, self.count = "", "", 0
        self._kind = "info"
        self.text_label.setText(_esc(message))
        self.setAccessibleDescription(message)
        self._show_row(self.message_row, None)
        self._timer.start(timeout_ms)

    def show_notice(self, message: str, action: BannerAction | None = None) -> None:
        """A standing notice: stays, beside any message, until dismissed or cleared."""
        message = printable(redact_text(message))
        self.notice_row.label.setText(f"<b>{_esc(message)}</b>")
        if not self.message_row.isVisibleTo(self):
            self.setAccessibleDescription(message)
        self._show_row(self.notice_row, action)

    def clear_notice(self, action_name: str = "") -> None:
        """Take the notice down (only the one whose button is ``action_name``, when given)."""
        action = self.notice_row.action
        if not action_name or (action is not None and action.name == action_name):
            self._hide_row(self.notice_row)

    def clear_error(self, code: str) -> None:
        """Take an error down once it no longer holds (e.g. the refused key was replaced)."""
        if self.message_row.isVisibleTo(self) and self.code == code:
            self._hide_message()

    def resolve(self, cause: str) -> None:
        """What caused errors of ``cause`` (INPUT or NETWORK) is gone: the error shown of that kind goes."""
        if self.message_row.isVisibleTo(self) and self.code and self.cause == cause:
            self._hide_message()

    def _show_row(self, row: _Row, action: BannerAction | None) -> None:
        row.set_action(action)
        self._restyle()
        row.show()
        self.show()

    def _hide_row(self, row: _Row) -> None:
        row.set_action(None)
        row.hide()
        if not (self.notice_row.isVisibleTo(self) or self.message_row.isVisibleTo(self)):
            self.hide()

    def _hide_message(self) -> None:
        self._timer.stop()
        self.code, self.cause, self.count = "", "", 0
        self._hide_row(self.message_row)

    def _restyle(self) -> None:
        self.setStyleSheet(theme.banner_row_style("bannerMessage", self._kind)
                           + theme.banner_row_style("bannerNotice", "notice"))

    # --- reading and hiding -------------------------------------------------------------------------

    def text(self) -> str:
        """The texts shown, as the reader sees them (no markup): the message, then the notice."""
        rows = (self.message_row, self.notice_row)
        return "\n".join(QTextDocumentFragment.fromHtml(r.label.text()).toPlainText()
                         for r in rows if r.isVisibleTo(self))

    def showing_notice(self) -> bool:
        return self.isVisible() and self.notice_row.isVisibleTo(self)

    def dismiss(self) -> None:
        """Esc or ✕: hide the message; with no message, the notice."""
        if self.message_row.isVisibleTo(self):
            self._hide_message()
        else:
            self.clear_notice()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
