"""The sites a moderator's key covers, with how many comments wait in each status."""

from __future__ import annotations

from flask_openapi3 import APIBlueprint, Tag

from commentgate.access import Permission
from commentgate.storage.review import count_by_site
from commentgate.storage.sites import sites_by_name
from service.deps import services
from service.http.auth import current_principal, require
from service.moderation.schemas import ModeratedSites, empty_counts
from service.openapi_docs import SECURITY, protected

moderated_sites = APIBlueprint(
    "moderated_sites",
    __name__,
    url_prefix="/api/v1/moderation",
    abp_tags=[Tag(name="moderation")],
    abp_security=SECURITY,
)


@moderated_sites.before_request
def require_reviewer() -> None:
    """Only keys that may review see which sites they moderate."""
    require(Permission.REVIEW)


@moderated_sites.get(
    "/sites",
    summary="The sites this key may moderate, with comment counts per status",
    responses={200: ModeratedSites, **protected()},
)
def list_moderated_sites():
    """One site for a site key, every site for a global key, by name; the counts are cheap
    (one grouped count) so a console may poll them."""
    site_ids = current_principal().site_ids
    with services().sessions() as session:
        counts = count_by_site(session, site_ids)
        items = [
            {"name": s.name, "mode": s.mode, "counts": counts.get(s.id, empty_counts())}
            for s in sites_by_name(session, site_ids)
        ]
    return {"items": items}
