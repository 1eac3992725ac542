import errno
import io
import os
from pathlib import Path

import pytest
from PIL import Image

from desktop_app.core.images import export as export_mod
from desktop_app.core.images.export import (
    NAMING_PRESETS,
    ExportDirError,
    ExportItem,
    ExportResult,
    check_export_dir,
    default_naming,
    export_images,
    export_stem,
)

ASIN = "B0ABCDEF12"


def image_bytes(fmt: str, colour=(200, 30, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), colour).save(buf, format=fmt)
    return buf.getvalue()


@pytest.fixture
def sources(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    items = []
    for i, (fmt, ext) in enumerate([("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp"), ("GIF", "gif")]):
        p = src / f"cached{i}.bin"  # the cache file name's extension does not matter
        p.write_bytes(image_bytes(fmt, (i * 40, 10, 10)))
        items.append(ExportItem(index=i, source=p, ext=ext))
    return items


def all_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_amazon_naming():
    assert NAMING_PRESETS == ("amazon", "index")
    assert export_stem(ASIN, 0, "amazon") == f"{ASIN}.MAIN"
    assert export_stem(ASIN, 1, "amazon") == f"{ASIN}.PT01"
    assert export_stem(ASIN, 8, "amazon") == f"{ASIN}.PT08"
    assert export_stem(ASIN, 9, "amazon") == f"{ASIN}.PT09"
    assert export_stem(ASIN, 10, "amazon") == f"{ASIN}.PT10"


def test_index_naming():
    assert export_stem(ASIN, 0, "index") == f"{ASIN}_01"
    assert export_stem(ASIN, 8, "index") == f"{ASIN}_09"
    assert export_stem(ASIN, 9, "index") == f"{ASIN}_10"


def test_default_naming():
    assert default_naming("amazon_listing") == "amazon"
    assert default_naming("amazon_aplus") == "amazon"
    assert default_naming("shopify_listing") == "index"
    assert default_naming("tiktok_listing") == "index"


@pytest.mark.parametrize("asin", ["../../etc", "B0X/../../a", "B0ABCDEF1", "B0ABCDEF123", "B0ABCDEF1/", "", "B0ABC.EF12"])
def test_bad_asin_refused(asin, tmp_path, sources):
    with pytest.raises(ValueError):
        export_stem(asin, 0, "amazon")
    dest = tmp_path / "out" / "deep"
    dest.mkdir(parents=True)
    before = all_files(tmp_path)
    with pytest.raises(ValueError):
        export_images(sources, asin, dest, "amazon")
    assert all_files(tmp_path) == before  # nothing written anywhere


def test_bad_preset_and_index():
    with pytest.raises(ValueError):
        export_stem(ASIN, 0, "ebay")
    with pytest.raises(ValueError):
        export_stem(ASIN, -1, "index")


def test_export_copies_exact_bytes(tmp_path, sources):
    dest = check_export_dir(tmp_path / "out")
    calls = []
    results = export_images(sources, ASIN, dest, "amazon", progress=lambda d, n: calls.append((d, n)))
    names = [f"{ASIN}.MAIN.png", f"{ASIN}.PT01.jpg", f"{ASIN}.PT02.webp", f"{ASIN}.PT03.gif"]
    assert [r.index for r in results] == [0, 1, 2, 3]
    for r, item, name in zip(results, sources, names):
        assert r == ExportResult(item.index, dest / name, None, None)
        assert r.path.is_absolute()
        assert r.path.read_bytes() == item.source.read_bytes()
    assert all_files(dest) == sorted(names)  # nothing else, no ".part" left
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_failed_slot_is_not_renumbered(tmp_path, sources):
    dest = check_export_dir(tmp_path / "out")
    items = [sources[0], ExportItem(index=2, source=sources[2].source, ext="webp")]
    export_images(items, ASIN, dest, "index")
    assert all_files(dest) == [f"{ASIN}_01.png", f"{ASIN}_03.webp"]


def test_existing_file_is_untouched(tmp_path, sources):
    dest = check_export_dir(tmp_path / "out")
    existing = dest / f"{ASIN}.PT01.jpg"
    existing.write_bytes(b"user's own file")
    results = export_images(sources, ASIN, dest, "amazon")
    assert results[1].error_code == "EXPORT_EXISTS"
    assert results[1].path is None
    assert f"{ASIN}.PT01.jpg" in results[1].message
    assert existing.read_bytes() == b"user's own file"
    assert [r.error_code for r in results] == [None, "EXPORT_EXISTS", None, None]
    assert not [p for p in dest.iterdir() if p.name.endswith(".part")]


def test_exists_race_via_link(tmp_path, sources, monkeypatch):
    """The file appears between the pre-check and the link: still EXPORT_EXISTS, still untouched."""
    dest = check_export_dir(tmp_path / "out")
    target = dest / f"{ASIN}.MAIN.png"
    real_link = os.link

    def racing_link(src, dst):
        Path(dst).write_bytes(b"appeared meanwhile")
        return real_link(src, dst)

    monkeypatch.setattr(export_mod.os, "link", racing_link)
    results = export_images(sources[:1], ASIN, dest, "amazon")
    assert results[0].error_code == "EXPORT_EXISTS"
    assert target.read_bytes() == b"appeared meanwhile"
    assert all_files(dest) == [target.name]


def test_no_hardlink_fallback(tmp_path, sources, monkeypatch):
    dest = check_export_dir(tmp_path / "out")
    (dest / f"{ASIN}.PT01.jpg").write_bytes(b"keep")

    def no_link(src, dst):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(export_mod.os, "link", no_link)
    results = export_images(sources[:2], ASIN, dest, "amazon")
    assert [r.error_code for r in results] == [None, "EXPORT_EXISTS"]
    assert results[0].path.read_bytes() == sources[0].source.read_bytes()
    assert (dest / f"{ASIN}.PT01.jpg").read_bytes() == b"keep"
    assert all_files(dest) == sorted([f"{ASIN}.MAIN.png", f"{ASIN}.PT01.jpg"])


def test_overwrite_replaces(tmp_path, sources):
    dest = check_export_dir(tmp_path / "out")
    (dest / f"{ASIN}_01.png").write_bytes(b"old")
    results = export_images(sources[:1], ASIN, dest, "index", overwrite=True)
    assert results[0].error_code is None
    assert (dest / f"{ASIN}_01.png").read_bytes() == sources[0].source.read_bytes()
    assert all_files(dest) == [f"{ASIN}_01.png"]


def test_disk_full_leaves_nothing(tmp_path, sources, monkeypatch):
    dest = check_export_dir(tmp_path / "out")

    def no_space(*_args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export_mod.os, "copy_file_range", no_space)
    calls = []
    results = export_images(sources, ASIN, dest, "amazon", progress=lambda d, n: calls.append((d, n)))
    assert [r.error_code for r in results] == ["EXPORT_FAILED"] * 4
    assert all("No space left on device" in r.message for r in results)
    assert all(r.path is None for r in results)
    assert all_files(dest) == []  # no partial final file, no temp file
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_without_a_kernel_copy_the_bytes_pass_through_the_app(tmp_path, sources, monkeypatch):
    dest = check_export_dir(tmp_path / "out")

    def unsupported(*_args):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(export_mod.os, "copy_file_range", unsupported)
    results = export_images(sources, ASIN, dest, "amazon")
    assert [r.error_code for r in results] == [None] * 4
    assert [r.path.read_bytes() for r in results] == [s.source.read_bytes() for s in sources]
    assert len(all_files(dest)) == 4


def test_write_error_midway_leaves_nothing(tmp_path, sources, monkeypatch):
    dest = check_export_dir(tmp_path / "out")

    def failing_copy(src, dst):
        dst.write(src.read(5))  # part of the data reached the temp file
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export_mod, "_copy", failing_copy)
    results = export_images(sources[:2], ASIN, dest, "index")
    assert [r.error_code for r in results] == ["EXPORT_FAILED", "EXPORT_FAILED"]
    assert all_files(dest) == []


