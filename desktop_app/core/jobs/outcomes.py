"""What became of each image of a job (its error, or its file), as the job service, the command line and the
batches report it. Light on purpose: it needs nothing of the job service."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from desktop_app.store.journal import ImageRecord


@dataclass(frozen=True)
class ImageOutcome:
    index: int
    url: str | None
    error_code: str | None
    error_message: str | None
    file: Path | None


def image_outcomes(images: list[ImageRecord], exported: dict[int, Path] | None = None,
                   export_errors: dict[int, tuple[str, str]] | None = None,
                   downloaded: bool = True, *, cached: set[int] | None = None) -> list[ImageOutcome]:
    """Per image: its error (service, download, check or export) or its file (the exported one when given, else
    the cached copy). ``downloaded=False``: the downloads were not tried, so an image not cached yet has neither
    error nor file. ``cached``: the indexes of the images whose cached file is there, when already known (else a
    stat each)."""
    exported, export_errors = exported or {}, export_errors or {}
    if cached is None:
        cached = {img.index for img in images if img.cached}
    result = []
    for img in images:
        code, message = img.error_code, img.error_message
        if not code and img.index not in cached and downloaded:
            code, message = "DOWNLOAD_FAILED", "the image has not been downloaded"
        code, message = export_errors.get(img.index, (code, message))
        file = exported.get(img.index) or (Path(img.cache_path) if img.index in cached else None)
        result.append(ImageOutcome(img.index, img.url, code, message, None if code else file))
    return result
