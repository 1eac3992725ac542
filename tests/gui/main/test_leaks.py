"""No API key ever leaks: a full flow through the window and through the command line with a known
key (embedded sandbox and a loopback server), then every file written (journal, cache, logs, sandbox
stores, QSettings, exports) and everything printed is searched for it. Where a request is
described (the sandbox's request log, our log file), the Authorization header is redacted."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QWidget  # noqa: E402

from support.cli import cli_env, run_cli  # noqa: E402
from support.ui import run_in_window  # noqa: E402

from desktop_app import logs  # noqa: E402
from desktop_app.sandbox.pixii.emulator import PixiiEmulator  # noqa: E402
from desktop_app.sandbox.server import serve  # noqa: E402

KEY = f"pk_test_LEAKCHECK_{secrets.token_hex(12)}"
SECRET_PART = KEY[len("pk_test_"):]  # also never shown without its prefix


def leaks(text: str | bytes) -> bool:
    data = text.encode() if isinstance(text, str) else text
    return KEY.encode() in data or SECRET_PART.encode() in data


def files_with_the_key(root: Path) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file() and leaks(p.read_bytes())]


def widget_texts(root: QWidget) -> list[str]:
    """Every text a person can see or a screen reader can read, except the key field itself."""
    texts = [root.windowTitle(), root.toolTip()]
    for w in root.findChildren(QWidget):
        if w.objectName() == "apiKeyEdit":
            continue
        for attr in ("text", "toolTip", "accessibleName", "accessibleDescription", "windowTitle", "placeholderText",
                     "statusTip"):
            value = getattr(w, attr, None)
            if callable(value):
                try:
                    result = value()
                except TypeError:
                    continue
                if isinstance(result, str):
                    texts.append(result)
    return texts


@pytest.fixture
def app_log(tmp_path):
    """The app's own redacting log file (as the window and the CLI set it up), at DEBUG, httpx included."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    for h in list(root.handlers):
        if getattr(h, "_listing_studio", False):
            root.removeHandler(h)
    path = logs.setup_logging(logging.DEBUG)
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield path
    for h in list(root.handlers):
        if getattr(h, "_listing_studio", False):
            root.removeHandler(h)
            h.close()
    for h in saved_handlers:
        if h not in root.handlers:
            root.addHandler(h)
    root.setLevel(saved_level)
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


@pytest.fixture
def loopback(tmp_path):
    srv = serve(PixiiEmulator(store_path=tmp_path / "data" / "loopback-sandbox.sqlite"), port=0)
    srv.start()
    yield srv
    srv.stop()


def wait_completed(studio, qtbot, job_id: str) -> None:
    qtbot.waitUntil(lambda: studio.rt.journal.job(job_id).status == "completed", timeout=8000)
    qtbot.waitUntil(lambda: all(i.cached or i.error_code for i in studio.rt.journal.images(job_id)), timeout=8000)


def gui_flow(studio, qtbot, asin: str, export_dir: Path) -> str:
    """Generate → complete → approve → export, through the real widgets."""
    w = studio.window
    w.form.asin_edit.clear()
    qtbot.keyClicks(w.form.asin_edit, asin)
    qtbot.mouseClick(w.form.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.jobs_model.rowCount() >= 1 and w.jobs_model.record(0).asin == asin, timeout=3000)
    job_id = w.jobs_model.record(0).job_id
    wait_completed(studio, qtbot, job_id)
    w.job_panel.select_job(job_id)
    qtbot.waitUntil(lambda: w.gallery_model.job_id == job_id and w.gallery_model.rowCount() > 0, timeout=3000)
    w.gallery_view.setCurrentIndex(w.gallery_model.index(0))
    qtbot.mouseClick(w.gallery.approve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: studio.rt.journal.images(job_id)[0].review == "approved", timeout=3000)
    qtbot.waitUntil(w.gallery.export_button.isEnabled, timeout=3000)  # the gallery has seen the approval
    qtbot.mouseClick(w.gallery.export_button, Qt.MouseButton.LeftButton)
    dialog = w.export_dialog
    dialog.folder_edit.setText(str(export_dir))
    with qtbot.waitSignal(dialog.export_done, timeout=5000) as done:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert done.args == [1, 0, 0]
    assert not any(leaks(t) for t in widget_texts(dialog))
    dialog.close()
    return job_id


