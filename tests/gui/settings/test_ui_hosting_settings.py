"""Settings ▸ Image hosting through the real widgets: AWS keys saved only in the (in-memory) keyring and never in the
preferences, logs or any other file, the publish side's image host rebuilt with them, AWS_* variables shown
read-only, Check bucket against moto's S3 server (an existing bucket, a missing one, no credentials at all), and
the bucket policy dialog with Copy."""

from __future__ import annotations

import json
import logging
import os
import secrets as pysecrets
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import boto3  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit  # noqa: E402
from support.ui import click_and_wait, run_in_window, widget_texts  # noqa: E402

from desktop_app import logs
from desktop_app import secrets  # noqa: E402
from desktop_app.core.publish.hosting import AMAZON_MEDIA_ROLE, bucket_policy  # noqa: E402


BUCKET = "listing-studio-ui"
KEY_ID = "AKIA" + pysecrets.token_hex(8).upper()
SECRET = "uiSecret/" + pysecrets.token_urlsafe(24)
PNG = b"\x89PNG\r\n\x1a\n" + b"hosted by the settings test " * 20


@pytest.fixture
def s3(moto_s3, monkeypatch):
    """moto's S3 server, reset, with one bucket; no AWS credentials or region from the developer's environment."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "LISTING_STUDIO_S3_BUCKET"):
        monkeypatch.delenv(name, raising=False)
    admin = boto3.client("s3", endpoint_url=moto_s3, region_name="us-east-1", aws_access_key_id="admin",
                         aws_secret_access_key="admin")
    admin.create_bucket(Bucket=BUCKET)
    admin.put_bucket_policy(Bucket=BUCKET, Policy=bucket_policy(BUCKET, public_read=True))  # set up as advised
    return admin


@pytest.fixture
def app_log():
    """The app's own redacting log file at DEBUG (as the window sets it up), removed after the test."""
    root = logging.getLogger()
    level = root.level
    path = logs.setup_logging(logging.DEBUG)
    yield path
    for h in [h for h in root.handlers if getattr(h, "_listing_studio", False)]:
        root.removeHandler(h)
        h.close()
    root.setLevel(level)


def open_hosting(studio, qtbot):
    studio.window.settings_action.trigger()
    dialog = studio.window.settings_dialog
    dialog.tabs.setCurrentWidget(dialog.hosting)
    section = dialog.hosting
    assert section.objectName() == "hostingSettings" and section.isVisible()
    qtbot.waitUntil(lambda: section.reload_task is None or section.reload_task.done(), timeout=3000)
    return dialog, section


def type_into(qtbot, edit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)


def runtime_settings(qtbot, aloop, studio):
    """The runtime's SP-API settings (the image host's included), read in a worker thread as the publish window does."""
    return run_in_window(qtbot, aloop, studio.amazon.current())


def files_with(root: Path, *needles: str) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file() and any(n.encode() in p.read_bytes() for n in needles)]


