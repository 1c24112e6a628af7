"""The status changes a comment may go through, as data.

- the worker's verdict moves a ``received`` comment to ``pending``, ``spam``,
  ``rejected`` (abuse, on a site whose ``abuse_action`` is ``reject``) or
  (post-moderated sites) ``approved``; a moderator may decide it before that;
- a moderator approves or rejects (as spam or for another reason) any comment,
  decided or not, and may confirm the worker's call (``spam`` → ``spam``);
- a moderator reopens a decided comment: it goes back to ``pending``;
- a ban marks its author's undecided or visible comments ``spam``, and lifting
  it puts them back where they were, ``received`` and ``pending`` included.
"""

from __future__ import annotations

from commentgate.domain import CommentStatus
from commentgate.errors import TransitionRefusedError

RECEIVED, PENDING, SPAM, APPROVED, REJECTED = (
    CommentStatus.RECEIVED,
    CommentStatus.PENDING,
    CommentStatus.SPAM,
    CommentStatus.APPROVED,
    CommentStatus.REJECTED,
)
DECIDED = frozenset({APPROVED, REJECTED, SPAM})

ALLOWED: dict[CommentStatus, frozenset[CommentStatus]] = {
    RECEIVED: frozenset({PENDING, SPAM, APPROVED, REJECTED}),
    PENDING: DECIDED,
    APPROVED: DECIDED | {PENDING},
    REJECTED: DECIDED | {PENDING},
    SPAM: DECIDED | {RECEIVED, PENDING},
}


def check_transition(from_status: str, to_status: str) -> None:
    """Refuse a status change the table does not allow.

    Raises:
        TransitionRefusedError: ``from_status`` may not become ``to_status``.
    """
    allowed = ALLOWED.get(CommentStatus(from_status), frozenset())
    if CommentStatus(to_status) not in allowed:
        raise TransitionRefusedError(f"{from_status} -> {to_status}")
