"""A job of big images (the Pixii sandbox's ``image_bytes`` setting pads every image, the padding streamed as it
is sent) published in-process through the embedded SP-API sandbox: Amazon's media fetch sees the same bytes as
the app (a padded PNG is a readable image, not a refused one), and the publish says where it is while it fetches
and checks each image and while Amazon checks and takes the change."""

import tempfile

import pytest

from support.aio import run

from desktop_app.api.pixii.models import ListingRequest
from desktop_app.config import load_settings
from desktop_app.runtime import Runtime
from desktop_app.sandbox.amazon.media import emulator_fetcher, image_problem

SKU = "MUG-BLK-16"
BIG = 3_000_000

pytestmark = pytest.mark.usefixtures("fast_spapi")


@pytest.fixture
def big_images(monkeypatch):
    monkeypatch.setenv("LISTING_STUDIO_API_URL", "sandbox")
    monkeypatch.setenv("LISTING_STUDIO_SANDBOX_IMAGE_BYTES", str(BIG))
    monkeypatch.setenv("LISTING_STUDIO_SANDBOX_PENDING", "0")
    monkeypatch.setenv("LISTING_STUDIO_SANDBOX_PROCESSING", "0")


async def approved_job(rt, indexes) -> str:
    record = await rt.jobs.submit(ListingRequest("B0SANDMUG1", "US", "amazon_listing", None, ()))
    record = await rt.jobs.wait(record.job_id)
    await rt.jobs.download_images(record.job_id)
    for i in indexes:
        rt.journal.set_review(record.job_id, i, "approved")
    return record.job_id


def test_amazons_fetch_of_a_padded_sandbox_image_gets_all_its_bytes(big_images):
    async def body():
        rt = Runtime(load_settings())
        try:
            job_id = await approved_job(rt, (0, 1))
            fetch = emulator_fetcher(rt.emulator)
            return [fetch(img.url) for img in rt.journal.images(job_id)[:2]]
        finally:
            await rt.aclose()

    # index 0 is a JPEG (the padding after its end), 1 a PNG (the padding inside an ancillary chunk)
    for status, ctype, data in run(body):
        assert (status, len(data)) == (200, BIG), ctype
        assert image_problem(status, ctype, data) is None, ctype


def test_a_job_of_big_images_is_accepted_and_says_each_step(big_images, tmp_path, monkeypatch):
    said: list[str] = []
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # where each fetched image is spooled
    (tmp_path / "tmp").mkdir()

    async def body(rt):
        job_id = await approved_job(rt, (0, 1, 2))
        assignments = rt.publish.job_assignments(job_id)
        return await rt.publish.publish(SKU, "US", assignments, job_id=job_id, on_progress=said.append)

    async def with_runtime():
        rt = Runtime(load_settings())
        try:
            return await body(rt)
        finally:
            await rt.aclose()

    outcome = run(with_runtime)
    assert (outcome.status, outcome.issues) == ("ACCEPTED", []), outcome.issues
    assert said[:3] == [f"Checking image {i} of 3 ({slot}) the way Amazon will fetch it…"
                        for i, slot in ((1, "MAIN"), (2, "PT01"), (3, "PT02"))]
    assert said[3:] == ["Amazon is checking the images (nothing is published yet)…",
                        "Amazon's check passed: publishing…"]
    assert list((tmp_path / "tmp").iterdir()) == []  # every fetched image's temporary file is gone