def test_keys_are_saved_only_in_the_keyring_and_the_next_publish_uses_them(studio_factory, qtbot, aloop,
                                                                           memory_keyring, s3, tmp_path, app_log):
    studio = studio_factory(LISTING_STUDIO_SP_API_URL="sandbox")
    dialog, section = open_hosting(studio, qtbot)
    assert "No bucket" in section.status_label.text() and "public URL" in section.status_label.text()
    assert not section.check_button.isEnabled() and not section.policy_button.isEnabled()
    secret_edit = section.edits["secret_access_key"]
    assert secret_edit.echoMode() == QLineEdit.EchoMode.Password
    type_into(qtbot, section.bucket_edit, BUCKET)
    type_into(qtbot, section.edits["access_key_id"], KEY_ID)
    type_into(qtbot, secret_edit, SECRET)
    assert SECRET not in secret_edit.displayText()
    qtbot.mouseClick(section.show_button, Qt.MouseButton.LeftButton)
    assert secret_edit.displayText() == SECRET and section.show_button.text() == "Hide"
    qtbot.mouseClick(section.show_button, Qt.MouseButton.LeftButton)
    assert secret_edit.echoMode() == QLineEdit.EchoMode.Password
    # a check with the typed keys stores nothing and fills in the region S3 reports
    click_and_wait(qtbot, section, section.check_button)
    assert section.last_check.ok and section.last_check.code == "OK", section.result_label.text()
    assert f"Bucket {BUCKET} found" in section.result_label.text()
    assert section.region_edit.text() == "us-east-1" and memory_keyring.store == {}
    # save: the keys in the keyring, bucket and region in the preferences
    click_and_wait(qtbot, section, section.save_button)
    assert section.result_label.text().startswith("Saved."), section.result_label.text()
    assert memory_keyring.store == {(secrets.SERVICE, secrets.AWS_ACCESS_KEY_ID): KEY_ID,
                                    (secrets.SERVICE, secrets.AWS_SECRET_ACCESS_KEY): SECRET}
    assert (studio.prefs.s3_bucket(), studio.prefs.s3_region()) == (BUCKET, "us-east-1")
    assert all(e.text() == "" for e in section.edits.values())  # never kept in (or put back into) a field
    assert "saved in the system keyring" in secret_edit.placeholderText()
    assert "uploaded to this bucket" in section.status_label.text()
    assert section.status_label.toolTip() == f"s3://{BUCKET}/listing-studio/"
    assert SECRET not in widget_texts(dialog) and KEY_ID not in widget_texts(dialog)
    # the publish side was rebuilt: its image host signs with the saved keys and uploads to the bucket
    sp = runtime_settings(qtbot, aloop, studio)
    assert (sp.s3_bucket, sp.s3_region, sp.aws_keys) == (BUCKET, "us-east-1", (KEY_ID, SECRET))
    assert SECRET not in repr(sp)
    host = studio.rt.publish.host
    assert host.bucket == BUCKET and host.region == "us-east-1"
    assert host.client._request_signer._credentials.access_key == KEY_ID
    url = host.upload(PNG, "png", "image/png")
    assert url.startswith(f"{os.environ['AWS_ENDPOINT_URL_S3']}/{BUCKET}/listing-studio/")
    # the saved keys are checked without typing them again
    click_and_wait(qtbot, section, section.check_button)
    assert section.last_check.ok
    # nothing secret in the preferences, the log or any other file
    logging.getLogger("desktop_app.test").debug("AWS key %s in a careless debug line", KEY_ID)
    for h in logging.getLogger().handlers:
        h.flush()
    studio.prefs.sync()
    ini = studio.prefs.path.read_text(encoding="utf-8")
    assert BUCKET in ini and "us-east-1" in ini
    assert Path(app_log).is_file() and "AKIA…" in Path(app_log).read_text(encoding="utf-8")
    assert files_with(tmp_path, SECRET, KEY_ID) == []
    # remove: keys, bucket and region gone; the next publish has no image host
    click_and_wait(qtbot, section, section.remove_button)
    assert memory_keyring.store == {} and studio.prefs.s3_bucket() == "" and studio.prefs.s3_region() == ""
    assert section.result_label.text().startswith("Removed") and "No bucket" in section.status_label.text()
    runtime_settings(qtbot, aloop, studio)
    assert studio.rt.publish.host is None
    dialog.close()


def test_environment_keys_are_shown_read_only_and_used_by_the_check(studio_factory, qtbot, aloop, memory_keyring,
                                                                    s3):
    studio = studio_factory(AWS_ACCESS_KEY_ID="AKIAENVIRONMENTKEY01", AWS_SECRET_ACCESS_KEY="env/secret-value-123",
                            LISTING_STUDIO_S3_BUCKET=BUCKET, AWS_DEFAULT_REGION="us-east-1")
    dialog, section = open_hosting(studio, qtbot)
    for f, var in (("access_key_id", "AWS_ACCESS_KEY_ID"), ("secret_access_key", "AWS_SECRET_ACCESS_KEY")):
        edit = section.edits[f]
        assert edit.isReadOnly() and edit.text() == ""
        assert edit.placeholderText() == f"from {var} — read-only" and "environment" in edit.toolTip()
    assert not section.show_button.isEnabled()  # nothing typed to show
    assert section.bucket_edit.text() == BUCKET and section.bucket_edit.isReadOnly()
    assert section.region_edit.text() == "us-east-1" and section.region_edit.isReadOnly()
    assert "AWS_DEFAULT_REGION" in section.region_edit.toolTip()
    assert "AWS_ACCESS_KEY_ID" in section.note_label.text()
    text = widget_texts(dialog)
    assert "AKIAENVIRONMENTKEY01" not in text and "env/secret-value-123" not in text
    assert not section.save_button.isEnabled()  # nothing to save: the environment provides it all
    click_and_wait(qtbot, section, section.check_button)
    assert section.last_check.ok, section.result_label.text()
    assert memory_keyring.store == {}  # what the environment provides is never copied to the keyring
    sp = runtime_settings(qtbot, aloop, studio)
    assert (sp.s3_bucket, sp.s3_region, sp.aws_keys) == (BUCKET, "us-east-1", ())  # boto3 reads the environment
    dialog.close()


def test_a_profile_in_the_environment_makes_the_key_fields_read_only(studio_factory, qtbot, memory_keyring, s3):
    studio = studio_factory(AWS_PROFILE="shop-images")
    dialog, section = open_hosting(studio, qtbot)
    for edit in section.edits.values():
        assert edit.isReadOnly() and "AWS profile (shop-images)" in edit.placeholderText()
    assert "AWS_PROFILE (shop-images)" in section.note_label.text()
    dialog.close()


