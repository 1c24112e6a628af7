"""Spam model commands: cold-start training, evaluation, rebuilds."""

from __future__ import annotations

import click
from redis.exceptions import LockError

from commentgate.config import Settings
from commentgate.redis_conn import connect_redis
from commentgate.storage.db import transaction
from commentgate.storage.sites import get_site
from launch.admin import pass_settings, sessions_for


def _store(settings: Settings, client=None):
    from workers.model_store import ModelStore

    sessions = sessions_for(settings)
    return sessions, ModelStore(sessions, client or connect_redis(settings))


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@pass_settings
def train(settings: Settings, files: tuple[str, ...]) -> None:
    """Train the global prior model from labelled JSONL FILES and make it current.

    Each line is {"text": ..., "label": "spam"|"ham"}. Every site without a
    model of its own scores with this one, and site models start from it.
    Prints the new model version.
    """
    from launch.evaluate import train_model
    from workers.model_store import new_version_name
    from workers.scoring.corpus import CorpusError

    sessions, store = _store(settings)  # a database to keep it in first: training takes a while
    try:
        model = train_model(files, progress=True, version=new_version_name("global"))
    except CorpusError as error:
        raise click.ClickException(str(error)) from None
    with transaction(sessions) as session:
        store.save(session, model, site_id=None, examples=0, last_decision_id=0)
    click.echo(model.version)


@click.group()
def model() -> None:
    """Inspect and rebuild the learned spam models."""


@model.command("rebuild")
@click.option("--site", "site_name", required=True, help="The site whose model to rebuild.")
@pass_settings
def model_rebuild(settings: Settings, site_name: str) -> None:
    """Replay the site's decision log on the global prior (exact, final labels only)."""
    from workers.learning import rebuild_site_locked

    client = connect_redis(settings)
    sessions, store = _store(settings, client)
    with sessions() as session:
        site_id = get_site(session, site_name).id
    try:
        row = rebuild_site_locked(sessions, store, client, site_id)
    except LockError:
        raise click.ClickException(
            f"site {site_name} is busy: a learning or rebuild job holds its model; try again"
        ) from None
    click.echo(f"{row.version} ({row.examples} decisions)")


@model.command("show")
@click.option("--site", "site_name", default=None, help="Show the model a site scores with.")
@pass_settings
def model_show(settings: Settings, site_name: str | None) -> None:
    """Print the current model version, its scope and how many decisions it learned."""
    from commentgate.storage.model_versions import latest_version

    sessions, _ = _store(settings)
    with sessions() as session:
        site_id = get_site(session, site_name).id if site_name else None
        row = latest_version(session, site_id)
        if row is None:
            raise click.ClickException("no model yet: run `commentgate train FILE...`")
        scope = "global prior" if row.site_id is None else f"site {site_name}"
        click.echo(
            f"{row.version}\t{scope}\t{row.examples} decisions\t{row.created_at:%Y-%m-%d %H:%M}Z"
        )
