"""Administration commands: database, sites, keys, captchas."""

from __future__ import annotations

import json
import sys
from typing import Any, TypeVar

import click
import redis
from pydantic import BaseModel, ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from commentgate import keyring, registry
from commentgate.access import CLI
from commentgate.captcha import CaptchaService
from commentgate.config import Settings
from commentgate.domain import ModerationMode, Role
from commentgate.errors import fields_from_pydantic
from commentgate.fingerprint import backfill_fingerprints
from commentgate.keyring import NewKey
from commentgate.messages import field_message
from commentgate.redis_conn import connect_redis
from commentgate.sealing import data_keyring
from commentgate.site_changes import SiteChanges
from commentgate.site_settings import NewSite, SiteSettings
from commentgate.storage.db import make_engine, make_session_factory, transaction
from commentgate.storage.keys import list_keys
from commentgate.storage.migrate import SchemaState, schema_state, upgrade
from commentgate.storage.models import Site
from commentgate.storage.pagination import MAX_LIMIT
from commentgate.storage.sites import find_site, list_sites, site_names

pass_settings = click.make_pass_decorator(Settings)
M = TypeVar("M", bound=BaseModel)


def sessions_for(settings: Settings):
    """A session factory on the configured database, once it holds commentgate's schema."""
    require_schema(settings)
    return make_session_factory(make_engine(settings.resolved_database_url()))


def require_schema(settings: Settings) -> None:
    """Stop with one line unless the database is commentgate's, migrated to this release.

    Checked before anything opens the database: a command run outside the
    project directory would otherwise create an empty SQLite file there and
    fail on its first query. An unreachable database raises SQLAlchemy's
    error as before (it is an outage, not a wrong place).
    """
    url = settings.resolved_database_url()
    state = schema_state(url)
    if state is not SchemaState.CURRENT:
        raise click.ClickException(_schema_advice(state, make_url(url).render_as_string()))


def _schema_advice(state: SchemaState, shown_url: str) -> str:
    if state is SchemaState.BEHIND:
        return f"the database at {shown_url} has an older schema; run `commentgate db upgrade`"
    if state is SchemaState.UNKNOWN:
        return (
            f"the database at {shown_url} has a schema revision this release does not know "
            "(a newer release's, or not commentgate's); check DATABASE_URL"
        )
    return (
        f"no commentgate database at {shown_url}; run `commentgate db upgrade` to create it, "
        "or run from the project directory, or set DATABASE_URL"
    )


def validated(model: type[M], given: dict[str, Any], options: dict[str, str]) -> M:
    """``given`` checked by the same model the admin API checks its body with.

    ``options`` names the command-line option of each field, for the message.
    """
    try:
        return model.model_validate(given)
    except ValidationError as exc:
        raise click.ClickException(_refusal(exc, options)) from None


def _refusal(exc: ValidationError, options: dict[str, str]) -> str:
    """One line: each refused option, the value given, and the API's message for it."""
    inputs: dict[str, Any] = {}
    for item in exc.errors():
        if item["loc"]:
            inputs.setdefault(str(item["loc"][0]), item["input"])
    parts = [
        f"{options.get(name, name)} {_shown(inputs.get(name))}: "
        f"{field_message(problem.code, 'en', **problem.params)}"
        for name, problem in fields_from_pydantic(exc).items()
    ]
    return "validation_failed: " + "; ".join(parts)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@click.group()
def db() -> None:
    """Database schema management."""


@db.command("upgrade")
@pass_settings
def db_upgrade(settings: Settings) -> None:
    """Create or migrate the schema to the latest version (safe to repeat)."""
    upgrade(settings.resolved_database_url(), data_keyring=data_keyring(settings))
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
    given = {"name": name, "origins": list(origins) or None, "mode": mode}
    new = validated(NewSite, {k: v for k, v in given.items() if v is not None}, _ADD_OPTIONS)
    with transaction(sessions_for(settings)) as session:
        site, created = _add_site(session, new)
        summary = f"{'created' if created else 'updated'} site {site.name} ({site.mode})"
        origin_list = ", ".join(sorted(site.origin_set())) or "no origins"
    _announce_site_change(settings)
    click.echo(f"{summary}: {origin_list}", err=True)


_ADD_OPTIONS = {"name": "NAME", "origins": "--origin", "mode": "--mode"}


def _add_site(session: Session, new: NewSite) -> tuple[Site, bool]:
    """Register the site, or merge origins and mode into the one of that name; audited."""
    site = find_site(session, new.name)
    if site is None:
        return registry.register_site(session, CLI, new), True
    changes = new.model_dump(exclude_unset=True, exclude={"name"})
    if "origins" in changes:
        # Checked again as a whole: the merged list must keep within the API's limits.
        merged = [*sorted(site.origin_set()), *changes["origins"]]
        changes["origins"] = list(dict.fromkeys(merged))
    settings = validated(SiteSettings, changes, _ADD_OPTIONS)
    return registry.update_site(session, CLI, new.name, settings), False


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
        site = registry.get_scoped_site(session, CLI, name)
        described = registry.describe_site(
            site, private_webhooks=settings.webhook_private_addresses
        )
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
    return validated(SiteSettings, given, {f: "--" + f.replace("_", "-") for f in given})


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
@click.option(
    "--hold-first-time/--no-hold-first-time",
    default=None,
    help="post mode: first-time authors wait for a moderator.",
)
@click.option(
    "--hold-links/--no-hold-links", default=None, help="post mode: comments with links wait."
)
@click.option(
    "--abuse-action",
    type=click.Choice(["flag", "reject"]),
    default=None,
    help="Abuse (insults, slurs, threats, hate): flag = pending; reject = rejected at once.",
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
        site = registry.update_site(
            session, CLI, name, changes, private_webhooks=settings.webhook_private_addresses
        )
        summary = (
            f"updated site {site.name}: {', '.join(sorted(changes.model_fields_set)) or 'nothing'}"
        )
    _announce_site_change(settings)
    click.echo(summary, err=True)


def _announce_site_change(settings: Settings) -> None:
    """Tell the running web processes that a site changed: they see it within seconds."""
    try:
        client = connect_redis(settings, start=False)
    except redis.ConnectionError:
        return  # no embedded Redis is running, so no web process to tell
    SiteChanges(client).announce()


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
    new = validated(
        NewKey,
        {"role": role, "name": name, "site": site},
        {"role": "--role", "name": "--name", "site": "--site"},
    )
    with transaction(sessions_for(settings)) as session:
        _key, secret = keyring.issue(session, CLI, new.role, new.name, new.site)
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
    service = CaptchaService(connect_redis(settings, start=False), settings.captcha_ttl_seconds)
    answer = service.answer(captcha_id)
    if answer is None:
        click.echo(f"captcha {captcha_id} is unknown or expired", err=True)
        sys.exit(1)
    click.echo(answer)
