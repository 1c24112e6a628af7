"""A site's settings: what may be set, the rules each value follows, and applying them.

The admin API and ``commentgate sites set`` share this model, so both refuse
the same values with the same field codes.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from commentgate.domain import ModerationMode
from commentgate.errors import (
    FieldError,
    FieldValueError,
    ValidationFailedError,
    WebhookUrlError,
)
from commentgate.storage.models import Site, SiteOrigin
from commentgate.storage.sites import normalize_origin
from commentgate.text import clean_text
from commentgate.webhook_url import check_webhook_url as check_webhook_address
from commentgate.webhook_url import parse_webhook_url

SITE_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"
MAX_ORIGIN_LENGTH = 300  # the column SiteOrigin.origin
CLEARABLE = frozenset(
    {"webhook_url", "webhook_secret", "retention_days", "privacy_notice_url"}
    | {"privacy_notice_version", "privacy_purpose"}
)
PLAIN_ORIGIN = re.compile(r"^https?://[a-z0-9.\-]+(:\d+)?$")
_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


def _invalid() -> FieldValueError:
    return FieldValueError("invalid")


def check_origin(value: str) -> str:
    """``scheme://host[:port]`` of an http(s) origin, normalised, with an international
    host name in the ASCII (punycode) form browsers send in ``Origin``."""
    parts = urlsplit(value.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise _invalid()
    if parts.path not in {"", "/"} or parts.query or parts.fragment or parts.username:
        raise _invalid()
    try:
        port = parts.port
        host = _ascii_host(parts.hostname)
    except (ValueError, UnicodeError) as exc:
        raise _invalid() from exc
    origin = normalize_origin(f"{parts.scheme}://{host}" + (f":{port}" if port else ""))
    # What a browser sends as Origin and what CSP frame-ancestors can name: a
    # host with anything else in it would be stored, yet never match either.
    if not PLAIN_ORIGIN.match(origin):
        raise _invalid()
    # Measured as stored: punycode is longer than the name as typed.
    if len(origin) > MAX_ORIGIN_LENGTH:
        raise FieldValueError("too_long", max=MAX_ORIGIN_LENGTH)
    return origin


def _ascii_host(host: str) -> str:
    # Python's IDNA codec (IDNA 2003) gives the same labels as browsers' UTS 46 for
    # Vietnamese and most names; they differ only for a few characters such as "ß".
    return host.encode("idna").decode("ascii")


def check_domain(value: str) -> str:
    """A domain name in lower-case ASCII (IDN as punycode), without a trailing dot."""
    text = value.strip().rstrip(".").lower()
    try:
        ascii_name = text.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise _invalid() from exc
    if not _DOMAIN.match(ascii_name) or len(ascii_name) > 253:
        raise _invalid()
    return ascii_name


def check_word(value: str) -> str:
    """A custom word or phrase, cleaned, spaces collapsed, lower case, 1–100 characters."""
    cleaned = " ".join(clean_text(value).split())
    if not cleaned or len(cleaned) > 100:
        raise _invalid()
    return cleaned.lower()


def check_webhook_url(value: str | None) -> str | None:
    """An absolute http(s) URL that deliveries read the same way, or None to clear it.

    Only its form: whether its host is a public address is checked when it is applied,
    where the worker's settings say whether private addresses are allowed.
    """
    if value is None:
        return None
    try:
        parse_webhook_url(value.strip())
    except WebhookUrlError as exc:
        raise _invalid() from exc
    return value.strip()


def check_notice_url(value: str | None) -> str | None:
    """An absolute http(s) URL of the privacy notice, or None to clear it."""
    if value is None:
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise _invalid()
    return value.strip()


def _notice_text(value: str | None) -> str | None:
    return " ".join(clean_text(value).split()) or None if value is not None else None


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


Origin = Annotated[str, AfterValidator(check_origin)]
Domain = Annotated[str, Field(max_length=253), AfterValidator(check_domain)]
Word = Annotated[str, Field(max_length=100), AfterValidator(check_word)]
Secret = Annotated[str, Field(min_length=8, max_length=200)]


class SiteSettings(BaseModel):
    """Settings to change; a field left out stays as it is, lists are replaced whole."""

    model_config = ConfigDict(extra="ignore")

    origins: Annotated[list[Origin], AfterValidator(_unique)] | None = Field(
        None, max_length=50, description="Origins allowed to post, e.g. https://news.example"
    )
    mode: ModerationMode | None = Field(None, description="pre: show after approval; post")
    spam_at: float | None = Field(None, gt=0, le=100, description="Score at which it is spam")
    approve_below: float | None = Field(
        None, ge=0, le=100, description="post mode: publish at once below this score"
    )
    blocked_domains: Annotated[list[Domain], AfterValidator(_unique)] | None = Field(
        None, max_length=500
    )
    allowed_domains: Annotated[list[Domain], AfterValidator(_unique)] | None = Field(
        None, max_length=500
    )
    custom_words: Annotated[list[Word], AfterValidator(_unique)] | None = Field(
        None, max_length=1000, description="Words that count as spam signals on this site"
    )
    webhook_url: Annotated[str | None, AfterValidator(check_webhook_url)] = Field(
        None, max_length=500
    )
    webhook_secret: Secret | None = Field(None, description="Write-only; signs webhook calls")
    retention_days: int | None = Field(
        None,
        ge=1,
        le=3650,
        description="Days to keep authors' phones and IPs, and spam no moderator decided;"
        " null: forever",
    )
    privacy_notice_url: Annotated[str | None, AfterValidator(check_notice_url)] = Field(
        None, max_length=500, description="The site's privacy notice, shown by the phone field"
    )
    privacy_notice_version: Annotated[str | None, AfterValidator(_notice_text)] = Field(
        None,
        min_length=1,
        max_length=50,
        description="The notice's version, recorded with each consent; set: consent is asked",
    )
    privacy_purpose: Annotated[str | None, AfterValidator(_notice_text)] = Field(
        None, min_length=1, max_length=1000, description="Why the phone number is collected"
    )
    consent_always: bool | None = Field(
        None, description="Ask consent with every comment, not only those with a phone"
    )
    erasure: Literal["delete", "anonymise"] | None = Field(
        None, description="What erasing a reader's data does to their comments"
    )
    hold_first_time: bool | None = Field(
        None, description="post mode: first-time authors (no approved comment) wait"
    )
    hold_links: bool | None = Field(None, description="post mode: comments with links wait")
    abuse_action: Literal["flag", "reject"] | None = Field(
        None,
        description="What the worker does with abuse (insults, slurs, threats, hate): flag"
        " (pending, with the reason) or reject (rejected for abuse, never published)",
    )


class NewSite(SiteSettings):
    """A site to register."""

    name: str = Field(pattern=SITE_NAME_PATTERN, description="Unique, e.g. vnexpress")


def apply_settings(
    site: Site, settings: SiteSettings, *, private_webhooks: bool = False
) -> list[str]:
    """Apply the fields that were given; returns their names (values never logged).

    ``null`` clears the webhook and the retention period; for other fields it
    means "leave as it is". A webhook URL whose host is a loopback, private or
    link-local address is refused unless ``private_webhooks``.

    Raises:
        ValidationFailedError: ``approve_below`` would end above ``spam_at``.
        WebhookUrlError: the webhook URL names a non-public address.
    """
    given = {
        field: value
        for field, value in settings.model_dump(exclude_unset=True).items()
        if field in SiteSettings.model_fields and (value is not None or field in CLEARABLE)
    }
    if given.get("webhook_url"):
        check_webhook_address(given["webhook_url"], private_ok=private_webhooks)
    spam_at = given.get("spam_at", site.spam_at)
    approve_below = given.get("approve_below", site.approve_below)
    if approve_below > spam_at:
        field = "approve_below" if "approve_below" in given else "spam_at"
        raise ValidationFailedError({field: FieldError("invalid")})
    for field, value in given.items():
        _apply(site, field, value)
    return sorted(given)


def _apply(site: Site, field: str, value: Any) -> None:
    if field == "origins":
        wanted = list(value or [])
        site.origins[:] = [o for o in site.origins if o.origin in wanted]
        known = site.origin_set()
        site.origins.extend(SiteOrigin(origin=o) for o in wanted if o not in known)
    elif field == "mode":
        site.mode = ModerationMode(value).value
    elif field in {"blocked_domains", "allowed_domains", "custom_words"}:
        setattr(site, field, list(value or []))
    else:
        setattr(site, field, value)
