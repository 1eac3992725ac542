"""After a publish: finding a journalled submission, undoing it (putting back the slots it changed, refused while a
later publish changed them again or while Amazon does not serve it yet), and watching the listing until Amazon serves
the new images (:meth:`AfterPublish.watch_live`, :meth:`AfterPublish.settle_all`). :class:`AfterPublish` is the part
of :class:`~desktop_app.core.publish.service.PublishService` that follows a submission; sending one is the service's.
Qt-free."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_app.api.amazon.errors import SpApiRefused
from desktop_app.api.amazon.models import SLOTS, Issue, ListingItem, slot_attribute
from desktop_app.core.publish.words import STATE_WORDS, changed_slots, dates, publish_name, sentence, slots_text
from desktop_app.core.validation import InputError
from desktop_app.store.publishes import (ACCEPTED, LIVE, OTHER_SHOWN, SENDING, UNKNOWN, PublishRecord,
                                         PublishStore)

if TYPE_CHECKING:
    from desktop_app.core.publish.service import PublishOutcome

UNDOABLE = (ACCEPTED, LIVE, OTHER_SHOWN)
OTHER_CONTRIBUTION = "OTHER_CONTRIBUTION_SHOWN"


class SubmissionNotFound(InputError):
    pass


class UndoRefused(InputError):
    """A publish that cannot be undone now. ``words``: why, naming the publishes by date and slots (the window's
    line); ``message`` adds their submission numbers, the command line's handle on them."""

    def __init__(self, code: str, words: str, ids: str) -> None:
        super().__init__(code, f"{words} [{ids}]")
        self.words = words


