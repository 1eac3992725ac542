"""Thumbnails through the app's one decoding pool: decoded on worker threads only, at the tile's size, and the
decodes of images the seller never sees (scrolled past, another job shown) are never run."""

from __future__ import annotations

import os
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from desktop_app.api.pixii.models import ListingRequest  # noqa: E402
from desktop_app.ui.gallery.model import THUMB_EDGE  # noqa: E402
from desktop_app.ui.gallery.thumbnails import ThumbnailPool, decode_image, shared_pool, worker_count  # noqa: E402
from support.images import add_to_job, make  # noqa: E402
from support.ui import run_in_window  # noqa: E402

MANY = 240


class GatedDecoder:
    """The real decoder, counted per file, that holds its worker until the test opens the gate."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.calls: list[tuple[str, int | None]] = []
        self.on_gui_thread = 0
        self.started = 0

    def __call__(self, path, edge, box=None):
        self.started += 1
        if threading.current_thread() is threading.main_thread():
            self.on_gui_thread += 1
        self.gate.wait(10)
        self.calls.append((path, edge))
        return decode_image(path, edge, box)

    def thumbs(self) -> set[str]:
        return {path for path, edge in self.calls if edge == THUMB_EDGE}


def new_job(studio, qtbot, aloop, asin: str, count: int) -> str:
    rt = studio.rt
    job = run_in_window(qtbot, aloop, rt.jobs.submit(ListingRequest(asin, "US", "amazon_main_images")))
    run_in_window(qtbot, aloop, rt.jobs.wait(job.job_id), timeout=10000)
    run_in_window(qtbot, aloop, rt.jobs.download_images(job.job_id), timeout=10000)
    add_to_job(rt, job.job_id, [make((200, 200), colour=(i % 250, i // 250 * 60, 90), fmt="PNG") for i in range(count)])
    return job.job_id


@pytest.fixture
def gated(studio):
    decoder = GatedDecoder()
    pool = ThumbnailPool(workers=1, decode=decoder)
    studio.window.gallery_model.pool = pool
    yield decoder, pool
    decoder.gate.set()


def paths(model, rows) -> set[str]:
    return {model.record(row).cache_path for row in rows}


def shown(studio, qtbot, job_id):
    w = studio.window
    w.show_job(job_id)
    qtbot.waitUntil(lambda: w.gallery_model.rowCount() > 0 and not w.gallery_model.reading(), timeout=5000)


def test_decodes_of_images_scrolled_past_or_of_another_job_never_run(studio, qtbot, aloop, gated):
    decoder, pool = gated
    w = studio.window
    model, view = w.gallery_model, w.gallery_view
    big = new_job(studio, qtbot, aloop, "B0THUMBS01", MANY)
    small = new_job(studio, qtbot, aloop, "B0THUMBS02", 3)

    shown(studio, qtbot, big)
    top = view.visible_rows()
    assert 0 < len(top) < MANY // 4
    qtbot.waitUntil(lambda: decoder.started == 1 and pool.queued(model) >= len(top) - 2, timeout=5000)

    bar = view.verticalScrollBar()
    bar.setValue(bar.maximum())  # straight to the end: the rows in between are never painted
    # the top rows still queued are dropped; the bottom ones are asked for
    qtbot.waitUntil(lambda: pool.queued_keys(model) == {model.key(model.record(r)) for r in view.visible_rows()},
                    timeout=5000)
    bottom = view.visible_rows()
    assert bottom.start > top.stop

    decoder.gate.set()
    qtbot.waitUntil(lambda: pool.queued(model) == 0 and paths(model, bottom) <= decoder.thumbs(), timeout=10000)
    never_shown = paths(model, range(top.stop, bottom.start))
    assert not decoder.thumbs() & never_shown
    assert len(decoder.thumbs() & paths(model, top)) <= 1  # at most the one already decoding when we scrolled

    # another job while the first one's thumbnails wait: they are never decoded
    decoder.gate.clear()
    bar.setValue(0)
    qtbot.waitUntil(lambda: pool.queued(model) >= 2, timeout=5000)
    waiting = {p for p in paths(model, top)} - decoder.thumbs()
    done_before = len(decoder.calls)
    shown(studio, qtbot, small)
    assert pool.queued_keys(model) <= {model.key(r) for r in model.records()}
    waiting -= paths(model, range(model.rowCount()))  # the same service images in both jobs are still wanted
    decoder.gate.set()
    qtbot.waitUntil(lambda: model.thumbnails_ready() == model.rowCount(), timeout=10000)
    after = {path for path, _edge in decoder.calls[done_before:]}
    assert len(waiting) >= 2 and len(after & waiting) <= 1  # only the one a worker had already started
    assert decoder.on_gui_thread == 0


def test_thumbnails_and_the_preview_decode_off_the_gui_thread_at_their_size(studio, qtbot, aloop):
    seen: list[tuple[bool, int | None, tuple[int, int]]] = []

    def decode(path, edge, box=None):
        image = decode_image(path, edge, box)
        seen.append((threading.current_thread() is threading.main_thread(), edge, (image.width(), image.height())))
        return image

    w = studio.window
    w.gallery_model.pool = ThumbnailPool(decode=decode)
    job_id = new_job(studio, qtbot, aloop, "B0THUMBS03", 4)
    shown(studio, qtbot, job_id)
    qtbot.waitUntil(lambda: w.gallery_model.thumbnails_ready() == w.gallery_model.rowCount(), timeout=10000)
    qtbot.waitUntil(w.preview.has_image, timeout=5000)
    assert seen and not any(on_gui for on_gui, _e, _s in seen)
    thumbs = [size for _g, edge, size in seen if edge == THUMB_EDGE]
    assert thumbs and all(max(size) <= THUMB_EDGE for size in thumbs)


def test_the_decoding_pool_leaves_a_core_to_the_gui_thread():
    assert [worker_count(cores) for cores in (1, 2, 3, 4, 16)] == [1, 1, 2, 2, 2]
    assert shared_pool().workers == worker_count() < max(2, os.cpu_count() or 1)
