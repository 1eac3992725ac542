"""Big images stream through the app (memory does not grow with image size) and each image is judged against
the image rules once, when it arrives: export reads the findings back instead of decoding again."""

import asyncio
import subprocess
import sys
import textwrap

import httpx

from desktop_app.api.pixii.models import ListingRequest
from desktop_app.api.pixii.client import PixiiClient
from desktop_app.core.compliance import checker as compliance
from desktop_app.core.images.cache import ImageCache
from desktop_app.core.compliance.checker import file_warnings
from desktop_app.core.jobs.service import JobService
from desktop_app.sandbox.pixii.emulator import PixiiEmulator
from desktop_app.sandbox.transport import SandboxTransport
from desktop_app.store.journal import Journal

KEY = "pk_live_serviceTestKey42"
URL = "https://sandbox.invalid"


def _service(emu: PixiiEmulator, tmp_path) -> tuple[JobService, httpx.AsyncClient]:
    http = httpx.AsyncClient(mounts={f"all://{URL[8:]}": SandboxTransport(emu)}, trust_env=False, timeout=5.0)
    client = PixiiClient(URL, KEY, http=http, give_up_after=2, backoff_base=0.01, backoff_cap=0.05)
    return JobService(client, Journal(tmp_path / "journal.sqlite"), ImageCache(tmp_path / "cache"), URL,
                      poll_interval=0.02), http


def test_images_are_judged_once_on_arrival_and_export_reuses_the_findings(tmp_path, monkeypatch):
    calls = []
    real = compliance.check_image

    def counted(*args):
        calls.append(args[1:])
        return real(*args)

    monkeypatch.setattr(compliance, "check_image", counted)
    emu = PixiiEmulator(base_url=URL)
    emu.configure(pending_seconds=0.02, processing_seconds=0.05)

    async def scenario():
        service, http = _service(emu, tmp_path)
        try:
            job = await service.submit(ListingRequest("B0STREAM01", "US", "amazon_listing"))
            await service.wait(job.job_id)
            await service.download_images(job.job_id)
            arrived = len(calls)
            exported = await service.export(job.job_id, tmp_path / "out", "amazon")
            cached = {img.index: img.cache_path for img in service.journal.images(job.job_id)}
            files = [(i.index, i.file, cached[i.index]) for i in exported]
            return arrived, exported, files
        finally:
            await http.aclose()

    (tmp_path / "out").mkdir()
    arrived, exported, files = asyncio.run(scenario())
    # downloads run side by side: each slot judged once, in whatever order its image arrived
    assert arrived == 7 and sorted(c[1] for c in calls) == ["MAIN"] + [f"PT{i:02d}" for i in range(1, 7)]
    assert len(exported) == 7 and all(i.file and i.file.parent == tmp_path / "out" for i in exported)
    warnings = file_warnings(files, "amazon_listing")
    assert len(calls) == 7  # export and its warnings decoded nothing again
    fresh = [compliance.problems(real(c, "amazon", compliance.slot_for("amazon", i))) for i, _, c in files]
    expected = [f"{f.name}" for (i, f, _), bad in zip(files, fresh) if bad]
    assert [line.split(" ")[0] for line in warnings] == expected


def test_findings_judged_by_older_rules_are_judged_again(tmp_path, monkeypatch):
    from desktop_app.core.compliance import memo as compliance_memo
    from tests.support.images import make

    image = tmp_path / "a.png"
    image.write_bytes(make((1200, 1200), fmt="PNG"))
    first = compliance_memo.findings(image, "amazon", "PT01")
    monkeypatch.setattr(compliance_memo, "rules_fingerprint", lambda: "rules of another version")
    calls = []
    real = compliance.check_image
    monkeypatch.setattr(compliance, "check_image", lambda *a: calls.append(a) or real(*a))
    assert compliance_memo.findings(image, "amazon", "PT01") == first and len(calls) == 1
    assert compliance_memo.findings(image, "amazon", "PT01") == first and len(calls) == 1


_PEAK = textwrap.dedent("""
    import asyncio, resource, sys, tempfile
    from pathlib import Path
    import httpx
    {body}
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    moved = asyncio.run(main(Path(tempfile.mkdtemp())))
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(moved, (after - before) // 1024)
""")


def _peak_growth(body: str) -> tuple[int, int]:
    """Run ``body`` (defining ``async def main(tmp) -> bytes moved``) in a fresh process: (bytes, MiB of growth)."""
    out = subprocess.run([sys.executable, "-c", _PEAK.format(body=textwrap.indent(textwrap.dedent(body), ""))],
                         capture_output=True, text=True, timeout=120, check=True).stdout.split()
    return int(out[0]), int(out[1])


def test_a_200_mb_download_streams_to_disk_with_bounded_memory():
    moved, grown = _peak_growth("""
        from desktop_app.api.download import HopRule, fetch_to
        SIZE = 200 * 1024 * 1024

        async def body():
            chunk = bytes(1024 * 1024)
            for _ in range(SIZE // len(chunk)):
                yield chunk

        def answer(request):
            return httpx.Response(200, headers={"Content-Length": str(SIZE)}, content=body())

        async def main(tmp):
            async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
                with open(tmp / "image.part", "wb") as sink:
                    fetched = await fetch_to(http, "http://127.0.0.1/big.png", sink, HopRule(local_ok=True),
                                             max_bytes=SIZE)
            assert (tmp / "image.part").stat().st_size == SIZE
            return fetched.size
    """)
    assert moved == 200 * 1024 * 1024
    assert grown < 40, f"memory grew by {grown} MiB while 200 MiB streamed"


def test_a_job_of_95_mb_images_is_downloaded_judged_and_exported_with_bounded_memory():
    moved, grown = _peak_growth("""
        from desktop_app.api.pixii.models import ListingRequest
        from desktop_app.api.pixii.client import PixiiClient
        from desktop_app.core.images.cache import ImageCache
        from desktop_app.core.jobs.service import JobService
        from desktop_app.sandbox.pixii.emulator import PixiiEmulator
        from desktop_app.sandbox.transport import SandboxTransport
        from desktop_app.store.journal import Journal

        async def main(tmp):
            emu = PixiiEmulator(base_url="https://sandbox.invalid")
            emu.configure(pending_seconds=0, processing_seconds=0, image_bytes=95 * 1024 * 1024)
            http = httpx.AsyncClient(mounts={"all://sandbox.invalid": SandboxTransport(emu)}, trust_env=False)
            client = PixiiClient("https://sandbox.invalid", "pk_live_serviceTestKey42", http=http)
            jobs = JobService(client, Journal(tmp / "j.sqlite"), ImageCache(tmp / "cache"), "s", poll_interval=0.02)
            job = await jobs.submit(ListingRequest("B0STREAM02", "US", "amazon_main_images"))
            await jobs.wait(job.job_id)
            await jobs.download_images(job.job_id)
            (tmp / "out").mkdir()
            done = await jobs.export(job.job_id, tmp / "out", "amazon")
            await http.aclose()
            assert all(i.file and not i.error_code for i in done), done
            return sum(i.file.stat().st_size for i in done)
    """)
    assert moved == 2 * 95 * 1024 * 1024
    assert grown < 60, f"memory grew by {grown} MiB for two 95 MiB images"
