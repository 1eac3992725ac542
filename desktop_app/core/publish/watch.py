"""What shoppers see of every listing published from this app: one look per listing (the window repeats it while
it runs; ``listing-studio watch`` does one pass for cron).

Each listing's latest standing publish is judged (:meth:`PublishService.watch_live`, no waiting): *live* (our
images served), *other_image* (processed, but Amazon shows another contributor's main image), *rejected* (an image
issue appeared and Amazon kept the old image) or *waiting* (not processed yet). Then the listing itself is checked
for suppression: an INVALID_IMAGE or MISSING_IMAGE issue, or a summary that is no longer DISCOVERABLE
(sp-api-listings.md; image-rules-and-after-publish.md, "Suppressed listings are often noticed late"). Qt-free.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.api.amazon import marketplaces
from desktop_app.api.amazon.models import ListingItem
from desktop_app.core.publish.words import publish_title, sentence
from desktop_app.store.publishes import ACCEPTED, LIVE, OTHER_SHOWN, PublishRecord, PublishStore

LIVE_NOW, OTHER_IMAGE, REJECTED, WAITING, SUPPRESSED = "live", "other_image", "rejected", "waiting", "suppressed"
BAD = (REJECTED, SUPPRESSED)
SUPPRESSING = ("INVALID_IMAGE", "MISSING_IMAGE")
SAY = {LIVE_NOW: "live: shoppers see the published images",
       OTHER_IMAGE: "processed, but Amazon shows another contributor's main image (the APIs cannot change its pick)",
       REJECTED: "rejected: Amazon reported an image issue and kept the previous image",
       WAITING: "not processed by Amazon yet",
       SUPPRESSED: "suppressed: shoppers cannot find this listing"}


@dataclass(frozen=True)
class ListingHealth:
    record: PublishRecord         # the listing's latest standing publish, as judged now
    outcome: str                  # live | other_image | rejected | waiting | suppressed
    reasons: tuple[str, ...]      # the issues or summary status behind a rejection or suppression

    @property
    def bad(self) -> bool:
        return self.outcome in BAD

    @property
    def country(self) -> str:
        market = marketplaces.BY_ID.get(self.record.marketplace_id)
        return market.country if market else self.record.marketplace_id

    def to_json(self) -> dict:
        r = self.record
        return {"sku": r.sku, "marketplace_id": r.marketplace_id, "country": self.country, "outcome": self.outcome,
                "submission": r.id, "state": r.state, "error_code": r.error_code, "reasons": list(self.reasons)}

    def words(self) -> str:
        """The seller's line: the listing by SKU and country, the publish by date and slots, what shoppers see and
        Amazon's reasons in its words (their codes are in :meth:`line`)."""
        reasons = [r.split(": ", 1)[-1].rstrip(". ") for r in self.reasons]
        why = f" ({'; '.join(reasons)})" if reasons else ""
        return f"{sentence(publish_title(self.record))}: {SAY[self.outcome]}{why}"

    def line(self) -> str:
        """The command line's line, with the submission number ``listing-studio undo`` takes."""
        why = f" ({'; '.join(self.reasons)})" if self.reasons else ""
        return f"{self.record.sku} {self.country}: {SAY[self.outcome]}{why} [submission {self.record.id}]"


def suppression(item: ListingItem, marketplace_id: str) -> list[str]:
    """Why Amazon hides this listing from shoppers, or [] when it does not."""
    reasons = [f"{i.code}: {i.message}" for i in item.issues
               if i.severity == "ERROR" and set(i.categories) & set(SUPPRESSING)]
    status = item.summary(marketplace_id).get("status")
    if isinstance(status, list) and status and "DISCOVERABLE" not in status:
        reasons.append(f"the listing is {', '.join(map(str, status))}, no longer DISCOVERABLE")
    return reasons


def publish_outcome(rec: PublishRecord) -> str:
    if rec.state == LIVE:
        return LIVE_NOW
    if rec.state == OTHER_SHOWN:
        return OTHER_IMAGE
    return REJECTED if rec.state == ACCEPTED and rec.error_code else WAITING


async def check_listing(service, rec: PublishRecord) -> ListingHealth:
    """One judgement of a publish and one read of its listing."""
    rec = await service.watch_live(rec.id, timeout=0)
    item = await service.client.get_listings_item(service.seller_id, rec.sku, rec.marketplace_id)
    reasons = suppression(item, rec.marketplace_id)
    if reasons:
        return ListingHealth(rec, SUPPRESSED, tuple(reasons))
    outcome = publish_outcome(rec)
    issues = tuple(f"{i.get('code')}: {i.get('message')}" for i in rec.issues) if outcome == REJECTED else ()
    return ListingHealth(rec, outcome, issues)


async def check_all(service) -> list[ListingHealth]:
    """Every listing this seller published to from this app, one look each."""
    return [await check_listing(service, rec) for rec in await service.records(PublishStore.standing,
                                                                                 service.seller_id)]