def test_missing_source_is_export_failed(tmp_path, sources):
    dest = check_export_dir(tmp_path / "out")
    items = [ExportItem(0, tmp_path / "gone.png", "png"), sources[1]]
    results = export_images(items, ASIN, dest, "amazon")
    assert results[0].error_code == "EXPORT_FAILED"
    assert results[1].error_code is None
    assert all_files(dest) == [f"{ASIN}.PT01.jpg"]


def test_bad_extension_refused(tmp_path, sources):
    dest = check_export_dir(tmp_path / "out")
    with pytest.raises(ValueError):
        export_images([ExportItem(0, sources[0].source, "png/../../x")], ASIN, dest, "amazon")
    assert all_files(dest) == []


def test_symlink_at_target_is_not_followed(tmp_path, sources):
    dest = check_export_dir(tmp_path / "out")
    outside = tmp_path / "outside.png"
    outside.write_bytes(b"outside")
    (dest / f"{ASIN}.MAIN.png").symlink_to(outside)
    results = export_images(sources[:1], ASIN, dest, "amazon")
    assert results[0].error_code == "EXPORT_EXISTS"
    assert outside.read_bytes() == b"outside"


def test_check_export_dir_creates_and_resolves(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    got = check_export_dir(Path("a") / "b" / ".." / "c")
    assert got == (tmp_path / "a" / "c").resolve()
    assert got.is_dir() and got.is_absolute()
    assert list(got.iterdir()) == []  # the probe file is gone


def test_check_export_dir_refuses_file(tmp_path):
    f = tmp_path / "file.txt"
    f.write_text("x")
    with pytest.raises(ExportDirError, match="is a file"):
        check_export_dir(f)
    with pytest.raises(ExportDirError):
        check_export_dir(f / "sub")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores permissions")
def test_check_export_dir_read_only(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(ExportDirError, match="not writable"):
            check_export_dir(ro)
        with pytest.raises(ExportDirError, match="cannot be created"):
            check_export_dir(ro / "sub")
    finally:
        ro.chmod(0o755)


def test_read_only_dir_probe_failure_is_reported(tmp_path, monkeypatch):
    """Also covers the not-writable path when running as root, by simulating EACCES."""

    def denied(*a, **k):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(export_mod.tempfile, "mkstemp", denied)
    with pytest.raises(ExportDirError, match="not writable: Permission denied"):
        check_export_dir(tmp_path)


def test_export_into_missing_dir_raises(tmp_path, sources):
    with pytest.raises(ExportDirError):
        export_images(sources, ASIN, tmp_path / "nope", "amazon")
    assert not (tmp_path / "nope").exists()


def test_a_name_that_appears_after_the_folder_was_listed_is_not_replaced(tmp_path, sources, monkeypatch):
    """The folder is listed once per export; a file that appears after that is still never replaced."""
    dest = check_export_dir(tmp_path / "out")
    target = dest / f"{ASIN}.MAIN.png"
    target.write_bytes(b"appeared after the listing")
    monkeypatch.setattr(export_mod, "_existing_names", lambda _dest: set())
    results = export_images(sources[:1], ASIN, dest, "amazon")
    assert results[0].error_code == "EXPORT_EXISTS" and target.read_bytes() == b"appeared after the listing"
    assert all_files(dest) == [target.name]


def test_one_listing_per_export_instead_of_a_look_up_per_file(tmp_path, sources, monkeypatch):
    dest = check_export_dir(tmp_path / "out")
    (dest / f"{ASIN}.PT01.jpg").write_bytes(b"keep")
    listed, looked_up = [], []
    real_list, real_lexists, real_resolve = export_mod._existing_names, os.path.lexists, Path.resolve
    monkeypatch.setattr(export_mod, "_existing_names", lambda d: listed.append(d) or real_list(d))
    monkeypatch.setattr(export_mod.os.path, "lexists", lambda p: looked_up.append(p) or real_lexists(p))
    monkeypatch.setattr(Path, "resolve", lambda p, *a, **k: looked_up.append(p) or real_resolve(p, *a, **k))
    results = export_images(sources, ASIN, dest, "amazon")
    assert [r.error_code for r in results] == [None, "EXPORT_EXISTS", None, None]
    assert listed == [dest] and looked_up == [dest]  # the folder resolved once; no per-file lstat or resolve


def test_exported_files_are_ordinary_and_temp_files_keep_their_sweepable_names(tmp_path, sources):
    from desktop_app.core import housekeeping
    dest = check_export_dir(tmp_path / "out")
    mask = os.umask(0o022)
    os.umask(mask)
    results = export_images(sources[:1], ASIN, dest, "amazon")
    assert results[0].path.stat().st_mode & 0o777 == 0o666 & ~mask
    fd, tmp = housekeeping.new_temp(dest, "x.png")
    try:
        assert os.stat(tmp).st_mode & 0o777 == 0o600  # private unless asked
        assert os.path.isabs(tmp) and housekeeping._OURS.search(os.path.basename(tmp))
    finally:
        os.close(fd)
        housekeeping.discard_temp(tmp)
