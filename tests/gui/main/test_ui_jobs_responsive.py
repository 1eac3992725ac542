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


def test_a_repaint_of_the_job_table_asks_the_model_once_per_cell_never_role_by_role(qtbot, tmp_path):
    """Each call into Python from a paint may first wait for the interpreter lock while a worker runs: a visible
    cell costs one (its delegate's), not the stock delegate's seven ``data()`` roles nor a ``flags()``."""
    from desktop_app.ui.main.job_panel import JobPanel

    journal = Journal(tmp_path / "j.sqlite")
    for n in range(30):
        intent = journal.add_intent("svc", ListingRequest(f"B0PAINT{n:03d}", "US", "amazon_listing"))
        journal.accept(intent, f"job_{n}", "completed" if n % 2 else "pending", f"2026-01-01T00:{n:02d}:00Z",
                       owner=None)
    with ThreadPoolExecutor(1) as worker:  # as the window's store worker does
        found = worker.submit(jobs_model.load_rows, journal, "svc", {}).result()
    journal.close()
    calls: list[str] = []

    class Counting(jobs_model.JobsModel):
        def data(self, index, role=0):
            calls.append(f"data {role}")
            return super().data(index, role)

        def cell_text(self, row, column):
            calls.append("cell")
            return super().cell_text(row, column)

        def status_paint(self, row):
            calls.append("cell")
            return super().status_paint(row)

    model = Counting()
    model.set_rows(found)
    panel = JobPanel(model)
    qtbot.addWidget(panel)
    panel.resize(900, 400)
    panel.show()
    qtbot.waitExposed(panel)
    calls.clear()
    panel.table.viewport().grab()   # a paint of the visible rows
    painted = calls.count("cell")
    assert painted >= 5 * 3, "the table painted its visible cells"
    assert [c for c in calls if c != "cell"] == []
    assert "flags" not in vars(jobs_model.JobsModel), "Qt's own flags() answers without a call into Python"
