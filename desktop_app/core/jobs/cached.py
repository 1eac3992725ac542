"""Exporting a job's cached images: the part of :meth:`JobService.export` that needs neither the service nor the
event loop, so that the command line can export a finished job whose images are all cached without them.

Blocking (copies files): the job service runs it in a worker thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from desktop_app.core.housekeeping import sweep_stale_temp
from desktop_app.core.images.export import ExportItem, export_images
from desktop_app.store.journal import ImageRecord, JobRecord

Exported = dict[int, Path]
ExportErrors = dict[int, tuple[str, str]]


def nothing_to_fetch(record: JobRecord | None, images: list[ImageRecord]) -> bool:
    """The job is completed, named (its ASIN is known) and every image the service gave a link to is cached: a
    refresh, a wait or a download could add nothing to its export."""
    return (record is not None and record.status == "completed" and bool(record.asin)
            and not any(img.url and not img.cached for img in images))


def export_cached(asin: str, images: list[ImageRecord], dest: Path, naming: str, *, approved_only: bool = False,
                  overwrite: bool = False, progress: Callable[[int, int], None] | None = None
                  ) -> tuple[Exported, ExportErrors]:
    """Copy the cached images (or only the approved ones) into ``dest`` after removing the temp files an earlier,
    killed export of this ASIN left there; the files written or confirmed, and the per-image export errors."""
    chosen = [img for img in images if img.cached and (img.review == "approved" or not approved_only)]
    items = [ExportItem(img.index, Path(img.cache_path), img.ext) for img in chosen]  # type: ignore[arg-type]
    sweep_stale_temp(Path(dest), f".{asin}")
    results = export_images(items, asin, dest, naming, overwrite=overwrite, progress=progress)
    exported = {r.index: r.path for r in results if r.path is not None}
    errors = {r.index: (r.error_code, r.message or "") for r in results if r.error_code}
    return exported, errors  # type: ignore[return-value]
