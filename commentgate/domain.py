"""The words of the domain, as enums shared by intake, workers and moderation."""

from __future__ import annotations

from enum import Enum


class CommentStatus(str, Enum):
    """Where a comment is in its life.

    ``received`` waits for scoring; the worker's verdict moves it to ``pending``,
    ``spam`` or (post-moderated sites) ``approved``; moderators decide the rest.
    """

    RECEIVED = "received"
    PENDING = "pending"
    SPAM = "spam"
    APPROVED = "approved"
    REJECTED = "rejected"


class ModerationMode(str, Enum):
    """Whether a site shows comments after (``pre``) or before (``post``) review."""

    PRE = "pre"
    POST = "post"


class RejectReason(str, Enum):
    """Why a moderator rejected a comment; ``spam`` also teaches the model."""

    SPAM = "spam"
    ABUSE = "abuse"
    OFF_TOPIC = "off_topic"
    OTHER = "other"

    def status(self) -> CommentStatus:
        """The status a rejection for this reason leads to."""
        return CommentStatus.SPAM if self is RejectReason.SPAM else CommentStatus.REJECTED


class DecisionAction(str, Enum):
    """What a moderator did.

    ``ban`` marks a comment rejected as spam because its author was banned (a
    judgement of the author, not of the text); ``restore`` puts it back when
    the ban is lifted. ``reopen`` takes a decision back: the comment waits for a
    moderator again, and the model forgets what the decision taught.
    """

    APPROVE = "approve"
    REJECT = "reject"
    BAN = "ban"
    RESTORE = "restore"
    REOPEN = "reopen"


class Role(str, Enum):
    """What an API key may do (see :mod:`commentgate.access` for the grants)."""

    MODERATOR = "moderator"
    ADMIN = "admin"
    HOST = "host"
    OPS = "ops"


class BanKind(str, Enum):
    """What identifies a banned author: a phone number or an IP address."""

    PHONE = "phone"
    IP = "ip"


class ReviewSort(str, Enum):
    """Orders of the review queue; ``score`` puts the highest score first."""

    NEWEST = "newest"
    OLDEST = "oldest"
    SCORE = "score"


class EventType(str, Enum):
    """What a host needs to know about a comment's public life."""

    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"
    EDITED = "edited"


# The webhook each visibility event is announced with (an edit is not announced).
WEBHOOK_EVENTS = {EventType.PUBLISHED: "comment.approved", EventType.UNPUBLISHED: "comment.removed"}


class AuditAction(str, Enum):
    """Everything the audit log records."""

    COMMENT_APPROVE = "comment.approve"
    COMMENT_REJECT = "comment.reject"
    COMMENT_ABUSE_REJECT = "comment.abuse_reject"  # by the worker, for the site's abuse_action
    COMMENT_EDIT = "comment.edit"
    COMMENT_BAN_REJECT = "comment.ban_reject"
    COMMENT_RESTORE = "comment.restore"
    COMMENT_REOPEN = "comment.reopen"
    COMMENT_REVEAL = "comment.reveal"
    COMMENT_ERASE = "comment.erase"  # its author's data erased on their request
    SUBJECT_EXPORT = "subject.export"
    SUBJECT_ERASE = "subject.erase"
    BAN_CREATE = "ban.create"
    BAN_LIFT = "ban.lift"
    KEY_CREATE = "key.create"
    KEY_REVOKE = "key.revoke"
    SITE_CREATE = "site.create"
    SITE_UPDATE = "site.update"
    RULE_CREATE = "rule.create"
    RULE_UPDATE = "rule.update"
    RULE_PROMOTE = "rule.promote"
    RULE_RETIRE = "rule.retire"
    AUTHOR_HOLD = "author.hold"
    AUTHOR_RELEASE = "author.release"


MODERATION_QUEUE = "moderation"


def teaches_model(action: DecisionAction, reason: RejectReason | None) -> bool:
    """Approvals teach ham and rejections as spam teach spam.

    Other rejections, and bans (a judgement of the author, not of the text),
    teach nothing.
    """
    if action is DecisionAction.APPROVE:
        return True
    return action is DecisionAction.REJECT and reason is RejectReason.SPAM
