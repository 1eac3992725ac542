"""Batches: parse a CSV file (or a pasted column of ASINs / Amazon links), validate every row, identify
the batch, and plan it (rows, the time the rate limits impose, what is known of the cost).

Format (design/cli-contract.md, "Batches"): UTF-8, header row optional
(``asin,country_code,listing_type,main_image_url,other_image_urls``; the columns may come in any order
when the header names them), ``other_image_urls`` separated by spaces. A row may be a bare ASIN or an
Amazon product link (the marketplace then comes from the domain). The defaults (``--country``,
``--type``) fill what a row leaves out. Blank lines and lines starting with ``#`` are skipped.

The batch id is a hash of the normalized rows (line numbers included) and the defaults: the same
command on the same data resumes the same batch.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from desktop_app.api.pixii.models import ListingRequest
from desktop_app.core.validation import (InputError, asin_problem, normalize_country, normalize_listing_type,
                                         normalize_reference_url, parse_product_input)

COLUMNS = ("asin", "country_code", "listing_type", "main_image_url", "other_image_urls")
ALIASES = {"asin": "asin", "product": "asin", "url": "asin", "country_code": "country_code",
           "country": "country_code", "marketplace": "country_code", "listing_type": "listing_type",
           "type": "listing_type", "main_image_url": "main_image_url", "main_image": "main_image_url",
           "other_image_urls": "other_image_urls", "other_images": "other_image_urls", "images": "other_image_urls"}
MAX_ROWS = 10_000


class HeaderError(InputError):
    def __init__(self, message: str) -> None:
        super().__init__("INVALID_ROW", message)


@dataclass(frozen=True)
class BatchRow:
    line: int                 # 1-based line number in the file
    request: ListingRequest


@dataclass(frozen=True)
class InvalidRow:
    line: int
    code: str                 # INVALID_ASIN, INVALID_COUNTRY, INVALID_LISTING_TYPE, INVALID_IMAGE_URL, INVALID_ROW
    reason: str


@dataclass(frozen=True)
class ParsedBatch:
    batch_id: str
    rows: tuple[BatchRow, ...]
    invalid: tuple[InvalidRow, ...]
    defaults: tuple[str | None, str | None]  # (country, listing_type) as given

    @property
    def ok(self) -> bool:
        return not self.invalid and bool(self.rows)


@dataclass(frozen=True)
class Plan:
    rows: int
    to_submit: int                # rows without a job yet (all of them, unless resuming)
    min_seconds: float            # the time the rate limits impose to send them (those that fit today)
    fit_today: int                # how many of them the daily limit still allows
    credits: float | None         # total for the rows to submit, when every price is known (0 for test keys)
    credits_note: str

    def describe(self) -> str:
        text = f"{self.rows} row(s)"
        if self.to_submit < self.rows:
            text += f", {self.to_submit} still to submit"
        if self.min_seconds < 1:
            text += "; no wait: they fit in the rate limits at once"
        else:
            text += f"; the rate limits need at least {_duration(self.min_seconds)} to send them"
        if self.fit_today < self.to_submit:
            text += f" ({self.fit_today} fit in today's limit; the rest waits for the next run)"
        return f"{text}; credits: {self.credits_note}"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _cells(line: str) -> list[str]:
    return [c.strip() for c in next(csv.reader([line], skipinitialspace=True), [])]


def _header(cells: list[str]) -> list[str] | None:
    """Column names if ``cells`` is a header row (its first cell names a column), else None.
    Raises InputError for a header with an unknown or repeated column, or without an ASIN column."""
    names = [c.lower().replace(" ", "_").replace("-", "_") for c in cells]
    if not names or names[0] not in ALIASES:
        return None
    unknown = [c for c, n in zip(cells, names) if n and n not in ALIASES]
    if unknown:
        raise HeaderError(f"unknown column(s) in the header: {', '.join(unknown)}; use " + ",".join(COLUMNS))
    columns = [ALIASES.get(n, "") for n in names]
    named = [c for c in columns if c]
    if len(set(named)) != len(named):
        raise HeaderError("a column appears twice in the header")
    if "asin" not in named:
        raise HeaderError("the header has no asin column")
    return columns


def _row(cells: list[str], columns: list[str] | tuple[str, ...], default_country: str | None,
         default_type: str | None, api_is_local: bool) -> ListingRequest:
    if len(cells) > len(columns) and any(cells[len(columns):]):
        raise InputError("INVALID_ROW", f"{len(cells)} columns; at most {len(columns)} are expected ("
                         + ",".join(columns) + ")")
    values = {col: cell for col, cell in zip(columns, cells) if col}
    product = values.get("asin", "")
    parsed = parse_product_input(product)
    if parsed is None:
        if "/" in product or "." in product:
            raise InputError("INVALID_ASIN", f"'{product}' is neither an ASIN nor an Amazon product link")
        raise InputError("INVALID_ASIN", "the row has no ASIN")
    problem = asin_problem(parsed.asin)
    if problem:
        raise InputError("INVALID_ASIN", problem)
    country_text = values.get("country_code") or parsed.country or default_country
    if not country_text:
        raise InputError("INVALID_COUNTRY", "no country: add a country_code column or pass --country")
    country = normalize_country(country_text)
    type_text = values.get("listing_type") or default_type
    if not type_text:
        raise InputError("INVALID_LISTING_TYPE", "no listing type: add a listing_type column or pass --type")
    listing_type = normalize_listing_type(type_text)
    main = values.get("main_image_url") or None
    main = normalize_reference_url(main, api_is_local=api_is_local) if main else None
    others = tuple(normalize_reference_url(u, api_is_local=api_is_local)
                   for u in (values.get("other_image_urls") or "").split())
    return ListingRequest(parsed.asin, country, listing_type, main, others)


def batch_id_for(rows: list[BatchRow] | tuple[BatchRow, ...], defaults: tuple[str | None, str | None]) -> str:
    canonical = json.dumps({"v": 1, "defaults": list(defaults),
                            "rows": [[r.line, r.request.asin, r.request.country_code, r.request.listing_type,
                                      r.request.main_image_url, list(r.request.other_image_urls)] for r in rows]},
                           separators=(",", ":"))
    return "batch_" + hashlib.sha256(canonical.encode()).hexdigest()[:32]


def parse_batch(text: str, *, country: str | None = None, listing_type: str | None = None,
                api_is_local: bool = False) -> ParsedBatch:
    """Every row validated; invalid ones come back with their line number and reason. Raises
    InputError for an invalid default (``--country``/``--type``)."""
    default_country = normalize_country(country) if country else None
    default_type = normalize_listing_type(listing_type) if listing_type else None
    defaults = (default_country, default_type)
    if text.startswith("\ufeff"):
        text = text[1:]
    rows: list[BatchRow] = []
    invalid: list[InvalidRow] = []
    columns: list[str] | tuple[str, ...] = COLUMNS
    seen_content = False
    for number, raw in enumerate(io.StringIO(text), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not columns:
            break  # the header could not be read: the rows cannot be interpreted
        try:
            # a pasted product link may hold commas of its own: a line that is one link is one cell
            cells = [line] if columns[0] == "asin" and "/" in line and parse_product_input(line) else _cells(line)
            if not seen_content:
                seen_content = True
                header = _header(cells)
                if header is not None:
                    columns = header
                    continue
            if not any(cells):
                continue
            rows.append(BatchRow(number, _row(cells, columns, default_country, default_type, api_is_local)))
        except InputError as exc:
            invalid.append(InvalidRow(number, exc.code, exc.message))
            if isinstance(exc, HeaderError):
                columns = ()
        except csv.Error as exc:
            invalid.append(InvalidRow(number, "INVALID_ROW", f"not a CSV row ({exc})"))
        if len(rows) + len(invalid) > MAX_ROWS:
            invalid.append(InvalidRow(number, "INVALID_ROW", f"a batch holds at most {MAX_ROWS} rows"))
            break
    return ParsedBatch(batch_id_for(rows, defaults), tuple(rows), tuple(invalid), defaults)


def plan_batch(batch: ParsedBatch, limiter, *, submitted_lines: set[int] | frozenset[int] = frozenset(),
               key_mode: str = "unknown", sandbox: bool = False,
               known_prices: dict[str, float] | None = None, seen=None) -> Plan:
    """``limiter``: a SubmissionLimiter (its forecast, from ``seen``, its log as read through the store, else
    read at once); ``submitted_lines``: rows that already have a job (resume); ``known_prices``: credits per
    listing type seen on earlier jobs of this service."""
    todo = [r for r in batch.rows if r.line not in submitted_lines]
    forecast = limiter.forecast(len(todo), seen=seen)
    if sandbox or key_mode == "test":
        credits, note = 0.0, "none (" + ("the sandbox" if sandbox else "a test key") + " uses no credits)"
    else:
        prices = known_prices or {}
        unknown = {r.request.listing_type for r in todo if r.request.listing_type not in prices}
        if unknown:
            credits, note = None, ("unknown: the service publishes no price for " + ", ".join(sorted(unknown))
                                   + "; each job reports its cost when it is accepted")
        else:
            credits = float(sum(prices[r.request.listing_type] for r in todo))
            note = f"about {credits:g} (from the cost of earlier jobs of the same types)"
    return Plan(len(batch.rows), len(todo), forecast.seconds, forecast.fit_today, credits, note)


MAX_FILE_BYTES = 8 * 2**20


def read_batch_file(path: str) -> str:
    """The text of a batch file (UTF-8; "-" is standard input); InputError for an unreadable, too large
    or non-UTF-8 file."""
    name = "standard input" if path == "-" else str(Path(path).expanduser().absolute())
    try:
        if path != "-" and Path(path).stat().st_size > MAX_FILE_BYTES:
            raise InputError("INVALID_FILE", f"{name} is larger than {MAX_FILE_BYTES // 2**20} MB")
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise InputError("INVALID_FILE", f"cannot read {name}: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("INVALID_FILE", f"{name} is not UTF-8 text") from None
