"""Where a batch row's files go, and its export: flat into the folder, named as for ``generate``; when
two rows would write the same names (same ASIN and naming), the later row's files go into
``DIR/line-N/`` (N its line number), decided from the batch alone so that a re-run agrees. A file
already there with the very same bytes (exported by an earlier, interrupted run) counts as exported."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import replace
from pathlib import Path

from .batch import BatchRow
from .export import EXPORT_EXISTS, default_naming, export_stem
from .jobs import ImageOutcome, JobService


def same_bytes(path: Path, sha256: str | None) -> bool:
    if not sha256:
        return False
    try:
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return False
    return digest.hexdigest() == sha256


class BatchExporter:
    def __init__(self, jobs: JobService, rows: tuple[BatchRow, ...] | list[BatchRow], export_dir: Path | None,
                 naming: str | None) -> None:
        self.jobs = jobs
        self.export_dir = export_dir
        self.naming = naming
        self.dirs: dict[int, Path | None] = {}
        first: dict[tuple[str, str], int] = {}
        for row in rows:
            owner = first.setdefault((row.request.asin, self.naming_for(row)), row.line)
            if export_dir is not None:
                self.dirs[row.line] = export_dir if owner == row.line else export_dir / f"line-{row.line}"

    def naming_for(self, row: BatchRow) -> str:
        return self.naming or default_naming(row.request.listing_type)

    async def export(self, row: BatchRow, job_id: str) -> list[ImageOutcome]:
        dest = self.dirs[row.line]
        assert dest is not None
        await asyncio.to_thread(dest.mkdir, parents=True, exist_ok=True)
        naming = self.naming_for(row)
        outcomes = await self.jobs.export(job_id, dest, naming)
        records = {img.index: img for img in self.jobs.journal.images(job_id)}
        result = []
        for out in outcomes:
            img = records.get(out.index)
            if out.error_code == EXPORT_EXISTS and img is not None and img.ext:
                target = dest / f"{export_stem(row.request.asin, out.index, naming)}.{img.ext}"
                if await asyncio.to_thread(same_bytes, target, img.sha256):
                    out = replace(out, error_code=None, error_message=None, file=target)
            result.append(out)
        return result
