"""Host local images in the seller's S3 bucket so that Amazon can fetch them (sp-api-listings.md §6).

    host = ImageHost.from_env(settings_bucket)       # HostingNotConfigured without a bucket
    url = host.upload(data, "jpg", "image/jpeg")     # https URL of listing-studio/<sha256>.jpg

Keys are content-addressed (`listing-studio/<sha256 of the bytes>.<ext>`): new content always gets a new key and so a
new URL (Amazon may never download a reused URL again), and uploading the same bytes twice is a no-op.

The S3 client is boto3's, configured by the standard AWS variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_SESSION_TOKEN, AWS_REGION / AWS_DEFAULT_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL) unless keys
are passed explicitly (from the secrets module). Every failure is a HostingError subclass with a message for
people, never a botocore traceback.

**Blocking:** boto3 calls do network I/O synchronously. Callers (GUI, CLI publish) run `upload`, `exists` and
`check_bucket` in a worker thread (e.g. `asyncio.to_thread` or a QThreadPool job), never on the GUI thread.
Qt-free.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

KEY_PREFIX = "listing-studio/"
BUCKET_ENV = "LISTING_STUDIO_S3_BUCKET"
# Amazon's media download role (archived Listings Items use-case guide; sp-api-listings.md §6 and §11 question 1).
AMAZON_MEDIA_ROLE = "arn:aws:iam::368641386589:role/Media-Download-Role"
_BUCKET_RE = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_EXT_RE = re.compile(r"[a-z0-9]{1,5}")
_REGION_RE = re.compile(r"[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}")
_SHA_RE = re.compile(r"[0-9a-f]{64}")


class HostingError(Exception):
    """Hosting an image failed. `code` is stable (for the CLI's JSON and tests); str() is the message."""

    code = "HOSTING_ERROR"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code

    def __str__(self) -> str:
        return self.message


class HostingNotConfigured(HostingError):
    code = "HOSTING_NOT_CONFIGURED"


class HostingCredentialsMissing(HostingError):
    code = "AWS_CREDENTIALS_MISSING"


class HostingCredentialsInvalid(HostingError):
    code = "AWS_CREDENTIALS_INVALID"


class HostingBucketNotFound(HostingError):
    code = "BUCKET_NOT_FOUND"


class HostingAccessDenied(HostingError):
    code = "ACCESS_DENIED"


class HostingUnreachable(HostingError):
    code = "S3_UNREACHABLE"


class HostingNotPublic(HostingError):
    code = "BUCKET_NOT_PUBLIC"


NOT_CONFIGURED_MESSAGE = (
    "this image needs a public URL: Amazon fetches images from the web, and a local or edited file has none. "
    f"Set an S3 bucket for hosting (Settings ▸ Image hosting, or {BUCKET_ENV}) or use a public https image URL"
)


@dataclass(frozen=True)
class HostedImage:
    key: str
    url: str        # https URL (public-read buckets; what `upload` returns)
    s3_uri: str     # s3://bucket/key (private buckets with the policy from bucket_policy(); sp-api-listings.md §6)
    uploaded: bool  # False when the object was already there


def content_key(data: bytes, ext: str) -> str:
    """`listing-studio/<sha256 of data>.<ext>`; ext without the dot, lower case (e.g. "jpg")."""
    ext = ext.lower().lstrip(".")
    if not _EXT_RE.fullmatch(ext):
        raise ValueError(f"bad file extension {ext!r}")
    return f"{KEY_PREFIX}{hashlib.sha256(data).hexdigest()}.{ext}"


def bucket_policy(bucket: str, *, public_read: bool = False) -> str:
    """The bucket policy Amazon needs, as indented JSON ready to copy (sp-api-listings.md §6).

    The statement lets Amazon's Media-Download-Role read the bucket (for s3:// media locations). With
    `public_read`, a second statement lets anyone GET objects under listing-studio/ (for https URLs). Merge it into
    an existing policy rather than replacing one.
    """
    _check_bucket_name(bucket)
    statements: list[dict[str, Any]] = [{
        "Sid": "AmazonSpApiMediaDownload",
        "Action": ["s3:GetObject", "s3:ListBucket"],
        "Effect": "Allow",
        "Resource": [f"arn:aws:s3:::{bucket}/*", f"arn:aws:s3:::{bucket}"],
        "Principal": {"AWS": [AMAZON_MEDIA_ROLE]},
    }]
    if public_read:
        statements.append({
            "Sid": "ListingStudioPublicRead",
            "Action": ["s3:GetObject"],
            "Effect": "Allow",
            "Resource": [f"arn:aws:s3:::{bucket}/{KEY_PREFIX}*"],
            "Principal": "*",
        })
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=4)


def bucket_problem(bucket: str) -> str | None:
    """Why ``bucket`` is not a valid S3 bucket name, or None."""
    try:
        _check_bucket_name(bucket)
    except HostingNotConfigured as exc:
        return exc.message
    return None


