"""Export cached images into a user folder under marketplace-friendly names. Export naming (the presets and each
file's name) is decided here and nowhere else; a batch row only chooses its folder (core/batch/export.py).

Guarantees (see design/cli-contract.md, "Export"): the exact bytes are copied (no re-encoding); an existing file
is never replaced unless asked (EXPORT_EXISTS, left untouched) but one that already holds the same bytes counts as
exported; nothing is written outside the folder; every file appears atomically (hidden temp file + link/rename) and
no temp file is left behind, even on a full disk or an interrupt. Files are not flushed to the disk one by one: a
crash of the app never leaves a partial file under its final name, and after a power cut the next export of the job
compares every file with the cached (durable) copy: one whose bytes differ is reported (EXPORT_EXISTS) or replaced. Files that carry this export's names but were
neither written nor confirmed by it are *stale* (:func:`stale_files`): reported, never deleted here.
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from desktop_app.core.housekeeping import check_not_stopped, discard_temp, new_temp

NAMING_PRESETS = ("amazon", "index")
EXPORT_EXISTS = "EXPORT_EXISTS"
EXPORT_FAILED = "EXPORT_FAILED"

_ASIN_RE = re.compile(r"[A-Za-z0-9]{10}")
_EXTS = frozenset({"png", "jpg", "webp", "gif"})
_INDEX_TYPES = frozenset({"shopify_listing", "tiktok_listing"})


def default_naming(listing_type: str) -> str:
    """'index' for shopify_listing and tiktok_listing, 'amazon' for amazon_* (and anything else)."""
    return "index" if listing_type in _INDEX_TYPES else "amazon"


def export_stem(asin: str, index: int, naming: str) -> str:
    """The file name without extension for the image at 0-based service `index`."""
    if naming not in NAMING_PRESETS:
        raise ValueError(f"unknown naming preset {naming!r} (expected one of {', '.join(NAMING_PRESETS)})")
    if not isinstance(asin, str) or not _ASIN_RE.fullmatch(asin):
        raise ValueError(f"invalid ASIN {asin!r}: expected 10 letters or digits")
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise ValueError(f"invalid image index {index!r}")
    if naming == "amazon":
        return f"{asin}.MAIN" if index == 0 else f"{asin}.PT{index:02d}"
    return f"{asin}_{index + 1:02d}"


class ExportDirError(Exception):
    """The export folder cannot be used; the message says why."""


def check_export_dir(path: str | os.PathLike[str]) -> Path:
    """Resolve, create if missing, and prove writable the export folder. Returns the absolute path."""
    try:
        resolved = Path(path).expanduser().resolve()
    except (OSError, RuntimeError) as exc:
        raise ExportDirError(f"export folder {path}: cannot resolve the path ({exc})") from None
    if resolved.exists() and not resolved.is_dir():
        raise ExportDirError(f"export folder {resolved} is a file, not a folder")
    try:
        resolved.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ExportDirError(f"export folder {resolved}: a file is in the way of the path") from None
    except OSError as exc:
        raise ExportDirError(f"export folder {resolved} cannot be created: {_reason(exc)}") from None
    try:
        fd, probe = tempfile.mkstemp(dir=resolved, prefix=".listing-studio-probe-", suffix=".part")
    except OSError as exc:
        raise ExportDirError(f"export folder {resolved} is not writable: {_reason(exc)}") from None
    os.close(fd)
    try:
        os.unlink(probe)
    except OSError as exc:
        raise ExportDirError(f"export folder {resolved}: cannot delete files in it: {_reason(exc)}") from None
    return resolved


@dataclass
class ExportItem:
    index: int  # 0-based service index
    source: Path  # the verified (cached) file
    ext: str  # from the real format: png | jpg | webp | gif


@dataclass
class ExportResult:
    index: int
    path: Path | None  # the exported file, None when not exported
    error_code: str | None  # None, EXPORT_EXISTS or EXPORT_FAILED
    message: str | None


def _reason(exc: OSError) -> str:
    if exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _target(dest: Path, name: str) -> Path:
    """dest/name, proven to be a direct child of dest (dest is already resolved: with a name of one component and
    no separator, dest/name is inside it). A symlink at the name is never followed: link() fails on it, replace()
    swaps the link itself, and the pre-check is an lstat (see :func:`_existing_names`)."""
    if not name or name in (".", "..") or name.startswith(".") or Path(name).name != name or "\\" in name:
        raise ValueError(f"unsafe export file name {name!r}")
    final = dest / name
    if final.parent != dest:
        raise ValueError(f"export file {name!r} would be outside {dest}")
    return final


def _place(tmp: str, final: Path, overwrite: bool) -> None:
    """Give the complete temp file its final name. Raises FileExistsError instead of replacing (overwrite=False)."""
    if overwrite:
        os.replace(tmp, final)
        return
    try:
        os.link(tmp, final)  # atomic and never replaces an existing entry
    except FileExistsError:
        raise
    except OSError:
        # hard links unsupported here (FAT/exFAT, some network shares): check, then rename
        if os.path.lexists(final):
            raise FileExistsError(errno.EEXIST, "File exists", str(final)) from None
        os.replace(tmp, final)


_FILE_MODE = 0o666  # less the umask: exports are ordinary files (the cache's temp files stay private)
_CHUNK = 1024 * 1024


def same_bytes(a: Path, b: Path) -> bool:
    """True when both are regular files (never a symlink) holding exactly the same bytes."""
    try:
        if a.is_symlink() or b.is_symlink() or not a.is_file() or not b.is_file():
            return False
        if a.stat().st_size != b.stat().st_size:
            return False
        with open(a, "rb") as fa, open(b, "rb") as fb:
            while True:
                check_not_stopped()
                chunk = fa.read(_CHUNK)
                if chunk != fb.read(_CHUNK):
                    return False
                if not chunk:
                    return True
    except OSError:
        return False


_KERNEL_CHUNK = 16 * 1024 * 1024
_NO_KERNEL_COPY = frozenset({errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF, errno.EPERM})


def _copy(src, out) -> None:
    """Copy src to out (both open binary files at their start) in chunks, stopping at once after an interrupt.
    The kernel copies (copy_file_range: no bytes through Python) where it can; else chunks pass through here."""
    copy_range = getattr(os, "copy_file_range", None)
    if copy_range is not None:
        out.flush()
        src_fd, out_fd = src.fileno(), out.fileno()
        try:
            while True:
                check_not_stopped()
                if not copy_range(src_fd, out_fd, _KERNEL_CHUNK):
                    return
        except OSError as exc:
            if exc.errno not in _NO_KERNEL_COPY or os.lseek(out_fd, 0, os.SEEK_CUR):
                raise  # a real write error (a full disk…), or part of the file was already copied
    while chunk := src.read(_CHUNK):
        check_not_stopped()
        view = memoryview(chunk)
        while view:  # unbuffered: a write may take part of the chunk
            view = view[out.write(view):]


def _existing(item: ExportItem, final: Path, dest: Path) -> ExportResult:
    if same_bytes(final, item.source):  # exported before (an earlier or interrupted run): confirmed
        return ExportResult(item.index, final, None, None)
    return ExportResult(item.index, None, EXPORT_EXISTS, f"{final.name} already exists in {dest}; left untouched")


def _export_one(item: ExportItem, final: Path, dest: Path, overwrite: bool, existing: set[str]) -> ExportResult:
    """One file; ``existing``: the names in dest when the export began (a name that appeared since is caught by
    link(), which never replaces). Unbuffered files: the bytes go from file to file in the kernel, and each file
    costs as few system calls (each a moment the GIL is let go and taken back) as the guarantees allow."""
    name = final.name
    if not overwrite and name in existing:
        return _existing(item, final, dest)
    tmp: str | None = None
    try:
        with open(item.source, "rb", buffering=0) as src:
            fd, tmp = new_temp(dest, name, _FILE_MODE)
            with os.fdopen(fd, "wb", buffering=0) as out:
                _copy(src, out)  # no fsync: the cache is the durable copy; a re-export compares each file with it
        _place(tmp, final, overwrite)
    except FileExistsError:
        return _existing(item, final, dest)
    except OSError as exc:
        return ExportResult(item.index, None, EXPORT_FAILED, f"could not write {name}: {_reason(exc)}")
    finally:
        if tmp is not None:
            discard_temp(tmp)  # never masks the real outcome
    return ExportResult(item.index, final, None, None)


def export_images(
    items: list[ExportItem],
    asin: str,
    dest: str | os.PathLike[str],
    naming: str,
    *,
    overwrite: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> list[ExportResult]:
    """Copy each item's exact bytes to dest/<export_stem>.<ext>; one result per item, in item order.

    Invalid arguments (preset, ASIN, index, extension) raise ValueError before anything is written; a missing
    destination folder raises ExportDirError. Per-file problems are results: EXPORT_EXISTS or EXPORT_FAILED.
    """
    dest_path = Path(dest).resolve()
    targets: list[Path] = []
    for item in items:  # validate everything first: all or nothing for bad input
        if item.ext not in _EXTS:
            raise ValueError(f"unsupported image extension {item.ext!r}")
        targets.append(_target(dest_path, f"{export_stem(asin, item.index, naming)}.{item.ext}"))
    if len(set(targets)) != len(targets):
        raise ValueError("two images would be exported under the same name")
    if not dest_path.is_dir():
        raise ExportDirError(f"export folder {dest_path} does not exist or is not a folder")

    existing = set() if overwrite else _existing_names(dest_path)
    results: list[ExportResult] = []
    total = len(items)
    for done, (item, final) in enumerate(zip(items, targets), start=1):
        results.append(_export_one(item, final, dest_path, overwrite, existing))
        if progress is not None:
            progress(done, total)
    return results


def _existing_names(dest: Path) -> set[str]:
    """Every name in dest (symlinks and folders too), read once for the whole export instead of one lstat per
    file. A folder that cannot be listed: each file's link() still refuses to replace."""
    try:
        with os.scandir(dest) as entries:
            return {e.name for e in entries}
    except OSError:
        return set()


def _name_pattern(asin: str, naming: str) -> re.Pattern[str]:
    if naming == "amazon":
        return re.compile(rf"{re.escape(asin)}\.(MAIN|PT\d{{2,}}|SWCH)\.[^.]+")
    return re.compile(rf"{re.escape(asin)}_\d{{2,}}\.[^.]+")


def stale_files(dest: str | os.PathLike[str], asin: str, naming: str, confirmed: set[Path]) -> list[Path]:
    """Files in ``dest`` named as this export names them (ASIN.MAIN.*, ASIN.PTnn.*, ASIN.SWCH.* for amazon;
    ASIN_nn.* for index) that are not in ``confirmed`` (written or confirmed by this export), sorted.
    Never raises: a folder that cannot be listed has none."""
    pattern = _name_pattern(asin, naming)
    keep = {Path(p).name for p in confirmed}
    try:
        entries = list(os.scandir(dest))
    except OSError:
        return []
    return sorted(Path(dest) / e.name for e in entries
                  if pattern.fullmatch(e.name) and e.name not in keep and not e.is_dir(follow_symlinks=False))
