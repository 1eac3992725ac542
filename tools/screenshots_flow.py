"""The seller's main flow in pictures (part of ``python -m tools.screenshots``): the whole window on a laptop screen
with a completed job and its approvals, the loupe, the job's menu, the question before generating a product again,
the publish window at its confirmation and after an undo, the batch import's preview and the half-screen layout.

Under a display (Xvfb with a window manager) each picture is the whole screen, so title bars, menus and questions
are in it as the seller sees them; offscreen it is the window (or the dialog) alone. ``window`` alone is also taken
in the dark palette and on a 1280×720 screen, each from its own process (see ``screenshots.variants``).
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from tools.screenshots_more import _settle, _until

FLOW_STATES = ("window", "loupe", "job-menu", "generate-again", "publish-confirm", "publish-undone",
               "batch-preview", "narrow")

ASIN = "B0SANDMUG1"  # the product of the SP-API sandbox listing MUG-BLK-16
SKU = "MUG-BLK-16"
BATCH_CSV = ("asin,country_code,listing_type\n"
             "B0BATCH001,DE,amazon_listing\n"
             "B0B@D,FR,amazon_listing\n"
             "B0BATCH003,GB,amazon_main_images\n"
             "B0BATCH004,XX,amazon_listing\n"
             "B0BATCH005,US,amazon_listing\n")


def on_screen() -> bool:
    return QGuiApplication.platformName() not in ("offscreen", "minimal")


def size_name(widget) -> str:
    """The screen's size under a display (the window's offscreen), as in window-1366x768."""
    size = QGuiApplication.primaryScreen().size() if on_screen() else widget.size()
    return f"{size.width()}x{size.height()}"


async def shoot_flow(outdir: Path, only: str = "", name: str = "") -> list[Path]:
    from desktop_app.config import load_settings
    from desktop_app.ui.common.prefs import Preferences
    from desktop_app.ui.main.studio import Studio

    wanted = [s for s in FLOW_STATES if not only or s == only]
    env = {"LISTING_STUDIO_DATA_DIR": str(Path(os.environ["LISTING_STUDIO_DATA_DIR"]) / "flow"),
           "LISTING_STUDIO_SP_API_URL": "sandbox", "LISTING_STUDIO_SPAPI_PROCESSING": "0.2"}
    kept = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    prefs = Preferences(Path(env["LISTING_STUDIO_DATA_DIR"]) / "ui.ini")  # never the user's own file
    studio = Studio(load_settings(read_keyring=False), prefs=prefs, notifier=lambda *_a: None)
    w = studio.window
    saved: list[Path] = []

    async def snap(state: str, widget) -> None:
        if state not in wanted:
            return
        await _settle(None, 0.6)
        label = name or ("window-{screen}" if state == "window" else state)
        path = outdir / f"{label.format(screen=size_name(widget))}.png"
        picture = QGuiApplication.primaryScreen().grabWindow(0) if on_screen() else widget.grab()
        picture.save(str(path))
        saved.append(path)

    try:
        studio.start()
        await _until(w.isVisible)
        await _settle(None, 0.6)
        job_id = await _approved_job(studio)
        await snap("window", w)
        if "loupe" in wanted:
            w.gallery.open_loupe()
            await _until(lambda: w.gallery.loupe is not None and w.gallery.loupe.isVisible())
            await snap("loupe", w)
            w.gallery.loupe.close_loupe()
        if "job-menu" in wanted:
            w.job_panel.table.setFocus()
            w.job_panel._menu_at_current()
            await _until(lambda: w.job_panel.menu is not None and w.job_panel.menu.isVisible())
            await snap("job-menu", w.job_panel.menu)
            w.job_panel.menu.close()
        if "generate-again" in wanted:
            box = await _generate_again(studio)
            await snap("generate-again", box)
            box.findChild(type(box.defaultButton()), "dontGenerateButton").click()
        if {"publish-confirm", "publish-undone"} & set(wanted):
            await _publish(studio, job_id, snap)
        if "batch-preview" in wanted:
            dialog = w.batch.open_dialog()
            dialog.text_edit.setPlainText(BATCH_CSV)
            await _until(lambda: not dialog._timer.isActive() and dialog.planned)
            dialog.show()
            await snap("batch-preview", dialog)
            dialog.close()
        if "narrow" in wanted:
            w.showNormal()
            area = w.screen().availableGeometry()
            w.setGeometry(area.x(), area.y() + 30, 683, area.height() - 40)  # the left half of a 1366 screen
            await _until(lambda: w.width() <= 700)
            await snap("narrow", w)
    finally:
        await studio.aclose()
        for key, value in kept.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return saved


async def _approved_job(studio) -> str:
    """A full Amazon listing of the sandbox mug: two images approved, one rejected, the second one selected."""
    w = studio.window
    w.form.asin_edit.setText(ASIN)
    w.form.type_combo.setCurrentIndex(max(0, w.form.type_combo.findData("amazon_listing")))
    w.form.generate()
    await _until(lambda: w.jobs_model.rowCount() == 1)
    job_id = w.jobs_model.record(0).job_id
    journal = studio.rt.journal
    await _until(lambda: journal.job(job_id).status == "completed"
                 and all(i.cached or i.error_code for i in journal.images(job_id)), 60)
    for index, review in ((0, "approved"), (1, "approved"), (2, "rejected")):
        await studio.service.set_review(job_id, index, review)  # written by the store worker
    w.job_panel.select_job(job_id)
    await _until(lambda: w.gallery_model.job_id == job_id and w.gallery_model.thumbnails_ready() >= 3)
    w.gallery_view.setCurrentIndex(w.gallery_model.index(1))
    w.gallery_view.setFocus()
    await _until(w.preview.has_image)
    return job_id


async def _generate_again(studio) -> QMessageBox:
    """The same product asked for again: the question naming the finished job and what it would cost."""
    w = studio.window
    w.form.asin_edit.setText(ASIN)
    w.form.generate()
    await _until(lambda: w.job_actions.question is not None and w.job_actions.question.isVisible())
    return w.job_actions.question


async def _publish(studio, job_id: str, snap) -> None:
    """The publish window on MUG-BLK-16 (US) with the two approved images assigned: its confirmation before
    anything is sent, then, after the publish went live, the window once the seller undid it."""
    w = studio.window
    w.publish_action.trigger()
    dialog = w.publish_dialog
    await _until(lambda: bool(dialog.strip_title.text()))
    studio.rt.publish.settle_seconds = 0.1
    dialog.sku_edit.setText(SKU)
    dialog.set_country("US")
    dialog.fetch_button.click()
    await _until(lambda: not dialog.busy() and dialog.state.view is not None)
    await _until(lambda: all(dialog.rows[s].badge.level in ("pass", "warning", "fail") for s in ("MAIN", "PT01")))
    dialog.publish_button.click()
    box = await _confirmation(dialog)
    await snap("publish-confirm", box)
    yes = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    yes.click()
    await _until(lambda: "live" in dialog.status_label.text().split("—")[0], 30)
    await _until(lambda: not dialog.busy() and dialog.undo_button.isEnabled())
    dialog.undo_button.click()
    await _until(lambda: "Undo of" in dialog.status_label.text() or dialog.message.isVisible(), 30)
    await _until(lambda: not dialog.busy() and "previous image" in dialog.rows["MAIN"].status.text(), 30)
    await snap("publish-undone", dialog)
    dialog.close()


async def _confirmation(dialog) -> QMessageBox:
    def shown():
        return next((b for b in dialog.findChildren(QMessageBox, "publishConfirmBox") if b.isVisible()), None)
    await _until(lambda: shown() is not None)
    box = shown()
    box.setFocus(Qt.FocusReason.OtherFocusReason)
    return box
