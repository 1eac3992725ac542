"""The settings dialog and the key through the real widgets: masked key, live/test detection, the key
check, save/remove through the keyring (in memory), no keyring, the Live/Sandbox switch rebuilding
the runtime, the first-run banner, and a key refused (401) while polling."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QPoint, QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QLineEdit  # noqa: E402
from support.ui import run_in_window  # noqa: E402

from desktop_app.sandbox.pixii.emulator import PixiiEmulator  # noqa: E402
from desktop_app.sandbox.server import serve  # noqa: E402


LIVE_KEY = "pk_live_settingsLiveKey123456"
TEST_KEY = "pk_test_settingsTestKey654321"


@pytest.fixture
def server(tmp_path):
    srv = serve(PixiiEmulator(store_path=tmp_path / "loopback.sqlite"), port=0)
    srv.start()
    yield srv
    srv.stop()


def open_dialog(studio, qtbot):
    """Through the menu action (Ctrl+,), as a user does; waits until the keyring was read."""
    assert studio.window.settings_action.shortcut().toString() == "Ctrl+,"
    studio.window.settings_action.trigger()
    dialog = studio.window.settings_dialog
    assert dialog is not None and dialog.isVisible() and dialog.objectName() == "settingsDialog"
    qtbot.waitUntil(lambda: dialog.reload_task is None or dialog.reload_task.done(), timeout=3000)
    return dialog


def type_key(qtbot, dialog, key: str) -> None:
    dialog.key_edit.clear()
    qtbot.keyClicks(dialog.key_edit, key)


def click_radio(qtbot, radio) -> None:
    """A click on the indicator (a radio button's centre may lie past its text, outside its click area)."""
    qtbot.mouseClick(radio, Qt.MouseButton.LeftButton, pos=QPoint(8, radio.height() // 2))


def wait_idle(qtbot, dialog, timeout: int = 5000) -> None:
    qtbot.waitUntil(lambda: not dialog.ops.busy, timeout=timeout)


def generate(studio, qtbot, asin: str) -> str:
    w = studio.window
    w.form.asin_edit.clear()
    qtbot.keyClicks(w.form.asin_edit, asin)
    before = w.jobs_model.rowCount()
    qtbot.mouseClick(w.form.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.jobs_model.rowCount() == before + 1, timeout=3000)
    return w.jobs_model.record(0).job_id


def prefs_text(studio) -> str:
    studio.prefs.sync()
    return studio.prefs.path.read_text(encoding="utf-8") if studio.prefs.path.exists() else ""


def test_key_is_masked_with_show_hide_and_its_kind_is_shown(studio, qtbot, memory_keyring):
    dialog = open_dialog(studio, qtbot)
    edit = dialog.key_edit
    assert edit.objectName() == "apiKeyEdit" and edit.echoMode() == QLineEdit.EchoMode.Password
    type_key(qtbot, dialog, LIVE_KEY)
    assert edit.displayText() != LIVE_KEY and LIVE_KEY[9:] not in edit.displayText()
    qtbot.mouseClick(dialog.show_button, Qt.MouseButton.LeftButton)
    assert edit.echoMode() == QLineEdit.EchoMode.Normal and edit.displayText() == LIVE_KEY
    assert dialog.show_button.text() == "Hide"
    qtbot.mouseClick(dialog.show_button, Qt.MouseButton.LeftButton)
    assert edit.echoMode() == QLineEdit.EchoMode.Password
    # live or test, as you type; the labels show the key redacted only
    assert dialog.kind_label.text().startswith("Live key (pk_live_…)") and "credits" in dialog.kind_label.text()
    type_key(qtbot, dialog, TEST_KEY)
    assert dialog.kind_label.text().startswith("Test key (pk_test_…)")
    for widget in (dialog.kind_label, dialog.current_label, dialog.result_label, dialog.mode_note):
        assert TEST_KEY not in widget.text() and LIVE_KEY not in widget.text()
    assert dialog.save_button.isEnabled() and dialog.check_button.isEnabled()
    # obvious problems (key_problem) before any request
    type_key(qtbot, dialog, "sk_live_nope")
    assert "pk_live_" in dialog.kind_label.text() and not dialog.save_button.isEnabled()
    assert not dialog.check_button.isEnabled()
    type_key(qtbot, dialog, "pk_test_has space")
    assert "incomplete or contains spaces" in dialog.kind_label.text() and not dialog.save_button.isEnabled()
    dialog.close()
    qtbot.waitUntil(lambda: studio.window.settings_dialog is None)


def test_check_key_against_the_sandbox_valid_then_revoked(studio, qtbot, memory_keyring):
    dialog = open_dialog(studio, qtbot)
    type_key(qtbot, dialog, TEST_KEY)
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, dialog)
    assert dialog.last_check.ok and dialog.result_label.text().startswith("Valid")
    # it was one cheap list request, sent with the key, to the embedded sandbox
    requests = studio.rt.emulator.stats()["requests"]
    assert requests[-1]["path"] == "/v1/api/jobs" and requests[-1]["authorization"] == "Bearer pk_test_…"
    assert studio.rt.emulator.stats()["jobs_created"] == 0
    studio.rt.emulator.revoke_key(TEST_KEY)
    qtbot.keyClick(dialog.key_edit, Qt.Key.Key_Return)  # Enter checks (it never saves)
    wait_idle(qtbot, dialog)
    assert not dialog.last_check.ok and dialog.last_check.code == "UNAUTHORIZED"
    assert "revoked or wrong" in dialog.result_label.text() and TEST_KEY not in dialog.result_label.text()
    assert memory_keyring.store == {}  # checking stores nothing
    dialog.close()


def test_check_key_when_the_service_is_unreachable(studio_factory, qtbot, memory_keyring):
    studio = studio_factory(LISTING_STUDIO_API_URL="http://127.0.0.1:9", LISTING_STUDIO_GIVE_UP_AFTER="0")
    dialog = open_dialog(studio, qtbot)
    type_key(qtbot, dialog, TEST_KEY)
    dialog.check()
    wait_idle(qtbot, dialog, timeout=15000)
    assert dialog.last_check.code == "UNREACHABLE" and "unreachable" in dialog.result_label.text()
    dialog.close()


def test_save_stores_in_the_keyring_and_remove_deletes(studio, qtbot, memory_keyring):
    dialog = open_dialog(studio, qtbot)
    assert "No key saved" in dialog.current_label.text() and not dialog.remove_button.isEnabled()
    type_key(qtbot, dialog, f" {LIVE_KEY} ")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, dialog)
    assert memory_keyring.store == {("listing-studio", "pixii-api-key"): LIVE_KEY}
    assert dialog.key_edit.text() == "" and dialog.key_edit.echoMode() == QLineEdit.EchoMode.Password
    assert "Saved pk_live_… in the system keyring" in dialog.result_label.text()
    assert "pk_live_…" in dialog.current_label.text() and "system keyring" in dialog.current_label.text()
    assert studio.key_state.source == "keyring" and dialog.remove_button.isEnabled()
    assert LIVE_KEY not in prefs_text(studio)
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, dialog)
    assert memory_keyring.store == {} and studio.key_state.key == ""
    assert "Removed" in dialog.result_label.text() and "No key saved" in dialog.current_label.text()
    dialog.close()


