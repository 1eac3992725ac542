"""Image redirects: every hop is checked against the same rule as the first URL, at most 5 redirects; a bad hop,
a loop or a sixth redirect is that image's DOWNLOAD_FAILED and the other images are still exported (exit 5)."""

import asyncio
import io

import httpx
import pytest
from PIL import Image

from support.cli import cli_env, run_cli
from desktop_app.api.pixii.models import ListingRequest
from desktop_app.api.pixii.client import PixiiClient
from desktop_app.core.images.cache import ImageCache
from desktop_app.core.jobs.service import JobService
from desktop_app.store.journal import Journal
from support.fake_pixii import FakePixii, image_bytes, redirect

KEY = "pk_test_redirectKey0001"


def png(colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), colour).save(out, "PNG")
    return out.getvalue()


class Hops:
    """Pixii at ``api`` (one completed job whose images are ``ads``) and image hosts answering from ``routes``
    (full URL -> a redirect target or image bytes). ``seen`` holds every URL requested."""

    def __init__(self, api: str, ads: list[str], routes: dict[str, str | bytes]) -> None:
        self.api, self.ads, self.routes, self.seen = api, ads, routes, []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        self.seen.append(url)
        if url.startswith(self.api + "/v1/api/listing_builder"):
            return httpx.Response(200, json={"job_id": "job_r1", "status": "pending",
                                             "created_at": "2026-01-01T00:00:00Z"})
        if url.startswith(self.api + "/v1/api/jobs/job_r1"):
            return httpx.Response(200, json={"id": "job_r1", "status": "completed", "created_at": "2026-01-01T00:00:00Z",
                                             "output": {"ads": [{"preview_url": u} for u in self.ads]}})
        target = self.routes.get(url)
        if isinstance(target, str):
            return httpx.Response(302, headers={"Location": target})
        if isinstance(target, bytes):
            return httpx.Response(200, content=target, headers={"Content-Type": "image/png"})
        return httpx.Response(404)


def download(tmp_path, hops: Hops):
    """generate + download the job in-process, with an HTTP client set up like the app's (redirects on)."""
    async def main():
        http = httpx.AsyncClient(transport=httpx.MockTransport(hops), follow_redirects=True, trust_env=False)
        client = PixiiClient(hops.api, KEY, http=http, give_up_after=1.0, backoff_base=0.01, backoff_cap=0.02)
        svc = JobService(client, Journal(tmp_path / "j.sqlite"), ImageCache(tmp_path / "cache"), hops.api,
                         poll_interval=0.01)
        record = await svc.submit(ListingRequest("B0REDIRECT", "US", "amazon_listing"))
        await svc.refresh(record.job_id)
        await svc.download_images(record.job_id)
        await http.aclose()
        return {o.index: o for o in svc.outcomes(record.job_id)}

    return asyncio.run(main())


REMOTE = "https://api.pixii.example"
CDN = "https://cdn.example/img"


@pytest.mark.parametrize("target", [
    "http://169.254.169.254/latest/meta-data/",    # link-local, plain http
    "https://169.254.169.254/latest/meta-data/",   # link-local
    "https://[fe80::1]/x",                          # link-local v6
    "https://10.0.0.5/x",                           # private, remote API
    "https://127.0.0.1/x",                          # loopback, remote API
    "http://cdn2.example/x",                        # plain http to a remote host
    "ftp://cdn.example/x",
])
def test_a_redirect_to_a_forbidden_address_is_never_followed(tmp_path, target):
    hops = Hops(REMOTE, [f"{CDN}/0", f"{CDN}/1"], {f"{CDN}/0": png(), f"{CDN}/1": target, target: png((1, 2, 3))})
    out = download(tmp_path, hops)
    assert out[0].file is not None and out[0].error_code is None
    assert out[1].error_code == "DOWNLOAD_FAILED" and out[1].file is None
    assert target not in hops.seen
    assert "redirect" in out[1].error_message


def test_a_loopback_api_allows_loopback_and_private_hops_but_never_link_local(tmp_path):
    api = "http://127.0.0.1:9"
    ok_loop, ok_private, bad = "http://127.0.0.1:9/img/ok", "https://10.0.0.5/img", "http://169.254.169.254/x"
    hops = Hops(api, [f"{api}/a", f"{api}/b", f"{api}/c"],
                {f"{api}/a": ok_loop, ok_loop: png(), f"{api}/b": ok_private, ok_private: png((0, 0, 9)),
                 f"{api}/c": bad, bad: png((5, 5, 5))})
    out = download(tmp_path, hops)
    assert [out[i].error_code for i in range(3)] == [None, None, "DOWNLOAD_FAILED"]
    assert bad not in hops.seen


