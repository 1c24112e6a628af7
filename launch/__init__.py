"""The ``commentgate`` command: run the service, administer it, train and evaluate.

Results go to stdout, progress and logs to stderr, so results can be piped.
"""

from __future__ import annotations

import importlib
import sys

import click
import redis

from commentgate import __version__
from commentgate.config import Settings
from commentgate.errors import CommentgateError
from commentgate.logging import configure as configure_logging
from launch.admin import captcha, db, keys, sites
from launch.model import model, train
from launch.ops import requeue_failed, status
from launch.privacy import subject
from launch.processes import run, web, worker
from launch.rules import report, rules


class CommentgateGroup(click.Group):
    """Turns domain errors and a Redis that is not there into one line on stderr, exit 1."""

    # eval lives with the scoring engine; importing it pulls in scikit-learn,
    # so it is loaded only when asked for (or listed by --help).
    LAZY = {"eval": ("launch.evaluate", "eval_command")}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.LAZY])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.LAZY:
            module, attr = self.LAZY[name]
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CommentgateError as exc:
            raise click.ClickException(f"{exc.code}: {exc}") from exc
        except redis.ConnectionError as exc:
            raise click.ClickException(f"redis: unavailable ({exc})") from exc


@click.group(cls=CommentgateGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="commentgate")
@click.pass_context
def main(ctx: click.Context) -> None:
    """commentgate: comment moderation for news sites.

    \b
    Quick start (one machine, embedded Redis, SQLite under ./var):
      commentgate run            set up everything and start web + worker
    Configuration comes from the environment: DATABASE_URL, REDIS_URL, HOST,
    PORT and COMMENTGATE_* (see docs/operations.md).
    """
    settings = Settings()
    # A person reads `commentgate run`'s logs on a terminal; everything else (a container,
    # a service manager, a pipe) gets JSON unless COMMENTGATE_LOG_FORMAT says otherwise.
    terminal = ctx.invoked_subcommand == "run" and sys.stderr.isatty()
    settings = settings.model_copy(update={"log_format": settings.resolved_log_format(terminal)})
    configure_logging(settings.log_level, settings.log_format)
    ctx.obj = settings


for command in (run, web, worker, db, sites, keys, captcha, train, model, subject):
    main.add_command(command)
for command in (status, requeue_failed, rules, report):
    main.add_command(command)
