"""The fault matrix of issue 6: every fault has a defined behaviour, with no crash, no hang (every wait
here is bounded) and no bad file. In-process where cheap, against the loopback server otherwise.

==========================  ==================================================================================
fault                       behaviour
==========================  ==================================================================================
5xx burst                   GETs retried with capped backoff, the job completes; a 5xx on the POST is an
                            ambiguous submission: reconciled through the job list, exactly one job
persistent 5xx / outage     given up after LISTING_STUDIO_GIVE_UP_AFTER seconds: exit 6, the job id printed
429 without Retry-After     the body's retry_after is waited; with neither, a growing backoff (5 s, 10 s …)
connection reset            GET retried; POST (before or after the job was made): reconciled, one job
read timeout                GET retried; POST: reconciled (the job is adopted), one job
very slow server            waited for within the request deadline, else treated as a timeout and retried
malformed JSON, missing     GET retried; POST: reconciled, one job; unknown extra fields are ignored
fields, extra fields
HTML page from a proxy      502 text/html: a server error (GET retried; POST reconciled)
truncated image, HTML       NOT_AN_IMAGE for that image, no file, the others exported, exit 5
instead of an image
50 MB image                 under the 100 MB cap: downloaded, verified, cached and exported byte for byte,
                            with bounded memory
30000x30000 PNG             IMAGE_TOO_LARGE from the header alone: never decoded
expired image URL 403/404   URL_EXPIRED, no file, exit 5
disk full                   CACHE_FAILED / EXPORT_FAILED for the images hit, no partial or temp file, exit 5
read-only export folder     before anything: exit 2 (nothing sent); mid-way: EXPORT_FAILED, nothing written
corrupt journal             kept aside as journal.sqlite.damaged-*, one warning line, the command goes on
two instances, one data     one polls, the other reads the journal; both export; one job; journal intact
dir
==========================  ==================================================================================
"""

import asyncio
import errno
import resource
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from support.cli import cli_env, control, files_in, run_cli, run_cli_measured, start_cli
from desktop_app.api.pixii.models import ListingRequest
from desktop_app.api.pixii.client import PixiiClient
from desktop_app.core.images import export as export_mod
from desktop_app.core.images.cache import ImageCache
from desktop_app.core.jobs.service import JobService
from desktop_app.store.journal import Journal
from desktop_app.sandbox.pixii.emulator import PixiiEmulator
from desktop_app.sandbox.server import serve
from desktop_app.sandbox.transport import SandboxTransport

KEY = "pk_test_faultMatrixKey99"
URL = "https://sandbox.invalid"
SUBMIT = "/v1/api/listing_builder"
JOBS = "/v1/api/jobs"


# --- in-process ---------------------------------------------------------------------------------------

class Images404(httpx.AsyncBaseTransport):
    """The sandbox, except that image links answer 404 (an object removed early)."""

    def __init__(self, inner):
        self.inner = inner

    async def handle_async_request(self, request):
        if request.url.path.startswith("/files/"):
            return httpx.Response(404, content=b"<Error><Code>NoSuchKey</Code></Error>", request=request)
        return await self.inner.handle_async_request(request)


def in_process(tmp_path, emu, scenario, *, transport=None, give_up=2.0, limit=30.0):
    async def main():
        http = httpx.AsyncClient(mounts={"all://sandbox.invalid": transport or SandboxTransport(emu)},
                                 trust_env=False, timeout=2.0)
        client = PixiiClient(URL, KEY, http=http, give_up_after=give_up, backoff_base=0.01, backoff_cap=0.05)
        svc = JobService(client, Journal(tmp_path / "journal.sqlite"), ImageCache(tmp_path / "cache"), URL,
                         poll_interval=0.02)
        try:
            return await asyncio.wait_for(scenario(svc), limit)  # no hang
        finally:
            await http.aclose()
    return asyncio.run(main())


async def generate(svc, asin="B0FAULT001"):
    record = await svc.submit(ListingRequest(asin, "US", "amazon_listing"))
    record = await svc.wait(record.job_id)
    await svc.download_images(record.job_id)
    return record, svc.outcomes(record.job_id)


@pytest.fixture
def emu():
    e = PixiiEmulator(base_url=URL)
    e.configure(pending_seconds=0.02, processing_seconds=0.05, ads_per_type={"amazon_listing": 3})
    return e


@pytest.mark.parametrize("kind", ["500", "503", "html", "reset", "timeout", "malformed", "empty",
                                  "missing_fields", "extra_fields"])
def test_faults_while_polling_are_retried(tmp_path, emu, kind):
    emu.add_fault(kind, path_prefix=JOBS + "/", method="GET", count=3)
    record, images = in_process(tmp_path, emu, generate)
    assert record.status == "completed" and all(i.file and not i.error_code for i in images)
    assert emu.stats()["faults_pending"] == 0


