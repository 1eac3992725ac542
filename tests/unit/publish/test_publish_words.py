"""How a seller names a publish: dates told apart only where they collide, slots counted from 1, the listing by SKU
and country, never the journal's row number."""

from __future__ import annotations

import time

from desktop_app.api.amazon.marketplaces import MARKETPLACES
from desktop_app.core.publish.words import dates, ordinal, publish_title, undo_button, when
from desktop_app.store.publishes import PublishRecord

NOON = time.mktime((2026, 12, 3, 12, 0, 0, 0, 0, -1))


def record(rid: int, at: float, **changes) -> PublishRecord:
    fields = dict(id=rid, seller_id="S", sku="MUG-BLK-16", marketplace_id=MARKETPLACES["DE"].marketplace_id,
                  operation="patch", slots_before={"MAIN": "a", "PT01": None}, slots_after={"MAIN": "b", "PT01": "c"},
                  state="live", status="ACCEPTED", submission_id="uuid", issues=[], error_code=None, undo_of=None,
                  job_id=None, created_at=at, live_at=None, issues_before=[])
    fields.update(changes)
    return PublishRecord(**fields)


def test_dates_add_seconds_only_where_two_share_a_minute():
    apart = [record(1, NOON), record(2, NOON + 120)]
    assert dates(apart) == {1: "3 Dec 12:00", 2: "3 Dec 12:02"}
    same_minute = [record(1, NOON + 5), record(2, NOON + 41), record(3, NOON + 300)]
    assert dates(same_minute) == {1: "3 Dec 12:00:05", 2: "3 Dec 12:00:41", 3: "3 Dec 12:05"}


def test_dates_in_the_same_second_get_an_ordinal():
    labels = dates([record(7, NOON + 5.2), record(8, NOON + 5.7), record(9, NOON + 5.9)])
    assert labels == {7: "3 Dec 12:00:05", 8: "3 Dec 12:00:05, 2nd", 9: "3 Dec 12:00:05, 3rd"}
    assert len(set(labels.values())) == 3
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22)] == \
        ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd"]


def test_a_publish_is_named_by_listing_country_date_and_slots():
    rec = record(42, NOON)
    assert publish_title(rec) == "MUG-BLK-16 in Germany, the publish of 3 Dec 12:00 (1 · MAIN, 2 · PT01)"
    assert undo_button(rec, "3 Dec 12:00:05") == "Undo 3 Dec 12:00:05 — 1 · MAIN, 2 · PT01"
    undo = record(43, NOON + 60, undo_of=42)
    assert publish_title(undo).endswith(f"the undo of {when(NOON + 60)} (1 · MAIN, 2 · PT01)")
    assert "42" not in publish_title(rec) + undo_button(rec) and "#" not in publish_title(undo)
