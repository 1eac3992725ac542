"""Content-addressed store of verified images: root/<sha[:2]>/<sha256>.<ext>.

Images arrive streamed into a hidden ".part" temp file in the cache (never whole in memory), are verified there,
and are then moved to their place (fsync, os.replace), so a reader never sees a partial image and a crash leaves
at most a hidden ".part" file, never a wrong one under a real name.
"""

from __future__ import annotations

import os
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

from desktop_app.core.images.check import ImageInfo
from desktop_app.core.fsutil import fsync_dir

_SHA_RE = re.compile(r"[0-9a-f]{64}")
ALLOWED_EXTS = frozenset({"png", "jpg", "webp", "gif"})


@dataclass(frozen=True)
class CachedImage:
    sha256: str
    path: Path
    ext: str
    size: int


def _check_key(sha256: str, ext: str) -> None:
    if not _SHA_RE.fullmatch(sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    if ext not in ALLOWED_EXTS:
        raise ValueError(f"unsupported image extension: {ext!r}")


class ImageCache:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def path_for(self, sha256: str, ext: str) -> Path:
        _check_key(sha256, ext)
        return self.root / sha256[:2] / f"{sha256}.{ext}"

    def get(self, sha256: str, ext: str) -> Path | None:
        """The cached file for this digest and extension, if present and non-empty."""
        try:
            path = self.path_for(sha256, ext)
        except ValueError:
            return None
        try:
            return path if path.is_file() and path.stat().st_size > 0 else None
        except OSError:
            return None

    @contextmanager
    def incoming(self) -> Iterator[tuple[Path, BinaryIO]]:
        """A hidden temp file in the cache to stream a download into (removed unless :meth:`adopt` took it)."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".incoming-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                yield Path(tmp_name), fh
        finally:
            try:
                os.unlink(tmp_name)
            except FileNotFoundError:
                pass

    def adopt(self, tmp: Path, sha256: str, info: ImageInfo) -> CachedImage:
        """Move the complete, verified temp file ``tmp`` (whose digest is ``sha256``) to its place. Idempotent."""
        path = self.path_for(sha256, info.ext)
        size = tmp.stat().st_size
        if size == 0:
            raise ValueError("refusing to cache an empty image")
        try:
            if path.is_file() and path.stat().st_size == size:
                tmp.unlink()
                return CachedImage(sha256=sha256, path=path, ext=info.ext, size=size)
        except OSError:
            pass
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
        return CachedImage(sha256=sha256, path=path, ext=info.ext, size=size)
