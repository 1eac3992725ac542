"""Settings ▸ Amazon through the real widgets: check/save/remove the SP-API credentials with the sandbox's seeded
ones (in-process, then over loopback with a switch to the "real" service), a revoked refresh token, the secrets
kept out of the preferences file and of every widget but the masked fields, SP_API_* variables shown read-only."""

from __future__ import annotations

import asyncio
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QLineEdit  # noqa: E402
from support.ui import click_and_wait, widget_texts  # noqa: E402

from desktop_app import secrets  # noqa: E402
from desktop_app.sandbox.pixii.emulator import PixiiEmulator  # noqa: E402
from desktop_app.sandbox.server import serve  # noqa: E402
from desktop_app.sandbox.amazon.emulator import SpApiEmulator  # noqa: E402
from desktop_app.sandbox.amazon.data import (SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET,  # noqa: E402
                                             SANDBOX_REFRESH_TOKEN, SANDBOX_SELLER_ID)

SECRETS = (SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN)


@pytest.fixture
def spapi_server(tmp_path):
    spapi = SpApiEmulator()
    srv = serve(PixiiEmulator(store_path=tmp_path / "loopback.sqlite"), port=0, spapi=spapi)
    srv.start()
    yield srv, spapi
    srv.stop()


def open_amazon(studio, qtbot):
    studio.window.settings_action.trigger()
    dialog = studio.window.settings_dialog
    dialog.tabs.setCurrentWidget(dialog.amazon)
    section = dialog.amazon
    assert section.objectName() == "amazonSettings" and section.isVisible()
    qtbot.waitUntil(lambda: section.reload_task is None or section.reload_task.done(), timeout=3000)
    return dialog, section


def fill(qtbot, section, client_id=SANDBOX_CLIENT_ID, secret=SANDBOX_CLIENT_SECRET, token=SANDBOX_REFRESH_TOKEN,
         seller=SANDBOX_SELLER_ID) -> None:
    for f, value in (("client_id", client_id), ("client_secret", secret), ("refresh_token", token)):
        section.edits[f].clear()
        qtbot.keyClicks(section.edits[f], value)
    section.seller_edit.clear()
    qtbot.keyClicks(section.seller_edit, seller)


def test_check_save_remove_on_the_in_process_sandbox(studio_factory, qtbot, memory_keyring):
    studio = studio_factory(LISTING_STUDIO_SP_API_URL="sandbox")
    dialog, section = open_amazon(studio, qtbot)
    assert "SP-API sandbox" in section.status_label.text()
    secret_edit = section.edits["client_secret"]
    assert secret_edit.echoMode() == QLineEdit.EchoMode.Password
    assert section.edits["refresh_token"].echoMode() == QLineEdit.EchoMode.Password
    fill(qtbot, section)
    assert SANDBOX_CLIENT_SECRET not in secret_edit.displayText()
    qtbot.mouseClick(section.show_button, Qt.MouseButton.LeftButton)
    assert secret_edit.displayText() == SANDBOX_CLIENT_SECRET
    qtbot.mouseClick(section.show_button, Qt.MouseButton.LeftButton)
    assert secret_edit.echoMode() == QLineEdit.EchoMode.Password
    # check: one LWA token exchange with the in-process emulator
    click_and_wait(qtbot, section, section.check_button)
    assert section.last_check.ok and section.result_label.text().startswith("Valid")
    assert memory_keyring.store == {}  # checking stores nothing
    # save: the secrets in the keyring, the seller id in the preferences, nothing secret in the INI file
    click_and_wait(qtbot, section, section.save_button)
    saved = {name: secrets.get_secret(name) for name in secrets.SP_API_SECRETS}
    assert saved == {secrets.SP_API_CLIENT_ID: SANDBOX_CLIENT_ID, secrets.SP_API_CLIENT_SECRET: SANDBOX_CLIENT_SECRET,
                     secrets.SP_API_REFRESH_TOKEN: SANDBOX_REFRESH_TOKEN}
    assert studio.prefs.seller_id() == SANDBOX_SELLER_ID
    studio.prefs.sync()
    ini = studio.prefs.path.read_text(encoding="utf-8")
    assert SANDBOX_SELLER_ID in ini and all(s not in ini for s in SECRETS)
    assert all(e.text() == "" for e in section.edits.values())  # never kept in (or put back into) a field
    assert "saved in the system keyring" in secret_edit.placeholderText()
    assert "sandbox" in section.result_label.text()  # LISTING_STUDIO_SP_API_URL=sandbox keeps it there
    # the saved credentials are checked without typing them again; a revoked refresh token says so
    assert studio.rt.spapi_emulator is None  # the publish side was reset by Save: built again on next use
    studio.rt.publish  # noqa: B018 — the emulator keeps its state in the data dir
    studio.rt.spapi_emulator.revoke_refresh_token(SANDBOX_REFRESH_TOKEN)
    click_and_wait(qtbot, section, section.check_button)
    assert section.last_check.code == "REVOKED" and "Revoked" in section.result_label.text()
    text = widget_texts(dialog)
    assert all(s not in text for s in SECRETS)
    # remove
    click_and_wait(qtbot, section, section.remove_button)
    assert memory_keyring.store == {} and studio.prefs.seller_id() == ""
    assert section.result_label.text().startswith("Removed")
    dialog.close()


