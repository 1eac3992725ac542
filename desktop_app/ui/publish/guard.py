"""The publish window's guard against publishing a job's images onto another product. The core refuses it
(:class:`~desktop_app.core.publish.service.AsinMismatch`, once the listing is read, before anything is hosted, journalled or
sent); the window then asks, naming both products (the listing's title, SKU, marketplace and ASIN; the job's ASIN and
country), with Cancel as the default button, and only a yes sends them. The question is window-modal and opened with
``open()``: the event loop and the window's other tasks keep running."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from desktop_app.api.pixii.vocab import in_country
from desktop_app.core.publish.service import AsinMismatch
from desktop_app.ui.publish.confirm import ask
from desktop_app.ui.publish.slots import esc


def question_text(mismatch: AsinMismatch, *, validate_only: bool) -> str:
    listing, job = mismatch.listing, mismatch.job
    title = f"“{listing.title}”" if listing.title else "a listing without a title"
    action = "Validate them for" if validate_only else "Publish them onto"
    return (f"These images were made for ASIN {job.asin} {in_country(job.country)}.\n\n"
            f"Listing {listing.sku} {in_country(listing.country)} is another product: {title}, "
            f"ASIN {listing.asin}.\n\n"
            f"{action} {listing.sku} anyway?")


async def confirm_other_product(parent: QWidget, mismatch: AsinMismatch, *, validate_only: bool) -> bool:
    """True only when the seller chooses to go on; Cancel, Escape, Return (the default) or closing says no."""
    return await ask(parent, "asinMismatchBox", "Another product", question_text(mismatch, validate_only=validate_only),
                     "Validate anyway" if validate_only else "Publish anyway", QMessageBox.Icon.Warning)


async def publish_or_ask(parent: QWidget, render, publish, view, values, *, job_id: str, validate_only: bool):
    """``publish.publish`` of the job's images onto ``view``; onto another product only after a yes (asked over
    ``parent``; ``render`` says where it stands and shows the compliance findings). None: the seller cancelled,
    nothing was sent."""
    kwargs = {"validate_only": validate_only, "job_id": job_id or None, "on_warnings": render.show_findings,
              "on_progress": lambda line: render.status(esc(line))}  # each image checked, Amazon's check, ...
    try:
        return await publish.publish(view.sku, view.country, values, **kwargs)
    except AsinMismatch as mismatch:
        render.status("The listing is another product than the job's: waiting for your answer…")
        if not await confirm_other_product(parent, mismatch, validate_only=validate_only):
            return None
    render.status("Validating…" if validate_only else "Validating, then publishing…")
    return await publish.publish(view.sku, view.country, values, any_asin=True, **kwargs)
