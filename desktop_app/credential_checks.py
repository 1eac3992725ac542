"""Whether a key works: one cheap request to the service with the Pixii key (:func:`check_key`), the SP-API
credentials (:func:`check_lwa`, a token exchange) or the S3 image host's keys (:func:`check_bucket`, HeadBucket and a
probe upload read back anonymously). Each answers a check with a code and a sentence for people that never contains
the secret. Where the keys are read: :mod:`desktop_app.credentials`."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.api.errors import ApiError, RateLimited, Unauthorized, Unreachable
from desktop_app.api.pixii.client import key_mode, redact
from desktop_app.credentials import SP_API_FIELDS, SP_API_LABELS, key_problem

CHECK_ASIN = "B000000000"  # listing its jobs is cheap, needs a valid key and costs no credits


@dataclass(frozen=True)
class KeyCheck:
    ok: bool
    code: str       # "VALID", "UNAUTHORIZED", "UNREACHABLE", "INVALID_KEY" or the service's error code
    message: str    # for people; never contains the key


async def check_key(key: str, base_url: str, http, *, give_up_after: float = 8.0) -> KeyCheck:
    """One cheap authenticated request (list the jobs of a dummy ASIN) to ``base_url`` with ``key``."""
    from desktop_app.api.pixii.client import PixiiClient

    key = key.strip()
    problem = key_problem(key)
    if problem:
        return KeyCheck(False, "INVALID_KEY", problem)
    client = PixiiClient(base_url, key, http=http, give_up_after=give_up_after, request_deadline=20.0)
    try:
        await client.list_jobs_page(CHECK_ASIN, 1, 1)
    except Unauthorized:
        return KeyCheck(False, "UNAUTHORIZED", f"Refused: the service answered 401 UNAUTHORIZED — the key "
                        f"{redact(key)} is revoked or wrong.")
    except Unreachable as exc:
        return KeyCheck(False, "UNREACHABLE", f"Service unreachable: {exc.message}. The key was not checked.")
    except RateLimited as exc:
        return KeyCheck(False, exc.code, "The service is rate-limiting requests; check again in a minute.")
    except ApiError as exc:
        return KeyCheck(False, exc.code, f"The service answered {exc.code}: {exc.message}")
    finally:
        await client.aclose()
    kind = "live" if key_mode(key) == "live" else "test"
    return KeyCheck(True, "VALID", f"Valid: the service accepted this {kind} key.")


@dataclass(frozen=True)
class LwaCheck:
    ok: bool
    code: str      # "VALID", "REVOKED", "UNREACHABLE", "INCOMPLETE" or LWA's error code
    message: str   # for people; never contains a secret


async def check_lwa(values: dict[str, str], lwa_url: str, *, transport=None, give_up_after: float = 8.0) -> LwaCheck:
    """Exchange the refresh token for an access token at ``lwa_url`` (one token request; nothing else)."""
    import httpx

    from desktop_app.api.amazon.auth import LwaCredentials, LwaTokenProvider
    from desktop_app.api.amazon.errors import AuthorizationRevoked, SpApiError, SpApiUnreachable

    missing = [SP_API_LABELS[f] for f in SP_API_FIELDS if not values.get(f)]
    if missing:
        return LwaCheck(False, "INCOMPLETE", f"Enter the {', '.join(missing)} first.")
    creds = LwaCredentials(values["client_id"], values["client_secret"], values["refresh_token"])
    async with httpx.AsyncClient(transport=transport, timeout=15.0, trust_env=False) as http:
        try:
            await LwaTokenProvider(creds, http, lwa_url=lwa_url, give_up_after=give_up_after,
                                   request_deadline=15.0).token()
        except AuthorizationRevoked:
            return LwaCheck(False, "REVOKED", "Revoked: Login with Amazon answered invalid_grant — the seller's "
                            "authorization was revoked or the refresh token is wrong. Authorize the app again.")
        except SpApiUnreachable as exc:
            return LwaCheck(False, "UNREACHABLE", f"Login with Amazon is unreachable: {exc.message}. "
                            "Nothing was checked.")
        except SpApiError as exc:
            return LwaCheck(False, exc.code, f"Login with Amazon refused the credentials ({exc.code}): {exc.message}")
    return LwaCheck(True, "VALID", "Valid: Login with Amazon issued an access token for these credentials.")


@dataclass(frozen=True)
class BucketCheck:
    ok: bool
    code: str                  # "OK", "WRONG_REGION" (found elsewhere), "INCOMPLETE" or the HostingError's code
    message: str               # for people; never contains a secret
    region: str | None = None  # where S3 says the bucket is


def check_bucket(bucket: str, *, region: str | None = None, keys: tuple[str, ...] = ()) -> BucketCheck:
    """HeadBucket for ``bucket`` with ``keys`` (else the environment's credentials), then what a publish does: upload
    a tiny probe image (content-addressed, so always the same object) and read it back anonymously, as Amazon will.
    Blocking: call it in a worker thread."""
    from desktop_app.core.publish.hosting import HostingAccessDenied, HostingError, HostingNotPublic, ImageHost

    bucket = bucket.strip()
    creds = dict(zip(("access_key_id", "secret_access_key"), keys))
    try:
        host = ImageHost(bucket, region=region or None, **creds)
        found = host.check_bucket()
    except HostingAccessDenied as exc:
        return BucketCheck(False, exc.code, f"{exc.message} (this check also needs s3:ListBucket on "
                           f"arn:aws:s3:::{bucket}).")
    except HostingError as exc:
        return BucketCheck(False, exc.code, f"{exc.message[:1].upper()}{exc.message[1:]}.")
    if region and found and found != region:
        return BucketCheck(True, "WRONG_REGION", f"Bucket {bucket} found, but it is in {found}, not {region}: set "
                           f"the region to {found}, or the image links will not work.", found)
    try:
        host.check_public(host.upload(_probe_png(), "png", "image/png"))
    except HostingNotPublic:
        return BucketCheck(False, HostingNotPublic.code, f"Bucket {bucket} found and uploads work, but Amazon could "
                           "not download them: objects are not public. Add the bucket policy (Bucket policy…) and "
                           "check again.", found)
    except HostingAccessDenied:
        return BucketCheck(False, HostingAccessDenied.code, f"Bucket {bucket} found, but these credentials cannot "
                           f"upload to it: the AWS user needs s3:PutObject on arn:aws:s3:::{bucket}/listing-studio/*.",
                           found)
    except HostingError as exc:
        return BucketCheck(False, exc.code, f"Bucket {bucket} found, but the test upload failed: {exc.message}.", found)
    return BucketCheck(True, "OK", f"Bucket {bucket} found in {found or host.region}: uploads work and Amazon can "
                       "download them.", found)


def _probe_png() -> bytes:
    """A 1×1 white PNG: the object the bucket check uploads (always the same key)."""
    import io

    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (1, 1), (255, 255, 255)).save(out, "PNG")
    return out.getvalue()
