"""The SP-API emulator's image host and its media fetch (sp-api-listings.md §10, "Media fetch").

``GET /spapi-media/<name>``: a name in the :class:`MediaLibrary` (``amzn-<sha256>.<ext>``) answers the bytes
Amazon "re-hosted"; any other ``<name>.jpg|.png`` a generated product shot (the seed listings' images); ``<name>.webp`` the same
shot as WebP (an image in a format Amazon refuses when it fetches it); ``<name>.html`` an HTML page (a "not an
image" URL for tests).

Like Amazon, the emulator fetches every ``media_location`` of a PUT or PATCH (:func:`fetch_media`), rejects what
is not an image it accepts, and, once a submission is processed, serves its own copy: the listing's attributes
then show emulator-hosted URLs and ``summaries[].mainImage`` the copy's real size. Copies are content-addressed,
so submitting the same bytes again (e.g. an undo) yields the same URL.
"""

from __future__ import annotations

import hashlib
import io
import pathlib
import threading
from typing import Callable
from urllib.parse import parse_qsl, urlsplit

import httpx
from PIL import Image, ImageDraw

from desktop_app.api.urls import is_loopback_host

MAX_SIDE = 10_000
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "TIFF": "tif"}
COPY_PREFIX = "amzn-"
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif", "tif": "image/tiff"}

# A media fetcher answers (status, content type, body) for a URL, or None to leave the URL to the default rule.
MediaFetcher = Callable[[str], "tuple[int, str, bytes] | None"]


class MediaLibrary:
    """Content-addressed copies of accepted images: files in ``directory``, or in memory without one."""

    def __init__(self, directory: pathlib.Path | None = None) -> None:
        self.directory = directory
        self._memory: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def add(self, body: bytes) -> str | None:
        """Keep a copy of an image; its name, or None when ``body`` is not an accepted image."""
        try:
            with Image.open(io.BytesIO(body)) as im:
                ext = IMAGE_FORMATS.get(im.format or "")
        except Exception:
            return None
        if ext is None:
            return None
        name = f"{COPY_PREFIX}{hashlib.sha256(body).hexdigest()[:32]}.{ext}"
        with self._lock:
            if self.directory is None:
                self._memory[name] = body
            else:
                path = self.directory / name
                if not path.exists():
                    self.directory.mkdir(parents=True, exist_ok=True)
                    tmp = path.with_suffix(".part")
                    tmp.write_bytes(body)
                    tmp.replace(path)
        return name

    def get(self, name: str) -> bytes | None:
        if not name.startswith(COPY_PREFIX) or "/" in name or "\\" in name:
            return None
        if self.directory is None:
            return self._memory.get(name)
        try:
            return (self.directory / name).read_bytes()
        except OSError:
            return None

    def size(self, name: str) -> tuple[int, int] | None:
        body = self.get(name)
        if body is None:
            return None
        with Image.open(io.BytesIO(body)) as im:
            return im.size


def render_media(name: str, library: MediaLibrary | None = None) -> tuple[int, str, bytes]:
    """The emulator's image host: a kept copy, a generated picture for .jpg/.png names, an HTML page for .html."""
    stem, _, ext = name.rpartition(".")
    if not stem or "/" in name:
        return 404, "text/plain", b"not found"
    if name.startswith(COPY_PREFIX):
        body = library.get(name) if library is not None else None
        return (200, CONTENT_TYPES.get(ext, "application/octet-stream"), body) if body is not None \
            else (404, "text/plain", b"not found")
    if ext == "html":
        return 200, "text/html; charset=utf-8", b"<!DOCTYPE html><html><body><h1>Not an image</h1></body></html>"
    if ext not in ("jpg", "jpeg", "png", "webp"):
        return 404, "text/plain", b"not found"
    digest = hashlib.sha256(stem.encode()).digest()
    image = Image.new("RGB", (1000, 1000), (255, 255, 255))
    ImageDraw.Draw(image).rounded_rectangle((200, 150, 800, 850), radius=60, fill=tuple(digest[:3]))
    out = io.BytesIO()
    fmt = {"png": "PNG", "webp": "WEBP"}.get(ext, "JPEG")
    image.save(out, fmt, quality=85)
    return 200, f"image/{fmt.lower()}", out.getvalue()


def image_problem(status: int, content_type: str, body: bytes) -> str | None:
    if status != 200:
        return f"the server answered HTTP {status}"
    if not content_type.lower().startswith("image/"):
        return f"the content type is {content_type or 'missing'}, not an image"
    try:
        with Image.open(io.BytesIO(body)) as im:
            fmt, size, frames = im.format, im.size, getattr(im, "n_frames", 1)
            im.verify()
    except Exception:
        return "the content is not a readable image"
    if fmt not in IMAGE_FORMATS:
        return f"the format {fmt} is not accepted (JPEG, PNG, GIF, TIFF)"
    if max(size) > MAX_SIDE:
        return f"the image is {size[0]}x{size[1]} px, above {MAX_SIDE} px"
    if fmt == "GIF" and frames > 1:
        return "animated GIFs are not accepted"
    return None


def scheme_problem(url: object) -> str | None:
    if not isinstance(url, str) or not url.strip():
        return "media_location is missing"
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "media_location is not a URL"
    if not parts.hostname or parts.scheme not in ("http", "https"):
        return "media_location must be an https URL"
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        return "media_location must use https"
    return None


def own_name(url: str, base_url: str) -> str | None:
    """The image-host name of one of the emulator's own URLs, else None."""
    own = f"{base_url.rstrip('/')}/spapi-media/"
    return url[len(own):].split("?", 1)[0] if url.startswith(own) else None


def fetch_media(url: str, base_url: str, fetcher: MediaFetcher | None, timeout: float,
                library: MediaLibrary | None = None) -> tuple[str | None, bytes | None]:
    """(why ``url`` cannot serve as an image or None, the image bytes when fetched). A URL on the internet is
    not fetched: (None, None)."""
    name = own_name(url, base_url)
    if name is not None:
        answer: tuple[int, str, bytes] | None = render_media(name, library)
    else:
        answer = fetcher(url) if fetcher is not None else None
    if answer is None:
        host = urlsplit(url).hostname or ""
        if host.endswith(".invalid"):
            return "the host cannot be resolved", None
        if not is_loopback_host(host):
            return None, None  # a public host: the emulator does not fetch the internet
        try:
            with httpx.Client(trust_env=False, timeout=timeout, follow_redirects=True, max_redirects=5) as http:
                response = http.get(url)
        except httpx.HTTPError:
            return "the server could not be reached", None
        answer = (response.status_code, response.headers.get("content-type", ""), response.content)
    problem = image_problem(*answer)
    return problem, (answer[2] if problem is None else None)


def emulator_fetcher(emulator: object) -> MediaFetcher:
    """A media fetcher that answers URLs under another in-process emulator's ``base_url`` (e.g. the Pixii
    sandbox's signed image links at https://sandbox.invalid/files/…) by calling its ``handle`` directly; a padded
    answer (a big image) comes with its padding, as it would over the wire."""

    def fetch(url: str) -> tuple[int, str, bytes] | None:
        base = emulator.base_url.rstrip("/")  # type: ignore[attr-defined]
        if not url.startswith(base + "/"):
            return None
        parts = urlsplit(url)
        answer = emulator.handle("GET", parts.path, dict(parse_qsl(parts.query)), {}, b"")  # type: ignore
        return answer.status, answer.headers.get("Content-Type", ""), b"".join(answer.parts())
    return fetch