def test_the_section_is_busy_until_its_result_line_is_final(studio_factory, qtbot, memory_keyring, spapi_server,
                                                           monkeypatch):
    """Saving and removing end by reading back what publishing uses; until that read is done the section stays
    busy, so it is never idle while its line still says "Saving…" or "Removing…"."""
    srv, _ = spapi_server
    studio = studio_factory(LISTING_STUDIO_SP_API_URL=srv.url, LISTING_STUDIO_LWA_URL=f"{srv.url}/auth/o2/token")
    dialog, section = open_amazon(studio, qtbot)
    fill(qtbot, section)
    read_back, entered = asyncio.Event(), []
    current = section.account.current

    async def held_read():
        entered.append(section.result_label.text())
        await read_back.wait()
        return await current()
    monkeypatch.setattr(section.account, "current", held_read)
    saved = "Saved the LWA client id, LWA client secret and refresh token in the system keyring."
    for button, busy_text, final_text in ((section.save_button, "Saving", saved),
                                          (section.remove_button, "Removing", "Removed. Publishing uses:")):
        read_back.clear()
        entered.clear()
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(entered), timeout=5000)
        assert section.busy and section.result_label.text().startswith(busy_text)
        assert not section.save_button.isEnabled() and not section.remove_button.isEnabled()
        read_back.set()
        qtbot.waitUntil(lambda: not section.busy, timeout=5000)
        assert section.result_label.text().startswith(final_text)
    dialog.close()


def test_saving_complete_credentials_switches_publishing_to_the_real_service(studio_factory, qtbot, memory_keyring,
                                                                             spapi_server):
    srv, spapi = spapi_server
    studio = studio_factory(LISTING_STUDIO_SP_API_URL=srv.url, LISTING_STUDIO_LWA_URL=f"{srv.url}/auth/o2/token")
    dialog, section = open_amazon(studio, qtbot)
    assert "SP-API sandbox" in section.status_label.text()  # nothing saved yet
    fill(qtbot, section)
    click_and_wait(qtbot, section, section.check_button)
    assert section.last_check.ok  # over loopback, at the configured token URL
    assert spapi.stats()["requests"][-1]["path"] == "/auth/o2/token"
    click_and_wait(qtbot, section, section.save_button)
    assert f"Live: seller {SANDBOX_SELLER_ID}" in section.result_label.text()
    sp = studio.rt.spapi_settings
    assert (sp.sandbox, sp.url, sp.seller_id, sp.source) == (False, srv.url, SANDBOX_SELLER_ID, "keyring")
    assert studio.rt.spapi_client is None  # rebuilt on the next use
    # the publish window fetches from the live seller and says so
    from desktop_app.ui.publish.dialog import PublishDialog
    publish = PublishDialog(studio.service, sku="MUG-BLK-16", country="US")
    publish.fetch()
    qtbot.waitUntil(lambda: publish.state.view is not None, timeout=8000)
    assert f"Live: seller {SANDBOX_SELLER_ID}" in publish.target_label.text()
    assert any(r["path"].startswith("/listings/") for r in spapi.stats()["requests"])
    publish.close()
    publish.deleteLater()
    spapi.revoke_refresh_token(SANDBOX_REFRESH_TOKEN)
    click_and_wait(qtbot, section, section.check_button)
    assert section.last_check.code == "REVOKED"
    assert all(s not in widget_texts(dialog) for s in SECRETS)
    click_and_wait(qtbot, section, section.remove_button)
    assert "SP-API sandbox" in section.status_label.text() and studio.rt.spapi_settings.sandbox
    dialog.close()


