"""A long job list never holds the GUI thread: the table's columns and rows have fixed sizes (never measured
over every row), the store worker reads the whole list without setting off a full cyclic collection, the GUI
thread gets the interpreter lock back within a millisecond while the worker runs Python, and start-up
objects are kept out of the collector once per process (not once per window)."""

from __future__ import annotations

import gc
import os
import sys
from concurrent.futures import ThreadPoolExecutor

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtWidgets import QHeaderView  # noqa: E402

from desktop_app.api.pixii.models import ListingRequest  # noqa: E402
from desktop_app.store.journal import Journal  # noqa: E402
from desktop_app.ui.main import jobs_model  # noqa: E402
from desktop_app.ui.common.responsive import GIL_SLICE, collector_paused, freeze_startup_objects  # noqa: E402


def test_the_table_never_sizes_its_columns_or_rows_to_their_contents(studio):
    table = studio.window.job_table
    for header in (table.horizontalHeader(), table.verticalHeader()):
        modes = {header.sectionResizeMode(i) for i in range(header.count())}
        assert QHeaderView.ResizeMode.ResizeToContents not in modes
    assert table.verticalHeader().defaultSectionSize() == 28


def test_the_whole_list_is_read_with_the_collector_paused_and_resumed_after(qtbot, tmp_path, monkeypatch):
    journal = Journal(tmp_path / "j.sqlite")
    for n in range(3):
        intent = journal.add_intent("svc", ListingRequest(f"B0PAUSE00{n}", "US", "amazon_listing"))
        journal.accept(intent, f"job_{n}", "pending", f"2026-01-0{n + 1}T00:00:00Z", owner=None)
    collecting = []
    real = jobs_model.make_row

    def make_row(*args, **kwargs):
        collecting.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(jobs_model, "make_row", make_row)
    assert gc.isenabled()
    with ThreadPoolExecutor(1) as worker:  # as the window's store worker does
        found = worker.submit(jobs_model.load_rows, journal, "svc", {}).result()
    journal.close()
    assert len(found.shown) == 3 and collecting == [False, False, False]
    assert gc.isenabled()


def test_a_failed_read_resumes_the_collector():
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("the journal went away")
    assert gc.isenabled()


def test_the_window_takes_the_interpreter_lock_back_within_a_millisecond(studio_factory):
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.005)   # Python's own default
    try:
        studio_factory()
        assert sys.getswitchinterval() <= GIL_SLICE
    finally:
        sys.setswitchinterval(before)


def test_start_up_objects_are_frozen_once_per_process_not_once_per_window(studio_factory):
    studio_factory()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    later = [[n] for n in range(1000)]   # objects made after start-up stay with the collector
    studio_factory()
    freeze_startup_objects()
    assert gc.get_freeze_count() == frozen and later
