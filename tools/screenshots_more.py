"""The screenshots after the gallery (part of ``python -m tools.screenshots``): "Make compliant" on an
image of the seller's own, the export dialog offering to trash stale files, and the banner of a published listing
that Amazon suppressed later, with its one-click Undo.

One Studio on its own throw-away data dir, the Pixii sandbox and the in-process SP-API sandbox. The desktop
notification of the suppression is recorded, not shown (it would pop up on the desktop of whoever regenerates the
pictures); the banner says the same and is what is captured.
"""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

MORE_STATES = ("make-compliant", "export-stale", "suppression")

ASIN = "B0CX23V2ZK"
FAILING_ASIN = "B0FAILMUG1"  # the Pixii sandbox fails every job of a B0FAIL… ASIN
SKU = "MUG-BLK-16"  # a listing of the SP-API sandbox seller
EXPORT_DIR = Path(tempfile.gettempdir()) / "listing-studio-export"  # a short, stable path in the picture


async def _until(predicate, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise TimeoutError("the window did not reach the expected state")
        await asyncio.sleep(0.05)


async def _settle(_app=None, seconds: float = 0.4) -> None:
    await asyncio.sleep(seconds)  # lets Qt lay out and paint; never processEvents() inside a task


def transparent_product() -> bytes:
    """A product photo on a transparent background, as sellers often upload: it fails Amazon's white background."""
    from PIL import Image, ImageDraw

    im = Image.new("RGBA", (1600, 1600), (0, 0, 0, 0))
    draw = ImageDraw.Draw(im)
    draw.rounded_rectangle((160, 80, 1180, 1520), radius=120, fill=(32, 36, 44, 255))           # a black mug
    draw.rounded_rectangle((1100, 420, 1500, 1160), radius=190, outline=(32, 36, 44, 255), width=90)  # its handle
    draw.rounded_rectangle((280, 560, 1060, 900), radius=40, fill=(225, 120, 40, 255))           # its label
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


async def shoot_more(outdir: Path, only: str = "", name: str = "") -> list[Path]:
    from desktop_app.ui.main.studio import Studio
    from desktop_app.config import load_settings
    from desktop_app.ui.common.prefs import Preferences

    saved: list[Path] = []
    wanted = [s for s in MORE_STATES if not only or s == only]
    if not wanted:
        return saved
    env = {"LISTING_STUDIO_DATA_DIR": str(Path(os.environ["LISTING_STUDIO_DATA_DIR"]) / "after-gallery"),
           "LISTING_STUDIO_SP_API_URL": "sandbox"}
    kept = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    notes: list[tuple[str, str]] = []
    prefs = Preferences(Path(env["LISTING_STUDIO_DATA_DIR"]) / "ui.ini")  # never the user's own file
    studio = Studio(load_settings(read_keyring=False), prefs=prefs,
                    notifier=lambda title, body: notes.append((title, body)))
    w = studio.window
    app = QApplication.instance()

    def save(state: str, widget) -> None:
        path = outdir / f"{name or state}.png"
        widget.grab().save(str(path))
        saved.append(path)

    try:
        studio.start()
        await _settle(app)
        job_id = await _completed_job(studio)
        if "make-compliant" in wanted:
            await _make_compliant(studio)
            save("make-compliant", w)
            w.form.asin_edit.setText(ASIN)
            w.job_panel.select_job(job_id)
        if "export-stale" in wanted:
            dialog = await _export_stale(studio)
            save("export-stale", dialog)
            dialog.close()
        if "suppression" in wanted:
            await _suppressed(studio)
            save("suppression", w)
            if notes:
                print("desktop notification (recorded, not shown):", " — ".join(notes[-1]))
    finally:
        await studio.aclose()
        shutil.rmtree(EXPORT_DIR, ignore_errors=True)
        for key, value in kept.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return saved


async def _completed_job(studio) -> str:
    """A full Amazon listing generated on the sandbox, its first two images approved and shown in the gallery."""
    w = studio.window
    form = w.form
    form.asin_edit.setText(ASIN)
    form._asin_edited(ASIN)
    form.type_combo.setCurrentIndex(max(0, form.type_combo.findData("amazon_listing")))
    form.generate()
    await _until(lambda: w.jobs_model.rowCount() == 1)
    job_id = w.jobs_model.record(0).job_id
    journal = studio.rt.journal
    await _until(lambda: journal.job(job_id).status == "completed"
                and all(i.cached or i.error_code for i in journal.images(job_id)), 60)
    for index in (0, 1):
        await studio.service.set_review(job_id, index, "approved")  # written by the store worker
    w.job_panel.select_job(job_id)
    await _until(lambda: w.gallery_model.job_id == job_id and w.gallery_model.rowCount() > 0)
    w.gallery_view.setCurrentIndex(w.gallery_model.index(0))
    return job_id


async def _make_compliant(studio) -> None:
    """A job whose generation failed and the seller's own product photo on a transparent background added as its
    main image (it fails Amazon's white-background rule), "Make compliant" on it, and its repaired copy selected
    beside it: the original's failing mark and the copy's passing one, the banner saying what was repaired."""
    from desktop_app.ui.main.services import ImageSource

    w, gallery, journal = studio.window, studio.window.gallery, studio.rt.journal
    w.form.asin_edit.setText(FAILING_ASIN)
    w.form.generate()
    await _until(lambda: w.jobs_model.rowCount() == 2)
    job_id = next(w.jobs_model.record(r).job_id for r in range(2) if w.jobs_model.record(r).asin == FAILING_ASIN)
    await _until(lambda: journal.job(job_id).status == "failed" and "GENERATION_FAILED" in w.banner.text(), 60)
    w.banner.close_button.click()  # read and dismissed, as the seller would
    w.job_panel.select_job(job_id)
    await _until(lambda: gallery.model.job_id == job_id)
    studio.service.add_user_images(job_id, [ImageSource("data", data=transparent_product())])
    await _until(lambda: gallery.model.rowCount() == 1)
    gallery.view.setCurrentIndex(gallery.model.index(0))
    gallery.view.setFocus()
    gallery.compliant_action.trigger()
    await _until(lambda: "Compliant copy added" in w.banner.text() and gallery.model.rowCount() == 2)
    gallery.view.setCurrentIndex(gallery.model.index(1))
    await _until(lambda: w.preview.has_image() and gallery.model.thumbnails_ready() >= 2)
    await _until(lambda: all(gallery.view.itemDelegate().verdict(gallery.model.index(r)) is not None for r in (0, 1)))
    await _settle(None, 0.6)


async def _export_stale(studio):
    """Export of the approved images into a folder holding an earlier export of the same ASIN: the files this
    export did not write are listed with "Move them to the trash"."""
    w = studio.window
    folder = EXPORT_DIR / ASIN
    shutil.rmtree(EXPORT_DIR, ignore_errors=True)
    folder.mkdir(parents=True)
    for stale in (f"{ASIN}.PT05.png", f"{ASIN}.PT06.jpg", f"{ASIN}.SWCH.jpg", "B0OTHERASN.MAIN.jpg", "notes.txt"):
        (folder / stale).write_bytes(b"an earlier export")
    await _until(w.gallery.export_button.isEnabled)  # the gallery has seen the approvals
    w.gallery.export_button.click()
    dialog = w.export_dialog
    dialog.folder_edit.setText(str(folder))
    done: list[tuple] = []
    dialog.export_done.connect(lambda *counts: done.append(counts))
    dialog.export_button.click()
    await _until(lambda: bool(done) and dialog.trash_button.isVisible())
    await _settle(None, 0.6)
    return dialog


async def _suppressed(studio) -> None:
    """A publish onto the sandbox listing MUG-BLK-16 goes live; Amazon suppresses the listing later: the watch of
    published listings says so in the banner, naming the listing, the publish's date and slots, with its one-click
    Undo."""
    from desktop_app.sandbox.amazon.emulator import SPAPI_SANDBOX_URL
    from desktop_app.sandbox.amazon.data import SANDBOX_SELLER_ID, US

    w = studio.window
    publish = studio.rt.publish
    emulator = studio.rt.spapi_emulator
    emulator.configure(processing_seconds=0.0)
    outcome = await publish.publish(SKU, "US", {"MAIN": f"{SPAPI_SANDBOX_URL}/spapi-media/bright.jpg"})
    if outcome.status != "ACCEPTED":
        raise RuntimeError(f"the sandbox publish was not accepted: {outcome.status}")
    watch = w.publish_health
    watch.interval = 0.2  # a look every 15 minutes in the app
    watch.start()
    await _until(lambda: watch.rounds >= 1)
    emulator.suppress(SANDBOX_SELLER_ID, SKU, US, "INVALID_IMAGE")
    await _until(lambda: "LISTING_SUPPRESSED" in w.banner.text() and w.banner.isVisible())
    w.gallery.view.setFocus(Qt.FocusReason.OtherFocusReason)
    await _settle(None, 0.6)
