"""File ▸ Settings…: the Pixii API key (paste, show/hide, live or test, check, save, remove) and
the Live/Sandbox switch; the Amazon (:mod:`.amazon_settings`) and Image hosting (:mod:`.hosting_settings`) tabs.

Never blocks: the dialog is shown with open(); keyring calls, the key check and the mode switch run through the
dialog's :class:`~desktop_app.ui.common.async_op.WidgetOps` (the keyring in a worker thread). The key is only ever shown in the (masked by default) edit; labels,
messages and tooltips use its redacted form.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QButtonGroup, QDialog, QDialogButtonBox, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QRadioButton, QTabWidget, QToolButton, QVBoxLayout, QWidget)

from desktop_app.api.pixii.client import key_mode, redact
from desktop_app.config import SANDBOX
from desktop_app.credentials import key_problem
from desktop_app.logs import redact_text
from desktop_app.ui.common.async_op import BAD, OK, WARN, Outcome, WidgetOps
from desktop_app.ui.settings.credential_section import BAD_COLOUR, MUTED_COLOUR, show_tone
from desktop_app.ui.main.window_fit import WrappedLabel


def _where(url: str) -> str:
    return "the embedded sandbox" if url == SANDBOX else (urlsplit(url).netloc or url)


class SettingsDialog(QDialog):
    """``studio`` is the composition root (:class:`desktop_app.ui.main.studio.Studio`): it holds the key
    manager, the current key state and settings, and rebuilds the runtime on a switch."""

    def __init__(self, studio, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.studio = studio
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")
        self._syncing = False
        self.ops = WidgetOps(self, studio.tasks, show=lambda text, tone: show_tone(self.result_label, text, tone),
                             render=self._sync)  # cancelled when the dialog closes
        self.last_check = None  # the KeyCheck of the last "Check key"

        # --- the key ---
        key_box = QGroupBox("Pixii API key")
        self.current_label = QLabel(objectName="currentKeyLabel", wordWrap=True)
        self.current_label.setTextFormat(Qt.TextFormat.PlainText)
        self.key_edit = QLineEdit(objectName="apiKeyEdit", placeholderText="Paste your key: pk_live_… or pk_test_…")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setAccessibleName("API key")
        self.key_edit.setClearButtonEnabled(True)
        self.show_button = QToolButton(objectName="showKeyButton", text="Show")
        self.show_button.setCheckable(True)
        self.show_button.setAccessibleName("Show the key")
        self.show_button.setToolTip("Show or hide the key you are pasting")
        self.kind_label = QLabel(objectName="keyKindLabel", wordWrap=True)
        self.kind_label.setTextFormat(Qt.TextFormat.PlainText)
        self.check_button = QPushButton("Check key", objectName="checkKeyButton")
        self.check_button.setToolTip("One free request to the service with this key (lists the jobs of a dummy ASIN)")
        self.save_button = QPushButton("Save", objectName="saveKeyButton")
        self.save_button.setToolTip("Store the key in the system keyring")
        self.remove_button = QPushButton("Remove", objectName="removeKeyButton")
        self.remove_button.setToolTip("Delete the saved key from the system keyring")
        for b in (self.check_button, self.save_button, self.remove_button):
            b.setAutoDefault(False)
        self.check_button.setDefault(True)  # Enter in the key field checks it; nothing is saved by accident
        self.result_label = WrappedLabel(objectName="keyResultLabel")
        self.result_label.setTextFormat(Qt.TextFormat.PlainText)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.hide()
        self.keyring_note = QLabel(objectName="keyringNote", wordWrap=True)
        self.keyring_note.setTextFormat(Qt.TextFormat.PlainText)
        self.keyring_note.setStyleSheet(f"color: {MUTED_COLOUR};")
        edit_row = QHBoxLayout()
        edit_row.addWidget(self.key_edit, 1)
        edit_row.addWidget(self.show_button)
        buttons_row = QHBoxLayout()
        for b in (self.check_button, self.save_button, self.remove_button):
            buttons_row.addWidget(b)
        buttons_row.addStretch(1)
        key_layout = QVBoxLayout(key_box)
        key_layout.addWidget(self.current_label)
        key_layout.addLayout(edit_row)
        key_layout.addWidget(self.kind_label)
        key_layout.addLayout(buttons_row)
        key_layout.addWidget(self.result_label)
        key_layout.addWidget(self.keyring_note)

        # --- the mode ---
        mode_box = QGroupBox("Where jobs go")
        self.sandbox_radio = QRadioButton("Sandbox — sample images, no credits used", objectName="sandboxRadio")
        self.live_radio = QRadioButton(objectName="liveRadio")
        self.mode_group = QButtonGroup(self)
        self.mode_group.addButton(self.sandbox_radio)
        self.mode_group.addButton(self.live_radio)
        self.mode_note = QLabel(objectName="modeNote", wordWrap=True)
        self.mode_note.setTextFormat(Qt.TextFormat.PlainText)
        self.mode_note.setStyleSheet(f"color: {MUTED_COLOUR};")
        mode_layout = QVBoxLayout(mode_box)
        mode_layout.addWidget(self.sandbox_radio)
        mode_layout.addWidget(self.live_radio)
        mode_layout.addWidget(self.mode_note)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.close_button = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setObjectName("settingsCloseButton")
        self.close_button.setAutoDefault(False)
        from desktop_app.ui.settings.amazon import AmazonSettings
        from desktop_app.ui.settings.hosting import HostingSettings
        pixii = QWidget(objectName="pixiiSettings")
        pixii_layout = QVBoxLayout(pixii)
        pixii_layout.addWidget(key_box)
        pixii_layout.addWidget(mode_box)
        pixii_layout.addStretch(1)
        self.amazon = AmazonSettings(self)
        self.hosting = HostingSettings(self)
        self.tabs = QTabWidget(objectName="settingsTabs")
        self.tabs.addTab(pixii, "Pixii images")
        self.tabs.addTab(self.amazon, "Amazon")
        self.tabs.addTab(self.hosting, "Image hosting")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

        self.key_edit.textChanged.connect(self._update)
        self.key_edit.returnPressed.connect(self.check)
        self.show_button.toggled.connect(self._toggle_shown)
        self.check_button.clicked.connect(self.check)
        self.save_button.clicked.connect(self.save)
        self.remove_button.clicked.connect(self.remove)
        self.sandbox_radio.toggled.connect(lambda on: on and self._mode_chosen(False))
        self.live_radio.toggled.connect(lambda on: on and self._mode_chosen(True))
        self.buttons.rejected.connect(self.reject)
        studio.service.runtime_changed.connect(self._runtime_changed)
        self.finished.connect(self._finished)
        self._sync()
        self.resize(600, self.sizeHint().height())
        self.reload_task = self.ops.spawn(self._reload(), name="settings-reload-key",
                                          failure="The saved key could not be read")

    # --- state --------------------------------------------------------------------------------------

    def typed_key(self) -> str:
        return self.key_edit.text().strip()

    def _key_to_check(self) -> str:
        return self.typed_key() or self.studio.key_state.key

    def _sync(self) -> None:
        """Labels and radio buttons from the studio's current key state and settings."""
        state, settings = self.studio.key_state, self.studio.settings
        self.current_label.setText(f"Current key: {state.label} — {state.where}." if state.key
                                   else "No key saved: the app runs on the sandbox.")
        notes = []
        if state.problem:
            notes.append(f"{state.problem.rstrip('.')}: a key you save is kept in memory for this session only "
                         "— never written to a file.")
        if state.source == "env":
            notes.append("PIXII_API_KEY is set in the environment: that key is used, whatever is saved here.")
        self.keyring_note.setText(redact_text(" ".join(notes)))
        self.keyring_note.setVisible(bool(notes))
        live_url = self.studio.live_url()
        forced = live_url == SANDBOX
        self.live_radio.setText("Live — the Pixii API, jobs use credits" if forced else
                                f"Live — {_where(live_url)}, jobs use credits")
        self._syncing = True
        try:
            (self.sandbox_radio if settings.sandbox else self.live_radio).setChecked(True)
        finally:
            self._syncing = False
        busy = bool(self.ops.busy)
        self.key_edit.setReadOnly(busy)
        self.live_radio.setEnabled(not forced and (bool(state.key) or not settings.sandbox) and not busy)
        self.sandbox_radio.setEnabled(not busy)
        if forced:
            self.live_radio.setToolTip("LISTING_STUDIO_API_URL=sandbox selects the embedded sandbox.")
            self.mode_note.setText("LISTING_STUDIO_API_URL=sandbox: the embedded sandbox is used.")
        elif not state.key:
            self.live_radio.setToolTip("Live needs an API key: paste one above and save it.")
            self.mode_note.setText("Live needs an API key: paste one above and save it.")
        elif settings.sandbox:
            self.live_radio.setToolTip("")
            self.mode_note.setText(f"On the sandbox. Choose Live to send jobs to {_where(live_url)} with "
                                   f"{state.label} (uses credits).")
        else:
            self.live_radio.setToolTip("")
            self.mode_note.setText(f"On Live: jobs go to {_where(settings.api_url)} with {redact(settings.api_key)} "
                                   "and use credits.")
        self._update()

    def _update(self, *_args) -> None:
        typed = self.typed_key()
        problem = key_problem(typed) if typed else None
        if not typed:
            self.kind_label.setText("")
        elif problem:
            self.kind_label.setText(problem)
        elif key_mode(typed) == "live":
            self.kind_label.setText(f"Live key ({redact(typed)}): jobs submitted with it use credits.")
        else:
            self.kind_label.setText(f"Test key ({redact(typed)}).")
        self.kind_label.setStyleSheet(f"color: {BAD_COLOUR if problem else MUTED_COLOUR};")
        idle = not self.ops.busy
        checkable = (typed and not problem) or (not typed and bool(self.studio.key_state.key))
        self.check_button.setEnabled(idle and bool(checkable))
        self.save_button.setEnabled(idle and bool(typed) and problem is None)
        self.remove_button.setEnabled(idle and self.studio.key_state.source in ("keyring", "session"))
        self.check_button.setToolTip(
            f"One free request to {_where(self.studio.live_url())} with "
            f"{'this key' if typed else 'the current key'} (lists the jobs of a dummy ASIN)")

    def _toggle_shown(self, shown: bool) -> None:
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.show_button.setText("Hide" if shown else "Show")
        self.show_button.setAccessibleName("Hide the key" if shown else "Show the key")

    # --- actions --------------------------------------------------------------------------------------

    async def _reload(self) -> None:
        await self.studio.refresh_key_state()
        if not self.ops.busy:
            self._sync()

    def check(self) -> asyncio.Task | None:
        key = self._key_to_check()
        if not key or key_problem(key):
            return None
        return self.ops.run(f"Checking {redact(key)} with {_where(self.studio.live_url())}…",
                            lambda: self._check(key), name="settings-check-key", failure="The check failed")

    async def _check(self, key: str) -> Outcome:
        result = await self.studio.check_key(key)
        self.last_check = result
        return Outcome(result.message, OK if result.ok else BAD)

    def save(self) -> asyncio.Task | None:
        key = self.typed_key()
        if not key or key_problem(key):
            return None
        return self.ops.run("Saving the key…", lambda: self._save(key), name="settings-save-key",
                            failure="The key could not be saved")

    async def _save(self, key: str) -> Outcome:
        try:
            state = await self.studio.save_key(key)
        except ValueError as exc:  # key_problem(): refused before anything was stored
            return Outcome(str(exc), BAD)
        self.key_edit.clear()  # the edit is the only place the key was shown: not kept there
        self.show_button.setChecked(False)
        if state.source == "session":
            text, tone = f"{state.problem} It is not written to any file: paste it again after a restart.", WARN
        else:
            text, tone = f"Saved {state.label} in the system keyring.", OK
        if self.studio.key_state.source == "env":
            text += " PIXII_API_KEY in the environment still wins over it."
        elif self.studio.switching():
            text += " Live now uses it."
        elif self.studio.settings.sandbox and self.studio.live_url() != SANDBOX:
            text += " Choose Live below to use it."
        return Outcome(text, tone)

    def remove(self) -> asyncio.Task | None:
        return self.ops.run("Removing the key…", self._remove, name="settings-remove-key",
                            failure="The key could not be removed")

    async def _remove(self) -> Outcome:
        state = await self.studio.remove_key()
        if state.problem:
            return Outcome(f"The saved key could not be deleted: {state.problem}.", BAD)
        if state.key:
            return Outcome(f"Removed. {state.label} is still used: it comes {state.where}.", WARN)
        return Outcome("Removed: no key is saved now." + (" Back on the sandbox." if self.studio.switching() else ""),
                       OK)

    def _mode_chosen(self, live: bool) -> None:
        if self._syncing or live == (not self.studio.settings.sandbox):
            return
        if self.ops.busy:  # one thing at a time: the radios go back to the mode the app is in
            self._sync()
            return
        task = self.studio.switch_mode(live)
        if task is None:
            self._sync()
            return
        self.ops.follow("Switching to Live…" if live else "Switching to the sandbox…", task, self._switched,
                        failure="Could not switch")

    def _switched(self) -> Outcome:
        s = self.studio.settings
        return Outcome("Now on the sandbox: sample images, no credits used." if s.sandbox else
                       f"Now on Live: jobs go to {_where(s.api_url)} with {redact(s.api_key)} and use credits.", OK)

    def _runtime_changed(self) -> None:
        if not self.ops.busy:
            self._sync()

    def _finished(self, _result: int) -> None:
        try:
            self.studio.service.runtime_changed.disconnect(self._runtime_changed)
        except (RuntimeError, TypeError):
            pass
        self.key_edit.clear()
        self.amazon.clear_secrets()
        self.hosting.clear_secrets()
