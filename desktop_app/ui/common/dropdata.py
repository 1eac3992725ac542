"""What a drop or a paste carries: image URLs, local files, raw image bytes (after Picard's
cover-art drop handling: text/uri-list, plain-text URLs, a browser's <img>, search-engine
wrappers, Qt image data)."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, unquote, urlsplit

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, QUrl
from PySide6.QtGui import QImage

_WRAPPER_PARAMS = ("imgurl", "mediaurl", "url", "u")  # Google imgres, Bing, generic redirectors
_DATA_URL_RE = re.compile(r"^data:image/[a-z0-9.+-]+;base64,(.+)$", re.I | re.S)


@dataclass
class DropContent:
    urls: list[str] = field(default_factory=list)       # http(s) URLs, in drop order, no duplicates
    files: list[str] = field(default_factory=list)      # local file paths
    data: list[bytes] = field(default_factory=list)     # raw image bytes (Qt image data, data: URLs)
    rejected: list[str] = field(default_factory=list)   # things that are none of the above

    @property
    def empty(self) -> bool:
        return not (self.urls or self.files or self.data)


class _ImgSources(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag.lower() == "img":
            for name, value in attrs:
                if name.lower() == "src" and value:
                    self.sources.append(value.strip())


def img_sources(html: str) -> list[str]:
    parser = _ImgSources()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # malformed markup: whatever was found so far
        pass
    return parser.sources


def unwrap(url: str) -> str:
    """The image URL inside a search engine's wrapper (…/imgres?imgurl=…), else ``url``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    query = parse_qs(parts.query)
    for name in _WRAPPER_PARAMS:
        for value in query.get(name, []):
            inner = unquote(value) if "%3A" in value.upper() else value
            if inner.lower().startswith(("http://", "https://")):
                return inner
    return url


def is_web_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in text)


class _Collector:
    def __init__(self) -> None:
        self.content = DropContent()
        self._seen: set[str] = set()

    def add(self, text: str) -> None:
        text = text.strip().strip("<>\"'")
        if not text or text.startswith("#"):
            return
        match = _DATA_URL_RE.match(text)
        if match:
            try:
                self.content.data.append(base64.b64decode(match.group(1), validate=False))
            except ValueError:
                self.content.rejected.append(text[:40] + "…")
            return
        if text.lower().startswith("file:"):
            self.add_file(QUrl(text).toLocalFile())
            return
        url = unwrap(text)
        if is_web_url(url):
            if url not in self._seen:
                self._seen.add(url)
                self.content.urls.append(url)
        else:
            self.content.rejected.append(text if len(text) <= 60 else text[:57] + "…")


    def add_file(self, path: str) -> None:
        if path and path not in self._seen:
            self._seen.add(path)
            self.content.files.append(path)


def image_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def parse_mime(mime: QMimeData) -> DropContent:
    """Everything usable in ``mime``. An <img> dragged from a browser wins over the link around it."""
    collect = _Collector()
    sources = img_sources(mime.html()) if mime.hasHtml() else []
    if sources:
        for src in sources:
            collect.add(src)
    elif mime.hasUrls():
        for qurl in mime.urls():
            if qurl.isLocalFile():
                collect.add_file(qurl.toLocalFile())
            else:
                collect.add(bytes(qurl.toEncoded().data()).decode("ascii", "replace"))
    elif mime.hasText():
        for token in mime.text().split():
            collect.add(token)
    if collect.content.empty and mime.hasImage():
        image = mime.imageData()
        if isinstance(image, QImage) and not image.isNull():
            collect.content.data.append(image_bytes(image))
    return collect.content


def can_accept(mime: QMimeData) -> bool:
    """Cheap test for dragEnter: could this drop hold something we understand?"""
    return mime.hasUrls() or mime.hasText() or mime.hasHtml() or mime.hasImage()
