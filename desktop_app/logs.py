"""Logging to a rotating file in the data dir, with API keys, tokens and AWS key ids redacted from every record."""

from __future__ import annotations

import logging
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


class RotatingOnFirstRecord(logging.Handler):
    """The rotating log file (1 MB, 3 kept), opened by the first record: a command that logs nothing never loads
    ``logging.handlers``. Records pass through the filters and formatter set on this handler."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._file: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self._file is None:
            try:
                import logging.handlers
                self._file = logging.handlers.RotatingFileHandler(self.path, maxBytes=1_000_000, backupCount=3,
                                                                  encoding="utf-8")
            except OSError:
                self._file = logging.NullHandler()
            self._file.setFormatter(self.formatter)
        self._file.emit(record)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        super().close()


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
        with open(path, "a", encoding="utf-8"):  # there from the start, written from the first record
            pass
        handler: logging.Handler = RotatingOnFirstRecord(path)
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