def region_problem(region: str) -> str | None:
    """Why ``region`` does not look like an AWS region name (e.g. eu-west-1), or None."""
    if _REGION_RE.fullmatch(region or ""):
        return None
    return f"{region!r} is not an AWS region name (e.g. us-east-1, eu-west-1)"


def _check_bucket_name(bucket: str) -> None:
    if not _BUCKET_RE.fullmatch(bucket or "") or ".." in bucket:
        raise HostingNotConfigured(
            f"{bucket!r} is not a valid S3 bucket name (3-63 characters: lower-case letters, digits, dots, hyphens)",
            code="INVALID_BUCKET_NAME")


def configured_bucket(settings_bucket: str | None = None) -> str | None:
    """The hosting bucket: LISTING_STUDIO_S3_BUCKET wins over the settings value; None when neither is set."""
    return (os.environ.get(BUCKET_ENV) or "").strip() or (settings_bucket or "").strip() or None


class ImageHost:
    def __init__(self, bucket: str | None, *, endpoint_url: str | None = None, region: str | None = None,
                 client: Any = None, access_key_id: str | None = None, secret_access_key: str | None = None,
                 session_token: str | None = None) -> None:
        """Raises HostingNotConfigured (no or invalid bucket); makes no network call."""
        if not bucket or not bucket.strip():
            raise HostingNotConfigured(NOT_CONFIGURED_MESSAGE)
        bucket = bucket.strip()
        _check_bucket_name(bucket)
        self.bucket = bucket
        self.endpoint_url = (endpoint_url or os.environ.get("AWS_ENDPOINT_URL_S3")
                             or os.environ.get("AWS_ENDPOINT_URL") or None)
        if client is None:
            client = self._make_client(region, access_key_id, secret_access_key, session_token)
        elif not endpoint_url:  # a ready client: its own endpoint decides the URLs
            own = str(getattr(getattr(client, "meta", None), "endpoint_url", "") or "")
            self.endpoint_url = None if not own or ".amazonaws.com" in own else own
        self.client = client
        self._public_ok = False
        self.region = region or getattr(getattr(client, "meta", None), "region_name", None) or "us-east-1"

    @classmethod
    def from_env(cls, settings_bucket: str | None = None, **kwargs: Any) -> "ImageHost":
        return cls(configured_bucket(settings_bucket), **kwargs)

    def _make_client(self, region: str | None, key_id: str | None, secret: str | None, token: str | None) -> Any:
        try:
            import boto3
            from botocore.config import Config
        except ImportError:  # pragma: no cover - boto3 is a dependency
            raise HostingNotConfigured("S3 hosting is unavailable: boto3 is not installed") from None
        session = boto3.session.Session(aws_access_key_id=key_id, aws_secret_access_key=secret,
                                        aws_session_token=token, region_name=region)
        config = Config(connect_timeout=10, read_timeout=60, retries={"max_attempts": 4, "mode": "standard"},
                        user_agent_extra="listing-studio")
        try:
            return session.client("s3", endpoint_url=self.endpoint_url, config=config,
                                  region_name=region or session.region_name or "us-east-1")
        except Exception as exc:  # bad endpoint URL, broken profile ...
            raise HostingNotConfigured(f"S3 client could not be set up: {exc}") from None

    # ----------------------------------------------------------------------------------------------- URLs

    def public_url(self, key: str) -> str:
        """The URL of an object: virtual-hosted https on AWS, path style under a custom endpoint (e.g. moto)."""
        path = quote(key, safe="/")
        if self.endpoint_url:
            return f"{self.endpoint_url.rstrip('/')}/{self.bucket}/{path}"
        if "." in self.bucket:  # a dotted name breaks the *.s3 wildcard certificate
            return f"https://s3.{self.region}.amazonaws.com/{self.bucket}/{path}"
        return f"https://{self.bucket}.s3.{self.region}.amazonaws.com/{path}"

    def s3_uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

    # ------------------------------------------------------------------------------------ network (blocking)

    def upload(self, data: bytes, ext: str, content_type: str) -> str:
        """Upload (unless already there) and return the https URL. Blocking: call from a worker thread."""
        return self.host(data, ext, content_type).url

    def host(self, data: bytes, ext: str, content_type: str) -> HostedImage:
        """upload(), with the key, both URL forms and whether bytes were sent. Blocking."""
        key = content_key(data, ext)
        sha = key[len(KEY_PREFIX):].split(".", 1)[0]
        md5 = hashlib.md5(data).digest()
        uploaded = False
        if not self._same_object(key, len(data), md5.hex(), sha):
            self._call("put_object", Bucket=self.bucket, Key=key, Body=data, ContentType=content_type,
                       ContentMD5=base64.b64encode(md5).decode(), Metadata={"sha256": sha},
                       CacheControl="public, max-age=31536000, immutable")
            uploaded = True
        return HostedImage(key=key, url=self.public_url(key), s3_uri=self.s3_uri(key), uploaded=uploaded)

    def check_public(self, url: str, *, transport: Any = None) -> None:
        """Amazon downloads the https URL like any browser: one anonymous GET of its first byte proves it can,
        before anything is sent to Amazon (HostingNotPublic otherwise). Remembered once it succeeds. Blocking."""
        if self._public_ok:
            return
        import httpx
        try:
            with httpx.Client(transport=transport, trust_env=False, timeout=15.0, follow_redirects=False) as http:
                with http.stream("GET", url, headers={"Range": "bytes=0-0"}) as response:
                    status = response.status_code
        except httpx.HTTPError as exc:
            raise HostingUnreachable(f"the uploaded image could not be read back from {url} ({exc})") from None
        if status in (401, 403):
            raise HostingNotPublic(
                f"Amazon could not download the uploaded image: objects under {KEY_PREFIX} in bucket {self.bucket!r} "
                "are not public (HTTP 403). Add the bucket policy from Settings ▸ Image hosting ▸ Bucket policy…, "
                "with its public-read statement, then publish again")
        if status not in (200, 206):
            raise HostingError(f"the uploaded image at {url} answered HTTP {status} to an anonymous request",
                               code="HOSTED_IMAGE_UNREADABLE")
        self._public_ok = True

    def exists(self, key: str) -> bool:
        """Whether the object is in the bucket. Blocking."""
        return self._head(key) is not None

    def check_bucket(self) -> str | None:
        """Raise the matching HostingError unless the bucket exists and is reachable with these credentials (one
        HeadBucket request: needs s3:ListBucket). Returns the bucket's region as S3 reports it, if it does."""
        answer = self._call("head_bucket", Bucket=self.bucket) or {}
        headers = (answer.get("ResponseMetadata") or {}).get("HTTPHeaders") or {}
        return answer.get("BucketRegion") or headers.get("x-amz-bucket-region") or None

    def _same_object(self, key: str, size: int, md5_hex: str, sha: str) -> bool:
        head = self._head(key)
        if head is None or head.get("ContentLength") != size:
            return False
        etag = str(head.get("ETag", "")).strip('"')
        stored_sha = (head.get("Metadata") or {}).get("sha256")
        # the key already names the sha256; the ETag (an MD5 for single-part uploads without KMS) or our metadata
        # confirm that the object is complete and is ours
        return etag == md5_hex or stored_sha == sha

    def _head(self, key: str) -> dict | None:
        try:
            return self._call("head_object", Bucket=self.bucket, Key=key, _missing_ok=True)
        except HostingAccessDenied:
            return None  # without s3:ListBucket S3 answers 403 for a missing key; the PUT will tell

    def _call(self, op: str, *, _missing_ok: bool = False, **kwargs: Any) -> Any:
        from botocore.exceptions import (BotoCoreError, ClientError, EndpointConnectionError,
                                         NoCredentialsError, PartialCredentialsError)

        try:
            return getattr(self.client, op)(**kwargs)
        except (NoCredentialsError, PartialCredentialsError):
            raise HostingCredentialsMissing(
                "AWS credentials are missing: set the access key id and secret for S3 hosting (Settings ▸ Image "
                "hosting, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)") from None
        except EndpointConnectionError as exc:
            raise HostingUnreachable(f"S3 is unreachable ({exc})") from None
        except ClientError as exc:
            err = exc.response.get("Error", {})
            code = str(err.get("Code", ""))
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if _missing_ok and op == "head_object" and (code in ("404", "NoSuchKey", "NotFound") or status == 404):
                return None
            raise self._map_client_error(op, code, status, err.get("Message") or str(exc)) from None
        except BotoCoreError as exc:
            raise HostingError(f"S3 {op} failed: {exc}") from None

    def _map_client_error(self, op: str, code: str, status: int | None, message: str) -> HostingError:
        b = self.bucket
        if code in ("NoSuchBucket",) or (op == "head_bucket" and (code in ("404", "NotFound") or status == 404)):
            return HostingBucketNotFound(f"S3 bucket {b!r} does not exist (check the name and the region)")
        if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken",
                    "TokenRefreshRequired"):
            return HostingCredentialsInvalid(f"AWS rejected the credentials for bucket {b!r} ({code}: {message})")
        if code in ("AccessDenied", "AllAccessDisabled", "403", "Forbidden") or status == 403:
            return HostingAccessDenied(
                f"access to S3 bucket {b!r} denied: the AWS user needs s3:PutObject and s3:GetObject on "
                f"arn:aws:s3:::{b}/{KEY_PREFIX}*")
        if code in ("PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException"):
            return HostingError(f"S3 bucket {b!r} is in another region than {self.region!r} ({code})",
                                code="WRONG_REGION")
        return HostingError(f"S3 {op} on bucket {b!r} failed: {code or status}: {message}")
