"""A real loopback HTTP server around a :class:`PixiiEmulator` (stdlib http.server, daemon threads).

``serve(emulator, host, port) -> SandboxServer`` binds at once (port 0 picks a free port) and points the
emulator's ``base_url`` at the server, so image links lead back to it. Faults: ``"reset"`` closes the socket
with SO_LINGER 0 (the client sees a connection reset), ``"timeout"`` hangs without answering (bounded, and cut
short by ``stop()``), ``delay`` sleeps before answering. No per-request log lines are printed.
``run_forever(port)`` is the CLI entry point. With ``spapi`` (a :class:`~.spapi.SpApiEmulator`) the same server
also answers the SP-API paths (``/auth/o2/token``, ``/listings/2021-08-01/…``, ``/spapi-media/…``,
``/_sandbox/spapi/…``); every other path goes to the Pixii emulator.
"""

from __future__ import annotations

import logging
import pathlib
import signal
import socket
import struct
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from desktop_app.sandbox.pixii.emulator import PixiiEmulator, internal_error
from desktop_app.sandbox.amazon.emulator import SpApiEmulator
from desktop_app.sandbox.amazon.emulator import owns as spapi_owns

log = logging.getLogger(__name__)

MAX_HANG_SECONDS = 30.0
MAX_BODY_BYTES = 10 * 1024 * 1024


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms delayed-ACK stall
    server_version = "PixiiSandbox/1.0"
    sys_version = ""
    server: "_HTTPServer"

    def log_message(self, format: str, *args: object) -> None:  # quiet: no per-request lines, no headers
        pass

    def _dispatch(self) -> None:
        length = self.headers.get("Content-Length", "0")
        size = int(length) if length.isdigit() else 0
        if size > MAX_BODY_BYTES:
            self.send_error(413)
            return
        body = self.rfile.read(size) if size else b""
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        headers = {k: v for k, v in self.headers.items()}
        spapi = self.server.spapi
        target = spapi if spapi is not None and spapi_owns(parts.path) else self.server.emulator
        try:
            response = target.handle(self.command, parts.path, query, headers, body)
        except Exception:  # a sandbox bug: answer like a server would instead of dropping the connection
            log.exception("sandbox request %s %s failed", self.command, parts.path)
            response = internal_error()
        stopping = self.server.stopping
        if response.fault == "reset":
            self._reset()
            return
        if response.fault == "timeout":
            stopping.wait(min(max(response.delay, 0.0), MAX_HANG_SECONDS) or MAX_HANG_SECONDS)
            self._reset()
            return
        if response.delay > 0 and stopping.wait(response.delay):
            self._reset()
            return
        self.log_request(response.status)
        self.send_response_only(response.status)
        self.send_header("Server", self.version_string())
        if not any(name.lower() == "date" for name in response.headers):
            self.send_header("Date", self.date_time_string())
        for name, value in response.headers.items():
            if name.lower() not in ("content-length", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(response.length))
        self.end_headers()
        if self.command != "HEAD":
            for part in response.parts():
                self.wfile.write(part)

    def _reset(self) -> None:
        """Drop the connection without an answer: SO_LINGER 0 then close sends an RST."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], emulator: PixiiEmulator, spapi: "SpApiEmulator | None" = None) -> None:
        self.emulator = emulator
        self.spapi = spapi
        self.stopping = threading.Event()
        super().__init__(address, _Handler)

    def handle_error(self, request, client_address) -> None:  # quiet: dropped connections are expected
        pass


class SandboxServer:
    def __init__(self, emulator: PixiiEmulator, host: str = "127.0.0.1", port: int = 0,
                 spapi: "SpApiEmulator | None" = None) -> None:
        self.emulator = emulator
        self.spapi = spapi
        self._httpd = _HTTPServer((host, port), emulator, spapi)
        bound_host, bound_port = self._httpd.server_address[:2]
        shown = f"[{bound_host}]" if ":" in str(bound_host) else bound_host
        self.url = f"http://{shown}:{bound_port}"
        self.port = bound_port
        emulator.base_url = self.url
        if spapi is not None:
            spapi.base_url = self.url
        self._thread: threading.Thread | None = None
        self._serving = False
        self._closed = False

    def start(self) -> "SandboxServer":
        """Serve in a background daemon thread."""
        self._serving = True  # before the thread runs, so that an early stop() still shuts it down
        self._thread = threading.Thread(target=self.serve_forever, name="pixii-sandbox", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._serving = True
        try:
            self._httpd.serve_forever(poll_interval=0.2)
        finally:
            self._serving = False

    def stop(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._httpd.stopping.set()
        self.emulator.release_stalls()
        if self._serving:
            self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> "SandboxServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(emulator: PixiiEmulator, host: str = "127.0.0.1", port: int = 0,
          spapi: "SpApiEmulator | None" = None) -> SandboxServer:
    return SandboxServer(emulator, host, port, spapi)


def run_forever(port: int, host: str = "127.0.0.1", store_path: pathlib.Path | None = None) -> int:
    """Serve until Ctrl+C or SIGTERM; prints one line with the URL. Returns the exit status (0)."""
    server = serve(PixiiEmulator(store_path=store_path), host, port, spapi=SpApiEmulator())
    print(f"Sandbox listening on {server.url}", flush=True)
    previous = None
    if threading.current_thread() is threading.main_thread():
        def _terminate(signum, frame):
            raise KeyboardInterrupt
        previous = signal.signal(signal.SIGTERM, _terminate)
    server.start()
    try:
        while server.running:
            threading.Event().wait(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        sys.stdout.flush()
    return 0