def test_check_bucket_says_what_is_wrong(studio_factory, qtbot, memory_keyring, s3):
    studio = studio_factory()
    dialog, section = open_hosting(studio, qtbot)
    # no credentials anywhere: S3 is not even asked
    type_into(qtbot, section.bucket_edit, BUCKET)
    click_and_wait(qtbot, section, section.check_button)
    assert section.last_check.code == "AWS_CREDENTIALS_MISSING"
    assert section.result_label.text().startswith("AWS credentials are missing")
    # half a key pair
    type_into(qtbot, section.edits["access_key_id"], KEY_ID)
    click_and_wait(qtbot, section, section.check_button)
    assert section.last_check.code == "INCOMPLETE" and "both" in section.result_label.text()
    # a bucket that does not exist
    type_into(qtbot, section.edits["secret_access_key"], SECRET)
    type_into(qtbot, section.bucket_edit, "no-such-bucket-here")
    click_and_wait(qtbot, section, section.check_button)
    assert not section.last_check.ok and section.last_check.code == "BUCKET_NOT_FOUND"
    assert "'no-such-bucket-here' does not exist" in section.result_label.text()
    assert "b3261e" in section.result_label.styleSheet()
    assert section.region_edit.text() == ""  # nothing found: nothing filled in
    # a private bucket: found, uploads work, but Amazon could not download the images
    s3.create_bucket(Bucket="private-images")
    type_into(qtbot, section.bucket_edit, "private-images")
    click_and_wait(qtbot, section, section.check_button)
    assert section.last_check.code == "BUCKET_NOT_PUBLIC" and "Bucket policy" in section.result_label.text()
    assert "uploads work" in section.result_label.text() and "b3261e" in section.result_label.styleSheet()
    # a bucket in another region than the one typed
    s3.create_bucket(Bucket="eu-images", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    type_into(qtbot, section.bucket_edit, "eu-images")
    type_into(qtbot, section.region_edit, "us-west-2")
    click_and_wait(qtbot, section, section.check_button)
    assert section.last_check.code == "WRONG_REGION" and "set the region to eu-west-1" in section.result_label.text()
    # an invalid name: Check and Bucket policy are off and say why; Save refuses it
    type_into(qtbot, section.bucket_edit, "Bad_Bucket")
    assert not section.check_button.isEnabled() and "not a valid S3 bucket name" in section.check_button.toolTip()
    assert not section.policy_button.isEnabled()
    click_and_wait(qtbot, section, section.save_button)
    assert "not a valid S3 bucket name" in section.result_label.text() and memory_keyring.store == {}
    assert studio.prefs.s3_bucket() == ""
    assert SECRET not in widget_texts(dialog)
    dialog.close()


def test_the_bucket_policy_dialog_shows_the_statement_and_copies_it(studio_factory, qtbot, memory_keyring):
    studio = studio_factory()
    dialog, section = open_hosting(studio, qtbot)
    type_into(qtbot, section.bucket_edit, BUCKET)
    qtbot.mouseClick(section.policy_button, Qt.MouseButton.LeftButton)
    policy_dialog = section.policy_dialog
    assert policy_dialog is not None and policy_dialog.isVisible() and BUCKET in policy_dialog.windowTitle()
    box = policy_dialog.findChild(QPlainTextEdit, "bucketPolicyText")
    metrics = box.fontMetrics()  # what the reader sees: every character as wide as the next
    assert box.isReadOnly() and metrics.horizontalAdvance("iiiiii") == metrics.horizontalAdvance("MMMMMM")
    text = box.toPlainText()
    assert f"arn:aws:s3:::{BUCKET}/*" in text and f'"arn:aws:s3:::{BUCKET}"' in text and AMAZON_MEDIA_ROLE in text
    role, public = json.loads(text)["Statement"]  # Amazon's role, and anyone for the uploaded images only
    assert role["Principal"] == {"AWS": [AMAZON_MEDIA_ROLE]}
    assert public["Principal"] == "*" and public["Action"] == ["s3:GetObject"]
    assert public["Resource"] == [f"arn:aws:s3:::{BUCKET}/listing-studio/*"]
    assert "Media-Download-Role" in policy_dialog.why_label.text() and "https" in policy_dialog.why_label.text()
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(policy_dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == text
    assert policy_dialog.copied_label.text() == "Copied to the clipboard."
    qtbot.mouseClick(policy_dialog.close_button, Qt.MouseButton.LeftButton)
    assert not policy_dialog.isVisible()
    dialog.close()


def test_without_a_keyring_the_keys_are_kept_for_this_session_only(studio_factory, qtbot, aloop, no_keyring, s3,
                                                                    tmp_path):
    studio = studio_factory(LISTING_STUDIO_SP_API_URL="sandbox")
    dialog, section = open_hosting(studio, qtbot)
    assert "No system keyring" in section.note_label.text()
    type_into(qtbot, section.bucket_edit, BUCKET)
    type_into(qtbot, section.edits["access_key_id"], KEY_ID)
    type_into(qtbot, section.edits["secret_access_key"], SECRET)
    click_and_wait(qtbot, section, section.save_button)
    assert "this session only" in section.result_label.text() and "8a5300" in section.result_label.styleSheet()
    assert "kept for this session only" in section.edits["secret_access_key"].placeholderText()
    sp = runtime_settings(qtbot, aloop, studio)
    assert sp.aws_keys == (KEY_ID, SECRET)
    studio.prefs.sync()
    assert files_with(tmp_path, SECRET, KEY_ID) == []
    dialog.close()
