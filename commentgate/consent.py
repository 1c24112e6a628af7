"""A reader's consent to the site's privacy notice: when it is needed, and its record.

A site that names a privacy notice (version and purpose, in its settings) asks for
consent with every comment that carries a phone number, or with every comment if it
says so (``consent_always``). Silence is not consent: the reader ticks the box, the
request says ``"consent": true``, and the comment keeps which notice, for what
purpose, and when.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from commentgate.errors import FieldError, ValidationFailedError
from commentgate.storage.models import Site
from commentgate.storage.sites import SiteEntry

NoticeHolder = Site | SiteEntry  # a site as stored, or as a process caches it


def consent_needed(site: NoticeHolder, has_phone: bool) -> bool:
    """Whether a comment to ``site`` needs its author's consent."""
    return bool(site.privacy_notice_version) and (has_phone or site.consent_always)


def consent_record(
    site: NoticeHolder, given: bool, has_phone: bool, now: datetime
) -> dict[str, Any]:
    """The comment's consent columns for what the reader gave.

    Raises:
        ValidationFailedError: consent is needed and was not given (``consent_required``).
    """
    if consent_needed(site, has_phone) and not given:
        raise ValidationFailedError({"consent": FieldError("consent_required")})
    if not given or not site.privacy_notice_version:
        return {}
    return {
        "consent_version": site.privacy_notice_version,
        "consent_purpose": site.privacy_purpose,
        "consent_at": now,
    }


def notice_view(site: NoticeHolder) -> dict[str, Any]:
    """The site's notice as the widget and the form show it."""
    return {
        "site": site.name,
        "notice_url": site.privacy_notice_url,
        "notice_version": site.privacy_notice_version,
        "purpose": site.privacy_purpose,
        "consent_always": site.consent_always,
    }
