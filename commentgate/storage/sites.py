"""Sites and their registered origins."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from commentgate.domain import ModerationMode
from commentgate.errors import UnknownSiteError
from commentgate.storage.models import Site, SiteOrigin
from commentgate.storage.pagination import Page, paginate


def find_site(session: Session, name: str) -> Site | None:
    """The site called ``name``, or None."""
    return session.scalar(select(Site).where(Site.name == name))


@dataclass(frozen=True)
class SiteEntry:
    """What intake needs of a site, detached from any session (kept in a process's cache)."""

    id: str
    name: str
    origins: frozenset[str]
    # The privacy notice, for the consent a comment with a phone number needs.
    privacy_notice_url: str | None = None
    privacy_notice_version: str | None = None
    privacy_purpose: str | None = None
    consent_always: bool = False

    def origin_set(self) -> frozenset[str]:
        """The registered origins, as :meth:`Site.origin_set` gives them."""
        return self.origins


def _entry(site: Site) -> SiteEntry:
    return SiteEntry(
        site.id,
        site.name,
        frozenset(site.origin_set()),
        site.privacy_notice_url,
        site.privacy_notice_version,
        site.privacy_purpose,
        bool(site.consent_always),
    )


def site_entries(session: Session) -> dict[str, SiteEntry]:
    """Every registered site by name, with its origins (two queries in all)."""
    return {site.name: _entry(site) for site in session.scalars(select(Site))}


def find_site_entry(session: Session, name: str) -> SiteEntry | None:
    """The site called ``name`` as a :class:`SiteEntry`, or None."""
    site = find_site(session, name)
    return _entry(site) if site is not None else None


def get_site(session: Session, name: str) -> Site:
    """The site called ``name``.

    Raises:
        UnknownSiteError: no such site is registered.
    """
    site = find_site(session, name)
    if site is None:
        raise UnknownSiteError(name)
    return site


def normalize_origin(origin: str) -> str:
    """``scheme://host[:port]`` in lower case without a trailing slash."""
    return origin.strip().rstrip("/").lower()


def is_origin_registered(session: Session, origin: str, site_name: str | None = None) -> bool:
    """Whether ``origin`` is registered for the site called ``site_name``, or for any site."""
    query = select(SiteOrigin.site_id).where(SiteOrigin.origin == normalize_origin(origin))
    if site_name is not None:
        query = query.join(Site).where(Site.name == site_name)
    return session.scalar(query.limit(1)) is not None


def ensure_site(
    session: Session,
    name: str,
    origins: Iterable[str] = (),
    mode: ModerationMode | None = None,
) -> tuple[Site, bool]:
    """Create the site or add to it; returns (site, created). Safe to repeat."""
    site = find_site(session, name)
    created = site is None
    if site is None:
        site = Site(name=name, mode=(mode or ModerationMode.PRE).value)
        session.add(site)
    elif mode is not None:
        site.mode = mode.value
    known = site.origin_set()
    for origin in {normalize_origin(o) for o in origins} - known:
        site.origins.append(SiteOrigin(origin=origin))
    session.flush()
    return site, created


def list_sites(
    session: Session, site_ids: Collection[str] | None, cursor: str | None, limit: int
) -> Page[Site]:
    """Sites (those in ``site_ids``, or all), oldest first."""
    query = select(Site)
    if site_ids is not None:
        query = query.where(Site.id.in_(site_ids))
    return paginate(session, query, Site, cursor=cursor, limit=limit, newest_first=False)


def sites_by_name(session: Session, site_ids: Collection[str] | None) -> list[Site]:
    """Sites (those in ``site_ids``, or all), by name."""
    query = select(Site).order_by(Site.name)
    if site_ids is not None:
        query = query.where(Site.id.in_(site_ids))
    return list(session.scalars(query))


def site_names(session: Session, site_ids: Collection[str]) -> dict[str, str]:
    """``{site id: name}`` for the given ids."""
    if not site_ids:
        return {}
    rows = session.execute(select(Site.id, Site.name).where(Site.id.in_(site_ids)))
    return {site_id: name for site_id, name in rows}
