"""Settings ▸ Amazon: the SP-API credentials (LWA client id, client secret, refresh token; masked, show/hide)
and the seller id; Check (one LWA token exchange), Save (secrets to the keyring off the GUI thread, the seller id
to the preferences), Remove. SP_API_* variables win and are shown read-only. The S3 bucket for local images is
in Settings ▸ Image hosting (:mod:`.hosting_settings`).

Saved secrets are never put back into a widget: the fields only take new values; labels say where each comes from.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QToolButton,
                               QVBoxLayout, QWidget)

from ..config import SP_API_ENV
from ..credentials import SP_API_FIELDS, SP_API_LABELS
from ..logs import redact_text
from .amazon_account import describe

OK_COLOUR, BAD_COLOUR, WARN_COLOUR, MUTED_COLOUR = "#137333", "#b3261e", "#8a5300", "#5f6368"
EDIT_NAMES = {"client_id": "amazonClientIdEdit", "client_secret": "amazonClientSecretEdit",
              "refresh_token": "amazonRefreshTokenEdit"}
PLACEHOLDERS = {"client_id": "amzn1.application-oa2-client.…", "client_secret": "LWA client secret",
                "refresh_token": "Atzr|… (from authorizing the app in Seller Central)"}


def _label(name: str) -> QLabel:
    label = QLabel(objectName=name, wordWrap=True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class AmazonSettings(QGroupBox):
    def __init__(self, dialog, parent: QWidget | None = None) -> None:
        super().__init__("Amazon (SP-API) — publishing listings", parent)
        self.setObjectName("amazonSettings")
        self.dialog, self.studio, self.account = dialog, dialog.studio, dialog.studio.amazon
        self._busy = ""
        self.last_check = None
        self.status_label = _label("amazonStatus")
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for f in SP_API_FIELDS:
            edit = QLineEdit(objectName=EDIT_NAMES[f])
            edit.setAccessibleName(SP_API_LABELS[f])
            edit.setClearButtonEnabled(True)
            if f != "client_id":
                edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.textChanged.connect(self._update)
            self.edits[f] = edit
        self.show_button = QToolButton(objectName="amazonShowSecretButton", text="Show")
        self.show_button.setCheckable(True)
        self.show_button.setAccessibleName("Show the secrets")
        self.show_button.setToolTip("Show or hide the client secret and the refresh token you are typing")
        secret_row = QHBoxLayout()
        secret_row.addWidget(self.edits["client_secret"], 1)
        secret_row.addWidget(self.show_button)
        self.seller_edit = QLineEdit(objectName="amazonSellerEdit", placeholderText="Merchant token, e.g. A1B2C3D4E5")
        self.seller_edit.setAccessibleName("Seller id")
        self.seller_edit.textChanged.connect(self._update)
        form.addRow("LWA client id", self.edits["client_id"])
        form.addRow("Client secret", secret_row)
        form.addRow("Refresh token", self.edits["refresh_token"])
        form.addRow("Seller id", self.seller_edit)
        self.check_button = QPushButton("Check", objectName="amazonCheckButton")
        self.check_button.setToolTip("Exchange the refresh token for an access token with Login with Amazon")
        self.save_button = QPushButton("Save", objectName="amazonSaveButton")
        self.save_button.setToolTip("Secrets to the system keyring; the seller id to the preferences")
        self.remove_button = QPushButton("Remove", objectName="amazonRemoveButton")
        self.remove_button.setToolTip("Delete the saved Amazon credentials and seller id")
        buttons = QHBoxLayout()
        for b in (self.check_button, self.save_button, self.remove_button):
            b.setAutoDefault(False)
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.result_label = _label("amazonResultLabel")
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.hide()
        self.note_label = _label("amazonNote")
        self.note_label.setStyleSheet(f"color: {MUTED_COLOUR};")
        layout = QVBoxLayout(self)
        layout.addWidget(self.status_label)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.result_label)
        layout.addWidget(self.note_label)
        layout.addStretch(1)
        self.show_button.toggled.connect(self._toggle_shown)
        self.check_button.clicked.connect(self.check)
        self.save_button.clicked.connect(self.save)
        self.remove_button.clicked.connect(self.remove)
        self.target = ""
        self._sync()
        self.reload_task = dialog._spawn(self._reload(), "settings-reload-amazon")

    # --- state ------------------------------------------------------------------------------------------

    def typed(self) -> dict[str, str]:
        return {f: e.text().strip() for f, e in self.edits.items()}

    def _sync(self) -> None:
        state, account = self.account.state, self.account
        for f, edit in self.edits.items():
            source, var = state.sources.get(f, ""), SP_API_ENV[f]
            from_env = source == "env"
            edit.setReadOnly(from_env or bool(self._busy))
            if from_env:
                edit.clear()
            edit.setPlaceholderText(f"from the environment ({var}) — read-only" if from_env else
                                    "saved in the system keyring — type to replace" if source == "keyring" else
                                    "kept for this session only — type to replace" if source == "session" else
                                    PLACEHOLDERS[f])
            edit.setToolTip(f"{var} is set in the environment: it wins over anything saved here." if from_env else "")
        if account.env_seller():
            self.seller_edit.setText(account.env_seller())
            self.seller_edit.setReadOnly(True)
            self.seller_edit.setToolTip("from the environment (SP_API_SELLER_ID) — read-only")
        else:
            self.seller_edit.setReadOnly(bool(self._busy))
        status = f"Publishing uses: {self.target}." if self.target else "Publishing uses: …"
        self.status_label.setText(status)
        notes = []
        if state.from_env:
            notes.append("Set in the environment (it wins): " + ", ".join(SP_API_ENV[f] for f in sorted(state.from_env))
                         + ".")
        if account.forced_sandbox():
            notes.append("LISTING_STUDIO_SP_API_URL=sandbox: publishing stays on the SP-API sandbox.")
        else:
            notes.append("The real SP-API is used once the three secrets and a seller id are saved.")
        if state.problem:
            notes.append(f"{state.problem.rstrip('.')}: secrets you save are kept in memory for this session only.")
        self.note_label.setText(redact_text(" ".join(notes)))
        self._update()

    def _update(self, *_args) -> None:
        idle = not self._busy
        typed = self.typed()
        stored = self.account.state.sources
        self.check_button.setEnabled(idle and all(typed[f] or self.account.state.values.get(f) for f in SP_API_FIELDS))
        changed = (any(typed.values()) or self.seller_edit.text().strip() != self.studio.prefs.seller_id()
                   and not self.account.env_seller())
        self.save_button.setEnabled(idle and bool(changed))
        self.remove_button.setEnabled(idle and (any(s in ("keyring", "session") for s in stored.values())
                                                or bool(self.studio.prefs.seller_id())))

    def _set_busy(self, text: str) -> None:
        self._busy = text
        if text:
            self._result(text, MUTED_COLOUR)
        self._sync()

    def _result(self, text: str, colour: str) -> None:
        self.result_label.setText(redact_text(text))
        self.result_label.setStyleSheet(f"color: {colour};")
        self.result_label.setVisible(bool(text))

    def _toggle_shown(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        for f in ("client_secret", "refresh_token"):
            self.edits[f].setEchoMode(mode)
        self.show_button.setText("Hide" if shown else "Show")
        self.show_button.setAccessibleName("Hide the secrets" if shown else "Show the secrets")

    def clear_secrets(self) -> None:
        for edit in self.edits.values():
            edit.clear()
        self.show_button.setChecked(False)

    async def _reload(self) -> None:
        await self.account.refresh()
        self.seller_edit.setText(self.account.seller_id())
        await self._show_target()

    async def _show_target(self) -> None:
        try:
            self.target = describe(await self.account.current())
        except Exception as exc:  # noqa: BLE001 — e.g. half-set SP_API_* variables
            self.target = f"nothing usable ({getattr(exc, 'message', None) or type(exc).__name__})"
        if not self._busy:
            self._sync()

    # --- actions --------------------------------------------------------------------------------------

    def check(self):
        if self._busy:
            return None
        self._set_busy("Checking with Login with Amazon…")
        return self.dialog._spawn(self._check(), "settings-check-amazon")

    async def _check(self) -> None:
        values = {f: t or self.account.state.values.get(f, "") for f, t in self.typed().items()}
        ok = False
        try:
            result = await self.account.check(values)
            self.last_check, ok, message = result, result.ok, result.message
        except Exception as exc:  # noqa: BLE001 — shown, never a crash of the dialog
            message = f"The check failed: {type(exc).__name__}"
        finally:
            self._busy = ""
        self._result(message, OK_COLOUR if ok else BAD_COLOUR)
        self._sync()

    def save(self):
        if self._busy:
            return None
        self._set_busy("Saving the Amazon credentials…")
        return self.dialog._spawn(self._save(), "settings-save-amazon")

    async def _save(self) -> None:
        seller = "" if self.account.env_seller() else self.seller_edit.text()
        try:
            state = await self.account.save(self.typed(), seller)
        except ValueError as exc:
            self._busy = ""
            self._result(str(exc), BAD_COLOUR)
            self._sync()
            return
        self._busy = ""
        self.clear_secrets()
        text, colour = ("Saved in the system keyring.", OK_COLOUR) if not state.problem else (
            f"{state.problem} They are not written to any file.", WARN_COLOUR)
        await self._show_target()
        self._result(f"{text} Publishing uses: {self.target}.", colour)

    def remove(self):
        if self._busy:
            return None
        self._set_busy("Removing the Amazon credentials…")
        return self.dialog._spawn(self._remove(), "settings-remove-amazon")

    async def _remove(self) -> None:
        state = await self.account.remove()
        self._busy = ""
        self.clear_secrets()
        self.seller_edit.setText(self.account.seller_id())
        await self._show_target()
        if state.problem:
            self._result(f"The saved credentials could not be deleted: {state.problem}.", BAD_COLOUR)
        else:
            self._result(f"Removed. Publishing uses: {self.target}.", OK_COLOUR)
