"""Which cached images are still on disk, for the whole job list at once: a folder holding many of them is
listed once; a few files are looked at one by one; a folder that cannot be read counts as holding none."""

from __future__ import annotations

import os

from desktop_app.store import job_overview
from desktop_app.store.job_overview import LISTING_FROM, files_present


def test_a_crowded_folder_is_listed_once_and_gives_exactly_the_files_there(tmp_path, monkeypatch):
    crowded = tmp_path / "ab"
    crowded.mkdir()
    wanted = [crowded / f"{n:04d}.png" for n in range(LISTING_FROM + 4)]
    for path in wanted[::2]:
        path.write_bytes(b"x")
    (crowded / "sub.png").mkdir()                     # a folder by that name is not a file
    few = tmp_path / "few"
    few.mkdir()
    (few / "a.jpg").write_bytes(b"x")
    stats = []
    real_isfile = os.path.isfile
    monkeypatch.setattr(job_overview.os.path, "isfile", lambda p: stats.append(p) or real_isfile(p))
    paths = [str(p) for p in wanted] + [str(crowded / "sub.png"), str(few / "a.jpg"), str(few / "gone.jpg")]
    assert files_present(paths) == {str(p) for p in wanted[::2]} | {str(few / "a.jpg")}
    assert sorted(stats) == sorted([str(few / "a.jpg"), str(few / "gone.jpg")])   # none in the crowded folder


def test_an_unreadable_or_missing_folder_holds_none(tmp_path):
    gone = tmp_path / "gone"
    assert files_present([str(gone / f"{n}.png") for n in range(LISTING_FROM + 1)]) == set()
