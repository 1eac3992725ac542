"""A photo file dropped onto a slot of the publish window: it joins the job's images (checked, cached, approved),
so that it is hosted, checked for compliance and journalled like any other image, then it fills the slot.
The file is read and verified in worker threads (:meth:`StudioService.add_user_images`)."""

from __future__ import annotations

from pathlib import Path

from .publish_slots import KEEP, REMOVE, image_key
from .services import ImageSource


async def add_local_photo(flow, slot: str, path: str) -> None:
    """Add ``path`` to the window's job and assign it to ``slot``; a clear message in the window otherwise."""
    name = Path(path).name
    if not flow.job_id:
        flow.show_message(f"{name}: select a job in the main window first — your photo joins its images.", "notice")
        return
    service, job_id = flow.service, flow.job_id
    known = {r.index for r in service.journal.images(job_id)}
    problems: list[str] = []

    def collect(_code: str, message: str) -> None:
        problems.append(message)
    service.error.connect(collect)
    try:
        task = service.add_user_images(job_id, [ImageSource("file", path)])
        if task is not None:
            await task
    finally:
        service.error.disconnect(collect)
    new = [r for r in service.journal.images(job_id) if r.index not in known and r.cached]
    if not new:
        flow.show_message(problems[0] if problems else f"{name} could not be added.", "error")
        return
    record = new[0]
    await service.set_review(job_id, record.index, "approved")
    record = next(r for r in service.journal.images(job_id) if r.index == record.index)
    add_record(flow, record)
    flow.assign(slot, image_key(record))


def add_record(flow, record) -> None:
    """One more approved image in the strip and every slot's menu; the current assignments stay as they are."""
    flow.records = sorted([*flow.records, record], key=lambda r: r.index)
    flow.strip.set_images(flow.records)
    for slot, row in flow.rows.items():
        current = flow.assigned.get(slot)
        key = REMOVE if slot in flow.removed else KEEP if current is None else \
            current if isinstance(current, str) else image_key(current)
        row.set_choices(flow.records, key)
        flow._show_assigned(slot)
    for r in flow.records:
        flow._bg(flow._thumb_file(r), f"publish-thumb:{image_key(r)}")
