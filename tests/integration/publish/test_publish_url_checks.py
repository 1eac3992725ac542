"""Image URLs in a publish: fetched the way Amazon will before anything is sent (unreachable → exit 2, nothing
sent), their compliance warnings said before the preview, and a signed link that expires within a day hosted on the
seller's bucket instead of sent. Against the loopback Pixii + SP-API emulators and a loopback image host."""

import time

import pytest

from support.aio import run
from support.cli import run_cli
from support.fake_pixii import FakePixii, image_bytes, redirect, send
from support.images import make

from desktop_app.config import load_settings
from desktop_app.core.publish.fetch import UrlUnreachable
from desktop_app.runtime import Runtime
from desktop_app.api.retry import WATCH_PUBLISH

SKU, US = "MUG-BLK-16", "ATVPDKIKX0DER"
SMALL_GREY = make((300, 300), bg=(200, 200, 200), fmt="PNG")
GOOD = make((1600, 1600), fmt="PNG")



@pytest.fixture
def host():
    with FakePixii() as fake:
        fake.routes["/small.png"] = image_bytes(SMALL_GREY)
        fake.routes["/good.png"] = image_bytes(GOOD)
        fake.routes["/page.png"] = lambda h: send(h, 200, b"<html>not an image</html>", "text/html")
        fake.routes["/gone.png"] = lambda h: send(h, 403, b"expired", "text/plain")
        fake.routes["/hop.png"] = redirect("http://169.254.169.254/latest/meta-data")
        yield fake


def sent(spapi):
    return [s for s in spapi.stats()["submissions"]]


def test_a_url_main_image_gets_its_compliance_warnings_before_the_preview(servers, env, host):
    _, spapi = servers
    r = run_cli("publish", "--sku", SKU, "--country", "US", "--slot", f"MAIN={host.url}/small.png", "--json", env=env)
    assert r.code == 0, r.err
    assert r.json["status"] == "ACCEPTED"
    lines = r.err.splitlines()
    warned = [i for i, line in enumerate(lines) if line.startswith("warning: MAIN: ")]
    assert warned, r.err
    assert any("300" in lines[i] for i in warned)  # the size, and the background, in the seller's words
    assert any("background" in lines[i].lower() for i in warned)
    accepted = next(i for i, line in enumerate(lines) if "ACCEPTED" in line)
    assert max(warned) < accepted
    assert "/small.png" in host.hits  # fetched by the app, as Amazon will


@pytest.mark.parametrize("path, why", [("/page.png", "text/html"), ("/gone.png", "HTTP 403"),
                                       ("/hop.png", "A redirect of the image URL"), ("/missing.png", "HTTP 404")])
def test_a_url_amazon_could_not_fetch_is_refused_before_anything_is_sent(servers, env, host, path, why):
    _, spapi = servers
    r = run_cli("publish", "--sku", SKU, "--country", "US", "--slot", f"PT03={host.url}{path}", "--json", env=env)
    assert r.code == 2, r.err
    assert r.json["error"]["code"] == "IMAGE_URL_UNREACHABLE"
    assert why in r.json["error"]["message"] and "PT03" in r.json["error"]["message"]
    assert "Traceback" not in r.err
    assert sent(spapi) == []


def test_the_fetch_sends_no_cookie_and_follows_redirects_under_the_rules(servers, env, host):
    headers = []

    def remember(h):
        headers.append(dict(h.headers))
        send(h, 200, GOOD, "image/png")
    host.routes["/seen.png"] = remember
    host.routes["/moved.png"] = redirect("/seen.png")
    r = run_cli("publish", "--sku", SKU, "--country", "US", "--slot", f"PT03={host.url}/moved.png",
                "--validate-only", env=env)
    assert r.code == 0, r.err
    ours = headers[0]  # the app's check comes first; then Amazon's own fetch
    assert not {"Cookie", "Authorization"} & set(ours)


# --- a signed link that expires within a day: hosted instead of sent ------------------------------------

BUCKET = "listing-studio-url-checks"


def test_an_expiring_presigned_url_is_hosted_instead_of_sent(public_bucket, moto_endpoint, host, fast_spapi):
    public_bucket(BUCKET)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    signed = f"{host.url}/good.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date={stamp}&X-Amz-Expires=3600"
    lasting = f"{host.url}/good.png?X-Amz-Date={stamp}&X-Amz-Expires=604800"

    async def flow(rt):
        out = await rt.publish.publish(SKU, "US", {"PT03": signed, "PT04": lasting})
        assert out.status == "ACCEPTED", out.issues
        hosted = out.slots["PT03"][1]
        assert hosted.startswith(f"{moto_endpoint}/{BUCKET}/listing-studio/") and hosted.endswith(".png")
        assert out.slots["PT04"][1] == lasting  # valid for a week: sent as it is
        await rt.publish.watch_live(out.record_id, timeout=10)
        assert (await rt.publish.fetch_listing(SKU, "US")).slots["PT03"] is not None

    async def with_rt():
        rt = Runtime(load_settings())
        try:
            rt.publish.watch_retry = WATCH_PUBLISH.but(base=0.05)
            await flow(rt)
        finally:
            await rt.aclose()
    run(with_rt())


def test_an_expiring_url_without_a_bucket_is_refused(host, fast_spapi):
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    signed = f"{host.url}/good.png?X-Amz-Date={stamp}&X-Amz-Expires=600"

    async def flow():
        rt = Runtime(load_settings())
        try:
            with pytest.raises(Exception) as exc:
                await rt.publish.publish(SKU, "US", {"PT03": signed})
            assert getattr(exc.value, "code", "") == "HOSTING_NOT_CONFIGURED"
            assert "expires within a day" in str(exc.value)
            assert rt.spapi_emulator.stats()["submissions"] == []
            with pytest.raises(UrlUnreachable):
                await rt.publish.publish(SKU, "US", {"PT03": f"{host.url}/gone.png"})
        finally:
            await rt.aclose()
    run(flow())
