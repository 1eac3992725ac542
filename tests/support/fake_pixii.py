"""A small loopback Pixii whose answers and image host a test shapes at will (hostile answers, redirects,
large images). One submission makes job ``job_ok1``; ``ads`` are the image paths (or absolute URLs) it
returns; ``routes`` maps a path to a handler that writes the whole answer."""

from __future__ import annotations

import json
import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

JOB_ID = "job_ok1"
CREATED = "2026-01-01T00:00:00Z"


class FakePixii:
    def __init__(self) -> None:
        self.ads: list[str] = []
        self.routes: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {}
        self.submit_answer: Callable[[BaseHTTPRequestHandler], None] | None = None
        self.posts = 0
        self.hits: list[str] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                fake._dispatch(self)

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                fake._dispatch(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "FakePixii":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _dispatch(self, h: BaseHTTPRequestHandler) -> None:
        path = urlsplit(h.path).path
        with self.lock:
            self.hits.append(path)
        if path in self.routes:
            return self.routes[path](h)
        if h.command == "POST" and path == "/v1/api/listing_builder":
            with self.lock:
                self.posts += 1
            if self.submit_answer is not None:
                return self.submit_answer(h)
            return send_json(h, 200, {"job_id": JOB_ID, "status": "pending", "created_at": CREATED})
        if path == f"/v1/api/jobs/{JOB_ID}":
            ads = [{"preview_url": a if "://" in a else self.url + a, "error": None} for a in self.ads]
            return send_json(h, 200, {"id": JOB_ID, "job_type": "Listing Builder", "status": "completed",
                                      "created_at": CREATED, "output": {"ads": ads}})
        if path == "/v1/api/jobs":
            jobs = [{"id": JOB_ID, "job_type": "Listing Builder", "status": "completed",
                     "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}] if self.posts else []
            return send_json(h, 200, {"data": jobs, "total": len(jobs), "page": 1, "limit": 100})
        send(h, 404, b"not found", "text/plain")


def send(h: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str = "application/json",
         headers: dict[str, str] | None = None) -> None:
    h.send_response(status)
    h.send_header("Content-Type", content_type)
    h.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        h.send_header(name, value)
    h.end_headers()
    h.wfile.write(body)


def send_json(h: BaseHTTPRequestHandler, status: int, obj) -> None:
    send(h, status, json.dumps(obj).encode())


def redirect(to: str) -> Callable[[BaseHTTPRequestHandler], None]:
    return lambda h: send(h, 302, b"", "text/plain", {"Location": to})


def image_file(path: Path) -> Callable[[BaseHTTPRequestHandler], None]:
    """Serves ``path`` from disk in chunks (the server never holds it whole)."""
    def handler(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "image/png")
        h.send_header("Content-Length", str(path.stat().st_size))
        h.end_headers()
        with open(path, "rb") as fh:
            shutil.copyfileobj(fh, h.wfile, 1 << 20)
    return handler


def image_bytes(data: bytes) -> Callable[[BaseHTTPRequestHandler], None]:
    return lambda h: send(h, 200, data, "image/png")