@pytest.mark.parametrize("kind", ["500", "503", "html", "reset", "timeout", "malformed", "empty",
                                  "missing_fields", "reset_after_create", "timeout_after_create"])
def test_faults_on_the_submission_never_make_two_jobs(tmp_path, emu, kind):
    emu.configure(pending_seconds=0, processing_seconds=0)  # already finished when its answer is reconciled
    emu.add_fault(kind, path_prefix=SUBMIT, method="POST")
    record, images = in_process(tmp_path, emu, generate)
    assert record.status == "completed" and emu.stats()["jobs_created"] == 1
    assert len(images) == 3 and all(i.file for i in images)


def test_persistent_outage_gives_up_in_bounded_time(tmp_path, emu):
    async def scenario(svc):
        record = await svc.submit(ListingRequest("B0FAULT001", "US", "amazon_listing"))
        emu.add_fault("503", path_prefix=JOBS + "/", count=0)
        started = time.monotonic()
        with pytest.raises(Exception) as info:
            await svc.wait(record.job_id)
        return info.value, time.monotonic() - started, record.job_id

    error, elapsed, job_id = in_process(tmp_path, emu, scenario, give_up=0.5)
    assert error.code == "SERVICE_UNAVAILABLE" and elapsed < 5
    assert Journal(tmp_path / "journal.sqlite").job(job_id) is not None  # resumable


def test_429_without_retry_after_header_uses_the_body_or_backs_off(tmp_path, emu):
    emu.configure(minute_limit=1, minute_window_seconds=1, omit_retry_after_header=True)

    async def twice(svc):
        started = time.monotonic()
        await svc.submit(ListingRequest("B0FAULT001", "US", "amazon_listing"))
        await svc.submit(ListingRequest("B0FAULT002", "US", "amazon_listing"))
        return time.monotonic() - started

    assert in_process(tmp_path, emu, twice) < 5
    assert emu.stats()["jobs_created"] == 2
    answers = iter([httpx.Response(429, content=b""), httpx.Response(200, json={"job_id": "job_1"})])
    slept = []

    async def fake_sleep(seconds):
        slept.append(seconds)

    async def bare():
        http = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: next(answers)))
        client = PixiiClient("https://api.example", KEY, http=http, sleep=fake_sleep)
        submission = await client.create_listing(ListingRequest("B0FAULT001", "US", "amazon_listing"))
        await http.aclose()
        return submission

    assert asyncio.run(bare()).job_id == "job_1" and slept == [5.0]


def test_truncated_html_bomb_and_expired_images_are_image_errors(tmp_path, emu):
    expected = {"B0TRUNC001": "NOT_AN_IMAGE", "B0HTML0001": "NOT_AN_IMAGE", "B0BOMB0001": "IMAGE_TOO_LARGE"}

    async def scenario(svc):
        result = {}
        for asin in expected:
            _, images = await generate(svc, asin)
            result[asin] = images
        return result

    started = time.monotonic()
    result = in_process(tmp_path, emu, scenario)
    assert time.monotonic() - started < 20  # the 30000x30000 PNG is refused from its header
    for asin, code in expected.items():
        images = result[asin]
        assert images[1].error_code == code and images[1].file is None
        assert images[0].file is not None and images[2].file is not None
    emu2 = PixiiEmulator(base_url=URL)
    emu2.configure(pending_seconds=0.02, processing_seconds=0.05, ads_per_type={"amazon_listing": 2})
    _, images = in_process(tmp_path / "404", emu2, generate, transport=Images404(SandboxTransport(emu2)))
    assert [i.error_code for i in images] == ["URL_EXPIRED", "URL_EXPIRED"]


def test_expired_links_and_jobs_are_served_from_the_journal(tmp_path, emu):
    async def scenario(svc):
        record = await svc.submit(ListingRequest("B0FAULT001", "US", "amazon_listing"))
        record = await svc.wait(record.job_id)  # completed: links recorded, not downloaded yet
        emu.advance(8 * 86400)
        again = await svc.refresh_or_journal(record.job_id)  # JOB_NOT_FOUND for an expired job: not an error
        await svc.download_images(record.job_id)
        return again, svc.outcomes(record.job_id)

    record, images = in_process(tmp_path, emu, scenario)
    assert record.status == "completed"
    assert {i.error_code for i in images} == {"URL_EXPIRED"} and not any(i.file for i in images)