class AfterPublish:
    """Undo and watching, on the publish service's journal, store and client (see
    :class:`~desktop_app.core.publish.service.PublishService`)."""

    def undo_plan(self, record_id: int | str) -> tuple[PublishRecord, dict[str, str | None]]:
        """The submission an undo puts back and the slot values it restores, from the journal alone (no
        request); :class:`InputError` when it cannot be undone."""
        rec = self.find(record_id)
        if rec.state not in UNDOABLE:
            raise UndoRefused("NOT_UNDOABLE", f"{sentence(self.named(rec))} is "
                              f"{STATE_WORDS.get(rec.state, rec.state)}: only a submitted or live publish can be "
                              "undone", f"Submission {rec.id} cannot be undone")
        changed = {s: rec.slots_before.get(s) for s in SLOTS if s in changed_slots(rec)}
        if not changed:
            raise UndoRefused("NOTHING_TO_UNDO", f"{sentence(self.named(rec))} changed no "
                              "image", f"submission {rec.id}")
        later = self._later_change(rec, set(changed))
        if later is not None:
            both = [s for s in SLOTS if s in changed_slots(later) and s in changed]
            raise UndoRefused("LATER_PUBLISH", f"{sentence(self.named(later))} changed "
                              f"{slots_text(both)} again after {self.named(rec)}: undo the later "
                              "one first (undoing the earlier one now would overwrite it)",
                              f"undo submission {later.id} first, then submission {rec.id}")
        return rec, changed

    async def undo(self, record_id: int | str) -> PublishOutcome:
        """Put back the slots a publish changed (patch ``replace``; slots that were empty are deleted),
        validated first; a new journal row with ``undo_of``; the original is marked undone."""
        rec, changed = await self._looked_up(AfterPublish.undo_plan, record_id)
        if rec.state == ACCEPTED:  # Amazon may not have processed it yet: one read says
            rec = await self.watch_live(rec.id, timeout=0)
            if rec.state not in (LIVE, OTHER_SHOWN):
                why = (f"Amazon reported {rec.error_code} and still serves the previous images: there is nothing to "
                       "undo" if rec.error_code else "Amazon does not serve it yet; undo it once it is live (an undo "
                       "sent now could be overtaken by the publish itself)")
                name = await self._looked_up(AfterPublish.named, rec)
                raise UndoRefused("NOT_LIVE_YET", f"{sentence(name)} is submitted, "
                                  f"but {why}", f"submission {rec.id}")
        item = await self._read(rec.sku, rec.marketplace_id)
        outcome = await self._submit(rec.sku, rec.marketplace_id, item, product_type_of(item, rec.marketplace_id),
                                     changed, "patch", undo_of=rec.id, job_id=rec.job_id)
        if outcome.status == "ACCEPTED" and outcome.record_id is not None:
            await self.records(PublishStore.mark_undone, rec.id, outcome.record_id)
        return outcome

    def named(self, rec: PublishRecord) -> str:
        """``the publish of 3 Dec 14:05 (1 · MAIN)``, its date told apart from the listing's other submissions."""
        label = dates(self.store.for_listing(rec.seller_id, rec.sku, rec.marketplace_id))
        return publish_name(rec, label.get(rec.id))

    def _later_change(self, rec: PublishRecord, slots: set[str]) -> PublishRecord | None:
        """A later submission on the same listing that changed (or may have changed) one of ``slots`` and still
        stands: undone ones, and undos of later ones (together they changed nothing), do not count."""
        for other in reversed(self.store.for_listing(rec.seller_id, rec.sku, rec.marketplace_id)):
            if other.id <= rec.id or other.state not in (ACCEPTED, LIVE, SENDING, UNKNOWN):
                continue
            if other.undo_of is not None and other.undo_of > rec.id:
                continue
            if changed_slots(other) & slots:
                return other
        return None

    def find(self, ref: int | str) -> PublishRecord:
        """A journalled submission by our record id, or by Amazon's submissionId."""
        text = str(ref).strip()
        rec = self.store.get(int(text)) if text.isdigit() else None
        if rec is None and text:
            rec = self.store.by_submission_id(text)
        if rec is None:
            raise SubmissionNotFound("UNKNOWN_SUBMISSION", f"No publish '{text}' in the local journal")
        return rec

    # --- after ACCEPTED -----------------------------------------------------------------------

    async def watch_live(self, record_id: int, *, timeout: float = 120.0, wait_first: bool = False) -> PublishRecord:
        """Re-read the listing with backoff until Amazon has processed the new slots: state ``live`` when
        shoppers see them, ``other_shown`` when the listing holds them but Amazon shows another contributor's main
        image (``error_code`` OTHER_CONTRIBUTION_SHOWN; watching stops: the APIs cannot change Amazon's pick).
        Listing issues on the changed attributes (INVALID_IMAGE, MISSING_IMAGE …) are kept on the record; when
        they appear and Amazon still serves the old images, the publish is rejected: watching stops (state stays
        accepted, ``error_code`` set). On timeout the record is returned as it is. ``wait_first``: right after
        ACCEPTED, when Amazon cannot have processed it yet, the first read waits one backoff step. The waits:
        ``watch_retry`` (:data:`~desktop_app.api.retry.WATCH_PUBLISH`)."""
        rec = await self._looked_up(AfterPublish.find, record_id)
        if rec.state not in (ACCEPTED, SENDING, UNKNOWN, OTHER_SHOWN):  # sent, or maybe sent (answer lost, crash)
            return rec
        changed = changed_slots(rec)
        attrs = {slot_attribute(s) for s in changed}
        attempts = self.watch_retry.but(give_up_after=timeout).start(sleep=self.sleep)
        if wait_first:
            await attempts.pause(min(attempts.next_wait(), timeout))
        while True:
            item = await self._read(rec.sku, rec.marketplace_id)
            now = item.slots(rec.marketplace_id)
            known = {_issue_key(i) for i in rec.issues_before}  # already there before the change: not its fault
            issues = [i for i in item.issues if set(i.attribute_names) & attrs and _issue_key(i.to_json()) not in known]
            if all(_served(now.get(s), rec.slots_before.get(s), rec.slots_after.get(s)) for s in changed):
                other = "MAIN" in changed and _other_shown(item.main_image(rec.marketplace_id), rec)
                await self.records(PublishStore.update, rec.id, OTHER_SHOWN if other else LIVE, issues=issues_json(issues) if issues else
                                  None, error_code=OTHER_CONTRIBUTION if other else None)
                return await self.records(PublishStore.get, rec.id)  # type: ignore[return-value]
            errors = [i for i in issues if i.severity == "ERROR"]
            if errors and rec.state == ACCEPTED:
                await self.records(PublishStore.update, rec.id, ACCEPTED, issues=issues_json(issues), error_code=errors[0].code)
                return await self.records(PublishStore.get, rec.id)  # type: ignore[return-value]
            left = timeout - attempts.elapsed
            if left <= 0:
                return await self.records(PublishStore.get, rec.id)  # type: ignore[return-value]
            await attempts.pause(min(attempts.next_wait(), left))

    def unsettled(self) -> list[PublishRecord]:
        """This seller's submissions left accepted, sending or unknown (no request)."""
        return [r for r in self.store.unsettled() if r.seller_id == self.seller_id]

    async def settle_all(self, *, timeout: float = 5.0) -> list[PublishRecord]:
        """One watch of every unsettled submission of this seller (e.g. at start-up): accepted ones, and those
        whose answer was lost (sending, unknown) — marked live when Amazon serves their images, else left as
        they are (re-read the listing before publishing again)."""
        return [await self.watch_live(r.id, timeout=timeout) for r in await self._looked_up(AfterPublish.unsettled)]


def _served(current: str | None, before: str | None, after: str | None) -> bool:
    """Amazon serves the new image of a slot: the same URL, or (Amazon re-hosts images) a new one."""
    if current == after:
        return True
    return after is not None and current is not None and current != before


def _other_shown(shown: str | None, rec: PublishRecord) -> bool:
    """Shoppers still see the main image shown before the publish, although the listing holds the new one:
    Amazon picked another contribution (image-rules-and-after-publish.md, "After a publish")."""
    before, after = rec.slots_before.get("MAIN"), rec.slots_after.get("MAIN")
    return shown is not None and before is not None and shown == before and shown != after


def _issue_key(issue: dict) -> tuple:
    return (issue.get("code"), issue.get("severity"), tuple(issue.get("attributeNames") or ()), issue.get("message"))


def product_type_of(item: ListingItem, mp: str) -> str:
    product_type = item.product_type(mp)
    if not product_type:
        raise SpApiRefused("NO_PRODUCT_TYPE", f"Amazon did not return the product type of {item.sku}")
    return product_type


def issues_json(issues: tuple[Issue, ...] | list[Issue]) -> list[dict]:
    return [i.to_json() for i in issues]
