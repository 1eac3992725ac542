"""The PyInstaller onedir build: built once, then its window smoke check and a headless job.

LISTING_STUDIO_FROZEN_BINARY names a build made beforehand instead: the Windows and macOS runners
(.github/workflows/installers.yml) run these checks on their own builds that way."""

import os
import subprocess
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[3]
BINARY = ROOT / "dist" / "listing-studio" / "listing-studio"


@pytest.fixture(scope="module")
def frozen():
    prebuilt = os.environ.get("LISTING_STUDIO_FROZEN_BINARY")
    if prebuilt:
        assert Path(prebuilt).is_file(), f"no frozen app at {prebuilt}"
        return Path(prebuilt)
    if not os.environ.get("LISTING_STUDIO_TEST_FROZEN"):
        if os.environ.get("CI"):
            pytest.fail("CI builds the frozen app (run through tools/test.sh)")
        pytest.skip("set LISTING_STUDIO_TEST_FROZEN=1 to build the frozen app (tools/test.sh does)")
    build = subprocess.run(["bash", str(ROOT / "packaging" / "build.sh")], capture_output=True, text=True,
                           timeout=900, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    return BINARY


def test_frozen_window_smoke(frozen, tmp_path):
    shot = tmp_path / "frozen.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LISTING_STUDIO_DATA_DIR=str(tmp_path / "data"))
    r = subprocess.run([str(frozen), "--smoke", "0.5", "--screenshot", str(shot)], capture_output=True, text=True,
                       timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    with Image.open(shot) as im:
        assert im.width >= 800 and im.height >= 500


def test_frozen_headless_generate(frozen, tmp_path):
    env = dict(os.environ, LISTING_STUDIO_DATA_DIR=str(tmp_path / "data"), LISTING_STUDIO_API_URL="sandbox")
    env.pop("PIXII_API_KEY", None)
    out = tmp_path / "out"
    r = subprocess.run([str(frozen), "generate", "--asin", "B0FROZEN01", "--country", "US", "--type",
                        "amazon_main_images", "--export", str(out)], capture_output=True, text=True, timeout=120,
                       env=env)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in out.iterdir())[0] == "B0FROZEN01.MAIN.jpg"
