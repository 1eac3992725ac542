"""The SP-API emulator re-hosts accepted images like Amazon: the listing then shows the emulator's own copy
(content-addressed, same bytes, real size in ``summaries[].mainImage``), kept across restarts."""

import asyncio
import io

import httpx
from PIL import Image

from desktop_app.api.amazon.client import SpApiClient
from desktop_app.api.amazon.auth import LwaCredentials
from desktop_app.api.amazon.models import image_patches
from desktop_app.sandbox.amazon.emulator import SPAPI_SANDBOX_URL, SpApiEmulator
from desktop_app.sandbox.amazon.data import (SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN,
                                             SANDBOX_SELLER_ID)
from desktop_app.sandbox.transport import SandboxTransport

CREDS = LwaCredentials(SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN)
SKU, US = "MUG-BLK-16", "ATVPDKIKX0DER"
CDN = "https://cdn.example.com/"


def picture(size: tuple[int, int], colour: tuple[int, int, int], fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt)
    return out.getvalue()


FILES = {f"{CDN}wide.png": picture((1200, 900), (200, 30, 30)),
         f"{CDN}same-bytes-other-url.png": picture((1200, 900), (200, 30, 30)),
         f"{CDN}square.jpg": picture((1500, 1500), (30, 30, 200), "JPEG")}


def cdn(url: str):
    """The media fetcher: a few files on a CDN the emulator can reach; other URLs left to the default rule."""
    if url in FILES:
        return 200, "image/jpeg" if url.endswith(".jpg") else "image/png", FILES[url]
    return None


async def publish(emulator: SpApiEmulator, changes: dict) -> dict:
    http = httpx.AsyncClient(mounts={"all://spapi.sandbox.invalid": SandboxTransport(emulator)}, trust_env=False)
    client = SpApiClient(CREDS, base_url=SPAPI_SANDBOX_URL, lwa_url=f"{SPAPI_SANDBOX_URL}/auth/o2/token", http=http)
    try:
        sent = await client.patch_listings_item(SANDBOX_SELLER_ID, SKU, US, product_type="DRINKING_CUP",
                                                patches=image_patches(US, changes))
        assert sent.status == "ACCEPTED", sent.issues
        emulator.advance(emulator.get_config()["processing_seconds"])
        item = await client.get_listings_item(SANDBOX_SELLER_ID, SKU, US)
        return {"slots": item.slots(US), "main": item.summary(US).get("mainImage")}
    finally:
        await client.aclose()


def served(emulator: SpApiEmulator, url: str) -> tuple[int, str, bytes]:
    path = url[len(emulator.base_url):]
    answer = emulator.handle("GET", path, {}, {}, b"")
    return answer.status, answer.headers.get("Content-Type", ""), answer.body


def test_accepted_images_are_served_from_the_emulators_own_copies():
    emulator = SpApiEmulator(config={"processing_seconds": 1.0}, media_fetcher=cdn)
    before = emulator.listing(SANDBOX_SELLER_ID, SKU, US)["attributes"]["other_product_image_locator_2"]
    out = asyncio.run(publish(emulator, {"MAIN": f"{CDN}square.jpg", "PT01": f"{CDN}wide.png",
                                         "PT03": f"{CDN}same-bytes-other-url.png",
                                         "PT04": "https://images.example.org/not-fetched.jpg"}))
    slots = out["slots"]
    own = f"{SPAPI_SANDBOX_URL}/spapi-media/amzn-"
    assert slots["MAIN"].startswith(own) and slots["MAIN"].endswith(".jpg")
    assert slots["PT01"].startswith(own) and slots["PT01"].endswith(".png")
    assert slots["PT03"] == slots["PT01"]  # content-addressed: the same bytes, one copy
    assert slots["PT04"] == "https://images.example.org/not-fetched.jpg"  # the internet is not fetched: kept
    assert served(emulator, slots["PT01"]) == (200, "image/png", FILES[f"{CDN}wide.png"])
    assert served(emulator, slots["MAIN"])[2] == FILES[f"{CDN}square.jpg"]
    assert out["main"] == {"link": slots["MAIN"], "width": 1500, "height": 1500}
    assert emulator.listing(SANDBOX_SELLER_ID, SKU, US)["attributes"]["other_product_image_locator_2"] == before
    assert served(emulator, f"{own}{'0' * 32}.png")[0] == 404


def test_an_own_copy_submitted_again_keeps_its_url_and_copies_outlive_a_restart(tmp_path):
    store = tmp_path / "spapi.sqlite"
    first = SpApiEmulator(store, config={"processing_seconds": 1.0}, media_fetcher=cdn)
    copy_url = asyncio.run(publish(first, {"PT05": f"{CDN}wide.png"}))["slots"]["PT05"]
    again = SpApiEmulator(store, config={"processing_seconds": 1.0}, media_fetcher=cdn)
    assert served(again, copy_url)[2] == FILES[f"{CDN}wide.png"]
    assert asyncio.run(publish(again, {"PT06": copy_url}))["slots"]["PT06"] == copy_url  # e.g. an undo
    assert list((tmp_path / "spapi-media").iterdir()) == [(tmp_path / "spapi-media" / copy_url.rsplit("/", 1)[1])]
