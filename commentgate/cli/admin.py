"""Administration commands: database, sites, keys, captchas."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from pydantic import ValidationError

from commentgate import keyring, registry
from commentgate.access import CLI
from commentgate.captcha import CaptchaService
from commentgate.config import Settings
from commentgate.domain import ModerationMode, Role
from commentgate.errors import FieldError, ValidationFailedError
from commentgate.fingerprint import backfill_fingerprints
from commentgate.redis_conn import connect_redis
from commentgate.site_settings import SiteSettings
from commentgate.storage.db import make_engine, make_session_factory, transaction
from commentgate.storage.keys import list_keys
from commentgate.storage.migrate import upgrade
from commentgate.storage.pagination import MAX_LIMIT
from commentgate.storage.sites import ensure_site as ensure_site_row
from commentgate.storage.sites import list_sites, site_names

pass_settings = click.make_pass_decorator(Settings)


def sessions_for(settings: Settings):
    """A session factory on the configured database."""
    return make_session_factory(make_engine(settings.resolved_database_url()))


@click.group()
def db() -> None:
    """Database schema management."""


@db.command("upgrade")
@pass_settings
def db_upgrade(settings: Settings) -> None:
    """Create or migrate the schema to the latest version (safe to repeat)."""
    upgrade(settings.resolved_database_url())
    with transaction(sessions_for(settings)) as session:
        filled = backfill_fingerprints(session, settings)
    if filled:
        click.echo(f"fingerprinted {filled} older comments", err=True)
    click.echo("database is up to date", err=True)


@click.group()
def sites() -> None:
    """Host sites whose articles carry comments."""


@sites.command("add")
@click.argument("name")
@click.option(
    "--origin",
    "origins",
    multiple=True,
    metavar="URL",
    help="Origin allowed to post, e.g. https://news.example (repeatable).",
)
@click.option(
    "--mode",
    type=click.Choice([m.value for m in ModerationMode]),
    default=None,
    help="pre: show after approval (default); post: show unless scored spam.",
)
@pass_settings
def sites_add(settings: Settings, name: str, origins: tuple[str, ...], mode: str | None) -> None:
    """Register site NAME, or add origins / change the mode of an existing one."""
    with transaction(sessions_for(settings)) as session:
        site, created = ensure_site_row(
            session, name, origins, ModerationMode(mode) if mode else None
        )
        summary = f"{'created' if created else 'updated'} site {site.name} ({site.mode})"
        origin_list = ", ".join(sorted(site.origin_set())) or "no origins"
    click.echo(f"{summary}: {origin_list}", err=True)


@sites.command("list")
@pass_settings
def sites_list(settings: Settings) -> None:
    """List sites: name, mode, spam threshold, origins (tab-separated)."""
    with transaction(sessions_for(settings)) as session:
        cursor = None
        while True:
            page = list_sites(session, None, cursor, MAX_LIMIT)
            for site in page.items:
                origins = ",".join(sorted(site.origin_set())) or "-"
                click.echo(f"{site.name}\t{site.mode}\t{site.spam_at:g}\t{origins}")
            if page.next_cursor is None:
                break
            cursor = page.next_cursor


@sites.command("show")
@click.argument("name")
@pass_settings
def sites_show(settings: Settings, name: str) -> None:
    """Print site NAME's settings as JSON (the webhook secret only as set or not)."""
    with transaction(sessions_for(settings)) as session:
        described = registry.describe_site(registry.get_scoped_site(session, CLI, name))
    described["created_at"] = described["created_at"].isoformat()
    click.echo(json.dumps(described, ensure_ascii=False, indent=2))


