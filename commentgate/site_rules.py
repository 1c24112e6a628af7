"""Site rules for the admin API and the CLI: write, change, promote, retire; audited.

A new or changed rule starts in the shadow: scored comments record whether it matched,
without counting it, until someone promotes it to ``active`` after reading its report.
"""

from __future__ import annotations

from commentgate.access import Principal
from commentgate.domain import AuditAction
from commentgate.errors import NotFoundError, RuleStateError
from commentgate.registry import get_scoped_site
from commentgate.rule_syntax import RuleDraft
from commentgate.storage.audit import record_audit
from commentgate.storage.models import Site, SiteRule, utcnow
from commentgate.storage.site_rules import add_rule, find_rule

# Which states each move leaves from, and where it goes.
_MOVES = {
    AuditAction.RULE_PROMOTE: ({"shadow"}, "active"),
    AuditAction.RULE_RETIRE: ({"shadow", "active"}, "retired"),
}


def create_rule(session, principal: Principal, site_name: str, draft: RuleDraft) -> SiteRule:
    """Store ``draft`` as a new shadow rule of the site.

    Raises:
        UnknownSiteError: no such site, or outside the key's sites.
    """
    site = get_scoped_site(session, principal, site_name)
    rule = add_rule(session, SiteRule(site_id=site.id, state="shadow", **_fields(draft)))
    _audit(session, principal, AuditAction.RULE_CREATE, rule)
    return rule


def update_rule(
    session, principal: Principal, site_name: str, rule_id: int, draft: RuleDraft
) -> SiteRule:
    """Replace the rule's name, conditions and effect; a live rule goes back to the shadow
    (a changed rule has no record yet).

    Raises:
        UnknownSiteError: no such site, or outside the key's sites.
        NotFoundError: the site has no such rule.
        RuleStateError: the rule is retired.
    """
    rule = get_rule(session, principal, site_name, rule_id)
    if rule.state == "retired":
        raise RuleStateError("retired rules do not change", state=rule.state)
    for name, value in _fields(draft).items():
        setattr(rule, name, value)
    rule.state, rule.updated_at = "shadow", utcnow()
    session.flush()
    _audit(session, principal, AuditAction.RULE_UPDATE, rule)
    return rule


def move_rule(
    session, principal: Principal, site_name: str, rule_id: int, move: AuditAction
) -> SiteRule:
    """Promote a shadow rule to active, or retire a rule; repeating is a no-op.

    Raises:
        UnknownSiteError: no such site, or outside the key's sites.
        NotFoundError: the site has no such rule.
        RuleStateError: the rule cannot make that move from its state.
    """
    rule = get_rule(session, principal, site_name, rule_id)
    sources, target = _MOVES[move]
    if rule.state == target:
        return rule
    if rule.state not in sources:
        raise RuleStateError(f"a {rule.state} rule cannot become {target}", state=rule.state)
    rule.state, rule.updated_at = target, utcnow()
    session.flush()
    _audit(session, principal, move, rule)
    return rule


def get_rule(session, principal: Principal, site_name: str, rule_id: int) -> SiteRule:
    """The site's rule with this id.

    Raises:
        UnknownSiteError: no such site, or outside the key's sites.
        NotFoundError: the site has no such rule.
    """
    site: Site = get_scoped_site(session, principal, site_name)
    rule = find_rule(session, site.id, rule_id)
    if rule is None:
        raise NotFoundError(f"rule {rule_id}")
    return rule


def draft_of(rule: SiteRule) -> RuleDraft:
    """A stored rule as the model that checked it."""
    return RuleDraft.model_validate(
        {
            "name": rule.name,
            "conditions": rule.conditions,
            "weight": rule.weight,
            "action": rule.action,
        }
    )


def _fields(draft: RuleDraft) -> dict:
    return {
        "name": draft.name,
        "conditions": draft.conditions.model_dump(exclude_none=True),
        "weight": draft.weight,
        "action": draft.action,
    }


def _audit(session, principal: Principal, action: AuditAction, rule: SiteRule) -> None:
    detail = {"state": rule.state, "effect": rule.action or rule.weight}
    detail["conditions"] = sorted(rule.conditions)
    record_audit(
        session,
        principal.key_id,
        action,
        ("rule", str(rule.id)),
        site_id=rule.site_id,
        detail=detail,
    )
