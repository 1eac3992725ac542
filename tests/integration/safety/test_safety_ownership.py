"""Many processes, one data dir: a submission belongs to the live process sending it. No other process
reconciles it, adopts a job for it or changes its state; once its process has ended it is reconciled
(and its job adopted) by whoever runs next. Real processes and a real SIGKILL against the loopback sandbox,
plus the journal's compare-and-set rules in-process."""

import asyncio
import os
import signal
import sys
import time

import httpx
import pytest

from support.cli import run_cli, start_cli
from desktop_app.api.pixii.models import ListingRequest
from desktop_app.api.pixii.client import PixiiClient
from desktop_app.core.images.cache import ImageCache
from desktop_app.core.jobs.service import JobService
from desktop_app.store.journal import (INTENT_ACCEPTED, INTENT_AMBIGUOUS, INTENT_NOT_CREATED, INTENT_SENDING,
                                      Journal)
from desktop_app.core.jobs.process import ProcessIdentity
from desktop_app.sandbox.pixii.emulator import PixiiEmulator
from desktop_app.sandbox.transport import SandboxTransport
from support.safety import POST_PATH, env_for, intents, unused_pid, wait_for

REQ = ListingRequest("B0OWNER001", "US", "amazon_listing")
GENERATE = ("generate", "--asin", "B0OWNER001", "--country", "US", "--type", "amazon_listing", "--json")


def test_jobs_run_during_a_slow_post_leaves_it_alone_and_adopts_it_once_its_process_is_killed(sandbox, tmp_path):
    emu, url = sandbox
    data = tmp_path / "data"
    emu.add_fault("stall", path_prefix=POST_PATH, method="POST", seconds=60)
    proc = start_cli(*GENERATE, env=env_for(url, data))
    wait_for("the POST on the wire", lambda: emu.stalled == 1 and intents(data))
    listed = run_cli("jobs", "--json", env=env_for(url, data))
    assert listed.code == 0, listed.err
    assert [state for _, state, _ in intents(data)] == [INTENT_SENDING]  # not the other process's to settle
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    emu.release_stalls()
    wait_for("the job", lambda: emu.stats()["jobs_created"] == 1)
    with emu.store.transaction() as state:
        (job_id,) = state["jobs"]
    listed = run_cli("jobs", "--json", env=env_for(url, data))
    assert [j["job_id"] for j in listed.json["jobs"]] == [job_id]
    again = run_cli(*GENERATE, "--no-wait", env=env_for(url, data))  # takes the job the killed one paid for
    assert again.code == 0 and again.json["job_id"] == job_id and emu.stats()["jobs_created"] == 1
    once_more = run_cli(*GENERATE, "--no-wait", env=env_for(url, data))  # that job is taken: a new one is made
    assert once_more.code == 0 and once_more.json["job_id"] != job_id and emu.stats()["jobs_created"] == 2


def service(emu, journal_path, owner=None, clock=time.time):
    http = httpx.AsyncClient(mounts={"all://sandbox.invalid": SandboxTransport(emu)}, trust_env=False)
    client = PixiiClient("https://sandbox.invalid", "pk_live_ownerTestKey001", http=http, give_up_after=1,
                         backoff_base=0.01, backoff_cap=0.05)
    return JobService(client, Journal(journal_path), ImageCache(journal_path.parent / "cache"), "svc",
                      poll_interval=0.02, owner=owner, clock=clock)


def test_state_changes_name_the_state_and_owner_they_expect(tmp_path):
    journal = Journal(tmp_path / "j.sqlite")
    me, other = ProcessIdentity.current().token(), "elsewhere|1|1|x"
    intent = journal.add_intent("svc", REQ, owner=me)
    assert not journal.set_intent_state(intent.id, INTENT_NOT_CREATED, owner=other)
    assert not journal.set_intent_state(intent.id, INTENT_AMBIGUOUS, owner=me, expect=(INTENT_AMBIGUOUS,))
    assert journal.set_intent_state(intent.id, INTENT_AMBIGUOUS, owner=me)
    assert not journal.take_intent(intent.id, other, "thief|2|2|y")  # not the owner it names
    assert journal.accept(intent, "job_1", "pending", "2026-01-01T00:00:00Z", owner=me)
    assert not journal.set_intent_state(intent.id, INTENT_NOT_CREATED, owner=me)  # accepted is final
    assert journal.unresolved_intents() == [] and journal.job("job_1") is not None


