"""Where a batch row's files go, and its export: flat into the folder, named as for ``generate``; when
two rows would write the same names (same ASIN and naming), the later row's files go into
``DIR/line-N/`` (N its line number), decided from the batch alone so that a re-run agrees. A file
already there with the very same bytes (exported by an earlier, interrupted run) counts as exported (the
core export confirms it)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from desktop_app.core.batch.rows import BatchRow
from desktop_app.core.images.export import default_naming
from desktop_app.core.jobs.service import ImageOutcome, JobService


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
        return await self.jobs.export(job_id, dest, self.naming_for(row))
