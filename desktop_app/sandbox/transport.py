"""httpx transports that answer from an in-process :class:`PixiiEmulator` (no sockets).

``SandboxTransport`` (async) runs ``emulator.handle`` in a worker thread, so an event loop (the GUI's)
never blocks on image generation or SQLite. Faults: ``"reset"`` raises ``httpx.ReadError``,
``"timeout"`` raises ``httpx.ReadTimeout`` at once; ``delay`` is slept before answering.
``SyncSandboxTransport`` is the same for ``httpx.Client``. Both also serve the SP-API emulator
(:class:`~.spapi.SpApiEmulator`, which asks for raw, still percent-encoded paths with ``raw_paths = True``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from urllib.parse import parse_qsl

import httpx

from desktop_app.sandbox.pixii.emulator import EmuResponse, PixiiEmulator, internal_error

log = logging.getLogger(__name__)


def _split(request: httpx.Request) -> tuple[str, str, dict[str, str], dict[str, str]]:
    query = dict(parse_qsl(request.url.query.decode("ascii", "replace"), keep_blank_values=True))
    return request.method, request.url.path, query, dict(request.headers)


def _split_raw(request: httpx.Request) -> tuple[str, str, dict[str, str], dict[str, str]]:
    """Like :func:`_split` but with the path still percent-encoded (an SP-API SKU may hold ``%2F``)."""
    method, _, query, headers = _split(request)
    return method, request.url.raw_path.split(b"?", 1)[0].decode("ascii", "replace"), query, headers


def _parts(emulator, request: httpx.Request):
    return (_split_raw if getattr(emulator, "raw_paths", False) else _split)(request)


def _handle(emulator: PixiiEmulator, *args) -> EmuResponse:
    try:
        return emulator.handle(*args)
    except Exception:  # a sandbox bug: answer like a server would
        log.exception("sandbox request %s %s failed", args[0], args[1])
        return internal_error()


def _finish(request: httpx.Request, response: EmuResponse) -> httpx.Response:
    if response.fault == "reset":
        raise httpx.ReadError("Connection reset by peer", request=request)
    if response.fault == "timeout":
        raise httpx.ReadTimeout("timed out", request=request)
    if response.pad:
        headers = {**response.headers, "Content-Length": str(response.length)}
        return httpx.Response(response.status, headers=headers, stream=_Parts(response), request=request)
    return httpx.Response(response.status, headers=response.headers, content=response.body, request=request)


class _Parts(httpx.AsyncByteStream, httpx.SyncByteStream):
    """A padded body streamed piece by piece (see EmuResponse.parts)."""

    def __init__(self, response: EmuResponse) -> None:
        self.response = response

    def __iter__(self):
        return self.response.parts()

    async def __aiter__(self):
        for part in self.response.parts():
            yield part


class SandboxTransport(httpx.AsyncBaseTransport):
    def __init__(self, emulator: PixiiEmulator) -> None:
        self.emulator = emulator

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        method, path, query, headers = _parts(self.emulator, request)
        response = await asyncio.to_thread(_handle, self.emulator, method, path, query, headers, body)
        if response.delay > 0 and response.fault is None:
            await asyncio.sleep(response.delay)
        return _finish(request, response)


class SyncSandboxTransport(httpx.BaseTransport):
    def __init__(self, emulator: PixiiEmulator) -> None:
        self.emulator = emulator

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        method, path, query, headers = _parts(self.emulator, request)
        response = _handle(self.emulator, method, path, query, headers, body)
        if response.delay > 0 and response.fault is None:
            time.sleep(response.delay)
        return _finish(request, response)
