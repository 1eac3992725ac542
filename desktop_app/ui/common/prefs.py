"""The window's preferences in a QSettings INI file under the config dir (XDG_CONFIG_HOME on Linux):
geometry, last marketplace and listing type, export folder and naming, the Live/Sandbox choice, the Amazon
seller id and the image host's S3 bucket and region.

Never a secret: keys live in the OS keyring (see :mod:`desktop_app.secrets`); a value that looks
like an API key or a token is refused here, so a slip can't write one to disk.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from desktop_app.config import default_config_dir

log = logging.getLogger(__name__)

FILE_NAME = "ui.ini"
_SECRET_RE = re.compile(r"pk_(?:live|test)_|Bearer\s|Atzr\||\b(?:AKIA|ASIA)[A-Z0-9]{16}", re.IGNORECASE)


class Preferences:
    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_config_dir() / FILE_NAME
        self.qs = QSettings(str(self.path), QSettings.Format.IniFormat)

    # --- plumbing -----------------------------------------------------------------------------------

    def _get(self, key: str, default: str = "") -> str:
        value = self.qs.value(key, default)
        return value if isinstance(value, str) else default

    def _set(self, key: str, value: str, *, now: bool = True) -> None:
        """``now=False``: written by QSettings' own deferred sync (from the event loop, soon), together with
        whatever else changed meanwhile, instead of one flush of the file to disk per value."""
        if _SECRET_RE.search(value):
            log.warning("Not storing the preference %s: the value looks like a secret", key)
            return
        if self._get(key, None) != value:  # type: ignore[arg-type]
            self.qs.setValue(key, value)
            if now:
                self.qs.sync()

    def _get_bytes(self, key: str) -> QByteArray | None:
        value = self.qs.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def sync(self) -> None:
        self.qs.sync()

    # --- values ---------------------------------------------------------------------------------------

    def mode(self) -> str:
        """"live", "sandbox" or "" (never chosen)."""
        value = self._get("mode")
        return value if value in ("live", "sandbox") else ""

    def set_mode(self, live: bool) -> None:
        self._set("mode", "live" if live else "sandbox")

    def marketplace(self) -> str:
        return self._get("form/marketplace")

    def listing_type(self) -> str:
        return self._get("form/listing_type")

    def set_form(self, marketplace: str | None, listing_type: str | None) -> None:
        if marketplace:
            self._set("form/marketplace", marketplace)
        if listing_type:
            self._set("form/listing_type", listing_type)

    def export_folder(self) -> str:
        return self._get("export/folder")

    def set_export_folder(self, folder: str) -> None:
        self._set("export/folder", folder)

    def naming(self, listing_type: str) -> str:
        return self._get(f"export/naming_{listing_type or 'default'}")

    def set_naming(self, listing_type: str, naming: str) -> None:
        self._set(f"export/naming_{listing_type or 'default'}", naming)

    def remember_export(self, folder: str, listing_type: str, naming: str) -> None:
        """The last export's folder and naming (for its listing type), written by one deferred sync."""
        self._set("export/folder", folder, now=False)
        self._set(f"export/naming_{listing_type or 'default'}", naming, now=False)

    def seller_id(self) -> str:
        """The Amazon seller (merchant) id: not a secret."""
        return self._get("amazon/seller_id")

    def s3_bucket(self) -> str:
        return self._get("amazon/s3_bucket")

    def s3_region(self) -> str:
        return self._get("amazon/s3_region")

    def set_seller_id(self, seller_id: str) -> None:
        """An empty value removes the setting."""
        self._set_or_remove("amazon/seller_id", seller_id)

    def set_hosting(self, s3_bucket: str | None, s3_region: str | None) -> None:
        """The image host's bucket and region (not secrets): empty values remove them, None leaves them."""
        for key, value in (("amazon/s3_bucket", s3_bucket), ("amazon/s3_region", s3_region)):
            if value is not None:
                self._set_or_remove(key, value)

    def _set_or_remove(self, key: str, value: str) -> None:
        value = value.strip()
        if value:
            self._set(key, value)
        elif self.qs.contains(key):
            self.qs.remove(key)
            self.qs.sync()

    def window_geometry(self) -> QByteArray | None:
        return self._get_bytes("window/geometry")

    def window_state(self) -> QByteArray | None:
        return self._get_bytes("window/state")

    def splitter_state(self) -> QByteArray | None:
        return self._get_bytes("window/splitter")

    def set_window(self, geometry: QByteArray, state: QByteArray, splitter: QByteArray) -> None:
        self.qs.setValue("window/geometry", geometry)
        self.qs.setValue("window/state", state)
        self.qs.setValue("window/splitter", splitter)
        self.qs.sync()