def test_no_keyring_keeps_the_key_for_this_session_only(studio, qtbot, no_keyring, tmp_path):
    dialog = open_dialog(studio, qtbot)
    assert "No system keyring" in dialog.keyring_note.text() and dialog.keyring_note.isVisibleTo(dialog)
    type_key(qtbot, dialog, TEST_KEY)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, dialog)
    text = dialog.result_label.text()
    assert "No system keyring is available on this computer" in text and "session only" in text
    assert studio.key_state.source == "session" and studio.key_state.key == TEST_KEY
    assert "this session only" in dialog.current_label.text()
    assert not studio.window.banner.isVisible() or not studio.window.banner.code  # no error shouted
    dialog.close()
    studio.window.save_prefs()
    assert not any(TEST_KEY.encode() in p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())


def test_first_run_banner_offers_to_add_a_key(studio, qtbot, memory_keyring):
    w = studio.window
    banner = w.banner
    assert banner.isVisible() and banner.showing_notice()
    assert "Sandbox — sample images, no credits used" in banner.text()
    assert w.mode_label.text() == "Sandbox — sample images, no credits used"
    button = w.findChild(type(banner.action_button), "addKeyButton")
    assert button is not None and button.isVisible() and button.text() == "Add API key…"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = w.settings_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.sandbox_radio.isChecked() and not dialog.live_radio.isEnabled()
    dialog.close()
    # a passing message does not lose the notice
    banner.show_info("Something happened.", timeout_ms=50)
    assert banner.showing_notice() and "Something happened." in banner.text()
    qtbot.waitUntil(lambda: "Something happened." not in banner.text(), timeout=2000)
    assert banner.showing_notice()
    banner.dismiss()
    assert not banner.isVisible()