def test_reconciliation_takes_only_submissions_whose_process_has_ended(tmp_path):
    emu = PixiiEmulator(base_url="https://sandbox.invalid")
    journal = Journal(tmp_path / "j.sqlite")
    live = journal.add_intent("svc", REQ, owner=ProcessIdentity.current().token())  # another service, this process
    dead_pid = ProcessIdentity.current()._replace(pid=unused_pid())
    gone = journal.add_intent("svc", ListingRequest("B0OWNER002", "US", "amazon_listing"), owner=dead_pid.token())
    reused = ProcessIdentity.current()._replace(pid=os.getppid(), start="1")  # a live pid, another start time
    stale = journal.add_intent("svc", ListingRequest("B0OWNER003", "US", "amazon_listing"), owner=reused.token())

    async def main():  # past the POSTs' give-up time (1 s): none of them can land any more
        svc = service(emu, tmp_path / "j.sqlite", clock=lambda: time.time() + 2)
        return await svc.reconcile()

    settled = asyncio.run(main())
    assert sorted(i.id for i, _ in settled) == [gone.id, stale.id]
    states = dict(Journal(tmp_path / "j.sqlite").read("SELECT id, state FROM intents"))
    assert states == {live.id: INTENT_SENDING, gone.id: INTENT_NOT_CREATED, stale.id: INTENT_NOT_CREATED}
    assert INTENT_ACCEPTED not in states.values()


@pytest.mark.skipif(sys.platform != "linux", reason="process start times come from /proc")
def test_process_identity_tells_a_reused_pid_from_its_owner():
    me = ProcessIdentity.current()
    assert me.alive() and ProcessIdentity.parse(me.token()) == me
    assert not me._replace(start=str(int(me.start) + 1)).alive()
    assert not me._replace(pid=unused_pid()).alive()


def test_an_owner_on_another_host_is_orphaned_only_once_its_heartbeat_is_stale(tmp_path):
    from desktop_app.core.jobs.lease import STALE_AFTER, SubmissionOwner
    now = [5000.0]
    journal = Journal(tmp_path / "j.sqlite")
    me = SubmissionOwner(journal, clock=lambda: now[0])
    elsewhere = "another-host|4242|777|abcd"
    assert me.orphaned(elsewhere)  # it never said it was alive
    journal.heartbeat(elsewhere, now[0])
    now[0] += STALE_AFTER - 1
    assert not me.orphaned(elsewhere)
    now[0] += 2
    assert me.orphaned(elsewhere)
    assert not me.orphaned(me.owner) and me.orphaned(None)  # its own are never orphans; unowned ones always


def test_a_post_of_an_ended_process_may_still_land_so_it_is_not_settled_as_not_created_too_early(tmp_path):
    """The process died with its POST on the wire; the service acts on it a moment later. Until the POST's
    give-up time has passed, finding no job does not make it 'not created' (a new POST would pay twice)."""
    emu = PixiiEmulator(base_url="https://sandbox.invalid")
    journal = Journal(tmp_path / "j.sqlite")
    gone = ProcessIdentity.current()._replace(pid=unused_pid()).token("x")
    first = journal.add_intent("svc", REQ, owner=gone)
    second = journal.add_intent("svc", ListingRequest("B0OWNER009", "US", "amazon_listing"), owner=gone)
    now = [first.created_at + 0.1]

    async def reconcile():
        svc = service(emu, tmp_path / "j.sqlite", clock=lambda: now[0])  # give-up time: 1 s
        return dict((i.id, job) for i, job in await svc.reconcile())

    assert asyncio.run(reconcile()) == {first.id: None, second.id: None}
    assert dict(journal.read("SELECT id, state FROM intents")) == {first.id: INTENT_SENDING,
                                                                     second.id: INTENT_SENDING}
    emu.handle("POST", POST_PATH, {}, {"Authorization": "Bearer pk_live_ownerTestKey001"},
               b'{"asin": "B0OWNER001", "country_code": "US", "listing_type": "amazon_listing"}')  # it lands
    now[0] += 2  # past the give-up time
    settled = asyncio.run(reconcile())
    with emu.store.transaction() as state:
        (job_id,) = state["jobs"]
    assert settled == {first.id: job_id, second.id: None}
    assert dict(journal.read("SELECT id, state FROM intents"))[second.id] == INTENT_NOT_CREATED


def test_a_job_adopted_for_an_own_lost_answer_is_not_handed_out_again(tmp_path):
    emu = PixiiEmulator(base_url="https://sandbox.invalid")
    emu.add_fault("reset_after_create", path_prefix=POST_PATH, method="POST")

    async def twice():
        svc = service(emu, tmp_path / "j.sqlite")
        return await svc.submit(REQ), await svc.submit(REQ)

    first, second = asyncio.run(twice())
    assert first.job_id != second.job_id and emu.stats()["jobs_created"] == 2
