"""Site rules and the engine report from the command line (the admin API's twins)."""

from __future__ import annotations

import json
from typing import Any

import click

from commentgate import registry
from commentgate.access import CLI
from commentgate.config import Settings
from commentgate.domain import AuditAction
from commentgate.engine_report import DEFAULT_DAYS, engine_report, rule_report, window
from commentgate.rule_syntax import RuleDraft
from commentgate.site_rules import create_rule, get_rule, move_rule, update_rule
from commentgate.storage.db import transaction
from commentgate.storage.models import SiteRule
from commentgate.storage.site_rules import list_rules
from launch.admin import pass_settings, sessions_for, validated
from workers.site_rules import try_rule

_OPTIONS = {"name": "--name", "conditions": "--when", "weight": "--weight", "action": "--action"}


def _echo(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _shown(rule: SiteRule) -> dict[str, Any]:
    fields = ("id", "name", "conditions", "weight", "action", "state", "created_at")
    return {field: getattr(rule, field) for field in fields}


def _draft(name: str, when: str, weight: float | None, action: str | None) -> RuleDraft:
    try:
        conditions = json.loads(when)
    except ValueError as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint="--when") from None
    given = {"name": name, "conditions": conditions, "weight": weight, "action": action}
    return validated(RuleDraft, given, _OPTIONS)


def _draft_options(command):
    for option in reversed(
        (
            click.option("--name", required=True, help="What moderators call the rule."),
            click.option(
                "--when",
                required=True,
                metavar="JSON",
                help='Conditions, all of which must hold, e.g. \'{"content": "khuyen mai"}\'.',
            ),
            click.option("--weight", type=float, default=None, help="Added to the score."),
            click.option(
                "--action", type=click.Choice(["spam", "pending", "approve"]), default=None
            ),
        )
    ):
        command = option(command)
    return command


@click.group()
def rules() -> None:
    """Site rules: written in the shadow, tried, promoted, retired."""


@rules.command("list")
@click.argument("site")
@click.option("--state", type=click.Choice(["shadow", "active", "retired"]), default=None)
@pass_settings
def rules_list(settings: Settings, site: str, state: str | None) -> None:
    """The rules of SITE, oldest first."""
    with sessions_for(settings)() as session:
        found = registry.get_scoped_site(session, CLI, site)
        _echo([_shown(r) for r in list_rules(session, found.id, [state] if state else None)])


@rules.command("add")
@click.argument("site")
@_draft_options
@pass_settings
def rules_add(settings: Settings, site: str, **draft: Any) -> None:
    """Write a rule for SITE; it starts in the shadow (recorded, not counted)."""
    with transaction(sessions_for(settings)) as session:
        _echo(_shown(create_rule(session, CLI, site, _draft(**draft))))


@rules.command("set")
@click.argument("site")
@click.argument("rule_id", type=int)
@_draft_options
@pass_settings
def rules_set(settings: Settings, site: str, rule_id: int, **draft: Any) -> None:
    """Rewrite rule RULE_ID of SITE; it goes back to the shadow."""
    with transaction(sessions_for(settings)) as session:
        _echo(_shown(update_rule(session, CLI, site, rule_id, _draft(**draft))))


@rules.command("try")
@click.argument("site")
@_draft_options
@click.option("--last", type=click.IntRange(1, 1000), default=200, show_default=True)
@pass_settings
def rules_try(settings: Settings, site: str, last: int, **draft: Any) -> None:
    """Run a draft rule over SITE's newest comments; stores nothing."""
    with sessions_for(settings)() as session:
        found = registry.get_scoped_site(session, CLI, site)
        tried, hits = try_rule(session, settings, found.id, _draft(**draft), last)
        _echo({"tried": tried, "hits": [{"id": c.id, "status": c.status} for c in hits]})


def _move(settings: Settings, site: str, rule_id: int, move: AuditAction) -> None:
    with transaction(sessions_for(settings)) as session:
        _echo(_shown(move_rule(session, CLI, site, rule_id, move)))


@rules.command("promote")
@click.argument("site")
@click.argument("rule_id", type=int)
@pass_settings
def rules_promote(settings: Settings, site: str, rule_id: int) -> None:
    """Make shadow rule RULE_ID of SITE count (audited)."""
    _move(settings, site, rule_id, AuditAction.RULE_PROMOTE)


@rules.command("retire")
@click.argument("site")
@click.argument("rule_id", type=int)
@pass_settings
def rules_retire(settings: Settings, site: str, rule_id: int) -> None:
    """Stop rule RULE_ID of SITE (audited; kept for its record)."""
    _move(settings, site, rule_id, AuditAction.RULE_RETIRE)


_DAYS = click.option("--days", type=click.IntRange(1, 365), default=DEFAULT_DAYS, show_default=True)


@rules.command("report")
@click.argument("site")
@click.argument("rule_id", type=int)
@_DAYS
@pass_settings
def rules_report(settings: Settings, site: str, rule_id: int, days: int) -> None:
    """Hits of rule RULE_ID and its agreement with moderators over the last DAYS days."""
    with sessions_for(settings)() as session:
        rule = get_rule(session, CLI, site, rule_id)
        _echo(rule_report(rule, window(session, rule.site_id, days), days))


@click.command("report")
@click.option("--site", required=True, help="The site's name.")
@_DAYS
@pass_settings
def report(settings: Settings, site: str, days: int) -> None:
    """The worker's verdicts against moderators' decisions over the last DAYS days."""
    with sessions_for(settings)() as session:
        found = registry.get_scoped_site(session, CLI, site)
        _echo(engine_report(window(session, found.id, days), days))
