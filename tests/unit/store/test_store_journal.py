import sqlite3
import threading

from desktop_app.api.pixii.models import Ad, Job, ListingRequest, Submission
from desktop_app.store.journal import INTENT_SENDING, Journal
from desktop_app.store.schema import MIGRATIONS

REQ = ListingRequest("B0TESTASIN", "GB", "amazon_listing", "https://img.example/m.jpg", ("https://img.example/a.jpg",))


def test_intent_then_accept_keeps_the_request(tmp_path):
    j = Journal(tmp_path / "j.sqlite")
    intent = j.add_intent("sandbox", REQ)
    assert [i.id for i in j.unresolved_intents()] == [intent.id]
    j.record_submission(intent, Submission("job_1", "pending", "2026-01-01T00:00:00Z", 10))
    assert j.unresolved_intents() == []
    rec = j.job("job_1")
    assert (rec.asin, rec.country, rec.listing_type, rec.main_image_url, rec.other_image_urls) == (
        "B0TESTASIN", "GB", "amazon_listing", "https://img.example/m.jpg", ("https://img.example/a.jpg",))
    assert j.intents_for_batch("none") == []


def test_a_second_process_sees_every_write(tmp_path):
    path = tmp_path / "j.sqlite"
    a, b = Journal(path), Journal(path)
    intent = a.add_intent("sandbox", REQ)
    assert b.unresolved_intents()[0].state == INTENT_SENDING
    a.record_submission(intent, Submission("job_1", "pending", "2026-01-01T00:00:00Z", None))
    assert b.job("job_1").status == "pending"
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_job_updates_images_and_reviews(tmp_path):
    j = Journal(tmp_path / "j.sqlite")
    intent = j.add_intent("sandbox", REQ)
    j.record_submission(intent, Submission("job_1", "pending", "2026-01-01T00:00:00Z", None))
    job = Job("job_1", "Listing Builder", "completed", "2026-01-01T00:00:00Z", credit_cost=10, credits_refunded=2,
              ads=(Ad("https://x/1.png"), Ad(None, "IMAGE_GENERATION_ERROR", "failed")))
    j.update_job(job)
    imgs = j.images("job_1")
    assert [(i.index, i.url, i.error_code) for i in imgs] == [(0, "https://x/1.png", None),
                                                              (1, None, "IMAGE_GENERATION_ERROR")]
    f = tmp_path / "a.png"
    f.write_bytes(b"x")
    j.set_image_cached("job_1", 0, "ab" * 32, "png", f, 10, 10)
    j.update_job(job)  # a later refresh keeps the cached copy
    assert j.images("job_1")[0].cached
    j.set_review("job_1", 0, "approved")
    assert j.images("job_1")[0].review == "approved"
    idx = j.add_user_image("job_1", None, "cd" * 32, "png", f, 5, 5)
    assert idx == 2 and j.images("job_1")[2].source == "user"
    assert j.job("job_1").credits_refunded == 2


def test_schema_version_is_recorded_and_reopen_is_idempotent(tmp_path):
    path = tmp_path / "j.sqlite"
    Journal(path).close()
    Journal(path).close()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_corrupt_journal_is_kept_aside_and_a_new_one_started(tmp_path):
    path = tmp_path / "j.sqlite"
    path.write_bytes(b"this is not a database at all" * 100)
    j = Journal(path)
    assert j.recovered_from is not None and j.recovered_from.read_bytes().startswith(b"this is not")
    assert j.jobs() == []


def test_concurrent_writers_do_not_lose_intents(tmp_path):
    path = tmp_path / "j.sqlite"
    Journal(path).close()

    def writer():
        j = Journal(path)
        for _ in range(25):
            j.add_intent("sandbox", REQ)
        j.close()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(Journal(path).unresolved_intents()) == 100
