from desktop_app.store import publishes as ps
from desktop_app.store.journal import Journal


def test_slots_before_are_kept_for_undo_and_states_move(tmp_path):
    store = ps.PublishStore(Journal(tmp_path / "j.sqlite"))
    before = {"MAIN": "https://m.media-amazon.com/old.jpg", "PT01": None}
    after = {"MAIN": "https://cdn.example/new.jpg", "PT01": "https://cdn.example/pt1.png"}
    rid = store.begin("A1SELLER", "SKU-1", "ATVPDKIKX0DER", "patch", before, after, job_id="job_1")
    rec = store.get(rid)
    assert (rec.state, rec.slots_before, rec.slots_after) == (ps.PREVIEWING, before, after)
    store.update(rid, ps.SENDING)
    assert [r.id for r in store.unsettled()] == [rid]
    store.update(rid, ps.ACCEPTED, status="ACCEPTED", submission_id="sub-1", issues=[])
    store.update(rid, ps.LIVE)
    rec = store.get(rid)
    assert (rec.state, rec.status, rec.submission_id) == (ps.LIVE, "ACCEPTED", "sub-1") and rec.live_at
    undo = store.begin("A1SELLER", "SKU-1", "ATVPDKIKX0DER", "patch", after, before, undo_of=rid)
    store.mark_undone(rid, undo)
    assert store.get(rid).state == ps.UNDONE
    assert [r.id for r in store.for_listing("A1SELLER", "SKU-1", "ATVPDKIKX0DER")] == [undo, rid]


def test_an_invalid_preview_is_recorded_with_its_issues(tmp_path):
    store = ps.PublishStore(Journal(tmp_path / "j.sqlite"))
    rid = store.begin("S", "SKU", "A1F83G8C2ARO7P", "put", {"MAIN": None}, {"MAIN": "https://x/y.jpg"})
    issues = [{"code": "90220", "message": "bad image", "severity": "ERROR", "attributeNames": ["main_product_image_locator"]}]
    store.update(rid, ps.INVALID, status="INVALID", issues=issues)
    rec = store.get(rid)
    assert rec.state == ps.INVALID and rec.issues == issues and store.unsettled() == []