def _csv(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


def _site_settings(options: dict[str, Any]) -> SiteSettings:
    given = {k: v for k, v in options.items() if v is not None}
    for field in ("origins", "blocked_domains", "allowed_domains", "custom_words"):
        if field in given:
            given[field] = _csv(given[field])
    for field in ("webhook_url", "webhook_secret"):
        if given.get(field) == "":
            given[field] = None
    if given.get("retention_days") == 0:
        given["retention_days"] = None
    try:
        return SiteSettings.model_validate(given)
    except ValidationError as exc:
        fields = {
            str(e["loc"][0]) if e["loc"] else "settings": FieldError("invalid")
            for e in exc.errors()
        }
        raise ValidationFailedError(fields) from exc


@sites.command("set")
@click.argument("name")
@click.option("--mode", type=click.Choice([m.value for m in ModerationMode]), default=None)
@click.option("--spam-at", type=float, default=None, help="Score at which a comment is spam.")
@click.option(
    "--approve-below", type=float, default=None, help="post mode: publish below this score."
)
@click.option("--origins", default=None, metavar="URL,URL", help="Replace the origins.")
@click.option("--blocked-domains", default=None, metavar="D,D", help='Replace; "" clears.')
@click.option("--allowed-domains", default=None, metavar="D,D", help='Replace; "" clears.')
@click.option("--custom-words", default=None, metavar="W,W", help='Replace; "" clears.')
@click.option("--webhook-url", default=None, metavar="URL", help='"" removes the webhook.')
@click.option("--webhook-secret", default=None, help='At least 8 characters; "" removes it.')
@click.option(
    "--retention-days",
    type=int,
    default=None,
    help="Keep authors' phones and IPs N days, and spam no moderator decided; 0 = forever.",
)
@pass_settings
def sites_set(settings: Settings, name: str, **options: Any) -> None:
    """Change site NAME's settings; options left out stay as they are.

    \b
    Example:
      commentgate sites set vnews --mode post --spam-at 0.9 \\
        --blocked-domains "8xbet.com,w88.net" --retention-days 365
    """
    changes = _site_settings(options)
    with transaction(sessions_for(settings)) as session:
        site = registry.update_site(session, CLI, name, changes)
        summary = (
            f"updated site {site.name}: {', '.join(sorted(changes.model_fields_set)) or 'nothing'}"
        )
    click.echo(summary, err=True)


@click.group()
def keys() -> None:
    """API keys: moderator, host, admin, ops; shown once, stored as SHA-256."""


@keys.command("create")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", required=True, help="Who holds the key, e.g. an e-mail address.")
@click.option("--site", default=None, help="Limit the key to one site (default: all sites).")
@pass_settings
def keys_create(settings: Settings, role: str, name: str, site: str | None) -> None:
    """Create a key and print it (only now: it is stored hashed).

    \b
    Roles: moderator (review and decide), host (a host site's backend: approved
    comments, counts, events), admin (everything, incl. sites, keys, audit),
    ops (queues and failed jobs).
    """
    with transaction(sessions_for(settings)) as session:
        _key, secret = keyring.issue(session, CLI, Role(role), name, site)
    click.echo(secret)


@keys.command("list")
@click.option("--prefix", default=None, help="Only keys whose shown prefix starts so (cg_…).")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=None)
@click.option("--site", default=None, help="Only keys limited to this site.")
@click.option("--all", "include_revoked", is_flag=True, help="Include revoked keys.")
@pass_settings
def keys_list(
    settings: Settings,
    prefix: str | None,
    role: str | None,
    site: str | None,
    include_revoked: bool,
) -> None:
    """List keys, newest first: id, prefix, role, site, name, created, revoked.

    Tab-separated, one key a line; secrets are never shown (only their SHA-256 is kept).
    """
    with transaction(sessions_for(settings)) as session:
        site_ids = {registry.get_scoped_site(session, CLI, site).id} if site else None
        cursor = None
        while True:
            page = list_keys(
                session,
                site_ids,
                prefix=prefix,
                role=Role(role) if role else None,
                include_revoked=include_revoked,
                cursor=cursor,
                limit=MAX_LIMIT,
            )
            names = site_names(session, {k.site_id for k in page.items if k.site_id})
            for key in page.items:
                click.echo("\t".join(_key_row(key, names)))
            if page.next_cursor is None:
                break
            cursor = page.next_cursor


def _key_row(key, names: dict[str, str]) -> list[str]:
    return [
        key.id,
        key.prefix,
        key.role,
        names.get(key.site_id, "*") if key.site_id else "*",
        key.name,
        key.created_at.isoformat(timespec="seconds"),
        key.revoked_at.isoformat(timespec="seconds") if key.revoked_at else "-",
    ]


@keys.command("revoke")
@click.argument("key")
@pass_settings
def keys_revoke(settings: Settings, key: str) -> None:
    """Revoke KEY (its id, or a prefix shown by `keys list`) at once; safe to repeat."""
    with transaction(sessions_for(settings)) as session:
        found = keyring.resolve(session, key)
        keyring.revoke(session, CLI, found.id)
        summary = f"revoked key {found.prefix}… ({found.role}, {found.name})"
    click.echo(summary, err=True)


@click.group()
def captcha() -> None:
    """Captcha helpers for operators and tests."""


@captcha.command("answer")
@click.argument("captcha_id")
@pass_settings
def captcha_answer(settings: Settings, captcha_id: str) -> None:
    """Print the answer of a live captcha without using it up."""
    service = CaptchaService(connect_redis(settings), settings.captcha_ttl_seconds)
    answer = service.answer(captcha_id)
    if answer is None:
        click.echo(f"captcha {captcha_id} is unknown or expired", err=True)
        sys.exit(1)
    click.echo(answer)
