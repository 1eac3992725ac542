"""File checks remembered per file version (path, size, mtime): computed once, again after a change."""

from __future__ import annotations

import os

from desktop_app.core.images.filefacts import FileFacts


def test_a_check_runs_once_per_version_of_the_file(tmp_path):
    facts, runs = FileFacts(), []
    path = tmp_path / "a.png"
    path.write_bytes(b"one")

    def count(p):
        runs.append(p)
        return len(runs)

    assert facts.checked(path, count, "rules") == 1
    assert facts.checked(path, count, "rules") == 1      # remembered
    assert facts.checked(path, count, "other") == 2      # another question about the same file
    path.write_bytes(b"changed")
    os.utime(path, ns=(1, 1))
    assert facts.checked(path, count, "rules") == 3      # a new version is checked again
    assert facts.present(path) and not facts.present(tmp_path / "gone.png") and not facts.present(None)
    assert facts.checked(tmp_path / "gone.png", count) is None and len(runs) == 3


def test_the_memory_is_bounded(tmp_path):
    facts = FileFacts(limit=2)
    files = [tmp_path / f"{i}.png" for i in range(3)]
    for f in files:
        f.write_bytes(b"x")
        facts.checked(f, lambda p: p)
    runs = []
    facts.checked(files[0], lambda p: runs.append(p))
    assert runs == [str(files[0])]  # the oldest was forgotten
