"""The sandbox's image host: signed, expiring links to generated product shots.

``GET /files/{job_id}/{index}.{jpg|png}?expires=<epoch>&signature=<hex HMAC-SHA256 of "path?expires=E">``.
A missing or wrong signature, or a link past ``expires``, answers 403 with an XML body like a storage
host; an unknown object (job gone, failed or absent ad, wrong extension) answers 404 NoSuchKey. No
Authorization header is needed (or looked at).
"""

from __future__ import annotations

import hmac
import re
import struct
import zlib
from typing import Any
from xml.sax.saxutils import escape

from desktop_app.sandbox.pixii import jobs as J
from desktop_app.sandbox.pixii.images import image_kind, render_image
from desktop_app.sandbox.responses import EmuResponse

HUGE_BYTES = 50 * 1024 * 1024
FILE_RE = re.compile(r"/files/([A-Za-z0-9_-]{1,64})/(\d{1,4})\.(jpg|png)")
HTML_BODY = (b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><h1>Please sign in</h1>"
             b"<p>This content is only available to signed-in users.</p></body></html>\n")


def xml_error(status: int, code: str, message: str, resource: str) -> EmuResponse:
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{escape(message)}</Message>'
            f"<Resource>{escape(resource)}</Resource><RequestId>SANDBOX</RequestId></Error>\n").encode()
    return EmuResponse(status, {"Content-Type": "application/xml"}, body)


class FileMixin:
    def _file_request(self, state: dict[str, Any], cfg: dict[str, Any], now: float, method: str, path: str,
                      query: dict[str, str]) -> EmuResponse | tuple[str, str, int, bool]:
        """An error response, or the arguments of the image to render (outside the state lock)."""
        if method != "GET":
            response = xml_error(405, "MethodNotAllowed", "The specified method is not allowed", path)
            response.headers["Allow"] = "GET"
            return response
        match = FILE_RE.fullmatch(path)
        if not match:
            return xml_error(404, "NoSuchKey", "The specified key does not exist.", path)
        expires, signature = query.get("expires", ""), query.get("signature", "")
        if not expires.isdigit() or not signature:
            return xml_error(403, "AccessDenied", "Query-string authentication requires the signature and "
                             "expires parameters", path)
        if not hmac.compare_digest(signature.lower(), J.sign(state["secret"], path, int(expires))):
            return xml_error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match "
                             "the signature you provided.", path)
        if now > int(expires):
            return xml_error(403, "AccessDenied", "Request has expired", path)
        job_id, index, ext = match.group(1), int(match.group(2)), match.group(3)
        job = state["jobs"].get(job_id)
        if (job is None or J.status(job, now) != "completed" or index >= job["n_ads"]
                or index in J.failed_ads(job) or image_kind(index)[0] != ext):
            return xml_error(404, "NoSuchKey", "The specified key does not exist.", path)
        return job["asin"], job["listing_type"], index, job["mode"] == "test"

    @staticmethod
    def _render(asin: str, listing_type: str, index: int, test_key: bool, image_bytes: int = 0) -> EmuResponse:
        content_type = image_kind(index)[1]
        headers = {"Content-Type": content_type, "Cache-Control": "private, max-age=3600"}
        scenario = asin.upper()
        if index == 1 and scenario.startswith(J.IMAGE_HTML_PREFIX):
            return EmuResponse(200, headers, HTML_BODY)
        if index == 1 and scenario.startswith(J.IMAGE_BOMB_PREFIX):
            return EmuResponse(200, headers, bomb_png())
        data = render_image(asin, listing_type, index, test_key)
        if index == 1 and scenario.startswith(J.IMAGE_TRUNC_PREFIX):
            data = data[: len(data) // 2]
        if index == 1 and scenario.startswith(J.IMAGE_HUGE_PREFIX):
            data = padded_png(data, HUGE_BYTES)
        if image_bytes > len(data):
            return padded_response(headers, data, index, image_bytes)
        return EmuResponse(200, headers, data)


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def padded_png(png: bytes, size: int) -> bytes:
    """``png`` grown to ``size`` bytes by an ancillary chunk right after IHDR: still a valid image."""
    head = 8 + 25  # signature + IHDR chunk
    pad = max(0, size - len(png) - 12)
    return png[:head] + _chunk(b"lARg", bytes(pad)) + png[head:]


def padded_response(headers: dict[str, str], data: bytes, index: int, size: int) -> EmuResponse:
    """The image grown to ``size`` bytes and still valid, the zero padding produced only as it is sent: zeros after
    a JPEG's end marker (decoders stop there), or inside an ancillary chunk right after a PNG's IHDR."""
    if index == 0:
        return EmuResponse(200, headers, data, pad=size - len(data), pad_at=len(data))
    head = 8 + 25  # signature + IHDR chunk
    pad = max(0, size - len(data) - 12)
    crc, zeros, left = zlib.crc32(b"lARg"), bytes(1024 * 1024), pad
    while left:
        crc = zlib.crc32(zeros[:min(left, len(zeros))], crc)
        left -= min(left, len(zeros))
    body = data[:head] + struct.pack(">I", pad) + b"lARg" + struct.pack(">I", crc) + data[head:]
    return EmuResponse(200, headers, body, pad=pad, pad_at=head + 8)


def bomb_png(width: int = 30000, height: int = 30000) -> bytes:
    """A few hundred bytes whose header claims ``width`` x ``height`` RGB pixels (a decompression bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = b"\x00" + bytes(3 * width)
    idat = zlib.compress(row * 4, 9)  # only the first rows: nothing must ever decode this far
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
