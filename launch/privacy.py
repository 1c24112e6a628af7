"""Readers' personal data from the command line: the data key's rotation, a person's rights."""

from __future__ import annotations

import sys

import click

from commentgate.config import Settings
from commentgate.sealing import data_keyring, left_to_reseal, reseal_batch, rotate_generated_key
from commentgate.storage.db import transaction
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
