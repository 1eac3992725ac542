"""``listing-studio doctor [--country CC] [--json]``: what a support request needs on one screen — versions, the
data dir and journal, the keyring, which credentials are set (never their values) and whether each works, whether
Pixii and the seller's SP-API region answer, the S3 bucket. Each line: ok, problem (with how to fix it) or off
(not configured, not needed until used).

Exit codes: 0 no problem found; 5 at least one problem; 2 invalid input (--country).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from desktop_app.cli.output import EXIT_OK, EXIT_PARTIAL, say, failure_outcome

OK, PROBLEM, OFF = "ok", "problem", "off"
TIMEOUT = 10.0
SOURCES = {"env": "environment", "keyring": "keyring", "session": "this session"}


@dataclass
class Check:
    name: str
    status: str
    detail: str
    fix: str = ""


def add_doctor_parser(sub: argparse._SubParsersAction) -> None:
    from desktop_app.cli.help import command
    d = command(sub, "doctor", "check this computer's set-up: versions, data, keyring, credentials, connections")
    d.add_argument("--country", metavar="CC", default="US",
                   help="the marketplace whose SP-API region to reach (default US)")
    d.add_argument("--json", action="store_true",
                   help='print {"version", "checks": [{"name", "status", "detail", "fix"}], "problems"} on stdout')


def _versions() -> Check:
    from importlib import metadata

    from desktop_app.cli.help import version
    parts = [f"listing-studio {version()}", f"Python {platform.python_version()}", platform.platform(terse=True)]
    for name, dists in (("PySide6", ("PySide6", "PySide6_Essentials")), ("httpx", ("httpx",)),
                        ("keyring", ("keyring",)), ("boto3", ("boto3",))):
        found = [metadata.version(d) for d in dists if _installed(d)]
        parts.append(f"{name} {found[0] if found else 'missing'}")
    return Check("versions", OK, ", ".join(parts))


def _installed(dist: str) -> bool:
    from importlib import metadata
    try:
        return bool(metadata.version(dist))
    except metadata.PackageNotFoundError:
        return False


def _data_dir(data_dir: Path) -> Check:
    import tempfile
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".doctor-", suffix=".part"):
            pass
        free = shutil.disk_usage(data_dir).free
    except OSError as exc:
        return Check("data dir", PROBLEM, f"{data_dir}: {exc.strerror or exc}",
                     "make the folder writable, or set LISTING_STUDIO_DATA_DIR to a writable folder")
    if free < 200 * 1024 * 1024:
        return Check("data dir", PROBLEM, f"{data_dir}: only {free / 1e6:.0f} MB free", "free some disk space")
    return Check("data dir", OK, f"{data_dir} (writable, {free / 1e9:.1f} GB free)")


def _journal(path: Path) -> Check:
    from desktop_app.store.database import JournalUnreadable, health
    from desktop_app.store.schema import MIGRATIONS
    if not path.exists():
        return Check("journal", OK, f"{path}: none yet (created by the first job)")
    try:
        schema, health_text, jobs = health(path)
    except JournalUnreadable as exc:
        return Check("journal", PROBLEM, f"{path}: unreadable ({exc})",
                     "close other Listing Studio windows and try again; a damaged journal is kept aside on the next "
                     "start")
    if schema > len(MIGRATIONS):
        return Check("journal", PROBLEM, f"{path}: JOURNAL_TOO_NEW (schema {schema}, this version knows "
                     f"{len(MIGRATIONS)})", "install the newer Listing Studio that wrote it")
    if health_text != "ok":
        return Check("journal", PROBLEM, f"{path}: damaged ({health_text})",
                     "the next start keeps it aside and starts a new one; send the file with a support request")
    return Check("journal", OK, f"{path}: schema {schema}, {jobs} job(s), integrity ok")


def _keyring() -> Check:
    import keyring

    from desktop_app.secrets import PIXII_API_KEY, SecretStoreError, get_secret
    backend = type(keyring.get_keyring())
    name = f"{backend.__module__}.{backend.__name__}"
    try:
        get_secret(PIXII_API_KEY)
    except SecretStoreError as exc:
        return Check("keyring", PROBLEM, f"{name}: {exc}", "unlock or install a keyring (Keychain, Credential "
                     "Manager, Secret Service); meanwhile set the keys as environment variables")
    return Check("keyring", OK, f"{name}: usable")


async def _reach(http: httpx.AsyncClient, name: str, url: str, fix: str) -> Check:
    try:
        response = await http.get(url)
    except httpx.HTTPError as exc:
        from desktop_app.api.errors import describe_transport
        return Check(name, PROBLEM, f"{url}: {describe_transport(exc, 'the server')}", fix)
    return Check(name, OK, f"{url}: answers (HTTP {response.status_code})")


async def _pixii(http: httpx.AsyncClient) -> list[Check]:
    from desktop_app.config import load_settings
    from desktop_app.credential_checks import check_key
    from desktop_app.core.validation import InputError
    try:
        settings = load_settings()
    except InputError as exc:
        return [Check("Pixii", PROBLEM, f"{exc.code}: {exc}", "fix LISTING_STUDIO_API_URL (https, or http only for "
                      "a loopback host; 'sandbox' for the emulator)")]
    if settings.sandbox:
        return [Check("Pixii API key", OFF, "not set: every command runs on the embedded sandbox (no credits)",
                      "set PIXII_API_KEY or save the key in the window (File ▸ Settings…) to use the real service")]
    where = SOURCES.get(settings.key_source, settings.key_source or "nowhere")
    reach = await _reach(http, "Pixii service", settings.base_url, "check the internet connection, a proxy or "
                         "firewall, and LISTING_STUDIO_API_URL")
    result = await check_key(settings.api_key, settings.base_url, http, give_up_after=TIMEOUT)
    key = Check("Pixii API key", OK if result.ok else PROBLEM, f"set ({where}); {result.message}")
    if not result.ok:
        key.fix = ("paste a valid key in the window (File ▸ Settings…) or set PIXII_API_KEY" if result.code in
                   ("UNAUTHORIZED", "INVALID_KEY") else "check again once the service answers")
    return [reach, key]


async def _amazon(http: httpx.AsyncClient, country: str) -> list[Check]:
    from desktop_app.api.amazon import marketplaces
    from desktop_app.config import load_spapi_settings
    from desktop_app.core.validation import InputError
    from desktop_app.credential_checks import check_bucket, check_lwa
    from desktop_app.credentials import AwsCredentials, SpApiCredentials
    market = marketplaces.for_country(country)
    state = SpApiCredentials().load()
    try:
        sp = load_spapi_settings()
    except InputError as exc:
        return [Check("SP-API credentials", PROBLEM, f"{exc.code}: {exc}",
                      "set all of SP_API_CLIENT_ID, SP_API_CLIENT_SECRET, SP_API_REFRESH_TOKEN and SP_API_SELLER_ID "
                      "(or save them in the window: File ▸ Settings… ▸ Amazon)")]
    checks: list[Check] = []
    if sp.sandbox:
        checks.append(Check("SP-API credentials", OFF, "not set: publishing uses the embedded SP-API sandbox",
                            "set SP_API_CLIENT_ID, SP_API_CLIENT_SECRET, SP_API_REFRESH_TOKEN and SP_API_SELLER_ID "
                            "(or File ▸ Settings… ▸ Amazon) to publish to Amazon"))
    else:
        sources = ", ".join(f"{label} ({SOURCES.get(state.sources.get(f, ''), 'set')})"
                            for f, label in (("client_id", "client id"), ("client_secret", "client secret"),
                                             ("refresh_token", "refresh token")))
        values = {"client_id": sp.client_id, "client_secret": sp.client_secret, "refresh_token": sp.refresh_token}
        lwa = await check_lwa(values, sp.lwa_url, give_up_after=TIMEOUT)
        checks.append(Check("SP-API credentials", OK if lwa.ok else PROBLEM, f"{sources}, seller id set; "
                            f"{lwa.message}", "" if lwa.ok else "authorize the app again in Seller Central and save "
                            "the new refresh token" if lwa.code == "REVOKED" else "check the LWA client id and secret"))
        url = sp.url or market.host
        checks.append(await _reach(http, f"SP-API {market.region} ({market.country})", url,
                                   "check the internet connection, a proxy or firewall, and LISTING_STUDIO_SP_API_URL"))
    if not sp.s3_bucket:
        checks.append(Check("S3 bucket", OFF, "not set: local files and expiring images cannot be published",
                            "set LISTING_STUDIO_S3_BUCKET (and the AWS keys), or Settings ▸ Image hosting"))
        return checks
    aws = AwsCredentials().load()
    keys = "AWS keys: " + ("AWS_PROFILE" if aws.profile else ", ".join(
        SOURCES.get(aws.sources.get(f, ""), "missing") for f in ("access_key_id", "secret_access_key")))
    found = await asyncio.to_thread(check_bucket, sp.s3_bucket, region=sp.s3_region, keys=aws.keys)
    checks.append(Check("S3 bucket", OK if found.ok and found.code == "OK" else PROBLEM, f"{keys}; {found.message}",
                        "" if found.ok and found.code == "OK" else
                        "fix it in Settings ▸ Image hosting (Check shows the same), or the AWS_* variables"))
    return checks


async def run_checks(country: str) -> list[Check]:
    from desktop_app.api.amazon import marketplaces
    from desktop_app.config import default_data_dir
    marketplaces.for_country(country)  # an unknown country is invalid input before anything is checked
    data_dir = Path(os.environ.get("LISTING_STUDIO_DATA_DIR") or default_data_dir()).expanduser()
    checks = [_versions(), _data_dir(data_dir), _journal(data_dir / "journal.sqlite"),
              await asyncio.to_thread(_keyring)]
    async with httpx.AsyncClient(timeout=TIMEOUT, trust_env=False, follow_redirects=False) as http:
        checks += await _pixii(http)
        checks += await _amazon(http, country)
    return checks


def _print(checks: list[Check]) -> None:
    for c in checks:
        print(f"{c.status:<8} {c.name:<20} {c.detail}")
        if c.fix and c.status != OK:
            print(f"{'':<8} {'':<20} {'fix' if c.status == PROBLEM else 'to set up'}: {c.fix}")


def main(args: argparse.Namespace, log_file: Path) -> int:
    from desktop_app.cli.help import version
    report: dict[str, Any] = {"version": version(), "checks": [], "problems": 0, "error": None}
    try:
        checks = asyncio.run(run_checks(args.country))
    except BaseException as exc:  # invalid --country, or an internal error: one line
        outcome = failure_outcome(exc, log_file)
        say(f"error: {outcome.code}: {outcome.message}")
        report["error"] = {"code": outcome.code, "message": outcome.message}
        if args.json:
            print(json.dumps(report))
        return outcome.exit_code
    problems = sum(c.status == PROBLEM for c in checks)
    report.update(checks=[asdict(c) for c in checks], problems=problems)
    if args.json:
        print(json.dumps(report))
    else:
        _print(checks)
    sys.stdout.flush()
    say(f"{problems} problem(s) found" if problems else "no problem found")
    return EXIT_PARTIAL if problems else EXIT_OK
