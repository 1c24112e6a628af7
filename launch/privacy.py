"""Readers' personal data from the command line: the data key's rotation, a person's rights."""

from __future__ import annotations

import json
import sys

import click

from commentgate.config import Settings
from commentgate.queue import moderation_queue
from commentgate.redis_conn import connect_redis
from commentgate.sealing import data_keyring, left_to_reseal, reseal_batch, rotate_generated_key
from commentgate.storage.db import transaction, unit_of_work
from launch.admin import keys, pass_settings, sessions_for

RESEAL_BATCH = 500


@keys.command("rotate-data-key")
@click.option("--batch", default=RESEAL_BATCH, show_default=True, help="Rows per transaction.")
@pass_settings
def rotate_data_key(settings: Settings, batch: int) -> None:
    """Re-seal every phone number under the current data key, batch by batch.

    \b
    With COMMENTGATE_DATA_KEY set: put the new key there and the old one in
    COMMENTGATE_OLD_DATA_KEYS, restart, then run this. Without it (the key
    generated under var/): this generates a new key first, keeping the old one
    readable in var/old_data_keys. Rows not yet re-sealed stay readable meanwhile.
    """
    sessions = sessions_for(settings)
    if not settings.data_key:
        new_id = rotate_generated_key(settings.var_dir)
        settings.forget_resolved_keys()
        click.echo(f"generated data key {new_id} under {settings.var_dir}", err=True)
    keyring = data_keyring(settings)
    with sessions() as session:
        total = left_to_reseal(session, keyring)
    after = ""
    with click.progressbar(length=total, label="re-sealing", file=sys.stderr) as bar:
        while True:
            with transaction(sessions) as session:
                read, after = reseal_batch(session, keyring, after, batch)
            if not read:
                break
            bar.update(read)
    with sessions() as session:
        left = left_to_reseal(session, keyring)
    click.echo(f"phones sealed under key {keyring.current_id}; {left} under other keys", err=True)


@click.group()
def subject() -> None:
    """A reader's rights: everything tied to their phone number, exported or erased.

    A phone number (and a comment id) does not prove who is asking: verify the
    person first (docs/privacy.md).
    """


def _subject_options(command):
    command = click.option("--comment", "comment_id", help="One of their comments' id.")(command)
    return click.option("--phone", required=True, help="Their phone number, any format.")(command)


@subject.command("export")
@_subject_options
@pass_settings
def subject_export(settings: Settings, phone: str, comment_id: str | None) -> None:
    """Print one JSON document of everything stored about the person (audited)."""
    from commentgate.subjects import export_subject, subject_of  # see _erasure

    wanted = subject_of(settings, phone, comment_id)
    with transaction(sessions_for(settings)) as session:
        document = export_subject(session, settings, wanted, None)
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


@subject.command("erase")
@_subject_options
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_settings
def subject_erase(settings: Settings, phone: str, comment_id: str | None, yes: bool) -> None:
    """Erase the person's data from their comments and from Redis (audited)."""
    CommentLifecycle, erase_subject, subject_of = _erasure()
    wanted = subject_of(settings, phone, comment_id)
    if not yes:
        click.confirm("erase everything tied to this phone number?", abort=True, err=True)
    client = connect_redis(settings, start=False)
    with unit_of_work(sessions_for(settings)) as uow:
        life = CommentLifecycle(uow=uow, queue=moderation_queue(client))
        done = erase_subject(life, settings, client, wanted, None)
    _report_erasure(done)


def _erasure():
    # Loaded when used: the lifecycle loads the metrics, which `commentgate run` and
    # `web` must set up for several processes before anything imports them.
    from commentgate.comments.lifecycle import CommentLifecycle
    from commentgate.subjects import erase_subject, subject_of

    return CommentLifecycle, erase_subject, subject_of


def _report_erasure(done) -> None:
    summary = done.summary()
    click.echo(
        f"erased the data of {summary['comments']} comment(s), request {done.request_id}:"
        f" {summary['deleted']} deleted, {summary['blanked']} emptied (readers had seen"
        f" them: taken down), {summary['anonymised']} anonymised;"
        f" {summary['redis_entries']} entries of the workers' memory removed",
        err=True,
    )
    if done.audit_mentions:
        click.echo(f"WARNING: {done.audit_mentions} audit entries name this person", err=True)
    else:
        click.echo("the audit log names none of it; active bans keep their fingerprint", err=True)