def chain(n: int) -> dict[str, str | bytes]:
    routes: dict[str, str | bytes] = {f"{CDN}/hop{i}": f"{CDN}/hop{i + 1}" for i in range(n)}
    routes[f"{CDN}/hop{n}"] = png()
    return routes


def test_five_redirects_are_followed_a_sixth_is_download_failed(tmp_path):
    five, six = chain(5), {k.replace("hop", "six"): v.replace("hop", "six") if isinstance(v, str) else v
                           for k, v in chain(6).items()}
    hops = Hops(REMOTE, [f"{CDN}/hop0", f"{CDN}/six0"], {**five, **six})
    out = download(tmp_path, hops)
    assert out[0].error_code is None and out[0].file is not None
    assert out[1].error_code == "DOWNLOAD_FAILED" and "redirect" in out[1].error_message
    assert f"{CDN}/six6" not in hops.seen


def test_a_relative_redirect_is_resolved_against_the_hop(tmp_path):
    hops = Hops(REMOTE, [f"{CDN}/a/start"], {f"{CDN}/a/start": "../b/next", f"{CDN}/b/next": png()})
    out = download(tmp_path, hops)
    assert out[0].error_code is None


def test_a_redirect_loop_exits_5_with_the_other_images_exported_and_export_again_does_too(tmp_path):
    with FakePixii() as fake:
        fake.ads = ["/img/0", "/img/loop", "/img/2"]
        fake.routes = {"/img/0": image_bytes(png()), "/img/loop": redirect("/img/loop"),
                       "/img/2": image_bytes(png((0, 90, 0)))}
        env = cli_env(LISTING_STUDIO_API_URL=fake.url, PIXII_API_KEY=KEY, LISTING_STUDIO_DATA_DIR=str(tmp_path / "d"),
                      LISTING_STUDIO_GIVE_UP_AFTER="2", LISTING_STUDIO_POLL_INTERVAL="0.05")
        out = tmp_path / "out"
        r = run_cli("generate", "--asin", "B0LOOP0001", "--country", "US", "--type", "amazon_listing",
                    "--export", str(out), "--json", env=env, timeout=60)
        assert r.code == 5, r.err
        images = {i["index"]: i for i in r.json["images"]}
        assert images[1]["error"]["code"] == "DOWNLOAD_FAILED" and images[1]["file"] is None
        assert images[0]["file"] and images[2]["file"]
        assert sorted(p.name for p in out.iterdir()) == ["B0LOOP0001.MAIN.png", "B0LOOP0001.PT02.png"]
        assert fake.hits.count("/img/loop") == 1  # a loop is seen at once and never retried

        again = run_cli("export", "job_ok1", str(out), "--json", env=env, timeout=60)
        assert again.code == 5, again.err
        assert {i["index"]: i["error"] and i["error"]["code"] for i in again.json["images"]}[1] == "DOWNLOAD_FAILED"
        assert "INTERNAL_ERROR" not in again.err


def test_a_name_that_resolves_to_a_private_or_link_local_address_is_refused():
    from ipaddress import ip_address

    from desktop_app.api.download import HopRule

    answers = {"cdn.example": ["93.184.216.34"], "inside.example": ["93.184.216.34", "10.1.2.3"],
               "meta.example": ["169.254.169.254"]}
    remote = HopRule(local_ok=False, resolve=lambda host: [ip_address(a) for a in answers.get(host, [])])
    local = HopRule(local_ok=True, resolve=remote.resolve)

    async def problems(rule):
        return {h: await rule.problem(f"https://{h}/x.png", redirected=True) for h in answers}

    remote_found, local_found = asyncio.run(problems(remote)), asyncio.run(problems(local))
    assert remote_found["cdn.example"] is None and local_found["cdn.example"] is None
    assert "10.1.2.3" in remote_found["inside.example"] and local_found["inside.example"] is None
    assert "link-local" in remote_found["meta.example"] and "link-local" in local_found["meta.example"]


@pytest.mark.parametrize("host", ["2852039166", "0xa9fea9fe", "169.254.43518", "[::ffff:169.254.169.254]"])
def test_other_spellings_of_the_metadata_address_are_refused(host):
    from desktop_app.api.urls import fetch_url_problem

    assert "link-local" in fetch_url_problem(f"https://{host}/latest/", local_ok=True)
