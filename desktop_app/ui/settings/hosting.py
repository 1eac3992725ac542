"""Settings ▸ Image hosting: the S3 bucket (and optional region) that local and soon-expiring images are uploaded
to before Amazon fetches them, the AWS access key id and secret access key (masked, show/hide); Check bucket (one
HeadBucket request in a worker thread), Save (keys to the keyring off the GUI thread, bucket and region to the
preferences; the publish side's image host is rebuilt), Remove, and Bucket policy… (the statement Amazon needs,
ready to copy). AWS_* and LISTING_STUDIO_S3_BUCKET variables win and are shown read-only.

Saved keys are never put back into a widget: the fields only take new values; labels say where each comes from.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QPlainTextEdit, QPushButton,
                               QVBoxLayout, QWidget)

from desktop_app.core.publish.hosting import KEY_PREFIX, bucket_policy, bucket_problem
from desktop_app.credentials import AWS_ENV, AWS_FIELDS, AWS_LABELS
from desktop_app.logs import redact_text
from desktop_app.ui.common.async_op import BAD, OK, WARN, Outcome
from desktop_app.ui.settings.credential_section import OK_COLOUR, CredentialSection, plain_label
EDIT_NAMES = {"access_key_id": "awsAccessKeyIdEdit", "secret_access_key": "awsSecretAccessKeyEdit"}
PLACEHOLDERS = {"access_key_id": "AKIA… (an IAM user's access key)", "secret_access_key": "AWS secret access key"}
WHY_POLICY = ("Listing Studio gives Amazon https links to the images it uploads, so anyone must be able to read "
              f"them: the second statement allows that for {KEY_PREFIX}* only (product photos meant for your "
              "listing), nothing else in the bucket. The first is Amazon's documented statement for its own download "
              "role (Media-Download-Role). Add both in the S3 console under the bucket's Permissions ▸ Bucket "
              "policy, next to any statements already there, and turn off \"Block public access\" for bucket "
              "policies.")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


class BucketPolicyDialog(QDialog):
    """The bucket policy for ``bucket`` in a read-only monospace box, with Copy."""

    def __init__(self, bucket: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bucket = bucket
        self.setObjectName("bucketPolicyDialog")
        self.setWindowTitle(f"Bucket policy for {bucket}")
        self.why_label = plain_label("bucketPolicyWhy")
        self.why_label.setText(WHY_POLICY)
        self.text = QPlainTextEdit(objectName="bucketPolicyText", readOnly=True)
        self.text.setAccessibleName("Bucket policy (JSON)")
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.copy_button = QPushButton("Copy", objectName="bucketPolicyCopyButton")
        self.copy_button.setToolTip("Put the policy on the clipboard")
        self.copied_label = plain_label("bucketPolicyCopied")
        self.copied_label.setStyleSheet(f"color: {OK_COLOUR};")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setObjectName("bucketPolicyCloseButton")
        for b in (self.copy_button, self.close_button):
            b.setAutoDefault(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.why_label)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.copied_label)
        layout.addWidget(buttons)
        self.copy_button.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        self.text.setPlainText(bucket_policy(self.bucket, public_read=True))
        width = self.text.fontMetrics().horizontalAdvance("x" * 64)
        self.resize(max(600, width + 60), 640)

    def policy(self) -> str:
        return self.text.toPlainText()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.policy())
        self.copied_label.setText("Copied to the clipboard.")


class HostingSettings(CredentialSection):
    def __init__(self, dialog, parent: QWidget | None = None) -> None:
        super().__init__("Image hosting (S3) — local images for Amazon", "hostingSettings", "hosting", dialog, parent)
        self.studio, self.account = dialog.studio, dialog.studio.amazon
        self.policy_dialog: BucketPolicyDialog | None = None
        self.bucket_edit = QLineEdit(objectName="hostingBucketEdit", placeholderText="your bucket, e.g. my-shop-images")
        self.bucket_edit.setAccessibleName("S3 bucket")
        self.region_edit = QLineEdit(objectName="hostingRegionEdit",
                                     placeholderText="optional, e.g. eu-west-1 (Check bucket finds it)")
        self.region_edit.setAccessibleName("AWS region")
        for edit in (self.bucket_edit, self.region_edit):
            edit.textChanged.connect(self._update)
        secret_row = self.build_fields(AWS_FIELDS, EDIT_NAMES, AWS_LABELS, ("secret_access_key",),
                                       "awsShowSecretButton", "the secret access key")
        form = QFormLayout()
        form.addRow("S3 bucket", self.bucket_edit)
        form.addRow("Region", self.region_edit)
        form.addRow("Access key id", self.edits["access_key_id"])
        form.addRow("Secret access key", secret_row)
        self.policy_button = QPushButton("Bucket policy…", objectName="bucketPolicyButton")
        self.policy_button.clicked.connect(self.show_policy)
        buttons = self.build_buttons("Check bucket", "AWS keys to the system keyring; bucket and region to the "
                                     "preferences", "Delete the saved AWS keys, bucket and region",
                                     extra=(self.policy_button,))
        self.build_layout(form, buttons)
        self._sync()
        self.reload_task = self.ops.spawn(self._reload(), name="settings-reload-hosting",
                                          failure="The image hosting settings could not be read")

    # --- state ------------------------------------------------------------------------------------------

    def typed_bucket(self) -> str:
        return self.bucket_edit.text().strip()

    def _sync(self) -> None:
        state, account = self.account.aws_state, self.account
        for f, edit in self.edits.items():
            source, var = state.sources.get(f, ""), AWS_ENV[f]
            edit.setReadOnly(state.env_wins or bool(self.busy))
            if state.env_wins:
                edit.clear()
            edit.setPlaceholderText(f"from {var} — read-only" if source == "env" else
                                    f"the environment's AWS profile ({state.profile}) is used — read-only"
                                    if state.profile else
                                    "the environment's AWS credentials are used — read-only" if state.env_wins else
                                    "saved in the system keyring — type to replace" if source == "keyring" else
                                    "kept for this session only — type to replace" if source == "session" else
                                    PLACEHOLDERS[f])
            edit.setToolTip("AWS credentials in the environment win over anything saved here."
                            if state.env_wins else "")
        self.show_button.setEnabled(not state.env_wins)
        for edit, env_value, var in ((self.bucket_edit, account.env_bucket(), "LISTING_STUDIO_S3_BUCKET"),
                                     (self.region_edit, account.env_region(),
                                      "AWS_REGION" if account.env.get("AWS_REGION") else "AWS_DEFAULT_REGION")):
            if env_value:
                edit.setText(env_value)
                edit.setReadOnly(True)
                edit.setToolTip(f"from the environment ({var}) — read-only")
            else:
                edit.setReadOnly(bool(self.busy))
        bucket = account.bucket()
        self.status_label.setText(
            f"Local files and generated images whose links expire soon are uploaded to this bucket (under "
            f"{KEY_PREFIX}) before publishing, so that Amazon can fetch them." if bucket else
            "No bucket saved: local files and soon-expiring generated images then need a public URL to be "
            "published (Amazon fetches every image from the web).")
        self.status_label.setToolTip(f"s3://{bucket}/{KEY_PREFIX}" if bucket else "")
        notes = []
        env = [v for f, v in AWS_ENV.items() if state.sources.get(f) == "env"]
        if state.profile:
            env.append(f"AWS_PROFILE ({state.profile})")
        if env:
            notes.append("Set in the environment (it wins): " + ", ".join(env) + ".")
        if state.problem:
            notes.append(f"{state.problem.rstrip('.')}: keys you save are kept in memory for this session only.")
        elif not state.env_wins:
            notes.append("The AWS keys are kept in the system keyring, never in a file.")
        notes.append(f"The keys' IAM user needs s3:PutObject and s3:GetObject on {KEY_PREFIX}* (and s3:ListBucket "
                     "for Check bucket).")
        self.note_label.setText(redact_text(" ".join(notes)))
        self._update()

    def _update(self, *_args) -> None:
        idle, prefs, account = not self.busy, self.studio.prefs, self.account
        problem = bucket_problem(self.typed_bucket()) if self.typed_bucket() else "Enter the bucket name first."
        for button, tip in ((self.check_button, "One request to S3 (HeadBucket) with these keys: does the bucket "
                             "exist, and can they reach it?"),
                            (self.policy_button, "The bucket policy Amazon needs, ready to copy")):
            button.setEnabled(idle and problem is None)
            button.setToolTip(tip if problem is None else _capital(problem))
        changed = (any(self.typed().values())
                   or self.typed_bucket() != prefs.s3_bucket() and not account.env_bucket()
                   or self.region_edit.text().strip() != prefs.s3_region() and not account.env_region())
        self.save_button.setEnabled(idle and bool(changed))
        self.remove_button.setEnabled(idle and (any(s in ("keyring", "session")
                                                    for s in account.aws_state.sources.values())
                                                or bool(prefs.s3_bucket() or prefs.s3_region())))

    async def _reload(self) -> None:
        await self.account.refresh_hosting()
        self.bucket_edit.setText(self.account.bucket())
        self.region_edit.setText(self.account.region())
        if not self.busy:
            self._sync()

    # --- actions --------------------------------------------------------------------------------------

    def check(self):
        bucket = self.typed_bucket()
        if not bucket or bucket_problem(bucket):
            return None
        return self._run(f"Checking bucket {bucket} with S3…", lambda: self._check(bucket), "settings-check-bucket",
                         "The check failed")

    async def _check(self, bucket: str) -> Outcome:
        result = await self.account.check_bucket(self.typed(), bucket, self.region_edit.text())
        self.last_check, message = result, result.message
        tone = OK if result.code == "OK" else WARN if result.ok else BAD
        if result.ok and result.region and not self.region_edit.text().strip() and not self.account.env_region():
            self.region_edit.setText(result.region)
            message += " Its region is filled in: Save to keep it."
        return Outcome(message, tone)

    def save(self):
        return self._run("Saving the image hosting settings…", self._save, "settings-save-hosting",
                         "The image hosting settings could not be saved")

    async def _save(self) -> Outcome:
        bucket = None if self.account.env_bucket() else self.bucket_edit.text()
        region = None if self.account.env_region() else self.region_edit.text()
        try:
            state = await self.account.save_hosting(self.typed(), bucket, region)
        except ValueError as exc:
            return Outcome(str(exc), BAD)
        self.clear_secrets()
        if state.problem:
            return Outcome(f"{state.problem} They are not written to any file.", WARN)
        if self.account.bucket():
            return Outcome(f"Saved. The next publish uploads local images to {self.account.bucket()}.", OK)
        return Outcome("Saved. Without a bucket, only images with a public URL can be published.", WARN)

    def remove(self):
        return self._run("Removing the image hosting settings…", self._remove, "settings-remove-hosting",
                         "The image hosting settings could not be removed")

    async def _remove(self) -> Outcome:
        state = await self.account.remove_hosting()
        self.clear_secrets()
        self.bucket_edit.setText(self.account.bucket())
        self.region_edit.setText(self.account.region())
        if state.problem:
            return Outcome(f"The saved AWS keys could not be deleted: {state.problem}.", BAD)
        return Outcome("Removed: no AWS keys, bucket or region are saved now.", OK)

    def show_policy(self) -> BucketPolicyDialog | None:
        bucket = self.typed_bucket()
        if not bucket or bucket_problem(bucket):
            return None
        if self.policy_dialog is not None:
            self.policy_dialog.close()
            self.policy_dialog.deleteLater()
        self.policy_dialog = BucketPolicyDialog(bucket, self.dialog)
        self.policy_dialog.open()
        return self.policy_dialog
