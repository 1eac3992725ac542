"""Amazon's static-sandbox request/response pairs (sp-api-listings.md §8): the fixtures live in
:mod:`desktop_app.sandbox.spapi_static`, which the emulator's static-sandbox mode serves; re-exported here
for the client tests."""

from desktop_app.sandbox.spapi_static import *  # noqa: F401,F403
from desktop_app.sandbox.spapi_static import (ACCEPTED, BAD_SKU, ITEM, NO_MATCH, PAIRS, PATCH_INVALID,  # noqa: F401
                                              PREVIEW_KEYS, PUT_INVALID, VALID, match)
