"""Logging to a rotating file in the data dir, with API keys, tokens and AWS key ids redacted from every record."""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
from pathlib import Path

_SECRET_RE = re.compile(r"(pk_(?:live|test)_)[A-Za-z0-9_\-]+|(Bearer\s+)[^\s'\"]+|(Atzr\|)[^\s'\"]+"
                        r"|\b(AKIA|ASIA)[A-Z0-9]{16}\b")


def redact_text(text: str) -> str:
    return _SECRET_RE.sub(lambda m: (m.group(1) or m.group(2) or m.group(3) or m.group(4)) + "…", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_text(record.getMessage())
        record.args = ()
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact_text(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def log_dir() -> Path:
    from desktop_app.config import default_data_dir
    return Path(os.environ.get("LISTING_STUDIO_DATA_DIR") or default_data_dir()) / "logs"


def setup_logging(level: int = logging.INFO) -> Path:
    """File logging (rotating, redacted). Returns the log file path."""
    path = log_dir() / "listing-studio.log"
    root = logging.getLogger()
    if any(getattr(h, "_listing_studio", False) for h in root.handlers):
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3,
                                                                         encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    handler._listing_studio = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return path
