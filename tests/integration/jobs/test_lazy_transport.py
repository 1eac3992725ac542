"""The HTTP client's own transport (and the TLS certificates it loads) is made by the first request that leaves
the embedded sandbox, not when the runtime starts: a whole sandbox job never makes it; a request to another host
makes it once and goes through it."""

from __future__ import annotations

import httpx

from support.aio import run

from desktop_app.api.pixii.models import ListingRequest
from desktop_app.api.transport import LazyTransport
from desktop_app.config import load_settings
from desktop_app.runtime import Runtime


def test_a_sandbox_job_end_to_end_never_makes_the_clients_own_transport(tmp_path, monkeypatch):
    monkeypatch.setenv("LISTING_STUDIO_API_URL", "sandbox")
    monkeypatch.setenv("LISTING_STUDIO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LISTING_STUDIO_SANDBOX_PENDING", "0")
    monkeypatch.setenv("LISTING_STUDIO_SANDBOX_PROCESSING", "0")

    async def scenario():
        rt = Runtime(load_settings(read_keyring=False))
        try:
            job = await rt.jobs.submit(ListingRequest("B0LAZYTLS1", "US", "amazon_listing"))
            await rt.jobs.wait(job.job_id)
            await rt.jobs.download_images(job.job_id)
            exported = await rt.jobs.export(job.job_id, tmp_path / "out", "amazon", make_dir=True)
            own = rt.http._transport
            return exported, rt.requests_sent, own
        finally:
            await rt.aclose()

    exported, sent, own = run(scenario())
    assert len(exported) == 7 and all(i.file for i in exported) and sent > 0
    assert isinstance(own, LazyTransport) and own.transport is None


def test_a_request_to_another_host_makes_the_transport_once_and_goes_through_it():
    made, seen = [], []

    def make():
        made.append(1)
        return httpx.MockTransport(lambda request: seen.append(str(request.url)) or httpx.Response(204))

    async def scenario():
        lazy = LazyTransport(make)
        async with httpx.AsyncClient(transport=lazy) as client:
            assert lazy.transport is None
            first = await client.get("https://images.example.com/a.png")
            second = await client.get("https://images.example.com/b.png")
        return first.status_code, second.status_code

    assert run(scenario()) == (204, 204)
    assert made == [1] and seen == ["https://images.example.com/a.png", "https://images.example.com/b.png"]
