"""``listing-studio approve``: the window's approvals from the shell (the same journal column), so that
``publish --job`` works headless; errors name the images that exist."""

from pathlib import Path

import pytest

from support.cli import run_cli
from desktop_app.store.journal import Journal

SKU = "MUG-BLK-16"


@pytest.fixture
def job(seller_env):
    r = run_cli("generate", "--asin", "B0SANDMUG1", "--country", "US", "--type", "amazon_listing", "--json", env=seller_env)
    assert r.code == 0, r.err
    return r.json["job_id"], len(r.json["images"])


def reviews(seller_env, job_id):
    journal = Journal(Path(seller_env["LISTING_STUDIO_DATA_DIR"]) / "journal.sqlite")
    try:
        return {img.index: img.review for img in journal.images(job_id)}
    finally:
        journal.close()


def test_approve_then_publish_the_job_from_the_shell(servers, seller_env, job):
    _, spapi = servers
    job_id, count = job
    a = run_cli("approve", job_id, "0", "2", "--json", env=seller_env)
    assert a.code == 0, a.err
    assert [(i["index"], i["review"]) for i in a.json["images"] if i["review"]] == [(0, "approved"), (2, "approved")]
    assert len(a.json["images"]) == count and a.json["error"] is None
    assert reviews(seller_env, job_id)[0] == "approved"  # what the window's gallery reads
    p = run_cli("publish", "--sku", SKU, "--country", "US", "--job", job_id, "--json", env=seller_env)
    assert p.code == 0, p.err
    changed = {s for s, v in p.json["slots"].items() if v["before"] != v["after"]}
    assert changed == {"MAIN", "PT02"}
    assert f"/files/{job_id}/2." in p.json["slots"]["PT02"]["after"]


def test_reject_and_clear_change_the_same_approvals(seller_env, job):
    job_id, _ = job
    assert run_cli("approve", job_id, "0", "1", "3", env=seller_env).code == 0
    assert run_cli("approve", job_id, "1", "--reject", env=seller_env).code == 0
    c = run_cli("approve", job_id, "0", "3", "--clear", env=seller_env)
    assert c.code == 0, c.err
    state = reviews(seller_env, job_id)
    assert (state[0], state[1], state[3]) == (None, "rejected", None)
    both = run_cli("approve", job_id, "0", "--reject", "--clear", env=seller_env)
    assert both.code == 2 and "not allowed with" in both.err


def test_errors_name_the_images_that_exist(seller_env, job):
    job_id, count = job
    assert count < 9  # a job smaller than the nine slots is where "(indexes 0-8)" was wrong
    bad = run_cli("approve", job_id, "1", str(count), "--json", env=seller_env)
    assert (bad.code, bad.json["error"]["code"]) == (2, "UNKNOWN_IMAGE")
    assert f"#0–#{count - 1}" in bad.err and "0-8" not in bad.err
    assert set(reviews(seller_env, job_id).values()) == {None}  # nothing changed when one index is wrong
    none = run_cli("publish", "--sku", SKU, "--country", "US", "--job", job_id, env=seller_env)
    assert none.code == 2 and "NO_APPROVED_IMAGES" in none.err
    assert f"#0–#{count - 1}" in none.err and f"listing-studio approve {job_id}" in none.err
    assert "0-8" not in none.err


def test_an_unknown_job_exits_3(seller_env):
    r = run_cli("approve", "job_doesnotexist", "0", "--json", env=seller_env)
    assert (r.code, r.json["error"]["code"]) == (3, "JOB_NOT_FOUND")