def test_disk_full_while_caching_and_exporting_leaves_no_partial_file(tmp_path, emu, monkeypatch):
    real_adopt = ImageCache.adopt
    calls = []

    def full_disk(self, tmp, sha256, info):
        calls.append(1)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_adopt(self, tmp, sha256, info)

    monkeypatch.setattr(ImageCache, "adopt", full_disk)
    _, images = in_process(tmp_path, emu, generate)
    assert sorted(i.error_code or "" for i in images) == ["", "", "CACHE_FAILED"]
    assert not list((tmp_path / "cache").rglob("*.part"))
    monkeypatch.setattr(ImageCache, "adopt", real_adopt)

    def no_space(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    async def export(svc):
        job_id = svc.journal.jobs()[0].job_id
        await svc.download_images(job_id)
        monkeypatch.setattr(export_mod.os, "copy_file_range", no_space)
        return await svc.export(job_id, out, "amazon")

    out = tmp_path / "out"
    out.mkdir()
    images = in_process(tmp_path, emu, export)
    assert {i.error_code for i in images} == {"EXPORT_FAILED"} and files_in(out) == []
    assert not list((tmp_path / "cache").rglob("*.part"))


def test_read_only_export_folder_mid_way_writes_nothing(tmp_path, emu, monkeypatch):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    async def export(svc):
        record, _ = await generate(svc)
        monkeypatch.setattr(export_mod, "new_temp", read_only)  # the temp file cannot be created
        return await svc.export(record.job_id, out, "amazon")

    out = tmp_path / "out"
    out.mkdir()
    images = in_process(tmp_path, emu, export)
    assert {i.error_code for i in images} == {"EXPORT_FAILED"} and files_in(out) == []
    assert "Read-only" in images[0].error_message


def test_an_export_reads_the_journal_once_and_copies_in_one_worker_job(tmp_path, emu, monkeypatch):
    """The window's store worker is reached once per export (one read, no write), and the copies, the temp sweep
    and the outcomes run as one job on a worker thread, telling progress once per file."""
    from desktop_app.core.jobs import service as service_mod
    calls, hops, told = [], [], []
    real_job = service_mod._export_cached

    def counting_job(*args, **kwargs):
        hops.append(threading.current_thread().name.split("_")[0])
        return real_job(*args, **kwargs)

    async def export(svc):
        record, _ = await generate(svc)
        inline = svc.store

        class CountingStore:
            async def call(self, fn, *args, **kwargs):
                calls.append(fn.__name__)
                return await inline.call(fn, *args, **kwargs)

        svc.use_store(CountingStore())
        monkeypatch.setattr(service_mod, "_export_cached", counting_job)
        return await svc.export(record.job_id, out, "amazon", progress=lambda done, total: told.append(done))

    out = tmp_path / "out"
    out.mkdir()
    images = in_process(tmp_path, emu, export)
    assert [i.error_code for i in images] == [None] * len(images) and len(files_in(out)) == len(images)
    assert calls == ["_start_export"] and hops == ["export"]  # one journal call; one job on an export worker
    assert told == list(range(1, len(images) + 1))


# --- loopback server and the command line ---------------------------------------------------------------

@pytest.fixture
def server():
    srv = serve(PixiiEmulator(), port=0)
    srv.start()
    control(srv.url, "config", {"ads_per_type": {"amazon_listing": 3}})
    yield srv
    srv.stop()


@pytest.fixture
def env(server, tmp_path):
    return cli_env(LISTING_STUDIO_API_URL=server.url, PIXII_API_KEY=KEY, LISTING_STUDIO_DATA_DIR=str(tmp_path / "d"),
                   LISTING_STUDIO_GIVE_UP_AFTER="3")


def generate_cli(env, asin, *extra, timeout=60):
    return run_cli("generate", "--asin", asin, "--country", "US", "--type", "amazon_listing", "--json", *extra,
                   env=env, timeout=timeout)


def test_read_timeout_and_slow_server_over_a_real_socket(server, tmp_path):
    control(server.url, "config", {"pending_seconds": 0.05, "processing_seconds": 0.1})

    async def main():
        http = httpx.AsyncClient(trust_env=False, timeout=httpx.Timeout(0.5))
        client = PixiiClient(server.url, KEY, http=http, give_up_after=10, backoff_base=0.01, backoff_cap=0.05)
        svc = JobService(client, Journal(tmp_path / "j.sqlite"), ImageCache(tmp_path / "c"), server.url,
                         poll_interval=0.05)
        control(server.url, "faults", {"kind": "timeout", "path": JOBS + "/", "seconds": 3, "count": 2})
        control(server.url, "faults", {"kind": "slow", "path": JOBS + "/", "seconds": 0.3, "count": 1})
        started = time.monotonic()
        record = await asyncio.wait_for(generate(svc), 30)
        await http.aclose()
        return record, time.monotonic() - started

    (record, images), elapsed = asyncio.run(main())
    assert record.status == "completed" and all(i.file for i in images)
    assert control(server.url, "stats")["faults_pending"] == 0 and elapsed < 15


def test_outage_exits_6_naming_the_job(server, env):
    control(server.url, "faults", {"kind": "503", "path": JOBS + "/", "count": 0})
    r = generate_cli(cli_env(**{**env, "LISTING_STUDIO_GIVE_UP_AFTER": "1"}), "B0FAULT001")
    assert r.code == 6 and r.json["job_id"] and f"[job {r.json['job_id']}]" in r.err


def test_fifty_megabyte_image_is_kept_with_bounded_memory(server, env, tmp_path):
    out = tmp_path / "out"
    r, peak_mb = run_cli_measured("generate", "--asin", "B0HUGE0001", "--country", "US", "--type", "amazon_listing",
                                  "--json", "--export", str(out), env=env, timeout=60)
    assert r.code == 0, r.err
    big = out / "B0HUGE0001.PT01.png"
    assert big.stat().st_size == 50 * 1024 * 1024
    assert peak_mb < 400, peak_mb


def test_bomb_and_html_images_exit_5_without_files(server, env, tmp_path):
    for asin in ("B0BOMB0001", "B0HTML0001"):
        out = tmp_path / asin
        started = time.monotonic()
        r = generate_cli(env, asin, "--export", str(out))
        assert r.code == 5 and r.json["images"][1]["error"]["code"] in ("IMAGE_TOO_LARGE", "NOT_AN_IMAGE")
        assert len(files_in(out)) == 2 and time.monotonic() - started < 20


def _limit_file_size(limit):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) like a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_disk_full_during_export_leaves_complete_files_only(server, env, tmp_path):
    r = generate_cli(env, "B0HUGE0001", "--no-wait")
    job_id = r.json["job_id"]
    first = run_cli("export", job_id, str(tmp_path / "first"), env=env)  # cache it
    assert first.code == 0, first.err
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "desktop_app.cli", "export", job_id, str(out), "--json"], env=env,
                          capture_output=True, text=True, timeout=60, preexec_fn=_limit_file_size(10 << 20))
    assert proc.returncode == 5, proc.stderr
    assert files_in(out) == ["B0HUGE0001.MAIN.jpg", "B0HUGE0001.PT02.png"]  # the 50 MB one did not fit
    assert "EXPORT_FAILED" in proc.stderr + proc.stdout
    assert not [p for p in (tmp_path / "d").rglob("*.part")]


