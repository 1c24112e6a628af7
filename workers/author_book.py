"""What the authors of the comments being scored did before, and whether they are banned.

One job, or a batch of them, reads this once for all its comments' authors (two queries
for their decided comments, by phone and by IP fingerprint, and one for their bans)
instead of three queries per comment. The counts are kept in step as the verdicts are
written (:meth:`AuthorBook.note`), so a later comment of a batch sees the earlier ones
exactly as it would one job after another. Decisions and bans made elsewhere while a batch
runs are seen by the next one, as the site's model is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from commentgate.domain import CommentStatus
from commentgate.fingerprint import address_fingerprint
from commentgate.storage.bans import find_active_bans, first_matching_ban
from commentgate.storage.comments import author_histories
from commentgate.storage.models import Ban, Comment

# The statuses an author's history counts: moderators' and the engine's settled calls.
DECIDED = (CommentStatus.APPROVED.value, CommentStatus.SPAM.value)

History = dict[str, int]  # comments of an author in each decided status


@dataclass(frozen=True)
class Author:
    """Whose history a comment's verdict adds to: (site, fingerprint) by phone and by IP."""

    phone: tuple[str, str] | None
    ip: tuple[str, str] | None

    @classmethod
    def of(cls, comment: Comment) -> Author:
        """Read before the verdict is written (the comment is reloaded after it)."""
        site, phone, ip = comment.site_id, comment.phone_hmac, comment.ip_hmac
        return cls((site, phone) if phone else None, (site, ip) if ip else None)


class AuthorBook:
    """Histories and bans of the authors of the comments read into it."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret
        # The IP fingerprints of each comment read (one HMAC each, worked out once).
        self._ips: dict[str, list[str]] = {}
        self._by_phone: dict[tuple[str, str], History] = {}
        self._by_ip: dict[tuple[str, str], History] = {}
        self._bans: dict[str, Ban] = {}
        self._oldest_first: list[Ban] = []  # the bans in the order a match is looked for

    def read(self, session: Session, comments: Iterable[Comment]) -> None:
        """Read the history and bans of the authors of ``comments`` not read yet."""
        new = [comment for comment in comments if comment.id not in self._ips]
        if not new:
            return
        for comment in new:
            self._ips[comment.id] = self._fingerprints(comment)
        sites = {comment.site_id for comment in new}
        phones = {comment.phone_hmac for comment in new if comment.phone_hmac}
        ips = {ip for comment in new for ip in self._ips[comment.id]}
        phone_history = author_histories(session, sites, Comment.phone_hmac, phones, DECIDED)
        ip_history = author_histories(session, sites, Comment.ip_hmac, ips, DECIDED)
        for key in _keys(new, "phone_hmac"):
            self._by_phone.setdefault(key, phone_history.get(key, {}))
        for key in _keys(new, "ip_hmac"):
            self._by_ip.setdefault(key, ip_history.get(key, {}))
        for ban in find_active_bans(session, sites, phones, ips):
            self._bans.setdefault(ban.id, ban)
        self._oldest_first = sorted(self._bans.values(), key=lambda ban: (ban.created_at, ban.id))

    def ban(self, session: Session, comment: Comment) -> Ban | None:
        """The oldest active ban that holds the comment's author."""
        self.read(session, [comment])
        return first_matching_ban(
            self._oldest_first, comment.site_id, comment.phone_hmac, self._ips[comment.id]
        )

    def history(self, session: Session, comment: Comment) -> tuple[History, History]:
        """The author's decided comments on the site: by phone and by IP fingerprint."""
        self.read(session, [comment])
        return (
            self._by_phone.get((comment.site_id, comment.phone_hmac or ""), {}),
            self._by_ip.get((comment.site_id, comment.ip_hmac or ""), {}),
        )

    def note(self, author: Author, status: str) -> None:
        """The author's comment is now in ``status``: it counts in their history from here."""
        if status not in DECIDED:
            return
        for table, key in ((self._by_phone, author.phone), (self._by_ip, author.ip)):
            if key in table:
                table[key][status] = table[key].get(status, 0) + 1

    def _fingerprints(self, comment: Comment) -> list[str]:
        full = address_fingerprint(self._secret, comment.ip)
        return [value for value in (comment.ip_hmac, full) if value]


def _keys(comments: list[Comment], column: str) -> set[tuple[str, str]]:
    return {(comment.site_id, value) for comment in comments if (value := getattr(comment, column))}
