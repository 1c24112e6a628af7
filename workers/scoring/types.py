"""Value types shared by the checks, the model and the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from workers.scoring.spans import Span

# The weight of evidence that settles a verdict on its own: a filled honeypot (only bots see
# the field), a link to a domain the site blocked. More than the default spam_at plus the
# most a sure ham call of the model takes away (tests/scoring/test_pipeline.py).
DECISIVE_WEIGHT = 2.5


class ReasonCode(str, Enum):
    """Stable machine codes of score contributions; moderators filter on them."""

    # links
    LINKS = "links"
    LINK_ONLY = "link_only"
    LINK_SHORTENER = "link_shortener"
    LINK_SUSPICIOUS_TLD = "link_suspicious_tld"
    LINK_BLOCKED = "link_blocked"
    # contact bait
    CONTACT_PHONE = "contact_phone"
    CONTACT_ZALO = "contact_zalo"
    CONTACT_TELEGRAM = "contact_telegram"
    CONTACT_FACEBOOK = "contact_facebook"
    CONTACT_VIBER = "contact_viber"
    CONTACT_INBOX = "contact_inbox"
    PREMIUM_SMS = "premium_sms"
    # lexicon (one code per category of lexicon.tsv)
    LEXICON_BETTING = "lexicon_betting"
    LEXICON_LOAN = "lexicon_loan"
    LEXICON_PHARMACY = "lexicon_pharmacy"
    LEXICON_CRYPTO = "lexicon_crypto"
    LEXICON_SEO = "lexicon_seo"
    LEXICON_JOB = "lexicon_job"
    LEXICON_PROMO = "lexicon_promo"
    LEXICON_SITE = "lexicon_site"
    CALL_TO_ACTION = "call_to_action"
    # form behaviour
    HONEYPOT = "honeypot"
    TOO_FAST = "too_fast"
    IDENTICAL_FIELDS = "identical_fields"
    KEYWORD_STUFFING = "keyword_stuffing"
    # shape
    SHOUTING = "shouting"
    REPEATED_CHARS = "repeated_chars"
    REPEATED_WORDS = "repeated_words"
    EMOJI_FLOOD = "emoji_flood"
    SHORT_WITH_LINK = "short_with_link"
    MIXED_SCRIPT = "mixed_script"
    # asking readers for something for the writer
    SELF_PROMOTION = "self_promotion"
    ENGAGEMENT_BAIT = "engagement_bait"
    # abuse is not spam evidence: profanity is surfaced for moderators, and abuse (insults,
    # slurs, threats, hate) holds the comment or rejects it (the site's abuse_action)
    PROFANITY = "profanity"
    ABUSE = "abuse"
    # warning or news discussion around quoted spam wording (a negative weight)
    WARNING_CONTEXT = "warning_context"
    # the learning model
    MODEL = "model"
    # scoring stopped short (time budget, or a check's bound on its work): weight 0, and the
    # comment waits for a moderator whatever its score
    SCORING_BUDGET = "scoring_budget"
    # stateful reasons computed outside this package (Redis, database)
    DUPLICATE = "duplicate"
    VELOCITY = "velocity"
    REPUTATION = "reputation"
    BANNED = "banned"
    # a rule the site's moderators wrote (workers.scoring.checks.site_rules)
    SITE_RULE = "site_rule"
    # a post-moderated site holds this comment for a moderator (first-time author, a link,
    # an author marked so): weight 0
    HELD = "held"


@dataclass(frozen=True)
class RuleRef:
    """Which site rule a reason comes from, and what it does."""

    id: int
    name: str
    action: str | None  # "spam", "pending", "approve"; None: the rule adds a weight
    shadow: bool

    def to_dict(self) -> dict:
        """Return a JSON-ready mapping."""
        return {"id": self.id, "name": self.name, "action": self.action, "shadow": self.shadow}


@dataclass(frozen=True)
class Reason:
    """One explained contribution to the score (positive = towards spam), with where its
    evidence sits in the stored text when a check can tell (not part of its identity)."""

    code: str
    weight: float
    detail: str
    spans: tuple[Span, ...] = field(default=(), compare=False)
    rule: RuleRef | None = None
    # the model's reason only: whether the model may make the comment spam on its own
    # (workers.scoring.opinion); None for every other reason, and in older verdicts
    decisive: bool | None = None

    def to_dict(self) -> dict:
        """Return a JSON-ready mapping with the code as a plain string (spans if any)."""
        mapping = {
            "code": str(getattr(self.code, "value", self.code)),
            "weight": self.weight,
            "detail": self.detail,
        }
        if self.spans:
            mapping["spans"] = [span.to_dict() for span in self.spans]
        if self.rule is not None:
            mapping["rule"] = self.rule.to_dict()
            mapping["shadow"] = self.rule.shadow
        if self.decisive is not None:
            mapping["decisive"] = self.decisive
        return mapping

    def at(self, spans: tuple[Span, ...]) -> Reason:
        """This reason with its evidence located at ``spans``."""
        return Reason(self.code, self.weight, self.detail, spans, self.rule, self.decisive)


@dataclass(frozen=True)
class Submission:
    """What the checks see of a comment."""

    content: str
    title: str = ""
    name: str = ""
    # E.164 from the form field; it identifies the author and is never spam evidence
    phone: str | None = None
    # honeypot field: hidden from humans, so anything in it came from a bot
    website: str = ""
    # seconds from captcha issue to submit; None means unknown and is neutral
    submit_seconds: float | None = None
    article: str = ""
    # no approved comment by this phone on the site yet (no phone: always first-time)
    first_time: bool = True

    @property
    def text(self) -> str:
        """What readers read: the title, if any, then the content."""
        return f"{self.title}\n{self.content}" if self.title else self.content


@dataclass(frozen=True)
class SiteRules:
    """Per-site thresholds and word/domain lists."""

    spam_at: float = 1.0
    approve_below: float = 0.3
    blocked_domains: frozenset[str] = frozenset()
    allowed_domains: frozenset[str] = frozenset()
    custom_words: frozenset[str] = frozenset()
    # the rules its moderators wrote, active and in the shadow
    rules: tuple[SiteRuleSpec, ...] = ()
    # what an ``abuse`` reason does: "flag" (wait for a moderator) or "reject"
    abuse_action: str = "flag"


@dataclass(frozen=True)
class SiteRuleSpec:
    """One rule a site's moderators wrote, as the scoring sees it."""

    id: int
    name: str
    conditions: tuple[tuple[str, object], ...]
    weight: float | None = None
    action: str | None = None
    shadow: bool = True


@dataclass(frozen=True)
class Verdict:
    """The explained score of one submission."""

    score: float
    reasons: tuple[Reason, ...]
    model_version: str

    def to_dict(self) -> dict:
        """Return a JSON-ready mapping: score, reasons and model_version."""
        return {
            "score": self.score,
            "reasons": [reason.to_dict() for reason in self.reasons],
            "model_version": self.model_version,
        }
