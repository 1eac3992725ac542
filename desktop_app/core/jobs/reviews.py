"""A job's image reviews (approved / rejected / none): one journal column that the window's gallery and
``listing-studio approve`` both write, and that publishing by slot reads."""

from __future__ import annotations

from typing import Iterable

from desktop_app.api.errors import JobNotFound
from desktop_app.store.journal import ImageRecord, Journal
from desktop_app.core.validation import InputError

REVIEWS = ("approved", "rejected", None)


def image_span(indexes: Iterable[int]) -> str:
    """The images that exist, as a seller reads them: ``#0–#6``, or ``#0, #2, #5`` when there are gaps."""
    found = sorted(indexes)
    if not found:
        return "none"
    if found == list(range(found[0], found[-1] + 1)) and len(found) > 2:
        return f"#{found[0]}–#{found[-1]}"
    return ", ".join(f"#{i}" for i in found)


def set_reviews(journal: Journal, job_id: str, indexes: Iterable[int], review: str | None) -> list[ImageRecord]:
    """Mark images of a journalled job; every index is checked before any is changed. Returns the job's images."""
    if review not in REVIEWS:
        raise ValueError(f"unknown review state {review!r}")
    record = journal.job(job_id)
    if record is None:
        raise JobNotFound("JOB_NOT_FOUND", f"Job {job_id} is not in the local journal (`listing-studio jobs` lists "
                          "the jobs it knows)")
    images = {img.index: img for img in journal.images(job_id)}
    if not images:
        raise InputError("NO_IMAGES", f"Job {job_id} is {record.status} and has no images yet; "
                         f"`listing-studio export {job_id} DIR` waits for them")
    wanted = list(dict.fromkeys(indexes))
    unknown = [i for i in wanted if i not in images]
    if unknown:
        raise InputError("UNKNOWN_IMAGE", f"Job {job_id} has no image {', '.join(f'#{i}' for i in unknown)}; "
                         f"its images are {image_span(images)}")
    for index in wanted:
        journal.set_review(job_id, index, review)
    return journal.images(job_id)
