"""The Pixii emulator over a real loopback socket, its control API, SQLite persistence and secrecy of keys."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from PIL import Image

from desktop_app.sandbox.pixii.emulator import PixiiEmulator
from desktop_app.sandbox.pixii.images import render_image
from desktop_app.sandbox.server import serve
from desktop_app.sandbox.transport import SyncSandboxTransport

KEY = "pk_test_LOOPBACKsecret42"
LIVE = "pk_live_LOOPBACKsecret43"
SUBMIT = "/v1/api/listing_builder"
BODY = {"asin": "B0LOOP0001", "country_code": "JP", "listing_type": "amazon_mobile_listing"}
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def server():
    srv = serve(PixiiEmulator()).start()
    yield srv
    srv.stop()


def client(srv, **kw) -> httpx.Client:
    return httpx.Client(base_url=srv.url, trust_env=False, timeout=kw.pop("timeout", 5.0), **kw)


def test_loopback_lifecycle_and_image_download(server):
    assert server.url.startswith("http://127.0.0.1:") and server.emulator.base_url == server.url
    with client(server) as c:
        r = c.post(SUBMIT, json=BODY, headers={"Authorization": f"Bearer {KEY}"})
        assert r.status_code == 200 and r.headers["X-RateLimit-Remaining-Minute"] == "9"
        job_id = r.json()["job_id"]
        c.post("/_sandbox/advance", json={"seconds": 10}).raise_for_status()
        job = c.get(f"/v1/api/jobs/{job_id}", headers={"Authorization": f"Bearer {KEY}"}).json()
        assert job["status"] == "completed" and len(job["output"]["ads"]) == 5
        url = job["output"]["ads"][0]["preview_url"]
        assert url.startswith(server.url + "/files/")
        image = httpx.get(url, trust_env=False)  # no Authorization needed on the image host
        assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
        im = Image.open(io.BytesIO(image.content))
        im.load()
        assert im.size == (1000, 1000) and im.convert("RGB").getpixel((0, 0)) == (255, 255, 255)
        assert c.get("/nope").json()["code"] == "NOT_FOUND" and c.put(SUBMIT).status_code == 405


def test_loopback_faults_reset_timeout_slow(server):
    emu = server.emulator
    h = {"Authorization": f"Bearer {LIVE}"}
    with client(server) as c:
        emu.add_fault("reset_after_create", path_prefix=SUBMIT)
        with pytest.raises(httpx.TransportError):
            c.post(SUBMIT, json=BODY, headers=h)
        assert emu.stats()["jobs_created"] == 1
        emu.add_fault("reset")
        with pytest.raises(httpx.TransportError):
            c.get("/v1/api/jobs/x", headers=h)
        emu.add_fault("timeout", seconds=5)
        started = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            c.get("/v1/api/jobs/x", headers=h, timeout=0.3)
        assert time.monotonic() - started < 2
        emu.add_fault("slow", seconds=0.3)
        started = time.monotonic()
        assert c.get("/v1/api/jobs/x", headers=h).status_code == 404
        assert time.monotonic() - started >= 0.3
        listed = c.get("/v1/api/jobs", params={"asin": BODY["asin"]}, headers=h).json()
        assert listed["total"] == 1
    started = time.monotonic()
    server.stop()  # a hanging handler does not hold the stop up
    assert time.monotonic() - started < 3


def test_control_api_over_http(server):
    with client(server) as c:
        assert c.post("/_sandbox/config", json={"balance": 5, "status_profile": "errors-page",
                                                "minute_window_seconds": 6}).json()["balance"] == 5
        assert c.get("/_sandbox/config").json()["status_profile"] == "errors-page"
        r = c.post(SUBMIT, json=BODY, headers={"Authorization": f"Bearer {LIVE}"})
        assert (r.status_code, r.json()["code"]) == (400, "INSUFFICIENT_CREDITS")
        assert c.post("/_sandbox/keys", json={"key": LIVE, "revoked": True}).json()["key"] == "pk_live_…"
        assert c.post(SUBMIT, json=BODY, headers={"Authorization": f"Bearer {LIVE}"}).status_code == 401
        c.post("/_sandbox/next_outcome", json={"outcome": "stuck"}).raise_for_status()
        c.post("/_sandbox/faults", json={"kind": "503", "path": "/v1/api/jobs", "count": 1}).raise_for_status()
        assert c.get("/v1/api/jobs/x", headers={"Authorization": f"Bearer {KEY}"}).status_code == 503
        job = c.post(SUBMIT, json=BODY, headers={"Authorization": f"Bearer {KEY}"}).json()["job_id"]
        c.post("/_sandbox/advance", json={"seconds": 1000}).raise_for_status()
        assert c.get(f"/v1/api/jobs/{job}", headers={"Authorization": f"Bearer {KEY}"}).json()["status"] == \
            "processing"
        for path, body in (("/_sandbox/advance", {"seconds": -1}), ("/_sandbox/faults", {"kind": "boom"}),
                           ("/_sandbox/config", {"envelope": "xml"}), ("/_sandbox/next_outcome", {"outcome": 1}),
                           ("/_sandbox/keys", {})):
            r = c.post(path, json=body)
            assert r.status_code == 400 and r.json()["code"] == "VALIDATION_ERROR", path
        assert c.post("/_sandbox/config", content=b"[").status_code == 400
        assert c.get("/_sandbox/nothing").status_code == 404 and c.get("/_sandbox/reset").status_code == 405
        stats = c.get("/_sandbox/stats").json()
        assert stats["jobs_created"] == 1 and stats["balance"] == 5
        assert {"method", "path", "authorization"} <= set(stats["requests"][-1])
        assert not any(r["path"].startswith("/_sandbox") for r in stats["requests"])
        c.post("/_sandbox/reset").raise_for_status()
        stats = c.get("/_sandbox/stats").json()
        assert (stats["jobs_created"], stats["balance"], stats["requests"]) == (0, 1000, [])


def test_keys_never_stored_or_logged(tmp_path):
    emu = PixiiEmulator(store_path=tmp_path / "sandbox.sqlite")
    emu.register_key("pk_live_REGISTEREDsecret99", org="acme")
    with httpx.Client(transport=SyncSandboxTransport(emu), base_url="https://sandbox.invalid") as c:
        for header in (f"Bearer {KEY}", f"Bearer {LIVE}", "Bearer pk_live_REGISTEREDsecret99",
                       "pk_test_NOSCHEMEsecret1 x", "Basic dXNlcjpwYXNzd29yZA=="):
            c.post(SUBMIT, json=BODY, headers={"Authorization": header})
    stats = emu.stats()
    dumped = json.dumps(stats)
    for secret in ("LOOPBACKsecret", "REGISTEREDsecret", "NOSCHEMEsecret", "dXNlcjpwYXNzd29yZA"):
        assert secret not in dumped
        assert secret.encode() not in (tmp_path / "sandbox.sqlite").read_bytes()
    assert [r["authorization"] for r in stats["requests"]] == [
        "Bearer pk_test_…", "Bearer pk_live_…", "Bearer pk_live_…", "? …", "Basic …"]


def test_state_persists_across_instances_and_processes(tmp_path):
    path = tmp_path / "data" / "sandbox.sqlite"
    first = PixiiEmulator(store_path=path)
    first.configure(pending_seconds=0.0, processing_seconds=0.0, balance=500)
    with httpx.Client(transport=SyncSandboxTransport(first), base_url="https://sandbox.invalid") as c:
        job_id = c.post(SUBMIT, json=BODY, headers={"Authorization": f"Bearer {LIVE}"}).json()["job_id"]
    second = PixiiEmulator(store_path=path, base_url="http://127.0.0.1:1")
    with serve(second) as srv, client(srv) as c:
        job = c.get(f"/v1/api/jobs/{job_id}", headers={"Authorization": f"Bearer {LIVE}"}).json()
        assert job["status"] == "completed" and second.balance() == 492
        assert c.get(job["output"]["ads"][1]["preview_url"]).status_code == 200  # same signing secret
    # concurrent writers on two instances never lose a job
    a, b = PixiiEmulator(store_path=path), PixiiEmulator(store_path=path)
    a.configure(minute_limit=1000)

    def hammer(emu):
        with httpx.Client(transport=SyncSandboxTransport(emu), base_url="https://sandbox.invalid") as c:
            for _ in range(10):
                assert c.post(SUBMIT, json=BODY, headers={"Authorization": f"Bearer {KEY}"}).status_code == 200

    threads = [threading.Thread(target=hammer, args=(e,)) for e in (a, b, a)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert PixiiEmulator(store_path=path).stats()["jobs_created"] == 31


def test_run_forever_prints_url_and_exits_on_sigterm(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = "import sys; from desktop_app.sandbox.server import run_forever; sys.exit(run_forever(0, store_path=sys.argv[1]))"
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "s.sqlite")], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("Sandbox listening on http://127.0.0.1:")
        url = line.rsplit(" ", 1)[1]
        r = httpx.get(f"{url}/v1/api/jobs?asin=B0LOOP0001", headers={"Authorization": f"Bearer {KEY}"},
                      trust_env=False)
        assert r.status_code == 200 and r.json()["total"] == 0
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and out == "" and err == ""


def test_images_are_deterministic_distinct_and_fast():
    render_image.cache_clear()
    started = time.perf_counter()
    a = render_image("B0IMGTEST1", "amazon_listing", 0, False)
    b = render_image("B0IMGTEST2", "amazon_listing", 0, False)
    elapsed = time.perf_counter() - started
    assert a != b and render_image.cache_info().misses == 2 and elapsed < 2
    assert render_image("B0IMGTEST1", "amazon_listing", 0, False) is a  # memoised
    render_image.cache_clear()
    assert render_image("B0IMGTEST1", "amazon_listing", 0, False) == a  # deterministic
    sample = Image.open(io.BytesIO(render_image("B0IMGTEST1", "amazon_listing", 2, True))).convert("RGB")
    plain = Image.open(io.BytesIO(render_image("B0IMGTEST1", "amazon_listing", 2, False))).convert("RGB")
    r, g, b_ = sample.getpixel((80, 80))
    assert r > 180 and g < 100 and b_ < 100 and sample.getpixel((80, 80)) != plain.getpixel((80, 80))