def test_no_key_leaks_from_the_window(studio_factory, qtbot, aloop, tmp_path, app_log, caplog, capfd,
                                      loopback, memory_keyring):
    caplog.set_level(logging.DEBUG)
    # 1. the embedded sandbox, with the key from the environment (it is sent to the in-process emulator)
    studio = studio_factory(PIXII_API_KEY=KEY)
    assert studio.settings.sandbox and studio.settings.api_key == KEY
    gui_flow(studio, qtbot, "B0LEAKGUI1", tmp_path / "export-gui")
    requests = studio.rt.emulator.stats()["requests"]
    api = [r for r in requests if r["path"].startswith("/v1/api")]
    assert api and all(r["authorization"] == "Bearer pk_test_…" for r in api)
    assert not leaks(repr(requests))
    # the settings dialog: check the key, show the state (the key field itself is the only exception)
    studio.window.settings_action.trigger()
    dialog = studio.window.settings_dialog
    qtbot.waitUntil(lambda: dialog.reload_task is None or dialog.reload_task.done(), timeout=3000)
    dialog.check()
    qtbot.waitUntil(lambda: dialog.last_check is not None, timeout=5000)
    assert dialog.last_check.ok
    for root in (studio.window, dialog):
        texts = widget_texts(root)
        assert not [t for t in texts if leaks(t)]
    assert "pk_test_…" in dialog.current_label.text()
    dialog.close()
    # a careless debug line with the header would still be redacted in the log file
    assert not leaks(caplog.text)
    logging.getLogger("desktop_app.test").debug("request headers: Authorization: Bearer %s", KEY)
    caplog.clear()  # pytest's own capture sees the record before the file handler's redaction
    assert not leaks(repr(studio.settings)) and not leaks(repr(studio.key_state)) and not leaks(repr(studio.rt.client))
    run_in_window(qtbot, aloop, studio.aclose())

    # 2. Live at a loopback server with the same key: a full flow, then the key is revoked (401 banner)
    live = studio_factory(LISTING_STUDIO_API_URL=loopback.url, PIXII_API_KEY=KEY)
    assert not live.settings.sandbox and live.window.windowTitle() == "Live — Listing Studio"
    job_id = gui_flow(live, qtbot, "B0LEAKLIV1", tmp_path / "export-live")
    loopback.emulator.revoke_key(KEY)
    live.window.job_panel.select_job(job_id)
    live.service.refresh(job_id)
    qtbot.waitUntil(lambda: live.window.banner.code == "UNAUTHORIZED", timeout=5000)
    assert "pk_test_…" in live.window.banner.text()
    assert not [t for t in widget_texts(live.window) if leaks(t)]
    api = [r for r in loopback.emulator.stats()["requests"] if r["path"].startswith("/v1/api")]
    assert api and all(r["authorization"] == "Bearer pk_test_…" for r in api)
    run_in_window(qtbot, aloop, live.aclose())

    # everything written: data dir (journal, cache, logs, sandbox stores), config dir (QSettings), exports
    for handler in logging.getLogger().handlers:
        handler.flush()
    log_text = Path(app_log).read_text(encoding="utf-8")
    assert "Authorization: Bearer …" in log_text and "Switching" not in log_text
    assert (tmp_path / "config" / "listing-studio" / "ui.ini").is_file()
    assert any((tmp_path / "export-gui").iterdir()) and any((tmp_path / "export-live").iterdir())
    assert files_with_the_key(tmp_path) == []
    assert not leaks(caplog.text)
    out, err = capfd.readouterr()
    assert not leaks(out) and not leaks(err)


def test_no_key_leaks_from_the_command_line(tmp_path, loopback):
    data = tmp_path / "cli-data"
    outputs: list[str] = []

    def cli(*args, **env):
        r = run_cli(*args, env=cli_env(PIXII_API_KEY=KEY, LISTING_STUDIO_DATA_DIR=str(data),
                                       LISTING_STUDIO_GIVE_UP_AFTER="5", **env))
        outputs.extend([r.out, r.err])
        return r

    # the embedded sandbox
    r = cli("generate", "--asin", "B0LEAKCLI1", "--country", "US", "--type", "amazon_listing",
            "--export", str(tmp_path / "export-cli"), "--json", LISTING_STUDIO_API_URL="sandbox")
    assert r.code == 0, r.err
    job_id = r.json["job_id"]
    assert cli("status", job_id, "--json", LISTING_STUDIO_API_URL="sandbox").code == 0
    assert cli("status", job_id, LISTING_STUDIO_API_URL="sandbox").code == 0
    assert cli("jobs", "--json", LISTING_STUDIO_API_URL="sandbox").code == 0
    assert cli("jobs", LISTING_STUDIO_API_URL="sandbox").code == 0
    sandbox_store = PixiiEmulator(store_path=data / "sandbox.sqlite")
    api = [r for r in sandbox_store.stats()["requests"] if r["path"].startswith("/v1/api")]
    assert api and all(r["authorization"] == "Bearer pk_test_…" for r in api)

    # a loopback server, then the key revoked: the refusal is reported without the key
    r = cli("generate", "--asin", "B0LEAKCLI2", "--country", "DE", "--type", "shopify_listing",
            "--export", str(tmp_path / "export-loopback"), LISTING_STUDIO_API_URL=loopback.url)
    assert r.code == 0, r.err
    assert cli("jobs", "--json", LISTING_STUDIO_API_URL=loopback.url).code == 0
    loopback.emulator.revoke_key(KEY)
    r = cli("generate", "--asin", "B0LEAKCLI3", "--country", "DE", "--type", "shopify_listing", "--json",
            LISTING_STUDIO_API_URL=loopback.url)
    assert r.code == 3 and "UNAUTHORIZED" in r.err
    api = [r for r in loopback.emulator.stats()["requests"] if r["path"].startswith("/v1/api")]
    assert api and all(r["authorization"] == "Bearer pk_test_…" for r in api)

    assert [o for o in outputs if leaks(o)] == []
    assert (data / "logs" / "listing-studio.log").is_file()
    assert files_with_the_key(tmp_path) == []
