"""Reading images without memory growing with their size.

Pillow reads every PNG ancillary chunk it meets whole into memory (and keeps unknown ones), so a PNG padded with a
60 MB private chunk would cost 120 MB to open. The view below shows Pillow the file without ancillary chunks larger
than :data:`BULKY_CHUNK`: nothing needed to decode or judge the pixels is ever left out (critical chunks such as
IHDR, PLTE, IDAT are always kept, and ancillary ones are optional by the PNG rules). The file itself is untouched.
Decoded pixels are handed back to the system once freed (:func:`release_large_blocks`).
"""

from __future__ import annotations

import ctypes
import io
import os
import struct
import sys
from typing import BinaryIO

BULKY_CHUNK = 1 << 20
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_M_MMAP_THRESHOLD = -3  # mallopt parameter (glibc malloc.h)


def open_image_file(path: str | os.PathLike[str]) -> BinaryIO:
    """The file opened for reading: a PNG as a view without its bulky ancillary chunks, anything else as is."""
    fh = open(path, "rb")
    try:
        if fh.read(8) != PNG_SIGNATURE:
            fh.seek(0)
            return fh
        ranges = _png_ranges(fh, os.fstat(fh.fileno()).st_size)
    except BaseException:
        fh.close()
        raise
    return _RangeView(fh, ranges) if len(ranges) > 1 else _rewound(fh)


def _rewound(fh: BinaryIO) -> BinaryIO:
    fh.seek(0)
    return fh


def _png_ranges(fh: BinaryIO, size: int) -> list[tuple[int, int]]:
    """The (start, end) byte ranges to show: everything but ancillary chunks over BULKY_CHUNK bytes."""
    ranges: list[tuple[int, int]] = []
    start, pos = 0, 8
    while pos + 12 <= size:
        fh.seek(pos)
        length, kind = struct.unpack(">I4s", fh.read(8))
        end = pos + 12 + length
        if end > size:  # truncated: Pillow judges the rest as it is
            break
        if length > BULKY_CHUNK and kind[:1].islower():
            if pos > start:
                ranges.append((start, pos))
            start = end
        pos = end
        if kind == b"IEND":
            break
    if size > start:
        ranges.append((start, size))
    return ranges


class _RangeView(io.RawIOBase):
    """A read-only, seekable file made of byte ranges of another file."""

    def __init__(self, fh: BinaryIO, ranges: list[tuple[int, int]]) -> None:
        super().__init__()
        self._fh, self._ranges = fh, ranges
        self._size = sum(end - start for start, end in ranges)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer) -> int:
        view = memoryview(buffer).cast("B")
        done, skipped = 0, 0
        for start, end in self._ranges:
            length = end - start
            if self._pos < skipped + length and done < len(view):
                offset = self._pos - skipped
                want = min(length - offset, len(view) - done)
                self._fh.seek(start + offset)
                got = self._fh.readinto(view[done:done + want])  # type: ignore[attr-defined]
                if not got:
                    break
                done += got
                self._pos += got
                if got < want:
                    break
            skipped += length
        return done

    def read(self, size: int = -1) -> bytes:
        size = self._size - self._pos if size is None or size < 0 else size
        buffer = bytearray(max(0, min(size, self._size - self._pos)))
        return bytes(buffer[:self.readinto(buffer)])

    def close(self) -> None:
        self._fh.close()
        super().close()


def release_large_blocks() -> None:
    """Have the C allocator hand blocks of 1 MB and more (decoded pixels) back to the system when they are freed.
    By default glibc starts keeping such blocks for reuse once one has been freed, so every worker thread that
    decoded an image would keep its high-water mark and memory would grow with image size. Elsewhere: nothing to do."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, 1 << 20)
    except (OSError, AttributeError):  # not glibc
        pass
