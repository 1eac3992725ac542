"""The job, submission and publish state machines: their values are the journal's strings, and the journal
refuses a transition their table does not allow (leaving the row as it was)."""

import pytest

from desktop_app.api.pixii.models import Job, ListingRequest
from desktop_app.api.pixii.vocab import STATUSES
from desktop_app.store import publishes as ps
from desktop_app.store.journal import Journal
from desktop_app.store.states import IllegalTransition, IntentState, JobStatus, PublishState, _NEXT


def _job(status: str) -> Job:
    return Job("job_1", "Listing Builder", status, "2026-01-01T00:00:00Z")


def test_the_values_are_the_strings_the_journal_and_json_carry():
    assert tuple(JobStatus) == STATUSES
    assert [str(s) for s in IntentState] == ["sending", "ambiguous", "accepted", "refused", "not_created"]
    assert [str(s) for s in PublishState] == ["previewing", "invalid", "valid", "sending", "accepted", "live",
                                              "other_shown", "refused", "unknown", "undone"]
    assert all(set(_NEXT[machine]) == set(machine) for machine in (JobStatus, IntentState, PublishState))


def test_a_finished_job_never_runs_again(tmp_path):
    journal = Journal(tmp_path / "j.sqlite")
    intent = journal.add_intent("svc", ListingRequest("B0TEST0001", "US", "amazon_listing"))
    journal.accept(intent, "job_1", "pending", "2026-01-01T00:00:00Z", owner=None)
    journal.update_job(_job("processing"))
    journal.update_job(_job("completed"))
    with pytest.raises(IllegalTransition, match="from 'completed' to 'processing'"):
        journal.update_job(_job("processing"))
    assert journal.job("job_1").status == "completed"


def test_a_settled_submission_cannot_be_sent_again(tmp_path):
    journal = Journal(tmp_path / "j.sqlite")
    intent = journal.add_intent("svc", ListingRequest("B0TEST0001", "US", "amazon_listing"))
    assert journal.set_intent_state(intent.id, IntentState.REFUSED, "BAD")
    with pytest.raises(IllegalTransition):
        journal.set_intent_state(intent.id, IntentState.SENDING, expect=(IntentState.REFUSED,))
    assert journal.intent_error(intent.id) == "BAD"
    assert not journal.set_intent_state(intent.id, IntentState.ACCEPTED)  # allowed, but it is no longer unresolved


def test_a_publish_that_is_live_cannot_be_sending_again(tmp_path):
    store = ps.PublishStore(Journal(tmp_path / "j.sqlite"))
    rid = store.begin("S", "SKU", "ATVPDKIKX0DER", "patch", {"MAIN": None}, {"MAIN": "https://x/y.jpg"})
    with pytest.raises(IllegalTransition):
        store.update(rid, ps.LIVE)  # never sent: it cannot be live
    for state in (ps.SENDING, ps.ACCEPTED, ps.ACCEPTED, ps.LIVE):
        store.update(rid, state)
    with pytest.raises(IllegalTransition, match="publish cannot go from 'live' to 'sending'"):
        store.update(rid, ps.SENDING)
    assert store.get(rid).state == ps.LIVE