def test_switching_to_live_and_back_rebuilds_the_runtime(studio_factory, qtbot, server, memory_keyring):
    studio = studio_factory(LISTING_STUDIO_API_URL=server.url)
    w = studio.window
    assert studio.settings.sandbox  # a Live URL but no key: the window starts on the sandbox
    sandbox_job = generate(studio, qtbot, "B0SANDBOX1")
    qtbot.waitUntil(lambda: studio.rt.journal.job(sandbox_job).status == "completed", timeout=5000)
    first_rt = studio.rt

    dialog = open_dialog(studio, qtbot)
    assert not dialog.live_radio.isEnabled()
    type_key(qtbot, dialog, TEST_KEY)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, dialog)
    assert "Choose Live" in dialog.result_label.text() and studio.settings.sandbox  # saving never starts paying
    assert dialog.live_radio.isEnabled()
    click_radio(qtbot, dialog.live_radio)
    qtbot.waitUntil(lambda: not studio.settings.sandbox and not studio.switching(), timeout=5000)
    wait_idle(qtbot, dialog)
    assert first_rt.http.is_closed and studio.rt is not first_rt and studio.service.rt is studio.rt
    assert w.mode_label.text() == "Live (pk_test_…)" and w.windowTitle() == "Live — Listing Studio"
    assert "Now on Live" in dialog.result_label.text() and TEST_KEY not in dialog.result_label.text()
    assert studio.settings.api_url == server.url
    qtbot.waitUntil(lambda: w.jobs_model.rowCount() == 0, timeout=2000)  # the live service's jobs (none)
    assert 'mode=live' in prefs_text(studio) and TEST_KEY not in prefs_text(studio)
    assert "Now on Live" in w.banner.text() and not w.banner.showing_notice()
    dialog.close()

    live_job = generate(studio, qtbot, "B0STUCK001")  # stays processing at the loopback service
    assert studio.rt.journal.job(live_job).service == server.url
    requests = [r for r in server.emulator.stats()["requests"] if r["path"].startswith("/v1/api")]
    assert requests and all(r["authorization"] == "Bearer pk_test_…" for r in requests)
    qtbot.waitUntil(lambda: studio.service.polling(live_job), timeout=3000)

    dialog = open_dialog(studio, qtbot)
    click_radio(qtbot, dialog.sandbox_radio)
    qtbot.waitUntil(lambda: studio.settings.sandbox and not studio.switching(), timeout=5000)
    assert not studio.service.polling(live_job)  # the old service's tasks were cancelled
    qtbot.waitUntil(lambda: [w.jobs_model.record(r).job_id for r in range(w.jobs_model.rowCount())] == [sandbox_job],
                    timeout=2000)
    qtbot.waitUntil(lambda: w.job_panel.current_job() == sandbox_job, timeout=2000)
    assert w.mode_label.text().startswith("Sandbox") and 'mode=sandbox' in prefs_text(studio)
    wait_idle(qtbot, dialog)  # the switch's result line is final: the dialog takes the next choice
    click_radio(qtbot, dialog.live_radio)
    qtbot.waitUntil(lambda: not studio.settings.sandbox and not studio.switching(), timeout=5000)
    qtbot.waitUntil(lambda: w.jobs_model.rowCount() and w.jobs_model.record(0).job_id == live_job, timeout=2000)
    assert studio.service.polling(live_job)  # unfinished jobs of the new service are resumed
    dialog.close()


