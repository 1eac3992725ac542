"""A photo file dropped onto a slot of the publish window: it joins the job's images (checked, cached, approved),
so that it is hosted, checked for compliance and journalled like any other image, then it fills the slot.
The file is read and verified in worker threads (:meth:`StudioService.add_user_images`); the journal is read
through the store worker."""

from __future__ import annotations

from pathlib import Path

from desktop_app.ui.publish.slots import image_key
from desktop_app.ui.main.services import ImageSource


def _images(journal, job_id: str):
    return journal.images(job_id)


async def add_local_photo(flow, slot: str, path: str) -> None:
    """Add ``path`` to the job of the window's :class:`~.publish_flow.PublishFlow` and assign it to ``slot``; a
    clear message in the window otherwise."""
    name = Path(path).name
    service, job_id, render = flow.service, flow.state.job_id, flow.render
    if not job_id:
        render.show_message(f"{name}: select a job in the main window first — your photo joins its images.", "notice")
        return
    known = {r.index for r in await service.store.call(_images, job_id)}
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
    new = [r for r in await service.store.call(_images, job_id) if r.index not in known and r.cached]
    if not new:
        render.show_message(problems[0] if problems else f"{name} could not be added.", "error")
        return
    await service.set_review(job_id, new[0].index, "approved")
    record = next(r for r in await service.store.call(_images, job_id) if r.index == new[0].index)
    flow.state.add_record(record)
    render.show_job()
    flow.assign(slot, image_key(record))
