"""How the SP-API emulator answers, shared by its parts (the emulator, its control API, its definitions): a JSON
reply, Amazon's ``{"errors": [...]}`` list, secrets kept hashed, and which injected faults each phase consumes."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from desktop_app.sandbox.responses import EmuResponse

PRE_FAULTS = frozenset({"500", "503", "429", "reset", "timeout", "expired"})
PROCESSING_FAULTS = ("invalid_image", "stuck", "other_contribution")  # consumed by a real (not preview) submission only
READ_FAULTS = ("listing_issue",)                  # consumed by a read of a listing only


def hashed(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def errors(status: int, code: str, message: str, details: str = "", headers: dict | None = None) -> EmuResponse:
    return reply(status, {"errors": [{"code": code, "message": message, "details": details}]}, headers)


def reply(status: int, payload: Any, headers: dict | None = None) -> EmuResponse:
    return EmuResponse(status, {"Content-Type": "application/json", "x-amzn-RequestId": str(uuid.uuid4()),
                                **(headers or {})}, json.dumps(payload).encode())
