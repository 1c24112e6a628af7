"""The admin API: sites registry, API keys, audit log."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_openapi3 import APIBlueprint, Tag

from commentgate import keyring, registry
from commentgate.access import Permission
from commentgate.domain import Role
from commentgate.storage.audit import AuditFilter, list_audit
from commentgate.storage.db import transaction
from commentgate.storage.keys import list_keys
from commentgate.storage.models import Site
from commentgate.storage.sites import list_sites, site_names
from commentgate.subjects import erase_subject, export_subject, subject_of
from service.admin.presenters import audit_view, key_view, site_view
from service.admin.schemas import (
    AuditPage,
    AuditQuery,
    KeyCreated,
    KeyOut,
    KeyPage,
    KeyPath,
    KeyQuery,
    NewKey,
    NewSite,
    SiteOut,
    SitePage,
    SitePath,
    SiteSettings,
    SubjectErased,
    SubjectRequest,
)
from service.deps import comment_work, services
from service.http.auth import current_principal, require
from service.openapi_docs import BODY, SECURITY, protected
from service.schemas import PageQuery

admin = APIBlueprint(
    "admin",
    __name__,
    url_prefix="/api/v1/admin",
    abp_tags=[Tag(name="admin")],
    abp_security=SECURITY,
)
_PERMISSIONS = {
    "sites": Permission.MANAGE_SITES,
    "keys": Permission.MANAGE_KEYS,
    "subjects": Permission.SUBJECT_RIGHTS,
}


@admin.before_request
def require_admin() -> None:
    """Sites, keys and the audit log each need their permission (admins hold all)."""
    section = (request.path.removeprefix("/api/v1/admin/").split("/") + [""])[0]
    require(_PERMISSIONS.get(section, Permission.READ_AUDIT))


@admin.get("/sites", summary="Sites the key covers", responses={200: SitePage, **protected(422)})
def sites_index(query: PageQuery):
    """Every site (or the key's own), oldest first."""
    with services().sessions() as session:
        page = list_sites(session, current_principal().site_ids, query.cursor, query.limit)
        return {"items": [_site_view(s) for s in page.items], "next_cursor": page.next_cursor}


@admin.post(
    "/sites",
    summary="Register a site (keys for all sites only)",
    responses={201: SiteOut, **protected(*BODY, 409)},
)
def sites_create(body: NewSite):
    """Name plus any settings; the rest take safe defaults (pre-moderation)."""
    with transaction(services().sessions) as session:
        site = registry.register_site(
            session, current_principal(), body, private_webhooks=_private_webhooks()
        )
        view = _site_view(site)
    services().sites.changed()  # the limits count its own name at once, not with unknown ones
    return view, 201


@admin.get("/sites/<site_name>", summary="One site", responses={200: SiteOut, **protected(404)})
def sites_show(path: SitePath):
    """The site's settings (the webhook secret only as set or not)."""
    with services().sessions() as session:
        return _site_view(registry.get_scoped_site(session, current_principal(), path.site_name))


@admin.patch(
    "/sites/<site_name>",
    summary="Change a site's settings",
    responses={200: SiteOut, **protected(*BODY, 404)},
)
def sites_update(path: SitePath, body: SiteSettings):
    """Fields left out stay; lists are replaced whole; null clears webhook and retention."""
    with transaction(services().sessions) as session:
        site = registry.update_site(
            session, current_principal(), path.site_name, body, private_webhooks=_private_webhooks()
        )
        view = _site_view(site)
    services().sites.changed()
    return view


def _private_webhooks() -> bool:
    return services().settings.webhook_private_addresses


def _site_view(site: Site) -> dict[str, Any]:
    return site_view(site, private_webhooks=_private_webhooks())


def _names(session, site_ids) -> dict[str, str]:
    return site_names(session, {i for i in site_ids if i})


@admin.get("/keys", summary="API keys, by prefix", responses={200: KeyPage, **protected(422)})
def keys_index(query: KeyQuery):
    """Live keys (``include_revoked`` for all) of the key's sites, newest first."""
    with services().sessions() as session:
        page = list_keys(
            session,
            current_principal().site_ids,
            prefix=query.prefix,
            role=Role(query.role) if query.role else None,
            include_revoked=query.include_revoked,
            cursor=query.cursor,
            limit=query.limit,
        )
        names = _names(session, [k.site_id for k in page.items])
        return {"items": [key_view(k, names) for k in page.items], "next_cursor": page.next_cursor}


@admin.post(
    "/keys",
    summary="Create a key (the secret is shown once)",
    responses={201: KeyCreated, **protected(*BODY, 404)},
)
def keys_create(body: NewKey):
    """A random key with a role, for one site or all; stored as SHA-256."""
    with transaction(services().sessions) as session:
        key, secret = keyring.issue(
            session, current_principal(), Role(body.role), body.name, body.site
        )
        return {**key_view(key, _names(session, [key.site_id])), "key": secret}, 201


@admin.post(
    "/keys/<key_id>/revoke",
    summary="Revoke a key at once (repeating is a no-op)",
    responses={200: KeyOut, **protected(*BODY, 404)},
)
def keys_revoke(path: KeyPath):
    """The key stops working with its next request."""
    with transaction(services().sessions) as session:
        key = keyring.revoke(session, current_principal(), path.key_id)
        return key_view(key, _names(session, [key.site_id]))


@admin.get(
    "/audit",
    summary="The audit log, newest first",
    responses={200: AuditPage, **protected(404, 422)},
)
def audit_index(query: AuditQuery):
    """Who did what, when and why: ids and codes, never comment text or personal data."""
    principal = current_principal()
    with services().sessions() as session:
        site_ids = principal.site_ids
        if query.site is not None:
            site_ids = frozenset({registry.get_scoped_site(session, principal, query.site).id})
        wanted = AuditFilter(
            site_ids=site_ids,
            actions=[a.value for a in query.action],
            target_type=query.target_type,
            target_id=query.target_id,
            actor_key_id=query.actor,
            since=query.since,
            until=query.until,
        )
        page = list_audit(session, wanted, query.cursor, query.limit)
        names = _names(session, [e.site_id for e in page.items])
        return {
            "items": [audit_view(e, names) for e in page.items],
            "next_cursor": page.next_cursor,
        }


@admin.post(
    "/subjects/export",
    summary="Everything stored about one reader, by phone number (audited)",
    responses={200: None, **protected(*BODY, 404)},
)
def subjects_export(body: SubjectRequest):
    """One JSON document: comments, statuses, edits, decisions, verdicts, consent records.

    The phone travels in the body, never in a URL that logs keep. Verify who asks first.
    """
    svc, principal = services(), current_principal()
    wanted = subject_of(svc.settings, body.phone, body.comment)
    with transaction(svc.sessions) as session:
        return export_subject(session, svc.settings, wanted, principal.key_id, principal.site_ids)


@admin.post(
    "/subjects/erase",
    summary="Erase one reader's data, by phone number (audited)",
    responses={200: SubjectErased, **protected(*BODY, 404, 409)},
)
def subjects_erase(body: SubjectRequest):
    """Phone, IP, user agent, fingerprints, consent and name leave their comments; public
    ones are taken down; the site's setting deletes or anonymises them."""
    svc, principal = services(), current_principal()
    wanted = subject_of(svc.settings, body.phone, body.comment)
    with comment_work() as life:
        done = erase_subject(
            life, svc.settings, svc.redis, wanted, principal.key_id, principal.site_ids
        )
    return done.summary()
