"""Settings ▸ Amazon: the SP-API credentials (LWA client id, client secret, refresh token; masked, show/hide)
and the seller id; Check (one LWA token exchange), Save (secrets to the keyring off the GUI thread, the seller id
to the preferences), Remove. SP_API_* variables win and are shown read-only. The S3 bucket for local images is
in Settings ▸ Image hosting (:mod:`.hosting_settings`).

Saved secrets are never put back into a widget: the fields only take new values; labels say where each comes from.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLineEdit, QWidget

from desktop_app.credentials import SP_API_ENV, SP_API_FIELDS, SP_API_LABELS
from desktop_app.logs import redact_text
from desktop_app.ui.publish.amazon_account import describe
from desktop_app.ui.common.async_op import BAD, OK, WARN, Outcome
from desktop_app.ui.settings.credential_section import CredentialSection

EDIT_NAMES = {"client_id": "amazonClientIdEdit", "client_secret": "amazonClientSecretEdit",
              "refresh_token": "amazonRefreshTokenEdit"}
PLACEHOLDERS = {"client_id": "amzn1.application-oa2-client.…", "client_secret": "LWA client secret",
                "refresh_token": "Atzr|… (from authorizing the app in Seller Central)"}


class AmazonSettings(CredentialSection):
    def __init__(self, dialog, parent: QWidget | None = None) -> None:
        super().__init__("Amazon (SP-API) — publishing listings", "amazonSettings", "amazon", dialog, parent)
        self.studio, self.account = dialog.studio, dialog.studio.amazon
        self.target = ""
        secret_row = self.build_fields(SP_API_FIELDS, EDIT_NAMES, SP_API_LABELS, ("client_secret", "refresh_token"),
                                       "amazonShowSecretButton", "the secrets")
        self.show_button.setToolTip("Show or hide the client secret and the refresh token you are typing")
        self.seller_edit = QLineEdit(objectName="amazonSellerEdit", placeholderText="Merchant token, e.g. A1B2C3D4E5")
        self.seller_edit.setAccessibleName("Seller id")
        self.seller_edit.textChanged.connect(self._update)
        form = QFormLayout()
        form.addRow("LWA client id", self.edits["client_id"])
        form.addRow("Client secret", secret_row)
        form.addRow("Refresh token", self.edits["refresh_token"])
        form.addRow("Seller id", self.seller_edit)
        buttons = self.build_buttons("Check", "Secrets to the system keyring; the seller id to the preferences",
                                     "Delete the saved Amazon credentials and seller id")
        self.check_button.setToolTip("Exchange the refresh token for an access token with Login with Amazon")
        self.build_layout(form, buttons)
        self._sync()
        self.reload_task = self.ops.spawn(self._reload(), name="settings-reload-amazon",
                                          failure="The Amazon credentials could not be read")

    # --- state ------------------------------------------------------------------------------------------

    def _sync(self) -> None:
        state, account = self.account.state, self.account
        for f, edit in self.edits.items():
            source, var = state.sources.get(f, ""), SP_API_ENV[f]
            from_env = source == "env"
            edit.setReadOnly(from_env or bool(self.busy))
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
            self.seller_edit.setReadOnly(bool(self.busy))
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
        idle = not self.busy
        typed = self.typed()
        stored = self.account.state.sources
        self.check_button.setEnabled(idle and all(typed[f] or self.account.state.values.get(f) for f in SP_API_FIELDS))
        changed = (any(typed.values()) or self.seller_edit.text().strip() != self.studio.prefs.seller_id()
                   and not self.account.env_seller())
        self.save_button.setEnabled(idle and bool(changed))
        self.remove_button.setEnabled(idle and (any(s in ("keyring", "session") for s in stored.values())
                                                or bool(self.studio.prefs.seller_id())))

    async def _reload(self) -> None:
        await self.account.refresh()
        self.seller_edit.setText(self.account.seller_id())
        await self._show_target()

    async def _show_target(self) -> None:
        try:
            self.target = describe(await self.account.current())
        except Exception as exc:  # noqa: BLE001 — e.g. half-set SP_API_* variables
            self.target = f"nothing usable ({getattr(exc, 'message', None) or type(exc).__name__})"
        if not self.busy:
            self._sync()

    # --- actions --------------------------------------------------------------------------------------

    def check(self):
        return self._run("Checking with Login with Amazon…", self._check, "settings-check-amazon",
                         "The check failed")

    async def _check(self) -> Outcome:
        values = {f: t or self.account.state.values.get(f, "") for f, t in self.typed().items()}
        result = await self.account.check(values)
        self.last_check = result
        return Outcome(result.message, OK if result.ok else BAD)

    def save(self):
        return self._run("Saving the Amazon credentials…", self._save, "settings-save-amazon",
                         "The Amazon credentials could not be saved")

    async def _save(self) -> Outcome:
        seller = "" if self.account.env_seller() else self.seller_edit.text().strip()
        typed = [f for f, v in self.typed().items() if v]
        seller_changed = bool(seller) and seller != self.studio.prefs.seller_id()
        try:
            state = await self.account.save(self.typed(), seller)
        except ValueError as exc:
            return Outcome(str(exc), BAD)
        self.clear_secrets()
        text, tone = saved_text(typed, state, seller_changed)
        await self._show_target()
        return Outcome(f"{text} Publishing uses: {self.target}.", tone)

    def remove(self):
        return self._run("Removing the Amazon credentials…", self._remove, "settings-remove-amazon",
                         "The Amazon credentials could not be removed")

    async def _remove(self) -> Outcome:
        state = await self.account.remove()
        self.clear_secrets()
        self.seller_edit.setText(self.account.seller_id())
        await self._show_target()
        if state.problem:
            return Outcome(f"The saved credentials could not be deleted: {state.problem}.", BAD)
        return Outcome(f"Removed. Publishing uses: {self.target}.", OK)


def saved_text(typed: list[str], state, seller_changed: bool) -> tuple[str, str]:
    """What a Save really kept, in a line: the secrets in the keyring (or for this session only), the ones the
    environment overrides (not stored), the seller id; "Nothing was saved" when nothing was. With its tone (see :mod:`desktop_app.ui.common.async_op`)."""
    def names(fields: list[str]) -> str:
        labels = [SP_API_LABELS[f] for f in fields]
        return ", ".join(labels[:-1]) + (" and " if len(labels) > 1 else "") + labels[-1]

    by_source = {src: [f for f in typed if state.sources.get(f) == src] for src in ("keyring", "session", "env")}
    parts, tone = [], OK
    if by_source["keyring"]:
        parts.append(f"Saved the {names(by_source['keyring'])} in the system keyring.")
    if by_source["session"]:
        parts.append(f"{(state.problem or 'The system keyring could not be used.').rstrip('.')}: the "
                     f"{names(by_source['session'])} {'are' if len(by_source['session']) > 1 else 'is'} kept for "
                     "this session only, not written to any file.")
        tone = WARN
    if by_source["env"]:
        parts.append(f"Not saved: the environment sets the {names(by_source['env'])}, and it wins.")
        tone = WARN
    if seller_changed:
        parts.append("Seller id saved in the preferences.")
    return (" ".join(parts) if parts else "Nothing was saved: type new values first."), tone
