"""The admin API of site rules: write, try, promote, retire, report; the engine report."""

from __future__ import annotations

from typing import Any

from flask_openapi3 import APIBlueprint, Tag

from commentgate import registry
from commentgate.access import Permission
from commentgate.domain import AuditAction
from commentgate.engine_report import engine_report, rule_report, window
from commentgate.rule_syntax import RuleDraft
from commentgate.site_rules import create_rule, get_rule, move_rule, update_rule
from commentgate.storage.db import transaction
from commentgate.storage.models import SiteRule
from commentgate.storage.site_rules import list_rules
from service.admin.rule_schemas import (
    EngineReport,
    RuleList,
    RuleOut,
    RulePath,
    RuleQuery,
    RuleReport,
    RuleTrial,
    TrialOut,
    WindowQuery,
)
from service.admin.schemas import SitePath
from service.deps import services
from service.http.auth import current_principal, require
from service.openapi_docs import BODY, SECURITY, protected
from service.presenters import rfc3339
from workers.site_rules import try_rule

site_rules = APIBlueprint(
    "site_rules",
    __name__,
    url_prefix="/api/v1/admin/sites",
    abp_tags=[Tag(name="admin")],
    abp_security=SECURITY,
)


@site_rules.before_request
def require_admin() -> None:
    """Rules are part of a site's settings."""
    require(Permission.MANAGE_SITES)


def rule_view(rule: SiteRule) -> dict[str, Any]:
    """A rule as admins see it."""
    return {
        "id": rule.id,
        "name": rule.name,
        "conditions": rule.conditions,
        "weight": rule.weight,
        "action": rule.action,
        "state": rule.state,
        "created_at": rfc3339(rule.created_at),
        "updated_at": rfc3339(rule.updated_at),
    }


@site_rules.get(
    "/<site_name>/rules", summary="A site's rules", responses={200: RuleList, **protected(404)}
)
def rules_index(path: SitePath, query: RuleQuery):
    """Every rule of the site (or those in ``state``), oldest first."""
    with services().sessions() as session:
        site = registry.get_scoped_site(session, current_principal(), path.site_name)
        states = [query.state] if query.state else None
        return {"items": [rule_view(r) for r in list_rules(session, site.id, states)]}


@site_rules.post(
    "/<site_name>/rules",
    summary="Write a rule (it starts in the shadow; audited)",
    responses={201: RuleOut, **protected(*BODY, 404)},
)
def rules_create(path: SitePath, body: RuleDraft):
    """Conditions that must all hold, and a weight or an action."""
    with transaction(services().sessions) as session:
        rule = create_rule(session, current_principal(), path.site_name, body)
        return rule_view(rule), 201


@site_rules.post(
    "/<site_name>/rules/try",
    summary="Try a draft rule over the site's newest comments",
    responses={200: TrialOut, **protected(*BODY, 404)},
)
def rules_try(path: SitePath, body: RuleTrial):
    """Nothing is stored: the comments the rule would match, newest first."""
    svc = services()
    with svc.sessions() as session:
        site = registry.get_scoped_site(session, current_principal(), path.site_name)
        tried, hits = try_rule(session, svc.settings, site.id, body.rule, body.last)
        shown = [
            {"id": c.id, "status": c.status, "article": c.article}
            | {"created_at": rfc3339(c.created_at)}
            for c in hits
        ]
        return {"tried": tried, "hits": shown}


@site_rules.get(
    "/<site_name>/rules/<int:rule_id>",
    summary="One rule",
    responses={200: RuleOut, **protected(404)},
)
def rules_show(path: RulePath):
    """The rule, whatever its state."""
    with services().sessions() as session:
        return rule_view(get_rule(session, current_principal(), path.site_name, path.rule_id))


@site_rules.put(
    "/<site_name>/rules/<int:rule_id>",
    summary="Rewrite a rule (back to the shadow; audited)",
    responses={200: RuleOut, **protected(*BODY, 404, 409)},
)
def rules_update(path: RulePath, body: RuleDraft):
    """A changed rule has no record yet, so it is recorded in the shadow again."""
    with transaction(services().sessions) as session:
        principal = current_principal()
        return rule_view(update_rule(session, principal, path.site_name, path.rule_id, body))


def _move(path: RulePath, move: AuditAction) -> dict[str, Any]:
    with transaction(services().sessions) as session:
        principal = current_principal()
        return rule_view(move_rule(session, principal, path.site_name, path.rule_id, move))


@site_rules.post(
    "/<site_name>/rules/<int:rule_id>/promote",
    summary="Make a shadow rule count (audited)",
    responses={200: RuleOut, **protected(*BODY, 404, 409)},
)
def rules_promote(path: RulePath):
    """From the shadow to active; repeating is a no-op."""
    return _move(path, AuditAction.RULE_PROMOTE)


@site_rules.post(
    "/<site_name>/rules/<int:rule_id>/retire",
    summary="Stop a rule (audited; kept for its record)",
    responses={200: RuleOut, **protected(*BODY, 404)},
)
def rules_retire(path: RulePath):
    """No longer evaluated; repeating is a no-op."""
    return _move(path, AuditAction.RULE_RETIRE)


@site_rules.get(
    "/<site_name>/rules/<int:rule_id>/report",
    summary="A rule's hits and agreement with moderators",
    responses={200: RuleReport, **protected(404)},
)
def rules_report(path: RulePath, query: WindowQuery):
    """Over the last ``days`` days of scored comments."""
    with services().sessions() as session:
        rule = get_rule(session, current_principal(), path.site_name, path.rule_id)
        return rule_report(rule, window(session, rule.site_id, query.days), query.days)


@site_rules.get(
    "/<site_name>/report",
    summary="The engine's verdicts against moderators' decisions",
    responses={200: EngineReport, **protected(404)},
)
def engine_index(path: SitePath, query: WindowQuery):
    """Override rate, precision and recall of spam, each reason's precision."""
    with services().sessions() as session:
        site = registry.get_scoped_site(session, current_principal(), path.site_name)
        return engine_report(window(session, site.id, query.days), query.days)