@pytest.mark.skipif(hasattr(__import__("os"), "geteuid") and __import__("os").geteuid() == 0,
                    reason="root ignores permissions")
def test_read_only_export_folder_exits_2_before_sending(server, env, tmp_path):
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    r = generate_cli(env, "B0FAULT001", "--export", str(out))
    assert r.code == 2 and control(server.url, "stats")["jobs_created"] == 0


def test_corrupt_journal_is_kept_aside_and_the_command_goes_on(server, env, tmp_path):
    data = tmp_path / "d"
    data.mkdir()
    (data / "journal.sqlite").write_bytes(b"this is not a database" * 100)
    r = run_cli("jobs", "--json", env=env)
    assert r.code == 0 and "damaged" in r.err and "kept aside" in r.err
    backups = [p.name for p in data.iterdir() if p.name.startswith("journal.sqlite.damaged-")]
    assert len(backups) == 1 and (data / backups[0]).read_bytes().startswith(b"this is not")
    (data / "journal.sqlite").write_bytes(b"garbage again" * 100)
    csv = tmp_path / "rows.csv"
    csv.write_text("B0FAULT001\n")
    r = run_cli("batch", str(csv), "--country", "US", "--type", "amazon_listing", env=env)
    assert r.code == 0 and "damaged" in r.err


def test_two_instances_on_one_data_dir_poll_once(server, env, tmp_path):
    control(server.url, "config", {"pending_seconds": 2.0, "processing_seconds": 0.1})
    job_id = generate_cli(env, "B0TWICE001", "--no-wait").json["job_id"]
    fast = {**env, "LISTING_STUDIO_POLL_INTERVAL": "0.1"}
    procs = [start_cli("export", job_id, str(tmp_path / f"out{i}"), env=fast) for i in range(2)]
    codes = [p.wait(timeout=60) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert codes == [0, 0]
    assert files_in(tmp_path / "out0") == files_in(tmp_path / "out1") and len(files_in(tmp_path / "out0")) == 3
    polls = [r for r in control(server.url, "stats")["requests"] if r["path"] == f"{JOBS}/{job_id}"]
    assert len(polls) <= 2.1 / 0.1 + 4, len(polls)  # one poller; two would make about twice as many
    conn = sqlite3.connect(tmp_path / "d" / "journal.sqlite")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT COUNT(*) FROM jobs").fetchone()[0] == 1
    assert conn.execute("SELECT COUNT(*) FROM poll_leases").fetchone()[0] == 0
    assert control(server.url, "stats")["jobs_created"] == 1
    assert Path(tmp_path / "out0").is_dir()
