"""Reading a service's answer without trusting it: the body is streamed with a size cap (never more than
:data:`MAX_ANSWER_BYTES` in memory), JSON nested beyond reason is refused, and text meant for people is made
printable (no escape sequence, carriage return or other control character can rewrite a terminal or forge a line).
"""

from __future__ import annotations

import json
import re

TYPE_CHECKING = False  # as typing's, without loading typing (the cached export starts faster)
if TYPE_CHECKING:
    from typing import Any

    import httpx

MAX_ANSWER_BYTES = 10 * 1024 * 1024
MAX_JSON_DEPTH = 64
_DROPPED_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})
# C0 and C1 controls (ESC, CR, LF, BEL, CSI …), DEL, and the Unicode line/paragraph separators and bidi controls
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class AnswerTooLarge(Exception):
    """The body is larger than allowed (the rest was never read)."""


class UnreadableJson(Exception):
    """The body is not JSON, or JSON nested deeper than :data:`MAX_JSON_DEPTH`."""


async def send_capped(http: httpx.AsyncClient, method: str, url: httpx.URL | str, *,
                      max_bytes: int = MAX_ANSWER_BYTES, **options: Any) -> httpx.Response:
    """Send one request (redirects never followed) and read its answer, at most ``max_bytes`` of it: a longer
    one raises :class:`AnswerTooLarge` as soon as the cap is passed. The returned response holds the body."""
    import httpx  # here, not above: printable() serves commands that never touch the network
    request = http.build_request(method, url, **options)
    response = await http.send(request, stream=True, follow_redirects=False)
    try:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise AnswerTooLarge(f"an answer of {int(declared)} bytes")
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise AnswerTooLarge(f"an answer of more than {max_bytes} bytes")
            chunks.append(chunk)
    finally:
        await response.aclose()
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _DROPPED_HEADERS]
    return httpx.Response(response.status_code, headers=headers, content=b"".join(chunks), request=request)


def loads(content: bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """JSON from an answer body; :class:`UnreadableJson` when it is not JSON or is nested deeper than
    ``max_depth``."""
    try:
        value = json.loads(content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise UnreadableJson("not JSON, or JSON nested beyond reason") from None
    if _depth_exceeds(value, max_depth):
        raise UnreadableJson("JSON nested beyond reason")
    return value


def _depth_exceeds(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def printable(text: object) -> str:
    """``text`` from a service with every control character replaced by U+FFFD, safe to print or show."""
    return _CONTROL.sub("\ufffd", str(text))
