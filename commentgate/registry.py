"""The sites registry: register a site, change its settings, find it within a key's scope.

Used by the admin API and by ``commentgate sites``; every change is audited
with the names of the fields that changed (never their values: a webhook
secret must not end up in the log).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from commentgate.access import Principal
from commentgate.domain import AuditAction
from commentgate.errors import AlreadyExistsError, UnknownSiteError
from commentgate.site_settings import NewSite, SiteSettings, apply_settings
from commentgate.storage.audit import record_audit
from commentgate.storage.models import Site
from commentgate.storage.sites import find_site
from commentgate.webhook_url import webhook_url_problem


def get_scoped_site(session: Session, principal: Principal, name: str) -> Site:
    """The site called ``name`` if the key covers it.

    Raises:
        UnknownSiteError: no such site, or outside the key's sites.
    """
    site = find_site(session, name)
    if site is None or not principal.covers(site.id):
        raise UnknownSiteError(name)
    return site


def register_site(
    session: Session, principal: Principal, new: NewSite, *, private_webhooks: bool = False
) -> Site:
    """Create a site with the given settings (defaults for the rest); flushes.

    ``private_webhooks``: a webhook may go to loopback and private addresses.

    Raises:
        ForbiddenError: the key is limited to some sites.
        AlreadyExistsError: the name is taken.
        ValidationFailedError: thresholds that contradict each other, or a webhook URL
            whose host is not a public address.
    """
    principal.require_global()
    if find_site(session, new.name) is not None:
        raise AlreadyExistsError(new.name)
    site = Site(name=new.name, mode="pre", spam_at=1.0, approve_below=0.3)
    site.blocked_domains, site.allowed_domains, site.custom_words = [], [], []
    session.add(site)
    fields = apply_settings(site, new, private_webhooks=private_webhooks)
    session.flush()
    record_audit(
        session,
        principal.key_id,
        AuditAction.SITE_CREATE,
        ("site", site.id),
        site_id=site.id,
        detail={"fields": fields},
    )
    return site


def update_site(
    session: Session,
    principal: Principal,
    name: str,
    changes: SiteSettings,
    *,
    private_webhooks: bool = False,
) -> Site:
    """Apply ``changes`` to the site; flushes. Audited only when something was given.

    Raises:
        UnknownSiteError: no such site, or outside the key's sites.
        ValidationFailedError: thresholds that contradict each other, or a webhook URL
            whose host is not a public address.
    """
    site = get_scoped_site(session, principal, name)
    fields = apply_settings(site, changes, private_webhooks=private_webhooks)
    session.flush()
    if fields:
        record_audit(
            session,
            principal.key_id,
            AuditAction.SITE_UPDATE,
            ("site", site.id),
            site_id=site.id,
            detail={"fields": fields},
        )
    return site


def describe_site(site: Site, *, private_webhooks: bool) -> dict[str, Any]:
    """A site's settings as plain data; the webhook secret only as set or not.

    ``webhook_url_error`` says why deliveries to a stored webhook URL are refused (one
    set before today's rules, or before private addresses were disallowed).
    """
    return {
        "name": site.name,
        "origins": sorted(site.origin_set()),
        "mode": site.mode,
        "spam_at": site.spam_at,
        "approve_below": site.approve_below,
        "blocked_domains": list(site.blocked_domains or []),
        "allowed_domains": list(site.allowed_domains or []),
        "custom_words": list(site.custom_words or []),
        "webhook_url": site.webhook_url,
        "webhook_url_error": webhook_url_problem(site.webhook_url, private_ok=private_webhooks),
        "webhook_secret_set": bool(site.webhook_secret),
        "retention_days": site.retention_days,
        "privacy_notice_url": site.privacy_notice_url,
        "privacy_notice_version": site.privacy_notice_version,
        "privacy_purpose": site.privacy_purpose,
        "consent_always": site.consent_always,
        "erasure": site.erasure,
        "hold_first_time": site.hold_first_time,
        "hold_links": site.hold_links,
        "abuse_action": site.abuse_action,
        "created_at": site.created_at,
    }
