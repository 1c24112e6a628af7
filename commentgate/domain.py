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
    """What a moderator did."""

    APPROVE = "approve"
    REJECT = "reject"


class Role(str, Enum):
    """What an API key may do."""

    MODERATOR = "moderator"
    ADMIN = "admin"
    OPS = "ops"
    HOST = "host"


MODERATION_QUEUE = "moderation"


def teaches_model(action: DecisionAction, reason: RejectReason | None) -> bool:
    """Approvals teach ham and rejections as spam teach spam; other rejections teach nothing."""
    return action is DecisionAction.APPROVE or reason is RejectReason.SPAM