def test_environment_values_are_shown_read_only(studio_factory, qtbot, memory_keyring):
    studio = studio_factory(LISTING_STUDIO_SP_API_URL="sandbox", SP_API_CLIENT_SECRET="env-secret-value-123",
                            SP_API_REFRESH_TOKEN="Atzr|env-refresh-token", SP_API_SELLER_ID="AENVSELLER")
    dialog, section = open_amazon(studio, qtbot)
    for f in ("client_secret", "refresh_token"):
        edit = section.edits[f]
        assert edit.isReadOnly() and edit.text() == "" and "from the environment" in edit.placeholderText()
    assert not section.edits["client_id"].isReadOnly()
    assert section.seller_edit.text() == "AENVSELLER" and section.seller_edit.isReadOnly()
    assert "SP_API_CLIENT_SECRET" in section.note_label.text()
    text = widget_texts(dialog)
    assert "env-secret-value-123" not in text and "env-refresh-token" not in text
    # saving a client id stores only it: what the environment provides is never copied to the keyring
    qtbot.keyClicks(section.edits["client_id"], "amzn1.application-oa2-client.mine")
    click_and_wait(qtbot, section, section.save_button)
    assert secrets.get_secret(secrets.SP_API_CLIENT_ID) == "amzn1.application-oa2-client.mine"
    assert secrets.get_secret(secrets.SP_API_CLIENT_SECRET) is None
    assert studio.prefs.seller_id() == ""
    dialog.close()


def test_start_settles_unfinished_publishes_only_when_there_are_some(studio_factory, qtbot, memory_keyring):
    from desktop_app.store.publishes import LIVE, UNKNOWN, PublishStore
    from desktop_app.sandbox.amazon.emulator import SPAPI_SANDBOX_URL
    first = studio_factory(LISTING_STUDIO_SP_API_URL="sandbox")
    idle = first.window.publish_watch.task
    qtbot.waitUntil(lambda: idle is None or idle.done(), timeout=3000)
    assert first.rt.spapi_client is None  # nothing unsettled: it ended without a client
    store = PublishStore(first.rt.journal)
    main = f"{SPAPI_SANDBOX_URL}/spapi-media/mug-main.jpg"  # what the sandbox listing serves
    rid = store.begin(SANDBOX_SELLER_ID, "MUG-BLK-16", "ATVPDKIKX0DER", "patch", {"MAIN": "https://old/a.jpg"},
                      {"MAIN": main})
    store.update(rid, UNKNOWN, error_code="UNREACHABLE")
    second = studio_factory(LISTING_STUDIO_SP_API_URL="sandbox")  # a restart on the same data dir
    assert second.window.publish_watch.task is not None
    qtbot.waitUntil(lambda: second.window.publish_watch.task.done(), timeout=8000)
    assert PublishStore(second.rt.journal).get(rid).state == LIVE
    said = second.window.banner.text()
    assert "now serves the new images: MUG-BLK-16 in the United States" in said and "1 · MAIN" in said, said
    assert "#" not in said
