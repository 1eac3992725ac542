"""What an arriving result repaints in the gallery: only the tiles it concerns, and everything that arrives within
one frame in one paint (thumbnails and image-rules verdicts arrive by the hundred while the seller scrolls)."""

from __future__ import annotations

import asyncio
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QObject  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402

from desktop_app.api.pixii.models import ListingRequest  # noqa: E402
from desktop_app.ui.gallery.model import THUMB_EDGE  # noqa: E402
from desktop_app.ui.gallery.thumbnails import ThumbnailPool  # noqa: E402
from support.images import add_to_job, make  # noqa: E402
from support.ui import run_in_window  # noqa: E402


class HeldPool(ThumbnailPool):
    """The app's pool whose thumbnail decodes the test finishes, all at the same moment."""

    def __init__(self) -> None:
        super().__init__(workers=1)
        self.waiting: dict[str, asyncio.Future] = {}

    def load(self, owner, key, path, edge=None, box=None):
        if edge != THUMB_EDGE:
            return super().load(owner, key, path, edge, box)
        future = asyncio.get_running_loop().create_future()
        self.waiting[key] = future
        return future


class Paints(QObject):
    """The viewport's paint events and, per paint, the rows whose tiles were drawn."""

    def __init__(self, view) -> None:
        super().__init__(view)
        self.rows: list[set[int]] = []
        delegate, paint = view.itemDelegate(), view.itemDelegate().paint

        def counted(painter, option, index):
            if self.rows:
                self.rows[-1].add(index.row())
            paint(painter, option, index)
        delegate.paint = counted
        view.viewport().installEventFilter(self)

    def touching(self, rows) -> list[set[int]]:
        """The paints that drew any of ``rows`` (a paint of other tiles, e.g. under the mouse, is not theirs)."""
        return [painted for painted in self.rows if painted & set(rows)]

    def eventFilter(self, _obj, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.rows.append(set())
        return False


def shown_job(studio, qtbot, aloop, count: int) -> None:
    rt, w = studio.rt, studio.window
    job = run_in_window(qtbot, aloop, rt.jobs.submit(ListingRequest("B0REPAINT1", "US", "amazon_main_images")))
    run_in_window(qtbot, aloop, rt.jobs.wait(job.job_id), timeout=10000)
    run_in_window(qtbot, aloop, rt.jobs.download_images(job.job_id), timeout=10000)
    add_to_job(rt, job.job_id, [make((120, 120), colour=(i * 20, 90, 90), fmt="PNG") for i in range(count)])
    w.show_job(job.job_id)
    qtbot.waitUntil(lambda: w.gallery_model.rowCount() >= count and not w.gallery_model.reading(), timeout=5000)


def test_thumbnails_arriving_in_one_frame_repaint_only_their_tiles_in_one_paint(studio, qtbot, aloop):
    w = studio.window
    model, view = w.gallery_model, w.gallery_view
    model.pool = pool = HeldPool()
    shown_job(studio, qtbot, aloop, 6)
    visible = [r for r in view.visible_rows() if model.on_disk(r)]
    qtbot.waitUntil(lambda: {model.key(model.record(r)) for r in visible} <= set(pool.waiting), timeout=5000)
    checker = view.itemDelegate().checker
    qtbot.waitUntil(lambda: checker.pending() == 0, timeout=10000)  # the tiles' image-rules marks are in
    qtbot.waitUntil(lambda: not view.frame.isActive(), timeout=2000)
    paints = Paints(view)

    arriving = visible[:3]
    asked: list[range] = []   # the rows whose tiles the model asked the view to repaint
    model.dataChanged.connect(lambda top, bottom, *_: asked.append(range(top.row(), bottom.row() + 1)))
    image = QImage(THUMB_EDGE, THUMB_EDGE, QImage.Format.Format_RGB32)
    model.frame.setInterval(60_000)  # a frame as long as the test needs
    for row in arriving:  # three decodes finish one after the other within the frame
        pool.waiting[model.key(model.record(row))].set_result(image)
        qtbot.waitUntil(lambda r=row: model.has_thumbnail(r), timeout=5000)
    # each arrival waits for the frame: nothing asks for a repaint before it (the window system may still expose
    # a part of the view on its own, e.g. where another test's window just closed: that paint is not theirs)
    assert asked == []
    assert not [p for p in paints.touching(arriving) if p <= set(arriving)]
    before = len(paints.rows)
    model.frame.setInterval(1)  # the frame ends
    qtbot.waitUntil(lambda: len(asked) >= len(arriving), timeout=5000)
    assert sorted((r.start, r.stop) for r in asked) == [(r, r + 1) for r in sorted(arriving)], asked  # one per row
    qtbot.waitUntil(lambda: bool(paints.touching(arriving) and [p for p in paints.rows[before:] if p & set(arriving)]),
                    timeout=5000)
    first = next(p for p in paints.rows[before:] if p & set(arriving))
    # one paint for all of them: their tiles alone, unless the view was repainted whole for another reason meanwhile
    assert first == set(arriving) or (set(arriving) < first and first == set(view.visible_rows()))


def test_image_rules_verdicts_arriving_in_one_frame_repaint_only_their_tiles_in_one_paint(studio, qtbot, aloop):
    w = studio.window
    model, view = w.gallery_model, w.gallery_view
    shown_job(studio, qtbot, aloop, 6)
    visible = [r for r in view.visible_rows() if model.on_disk(r)]
    qtbot.waitUntil(lambda: all(model.has_thumbnail(r) for r in visible), timeout=10000)
    checker = view.itemDelegate().checker
    qtbot.waitUntil(lambda: checker.pending() == 0, timeout=10000)
    qtbot.waitUntil(lambda: not view.frame.isActive(), timeout=2000)
    paints = Paints(view)

    rows = visible[1], visible[2]
    view.frame.setInterval(60_000)
    for row in rows:  # two verdicts arrive within one frame
        checker.checked.emit(model.record(row).cache_path)
        qtbot.waitUntil(view.frame.isActive, timeout=2000)
    assert not paints.touching(rows)
    view.frame.setInterval(1)
    qtbot.waitUntil(lambda: bool(paints.touching(rows)), timeout=2000)
    first = paints.touching(rows)[0]
    # one paint for both: their tiles alone, unless the view was repainted whole for another reason meanwhile
    assert first == set(rows) or (set(rows) < first and first == set(view.visible_rows()))
