"""What the publish window knows, without Qt: the fetched listing, the job's approved images, which image goes
into which slot, what Amazon serves after a publish or an undo, and the submissions of the listing. The window
(:mod:`.publish_dialog`) holds one :class:`PublishState` and draws it; the lines it shows a seller about the
listing's submissions are made here from the shared words of :mod:`desktop_app.core.publish.words` (slots counted
from 1, countries by name, submissions by date, told apart to the second where two share a minute)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.api.amazon.models import SLOTS
from desktop_app.api.pixii.vocab import country_name
from desktop_app.core.publish.service import ListingView
from desktop_app.core.publish.words import (
    STATE_WORDS, changed_slots, dates, publish_name, slots_text, undo_button, when,
)
from desktop_app.store.journal import ImageRecord, JobRecord
from desktop_app.store.publishes import PublishRecord

UNDOABLE = ("accepted", "live", "other_shown")


def history_text(rec: PublishRecord, label: dict[int, str]) -> str:
    """One line of the listing's submissions: when, what, which slots, its state in words; ``label``: the
    submissions' dates told apart (:func:`~desktop_app.core.publish.words.dates`)."""
    if rec.undo_of:
        kind = f"undo of {label[rec.undo_of]}" if rec.undo_of in label else "undo"
    else:
        kind = {"patch": "publish", "put": "publish (full)"}.get(rec.operation, rec.operation)
    state = STATE_WORDS.get(rec.state, rec.state)
    text = f"{label.get(rec.id) or when(rec.created_at)} · {kind} · {slots_text(changed_slots(rec))} · {state}"
    return text + (f" · {rec.error_code}" if rec.error_code else "")


def history_details(rec: PublishRecord) -> str:
    """The tooltip of a submission line: Amazon's submission id, for a support request."""
    parts = [f"Submitted {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(rec.created_at))}"]
    if rec.submission_id:
        parts.append(f"Amazon submission id: {rec.submission_id}")
    return "\n".join(parts)


def served_note(rec: PublishRecord, slot: str) -> str:
    """What Amazon serves in ``slot`` once ``rec`` (a publish or an undo) is live."""
    if rec.undo_of:
        return "back — Amazon serves the previous image again" if rec.slots_after.get(slot) else \
            "back — Amazon shows no image here again"
    if rec.slots_after.get(slot) is None:
        return "live — Amazon shows no image here now"
    return "live — Amazon serves your new image"


def confirm_text(view: ListingView, slots: list[str], removed: list[str], also: list[str]) -> str:
    """The question before a real publish: the product, the marketplace(s) and the slots it changes."""
    title = f"“{view.title}”" if view.title else "(no title)"
    lines = [f"Product: {title}", f"ASIN {view.asin or '—'} · SKU {view.sku}",
             f"Marketplace: Amazon {country_name(view.country)}"
             + (f", then {', '.join(country_name(c) for c in also)}" if also else "")]
    if slots:
        lines.append(f"New images: {slots_text(slots)}")
    if removed:
        lines.append(f"Images removed: {slots_text(removed)}")
    return ("Send these images to Amazon? Shoppers see them once Amazon has processed the change; you can undo "
            "it afterwards.\n\n" + "\n".join(lines))


@dataclass
class PublishState:
    """The publish window's state. ``assigned``: slot → approved image of the job, or a dropped public URL;
    ``removed``: slots whose image on Amazon is to be deleted (never MAIN); ``served``: slot → what Amazon
    serves there after this window's last publish or undo went live."""
    view: ListingView | None = None
    job_id: str = ""
    job: JobRecord | None = None
    records: list[ImageRecord] = field(default_factory=list)
    assigned: dict[str, "ImageRecord | str"] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    last_record_id: int | None = None
    served: dict[str, str] = field(default_factory=dict)
    hosting: bool | None = None           # an S3 bucket hosts local images (None: not known yet)
    seller_id: str | None = None          # known once the SP-API settings are read
    history: list[PublishRecord] = field(default_factory=list)   # newest first

    def set_job(self, job_id: str, job: JobRecord | None, images: list[ImageRecord]) -> None:
        """The job's approved, cached images, each in the slot of its export order."""
        self.job_id, self.job = job_id, job
        self.records = [r for r in images if r.review == "approved" and r.cached]
        self.assigned = {("MAIN" if r.index == 0 else f"PT{r.index:02d}"): r for r in self.records if r.index <= 8}
        self.removed.clear()

    def add_record(self, record: ImageRecord) -> None:
        self.records = sorted([*self.records, record], key=lambda r: r.index)

    def set_view(self, view: ListingView) -> bool:
        """The fetched listing; True when it is another listing than before (its notes start over)."""
        other = self.view is None or (self.view.sku, self.view.marketplace_id) != (view.sku, view.marketplace_id)
        if other:
            self.last_record_id = None
            self.served.clear()
            self.history = []
        self.view = view
        return other

    def ready(self) -> bool:
        return self.view is not None and bool(self.assigned or self.removed)

    def values(self, picked: dict[str, "str | Path"]) -> dict[str, "str | Path | None"]:
        """The slot values to send: ``picked`` (the job's images as hosted or to host), dropped URLs, removals."""
        values: dict[str, str | Path | None] = dict(picked)
        values.update({slot: url for slot, url in self.assigned.items() if isinstance(url, str)})
        values.update({slot: None for slot in self.removed})
        return {slot: values[slot] for slot in SLOTS if slot in values}

    def picks(self) -> dict[str, int]:
        return {slot: r.index for slot, r in self.assigned.items() if not isinstance(r, str)}

    def went_live(self, rec: PublishRecord, slots: set[str]) -> None:
        for slot in slots:
            self.served[slot] = served_note(rec, slot)

    def dates(self) -> dict[int, str]:
        """The date label of each submission of the listing, told apart to the second where needed."""
        return dates(self.history)

    def name(self, rec: PublishRecord) -> str:
        """``the publish of 3 Dec 14:05 (1 · MAIN)``, its date told apart from the listing's other submissions."""
        return publish_name(rec, self.dates().get(rec.id))

    def undo_label(self, rec: PublishRecord) -> str:
        """The undo button of a submission: ``Undo 3 Dec 14:05 — 1 · MAIN, 2 · PT01``."""
        return undo_button(rec, self.dates().get(rec.id))

    def by_id(self) -> dict[int, PublishRecord]:
        return {r.id: r for r in self.history}

    def undo_target(self, selected: int | None) -> PublishRecord | None:
        """The submission Undo puts back: the one selected in the list, else this window's last publish."""
        found = self.by_id()
        for ref in (selected, self.last_record_id):
            rec = found.get(ref) if ref is not None else None
            if rec is not None and rec.state in UNDOABLE:
                return rec
        return None
