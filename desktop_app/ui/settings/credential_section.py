"""What the credential sections of the settings dialog share (Settings ▸ Amazon, Settings ▸ Image hosting): masked
secret fields with one Show/Hide button, a Check / Save / Remove row, a result line and a muted note, the section's
requests run through one :class:`~desktop_app.ui.common.async_op.WidgetOps` (busy state, result line, errors, cancelled
when the dialog closes), and clearing typed secrets. Saved secrets are never put back into a widget.
"""

from __future__ import annotations

from typing import Awaitable, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QToolButton, \
    QVBoxLayout, QWidget

from desktop_app.logs import redact_text
from desktop_app.ui.common.async_op import BAD, BUSY, OK, WARN, Outcome, WidgetOps
from desktop_app.ui.main.window_fit import WrappedLabel

OK_COLOUR, BAD_COLOUR, WARN_COLOUR, MUTED_COLOUR = "#137333", "#b3261e", "#8a5300", "#5f6368"
TONE_COLOURS = {BUSY: MUTED_COLOUR, OK: OK_COLOUR, WARN: WARN_COLOUR, BAD: BAD_COLOUR}


def show_result(label: QLabel, text: str, colour: str) -> None:
    """A result line: redacted text in ``colour``, hidden when empty."""
    label.setText(redact_text(text))
    label.setStyleSheet(f"color: {colour};")
    label.setVisible(bool(text))


def show_tone(label: QLabel, text: str, tone: str) -> None:
    """A result line in the colour of its tone (see :mod:`desktop_app.ui.common.async_op`)."""
    show_result(label, text, TONE_COLOURS[tone])


def plain_label(name: str) -> QLabel:
    label = WrappedLabel(objectName=name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class CredentialSection(QGroupBox):
    """Subclasses call :meth:`build_fields`, :meth:`build_buttons` and :meth:`build_layout` in that order."""

    def __init__(self, title: str, name: str, prefix: str, dialog, parent: QWidget | None = None) -> None:
        """``prefix`` names the widgets: ``<prefix>Status``, ``<prefix>CheckButton`` …"""
        super().__init__(title, parent)
        self.setObjectName(name)
        self.prefix, self.dialog = prefix, dialog
        self.last_check = None
        self.status_label = plain_label(f"{prefix}Status")
        self.ops = WidgetOps(self, dialog.studio.tasks, show=lambda text, tone: show_tone(self.result_label, text, tone),
                             render=self._sync, closing=dialog.finished)

    # --- building -------------------------------------------------------------------------------------

    def build_fields(self, fields: tuple[str, ...], names: dict[str, str], labels: dict[str, str],
                     secret: tuple[str, ...], show_name: str, what: str) -> QHBoxLayout:
        """``self.edits`` (one line edit per field; ``secret`` ones masked) and the Show/Hide button for ``what``
        (e.g. "the secrets"); returns the row of the first secret field with the button beside it."""
        self.secret_fields, self.secret_what = secret, what
        self.edits: dict[str, QLineEdit] = {}
        for f in fields:
            edit = QLineEdit(objectName=names[f])
            edit.setAccessibleName(labels[f])
            edit.setClearButtonEnabled(True)
            if f in secret:
                edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.textChanged.connect(self._update)
            self.edits[f] = edit
        self.show_button = QToolButton(objectName=show_name, text="Show")
        self.show_button.setCheckable(True)
        self.show_button.setAccessibleName(f"Show {what}")
        self.show_button.setToolTip(f"Show or hide {what} you are typing")
        self.show_button.toggled.connect(self._toggle_shown)
        row = QHBoxLayout()
        row.addWidget(self.edits[secret[0]], 1)
        row.addWidget(self.show_button)
        return row

    def build_buttons(self, check_text: str, save_tip: str, remove_tip: str,
                      extra: tuple[QPushButton, ...] = ()) -> QHBoxLayout:
        self.check_button = QPushButton(check_text, objectName=f"{self.prefix}CheckButton")
        self.save_button = QPushButton("Save", objectName=f"{self.prefix}SaveButton")
        self.save_button.setToolTip(save_tip)
        self.remove_button = QPushButton("Remove", objectName=f"{self.prefix}RemoveButton")
        self.remove_button.setToolTip(remove_tip)
        buttons = QHBoxLayout()
        for b in (self.check_button, self.save_button, self.remove_button):
            b.setAutoDefault(False)
            buttons.addWidget(b)
        buttons.addStretch(1)
        for b in extra:
            b.setAutoDefault(False)
            buttons.addWidget(b)
        self.check_button.clicked.connect(self.check)
        self.save_button.clicked.connect(self.save)
        self.remove_button.clicked.connect(self.remove)
        return buttons

    def build_layout(self, form: QFormLayout, buttons: QHBoxLayout) -> None:
        self.result_label = plain_label(f"{self.prefix}ResultLabel")
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.hide()
        self.note_label = plain_label(f"{self.prefix}Note")
        self.note_label.setStyleSheet(f"color: {MUTED_COLOUR};")
        layout = QVBoxLayout(self)
        for part in (self.status_label, form, buttons, self.result_label, self.note_label):
            if isinstance(part, QWidget):
                layout.addWidget(part)
            else:
                layout.addLayout(part)
        layout.addStretch(1)

    # --- state ----------------------------------------------------------------------------------------

    def typed(self) -> dict[str, str]:
        return {f: e.text().strip() for f, e in self.edits.items()}

    def _sync(self) -> None:  # overridden: fields and labels from the current state
        self._update()

    def _update(self, *_args) -> None:  # overridden: which buttons are enabled
        pass

    @property
    def busy(self) -> str:
        """The busy text while a request runs ("" when idle)."""
        return self.ops.busy

    def _toggle_shown(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        for f in self.secret_fields:
            self.edits[f].setEchoMode(mode)
        self.show_button.setText("Hide" if shown else "Show")
        self.show_button.setAccessibleName(f"{'Hide' if shown else 'Show'} {self.secret_what}")

    def clear_secrets(self) -> None:
        for edit in self.edits.values():
            edit.clear()
        self.show_button.setChecked(False)

    def _run(self, busy_text: str, work: Callable[[], Awaitable[Outcome]], key: str, failure: str):
        """One request at a time: the section is busy (``busy_text`` shown) until ``work`` ends; its task."""
        return self.ops.run(busy_text, work, name=key, failure=failure)

    # --- actions (overridden) ---------------------------------------------------------------------------

    def check(self):
        raise NotImplementedError

    def save(self):
        raise NotImplementedError

    def remove(self):
        raise NotImplementedError
