"""Linux desktop integration files validate with the distribution's own validators."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

RESOURCES = Path(__file__).resolve().parents[3] / "resources"
APP_ID = "io.github.listingstudio.ListingStudio"


def _tool(name):
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} must be installed in CI (tools/setup.sh --test installs it)")
        pytest.skip(f"{name} is not installed")
    return path


def test_desktop_file_validates():
    result = subprocess.run([_tool("desktop-file-validate"), str(RESOURCES / f"{APP_ID}.desktop")],
                            capture_output=True, text=True)
    assert result.returncode == 0 and "error" not in result.stdout.lower(), result.stdout


def test_metainfo_validates_offline():
    result = subprocess.run([_tool("appstreamcli"), "validate", "--no-net", str(RESOURCES / f"{APP_ID}.metainfo.xml")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_icon_set_is_complete():
    assert (RESOURCES / "icons" / f"{APP_ID}.svg").is_file()
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        png = RESOURCES / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        header = png.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(header[16:20], "big") == size
