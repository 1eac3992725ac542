""""Make compliant" on a gallery image: a repaired copy (core.compliance.fix) joins the job as an image of the
seller's own, beside the original, to approve like any other; the original is never replaced. Reading, repairing
and encoding run in a worker thread; the copy joins the job the way a dropped image does (add_user_images)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from desktop_app.core.compliance.checker import platform_of, slot_for
from desktop_app.core.compliance.fix import fix_image
from desktop_app.ui.main.services import ImageSource

PLATFORM_NAMES = {"amazon": "Amazon", "shopify": "Shopify", "tiktok": "TikTok Shop"}


def install(panel) -> QAction:
    """The gallery's "Make compliant" action (Ctrl+M): in the image's context menu and the Job menu."""
    action = QAction("Make &compliant", panel, shortcut=QKeySequence("Ctrl+M"))
    action.setObjectName("makeCompliantAction")
    action.setToolTip("Add a copy of the selected image repaired for the platform's image rules (sRGB, white "
                      "instead of transparency, size and file-size limits); the original stays")
    action.triggered.connect(lambda: start(panel))
    panel.view.addAction(action)
    panel.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    return action


def start(panel) -> asyncio.Task | None:
    record = panel.model.record(panel.current_row())
    if record is None or not record.cached or not record.cache_path:
        return None
    platform = platform_of(panel.model.listing_type or "")
    slot = slot_for(platform, record.index)
    return panel.service.tasks.spawn(run(panel.service, record.job_id, record.cache_path, platform, slot),
                                     key=f"make-compliant:{record.job_id}:{record.index}")


async def run(service, job_id: str, path: str, platform: str, slot: str) -> None:
    name = PLATFORM_NAMES[platform]
    try:
        data = await asyncio.to_thread(Path(path).read_bytes)
        result = await asyncio.to_thread(fix_image, data, platform, slot)
    except OSError as exc:
        service.error.emit("FILE_UNREADABLE", f"The image could not be read ({exc.strerror or exc}); nothing was changed.")
        return
    left = "; ".join(f.message for f in result.remaining)
    if result.data is not None and not result.repaired:
        service.info.emit(f"This image already meets {name}'s rules for {slot}: no copy was added.")
        return
    if result.data is None:
        service.error.emit("NOT_REPAIRABLE", f"Nothing in this image can be repaired for {name}'s rules ({slot}) "
                           f"without inventing pixels: {left or 'it already meets them'}. Nothing was changed.")
        return
    task = service.add_user_images(job_id, [ImageSource("data", data=result.data)])
    if task is not None:
        await task
    done = ", ".join(result.repaired)
    service.info.emit(f"Compliant copy added beside the original ({done})."
                      + (f" Still to fix by hand: {left}." if left else " Approve it to use it."))
