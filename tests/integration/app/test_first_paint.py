"""The window paints first: nothing heavy (HTTP client, keyring, Pillow, AWS, the sandbox, the command
line) is imported before its first frame; the services load behind it and the main window takes over."""

import json
import subprocess
import sys

from support.cli import cli_env, run_cli

HEAVY = ("httpx", "keyring", "PIL", "boto3", "botocore", "qasync", "desktop_app.sandbox", "desktop_app.api",
         "desktop_app.core", "desktop_app.config", "desktop_app.credentials", "desktop_app.ui.main.window")


def _started(tmp_path, *args: str):
    record = tmp_path / "first-paint.json"
    shot = tmp_path / "window.png"
    env = cli_env(QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(tmp_path), LISTING_STUDIO_API_URL="sandbox",
                  LISTING_STUDIO_DATA_DIR=str(tmp_path / "data"), LISTING_STUDIO_FIRST_PAINT=str(record))
    result = run_cli(*args, "--smoke", "0.5", "--screenshot", str(shot), env=env)
    return result, json.loads(record.read_text()) if record.exists() else None, shot


def _heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if m.startswith(HEAVY) or (m.startswith("desktop_app.cli.") and m != "desktop_app.cli.entry")]


def test_nothing_heavy_is_imported_before_the_first_frame(tmp_path):
    result, first, shot = _started(tmp_path)
    assert result.code == 0, result.err
    assert first is not None, "the window never painted"
    assert "PySide6.QtWidgets" in first["modules"]
    assert _heavy(first["modules"]) == []
    assert shot.is_file() and shot.stat().st_size > 1000  # the main window took the shell's place


def test_the_gui_command_paints_first_too(tmp_path):
    result, first, _ = _started(tmp_path, "gui", "--dark")
    assert result.code == 0, result.err
    assert first is not None and _heavy(first["modules"]) == []


def test_closing_the_shell_while_starting_ends_the_app(tmp_path):
    code = ("import sys\nfrom PySide6.QtWidgets import QApplication\n"
            "app = QApplication([]); app.setQuitOnLastWindowClosed(False)\n"
            "from desktop_app.ui.main.shell import StartupShell\n"
            "shell = StartupShell('Listing Studio'); shell.show_and_paint(); shell.close()\n"
            "from desktop_app.ui.main.studio import run_studio\n"
            "sys.exit(run_studio(shell, smoke=60))\n")  # without the close, the window would stay 60 s
    env = cli_env(QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(tmp_path), LISTING_STUDIO_API_URL="sandbox",
                  LISTING_STUDIO_DATA_DIR=str(tmp_path / "data"))
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
