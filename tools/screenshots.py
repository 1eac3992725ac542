"""Render the main window in its main states on the embedded sandbox and save PNG screenshots.

    python -m tools.screenshots [OUTDIR]      (default: screenshots/)

Then "Make compliant", stale files at export and a suppressed listing's banner (screenshots_more.py). Also
writes gallery-dark.png (LISTING_STUDIO_COLOR_SCHEME=dark) and gallery-2x.png (QT_SCALE_FACTOR=2),
each from a separate process; ``--only gallery --name NAME`` is that child run.

Runs offscreen unless a display is set (use it under Xvfb for the real platform plugin). Uses a
throw-away data dir, so nothing of the user's journal is touched.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_API", "pyside6")
if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QMimeData  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tools.screenshots_flow import FLOW_STATES, shoot_flow  # noqa: E402
from tools.screenshots_more import MORE_STATES, _until, shoot_more  # noqa: E402

STATES = ("empty", "running", "gallery", "main", "error", "first-run", "settings") + MORE_STATES + FLOW_STATES


async def _settle(app: QApplication, seconds: float = 0.4) -> None:
    await asyncio.sleep(seconds)  # lets Qt lay out and paint; never processEvents() inside a task


class _Done(Exception):
    """The one screenshot asked for is taken."""


async def shoot(outdir: Path, only: str = "", name: str = "") -> list[Path]:
    from desktop_app.ui.main.studio import Studio
    from desktop_app.config import load_settings
    from desktop_app.ui.common.dropdata import parse_mime

    from desktop_app.ui.common.prefs import Preferences

    app = QApplication.instance()
    prefs = Preferences(Path(os.environ["LISTING_STUDIO_DATA_DIR"]) / "ui.ini")  # never the user's own file
    studio = Studio(load_settings(read_keyring=False), prefs=prefs)
    w = studio.window
    saved: list[Path] = []

    def grab(state: str) -> None:
        if only and state != only:
            return
        path = outdir / f"{name or state}.png"
        w.grab().save(str(path))
        saved.append(path)
        if only:
            raise _Done

    try:
        studio.start()
        await _settle(app)
        grab("empty")

        form = w.form
        form.asin_edit.setText("https://www.amazon.co.uk/dp/B0CX23V2ZK")
        form._asin_edited(form.asin_edit.text())
        mime = QMimeData()
        mime.setText("https://cdn.example.com/kettle-front.jpg\nhttps://cdn.example.com/kettle-side.jpg")
        form.add_drop(parse_mime(mime))
        form.generate()
        await _until(lambda: w.jobs_model.rowCount() == 1 and w.jobs_model.record(0).status == "processing")
        await _settle(app, 1.2)
        grab("running")

        job_id = w.jobs_model.record(0).job_id
        await _until(lambda: all(i.cached or i.error_code for i in studio.rt.journal.images(job_id))
                     and studio.rt.journal.job(job_id).status == "completed")
        w.job_panel.select_job(job_id)
        await _until(lambda: w.gallery_model.thumbnails_ready() >= min(3, w.gallery_model.rowCount()))
        for row, review in ((0, "approved"), (1, "approved"), (2, "rejected")):
            record = w.gallery_model.record(row)
            await studio.service.set_review(record.job_id, record.index, review)
        w.gallery_view.setCurrentIndex(w.gallery_model.index(1))
        w.gallery_view.setFocus()
        await _until(w.preview.has_image)
        await _settle(app)
        grab("gallery")
        grab("main")  # the state to look at first: a completed job, gallery and preview filled

        form.asin_edit.setText("B0FAIL0001")
        form.generate()
        await _until(lambda: w.banner.isVisible() and "GENERATION_FAILED" in w.banner.text())
        w.job_panel.select_job(job_id)
        await _settle(app)
        grab("error")
    except _Done:
        return saved
    finally:
        await studio.aclose()
    saved += await shoot_more(outdir)
    saved += await shoot_flow(outdir)
    saved += await shoot_first_run(outdir)
    return saved


async def shoot_first_run(outdir: Path) -> list[Path]:
    """A first start: no key, no keyring (headless Linux), the default Live service; the window with
    its sandbox notice, then the settings dialog with a test key pasted (masked)."""
    import keyring
    from keyring.backends import fail

    from desktop_app.ui.main.studio import Studio, initial_settings
    from desktop_app.config import load_settings
    from desktop_app.credentials import KeyManager

    from desktop_app.ui.common.prefs import Preferences

    fresh = Path(os.environ["LISTING_STUDIO_DATA_DIR"]) / "first-run"
    os.environ["LISTING_STUDIO_DATA_DIR"] = str(fresh)  # a first start: an empty journal, no preferences
    prefs = Preferences(fresh / "ui.ini")
    os.environ.pop("LISTING_STUDIO_API_URL", None)
    os.environ.pop("PIXII_API_KEY", None)
    keyring.set_keyring(fail.Keyring())  # deterministic: as on a computer without a keyring
    keys = KeyManager()
    state = await asyncio.to_thread(keys.load)
    studio = Studio(initial_settings(load_settings(read_keyring=False), state, ""), keys=keys, key_state=state,
                    prefs=prefs)
    w = studio.window
    saved = []
    try:
        studio.start()
        await _settle(QApplication.instance())
        path = outdir / "first-run.png"
        w.grab().save(str(path))
        saved.append(path)
        dialog = studio.open_settings()
        await _until(lambda: dialog.reload_task is None or dialog.reload_task.done())
        dialog.key_edit.setText("pk_test_Screenshot0123456789abcdef")
        await _settle(QApplication.instance())
        path = outdir / "settings.png"
        dialog.grab().save(str(path))
        saved.append(path)
        dialog.close()
    finally:
        await studio.aclose()
    return saved


def main(argv: list[str] | None = None) -> int:
    import qasync

    from desktop_app.ui.common import theme

    parser = argparse.ArgumentParser(prog="python -m tools.screenshots")
    parser.add_argument("outdir", nargs="?", default="screenshots")
    parser.add_argument("--only", default="", choices=("",) + STATES, help="just this state")
    parser.add_argument("--name", default="", help="file name (without .png) of --only's picture")
    options = parser.parse_args(sys.argv[1:] if argv is None else argv)
    outdir = Path(options.outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="listing-studio-shots-") as data:
        os.environ.update({"LISTING_STUDIO_API_URL": "sandbox", "LISTING_STUDIO_DATA_DIR": data,
                           "LISTING_STUDIO_POLL_INTERVAL": "0.3"})
        os.environ.setdefault("LISTING_STUDIO_SANDBOX_PENDING", "0.3")
        os.environ.setdefault("LISTING_STUDIO_SANDBOX_PROCESSING", "3")
        app = QApplication.instance() or QApplication([sys.argv[0]])
        app.setApplicationName("Listing Studio")
        app.setQuitOnLastWindowClosed(False)
        theme.set_app_identity(app)
        theme.apply_scheme(app, theme.forced_scheme())
        with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
            shooter = shoot_more if options.only in MORE_STATES else shoot_flow if options.only in FLOW_STATES \
                else shoot
            saved = runner.run(shooter(outdir, options.only, options.name))
    if not options.only:
        saved += variants(outdir)
    for path in saved:
        print(path)
    return 0


def variants(outdir: Path) -> list[Path]:
    """Each in its own process: the gallery in the dark palette and at 2× scale; the whole window on the screen
    in use (1366×768 under ``Xvfb :99 -screen 0 1366x768x24``) and on a 1280×720 one, light and dark."""
    dark = {"LISTING_STUDIO_COLOR_SCHEME": "dark"}
    runs = [("gallery", "gallery-dark", dark, None), ("gallery", "gallery-2x", {"QT_SCALE_FACTOR": "2"}, None)]
    if os.environ.get("DISPLAY"):
        runs += [("window", "window-{screen}-dark", dark, None),
                 ("window", "window-1280x720", {}, "1280x720"), ("window", "window-1280x720-dark", dark, "1280x720")]
    saved = []
    for state, name, env, screen in runs:
        cmd = [sys.executable, "-m", "tools.screenshots", str(outdir), "--only", state, "--name", name]
        with other_screen(screen) as display:
            if display is None:
                print(f"{name}: skipped (no Xvfb for a {screen} screen)", file=sys.stderr)
                continue
            done = subprocess.run(cmd, env={**os.environ, **env, **display}, timeout=180, check=False,
                                  capture_output=True, text=True)
        printed = [line for line in done.stdout.splitlines() if line.endswith(".png")]
        if done.returncode == 0 and printed:
            saved.append(Path(printed[-1]))
        else:
            print(f"{name}: failed ({done.returncode}) {done.stderr[-400:]}", file=sys.stderr)
    return saved


@contextlib.contextmanager
def other_screen(screen: str | None):
    """``{}`` for the screen in use; else ``{"DISPLAY": ...}`` of an Xvfb of that size (with openbox when
    installed) for as long as the block runs, or None when Xvfb is not installed."""
    if screen is None:
        yield {}
        return
    if not shutil.which("Xvfb"):
        yield None
        return
    number = next(n for n in range(120, 400) if not Path(f"/tmp/.X{n}-lock").exists()
                  and not Path(f"/tmp/.X11-unix/X{n}").exists())  # a display no one else uses
    display = f":{number}"
    started = [subprocess.Popen(["Xvfb", display, "-screen", "0", f"{screen}x24", "-nolisten", "tcp"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        time.sleep(1.0)  # the server opens its socket
        if started[0].poll() is not None:
            yield None
            return
        if shutil.which("openbox"):
            started.append(subprocess.Popen(["openbox"], env={**os.environ, "DISPLAY": display},
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            time.sleep(0.5)
        yield {"DISPLAY": display}
    finally:
        for process in reversed(started):
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
