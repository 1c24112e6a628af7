"""The rules a site's moderators wrote (commentgate.rule_syntax), as a check.

Active rules count: a weight adds to the score, an action is carried for
:func:`workers.scoring.pipeline.classify`. Shadow rules are recorded with weight 0, so a
rule's report can show what it would have done before it does anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache

from commentgate.rule_syntax import MAX_INPUT
from workers.scoring.checks.links import find_links
from workers.scoring.normalize import canonical_words, fold
from workers.scoring.types import Reason, ReasonCode, RuleRef, SiteRules, SiteRuleSpec, Submission


def check_site_rules(sub: Submission, rules: SiteRules) -> list[Reason]:
    """One ``site_rule`` reason per rule of the site that matches the submission."""
    return [rule_reason(spec) for spec in rules.rules if rule_matches(spec, sub)]


def rule_reason(spec: SiteRuleSpec) -> Reason:
    """The reason a matching rule gives: its weight when active, 0 in the shadow."""
    weight = spec.weight if spec.weight is not None and not spec.shadow else 0.0
    ref = RuleRef(spec.id, spec.name, spec.action, spec.shadow)
    shown = spec.action or f"{spec.weight:+g}"
    detail = f"rule {spec.id} ({spec.name}): {shown}" + (" [shadow]" if spec.shadow else "")
    return Reason(ReasonCode.SITE_RULE, weight, detail, rule=ref)


def rule_matches(spec: SiteRuleSpec, sub: Submission) -> bool:
    """Whether every condition of the rule holds for the submission."""
    return all(_TESTS[name](value, sub) for name, value in spec.conditions)


def _tokens(text: str) -> str:
    """``text`` folded, evasions undone, as single-spaced words between spaces."""
    return f" {' '.join(canonical_words(text))} "


def _phrase_in(phrase: str, text: str) -> bool:
    return _tokens(phrase) in _tokens(text)


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _regex(pattern: str, sub: Submission) -> bool:
    return _compiled(pattern).search(fold(sub.content)[:MAX_INPUT]) is not None


def _link_domain(domain: str, sub: Submission) -> bool:
    return any(
        link.domain == domain or link.domain.endswith("." + domain) for link in find_links(sub.text)
    )


_TESTS: Mapping[str, Callable[[object, Submission], bool]] = {
    "name": lambda value, sub: _phrase_in(str(value), sub.name),
    "title": lambda value, sub: _phrase_in(str(value), sub.title),
    "content": lambda value, sub: _phrase_in(str(value), sub.content),
    "content_regex": lambda value, sub: _regex(str(value), sub),
    "link_domain": lambda value, sub: _link_domain(str(value), sub),
    "has_link": lambda value, sub: bool(find_links(sub.text)) == value,
    "phone_prefix": lambda value, sub: bool(sub.phone and sub.phone.startswith(str(value))),
    "first_comment": lambda value, sub: sub.first_time == value,
    "article": lambda value, sub: sub.article.startswith(str(value)),
}
