"""Start-up with a keyring that is missing, locked or slow: the window opens on the sandbox quietly, says so
mildly, and never waits for the keyring on the GUI thread."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from support.keyrings import BrokenKeyring  # noqa: E402
from test_ui_settings import TEST_KEY, open_dialog, type_key, wait_idle  # noqa: E402
from support.ui import run_in_window  # noqa: E402


def test_start_without_a_keyring_on_the_sandbox_is_quiet(aloop, qtbot, web, monkeypatch, no_keyring):
    """The real start-up path (open_studio): keyring read off-thread, no key, no error banner."""
    from desktop_app.ui.main.studio import open_studio

    monkeypatch.delenv("LISTING_STUDIO_API_URL", raising=False)
    studio = run_in_window(qtbot, aloop, open_studio())
    try:
        assert studio.settings.sandbox and studio.key_state.key == ""
        assert "No system keyring" in (studio.key_state.problem or "")
        studio.start()
        banner = studio.window.banner
        assert banner.isVisible() and banner.code == "" and banner.showing_notice()
        assert "KEYRING" not in banner.text()
        dialog = open_dialog(studio, qtbot)
        assert "No system keyring" in dialog.keyring_note.text()
        assert not dialog.live_radio.isEnabled()  # Live needs a key
        dialog.close()
    finally:
        run_in_window(qtbot, aloop, studio.aclose())
        studio.window.deleteLater()


def test_a_locked_keyring_at_start_is_mentioned_mildly(aloop, qtbot, web, monkeypatch):
    from desktop_app.ui.main.studio import open_studio

    monkeypatch.delenv("LISTING_STUDIO_API_URL", raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring(keyring.errors.KeyringLocked("locked")))
    try:
        studio = run_in_window(qtbot, aloop, open_studio())
    finally:
        keyring.set_keyring(previous)
    try:
        studio.start()
        banner = studio.window.banner
        assert banner.showing_notice() and banner.code == ""
        assert "keyring is locked" in banner.text() and banner.action.name == "addKeyButton"
    finally:
        run_in_window(qtbot, aloop, studio.aclose())
        studio.window.deleteLater()


def test_keyring_calls_never_block_the_gui_thread(studio, qtbot, aloop, monkeypatch):
    """A slow keyring (Secret Service prompting): the start-up read and Save run in worker threads."""
    import asyncio

    from desktop_app.ui.main.studio import open_studio

    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring(delay=0.6))
    ticks = []

    async def ticker():
        while True:
            ticks.append(1)
            await asyncio.sleep(0.02)

    beat = aloop.create_task(ticker())
    try:
        monkeypatch.delenv("LISTING_STUDIO_API_URL", raising=False)
        started = run_in_window(qtbot, aloop, open_studio())
        assert len(ticks) >= 10  # the loop kept running while the keyring was read
        run_in_window(qtbot, aloop, started.aclose())
        started.window.deleteLater()
        monkeypatch.setenv("LISTING_STUDIO_API_URL", "sandbox")
        dialog = open_dialog(studio, qtbot)
        type_key(qtbot, dialog, TEST_KEY)
        ticks.clear()
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        assert dialog.ops.busy == "Saving the key…" and dialog.result_label.text() == "Saving the key…"
        wait_idle(qtbot, dialog)
        assert len(ticks) >= 10
        dialog.close()
    finally:
        beat.cancel()
        keyring.set_keyring(previous)