def test_saving_a_new_key_on_live_rebuilds_and_remove_goes_back_to_the_sandbox(studio_factory, qtbot, server,
                                                                               memory_keyring):
    memory_keyring.store[("listing-studio", "pixii-api-key")] = TEST_KEY
    studio = studio_factory(LISTING_STUDIO_API_URL=server.url)
    dialog = open_dialog(studio, qtbot)
    assert studio.key_state.source == "keyring" and dialog.live_radio.isEnabled()
    dialog.live_radio.click()
    qtbot.waitUntil(lambda: not studio.settings.sandbox and not studio.switching(), timeout=5000)
    wait_idle(qtbot, dialog)
    rt = studio.rt
    type_key(qtbot, dialog, LIVE_KEY)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: studio.rt is not rt and not studio.switching(), timeout=5000)
    assert studio.settings.api_key == LIVE_KEY and studio.window.mode_label.text() == "Live (pk_live_…)"
    dialog.remove_button.click()
    qtbot.waitUntil(lambda: studio.settings.sandbox and not studio.switching(), timeout=5000)
    wait_idle(qtbot, dialog)
    assert memory_keyring.store == {}
    assert studio.window.banner.showing_notice()  # no key again: the first-run notice is back
    dialog.close()


def test_a_key_refused_while_polling_is_said_once_and_not_retried(studio_factory, qtbot, server, memory_keyring):
    studio = studio_factory(LISTING_STUDIO_API_URL=server.url, PIXII_API_KEY=TEST_KEY)
    w = studio.window
    assert not studio.settings.sandbox and w.mode_label.text() == "Live (pk_test_…)"
    jobs = [generate(studio, qtbot, "B0STUCK001"), generate(studio, qtbot, "B0STUCK002")]
    qtbot.waitUntil(lambda: all(studio.service.polling(j) for j in jobs), timeout=3000)
    refused = []
    studio.service.key_refused.connect(refused.append)
    server.emulator.revoke_key(TEST_KEY)
    qtbot.waitUntil(lambda: not any(studio.service.polling(j) for j in jobs), timeout=5000)
    banner = w.banner
    assert banner.isVisible() and banner.code == "UNAUTHORIZED" and banner.count == 1
    assert "revoked or is wrong" in banner.text() and TEST_KEY not in banner.text()
    assert len(refused) == 1  # two polls refused, announced once
    button = w.findChild(type(banner.action_button), "keySettingsButton")
    assert button is not None and button.isVisible()
    # no retry loop: no task is left that could send anything more with the refused key
    assert not any(j in name for j in jobs for name in studio.tasks.names())
    assert not any(studio.rt.journal.job(j).terminal for j in jobs)  # kept for later
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert w.settings_dialog is not None and w.settings_dialog.isVisible()
    w.settings_dialog.close()


def test_preferences_are_remembered_in_an_ini_file_without_secrets(studio_factory, qtbot, aloop, tmp_path,
                                                                   memory_keyring):
    from desktop_app.ui.common.prefs import Preferences

    studio = studio_factory(PIXII_API_KEY=TEST_KEY)
    w = studio.window
    w.form.set_country("DE")
    w.form.set_listing_type("tiktok_listing")
    w.resize(1100, 700)
    run_in_window(qtbot, aloop, studio.aclose())
    path = tmp_path / "config" / "listing-studio" / "ui.ini"
    assert studio.prefs.path == path and path.is_file()
    ini = QSettings(str(path), QSettings.Format.IniFormat)
    assert ini.value("form/marketplace") == "DE" and ini.value("form/listing_type") == "tiktok_listing"
    assert ini.value("window/geometry") is not None
    assert TEST_KEY.encode() not in path.read_bytes()
    prefs = Preferences(path)
    prefs.set_export_folder(f"/tmp/{TEST_KEY}")  # refused: looks like a key
    assert TEST_KEY.encode() not in path.read_bytes()
    again = studio_factory()
    assert again.window.form.country() == "DE" and again.window.form.listing_type() == "tiktok_listing"


def test_quitting_in_the_middle_of_a_switch_is_clean(studio_factory, qtbot, aloop, server, memory_keyring):
    import asyncio

    memory_keyring.store[("listing-studio", "pixii-api-key")] = TEST_KEY
    studio = studio_factory(LISTING_STUDIO_API_URL=server.url)
    dialog = open_dialog(studio, qtbot)
    click_radio(qtbot, dialog.live_radio)
    assert studio.switching()
    run_in_window(qtbot, aloop, studio.aclose())  # waits for the switch, then closes the new runtime
    assert not studio.switching() and studio.tasks.idle() and studio.rt.http.is_closed
    assert not studio.settings.sandbox and studio.window.settings_dialog is None
    assert [t for t in asyncio.all_tasks(aloop) if not t.done()] == []
    assert studio.switch_mode(False) is None  # nothing starts after shutdown
