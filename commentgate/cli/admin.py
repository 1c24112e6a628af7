"""Administration commands: database, sites, keys, captchas."""

from __future__ import annotations

import sys

import click

from commentgate.captcha import CaptchaService
from commentgate.config import Settings
from commentgate.domain import ModerationMode, Role
from commentgate.redis_conn import connect_redis
from commentgate.storage.db import make_engine, make_session_factory, transaction
from commentgate.storage.keys import create_key
from commentgate.storage.migrate import upgrade
from commentgate.storage.sites import ensure_site as ensure_site_row
from commentgate.storage.sites import get_site

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


@click.group()
def keys() -> None:
    """API keys for moderators and admins."""


@keys.command("create")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", required=True, help="Who holds the key, e.g. an e-mail address.")
@click.option("--site", default=None, help="Limit the key to one site (default: all sites).")
@pass_settings
def keys_create(settings: Settings, role: str, name: str, site: str | None) -> None:
    """Create a key and print it (only now: it is stored hashed)."""
    with transaction(sessions_for(settings)) as session:
        site_id = get_site(session, site).id if site else None
        secret = create_key(session, Role(role), name, site_id)
    click.echo(secret)


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
