"""How sites, keys and audit entries look to admins."""

from __future__ import annotations

from typing import Any

from commentgate.registry import describe_site
from commentgate.storage.models import ApiKey, AuditEntry, Site
from service.presenters import rfc3339


def site_view(site: Site, *, private_webhooks: bool) -> dict[str, Any]:
    """A site's settings; the webhook secret only as set or not."""
    described = describe_site(site, private_webhooks=private_webhooks)
    return {**described, "created_at": rfc3339(site.created_at)}


def key_view(key: ApiKey, names: dict[str, str]) -> dict[str, Any]:
    """A key without its secret (which is not stored anyway)."""
    return {
        "id": key.id,
        "prefix": key.prefix,
        "name": key.name,
        "role": key.role,
        "site": names.get(key.site_id) if key.site_id else None,
        "created_at": rfc3339(key.created_at),
        "revoked_at": rfc3339(key.revoked_at),
    }


def audit_view(entry: AuditEntry, names: dict[str, str]) -> dict[str, Any]:
    """An audit entry, its site by name."""
    return {
        "id": str(entry.id),
        "at": rfc3339(entry.created_at),
        "actor": entry.actor_key_id,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "site": names.get(entry.site_id) if entry.site_id else None,
        "reason": entry.reason,
        "detail": entry.detail or {},
    }
