"""Tables. Times are stored as UTC; ids are opaque random strings."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from commentgate.storage.commit_order import current_txid


def new_id() -> str:
    """A random, URL-safe, opaque identifier."""
    return secrets.token_hex(12)


def utcnow() -> datetime:
    """Now, aware, in UTC."""
    return datetime.now(UTC)


def to_utc(moment: datetime) -> datetime:
    """An aware ``moment`` in UTC.

    Raises:
        ValueError: in UTC it falls outside years 1-9999, all a datetime can hold
            (``9999-12-31T23:59:59-14:00`` is already year 10000 there).
    """
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("time outside years 1-9999 in UTC") from exc


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None


class Base(DeclarativeBase):
    pass


class Site(Base):
    """A host site whose articles carry comments."""

    __tablename__ = "sites"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    mode: Mapped[str] = mapped_column(String(8), default="pre")
    spam_at: Mapped[float] = mapped_column(Float, default=1.0)
    approve_below: Mapped[float] = mapped_column(Float, default=0.3)
    blocked_domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    allowed_domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    custom_words: Mapped[list[str]] = mapped_column(JSON, default=list)
    webhook_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    webhook_secret: Mapped[str | None] = mapped_column(String(200), nullable=True)
    retention_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The privacy notice readers consent to (commentgate.consent); none: no consent asked.
    privacy_notice_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    privacy_notice_version: Mapped[str | None] = mapped_column(String(50), nullable=True)
    privacy_purpose: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    consent_always: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # What erasing a reader's data does to their comments: "delete" or "anonymise".
    erasure: Mapped[str] = mapped_column(String(16), default="delete", server_default="delete")
    # Post-moderation still holds these for a moderator: first-time authors, links.
    hold_first_time: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    hold_links: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # What the worker does with abuse (insults, slurs, threats, hate): "flag" or "reject".
    abuse_action: Mapped[str] = mapped_column(String(16), default="flag", server_default="flag")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    origins: Mapped[list[SiteOrigin]] = relationship(
        back_populates="site", cascade="all, delete-orphan", lazy="selectin"
    )

    def origin_set(self) -> set[str]:
        """The registered origins, e.g. ``{"https://news.example"}``."""
        return {o.origin for o in self.origins}


class SiteOrigin(Base):
    """A web origin (scheme://host[:port]) allowed to post for a site."""

    __tablename__ = "site_origins"

    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    origin: Mapped[str] = mapped_column(String(300), primary_key=True)
    site: Mapped[Site] = relationship(back_populates="origins")


class ApiKey(Base):
    """A moderator's or admin's key; only its SHA-256 is stored."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


# What a comment holds about its author only to moderate it; a site's retention period
# erases these (commentgate.storage.retention).
PERSONAL_FIELDS = ("phone_sealed", "ip", "user_agent", "phone_hmac", "ip_hmac")
HOLDS_PERSONAL_DATA_SQL = " OR ".join(f"{field} IS NOT NULL" for field in PERSONAL_FIELDS)


class Comment(Base):
    """A reader's comment and where it stands."""

    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_public", "site_id", "article", "status", "created_at"),
        Index("ix_comments_review", "site_id", "status", "created_at"),
        Index("ix_comments_status_created", "status", "created_at"),
        Index("ix_comments_phone_hmac", "phone_hmac", "created_at"),
        Index("ix_comments_ip_hmac", "ip_hmac", "created_at"),
        Index(
            "ix_comments_personal_data",
            "site_id",
            "created_at",
            postgresql_where=text(HOLDS_PERSONAL_DATA_SQL),
            sqlite_where=text(HOLDS_PERSONAL_DATA_SQL),
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    article: Mapped[str] = mapped_column(String(500))
    name: Mapped[str] = mapped_column(String(80))
    # Sealed at rest (commentgate.sealing): "v1:<key id>:<base64url>", never the number.
    phone_sealed: Mapped[str | None] = mapped_column(String(120), nullable=True)
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(String(45), nullable=True)
    user_agent: Mapped[str | None] = mapped_column(String(300), nullable=True)
    honeypot: Mapped[str] = mapped_column(String(200), default="")
    submit_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="received")
    version: Mapped[int] = mapped_column(Integer, default=1)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("api_keys.id"), nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(String(16), nullable=True)
    decision_note: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    # Author fingerprints (see commentgate.fingerprint): bans find past comments by these.
    phone_hmac: Mapped[str | None] = mapped_column(String(64), nullable=True)
    ip_hmac: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The latest verdict's reason codes as ",code,code," so one LIKE finds a code.
    reason_codes: Mapped[str] = mapped_column(Text, default="", server_default="")
    has_link: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The consent the author gave with it: the notice's version, its purpose, when.
    consent_version: Mapped[str | None] = mapped_column(String(50), nullable=True)
    consent_purpose: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    site: Mapped[Site] = relationship(lazy="joined")


class Verdict(Base):
    """The worker's score of a comment. Append-only: one row per scoring that committed."""

    __tablename__ = "verdicts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    comment_id: Mapped[str] = mapped_column(ForeignKey("comments.id"), index=True)
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    model_version: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Decision(Base):
    """A moderator's action on a comment. Append-only; the model learns from it.

    Read in (txid, id) order: see :mod:`commentgate.storage.commit_order`.
    """

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    comment_id: Mapped[str] = mapped_column(ForeignKey("comments.id"), index=True)
    key_id: Mapped[str] = mapped_column(ForeignKey("api_keys.id"))
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(16), nullable=True)
    note: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    txid: Mapped[int] = mapped_column(BigInteger, server_default=current_txid())


class ModelVersion(Base):
    """A trained spam model: per site, or the global prior (site_id NULL).

    The decision log is the source of truth; a version records how far into
    that log (``last_decision_txid``, ``last_decision_id``) it has learned, so any
    worker can catch up.
    """

    __tablename__ = "model_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"), nullable=True, index=True)
    version: Mapped[str] = mapped_column(String(64), unique=True)
    weights: Mapped[bytes] = mapped_column(LargeBinary)
    examples: Mapped[int] = mapped_column(Integer, default=0)
    last_decision_id: Mapped[int] = mapped_column(Integer, default=0)
    last_decision_txid: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommentEdit(Base):
    """A moderator's edit of a comment: the title and content as they were before it."""

    __tablename__ = "comment_edits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    comment_id: Mapped[str] = mapped_column(ForeignKey("comments.id"), index=True)
    key_id: Mapped[str | None] = mapped_column(ForeignKey("api_keys.id"), nullable=True)
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Ban(Base):
    """A banned author, known only by the HMAC of a phone number or an IP address.

    ``site_id`` NULL bans on every site. A ban is active until lifted or expired.
    """

    __tablename__ = "bans"
    __table_args__ = (Index("ix_bans_lookup", "kind", "value_hmac"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(8))
    value_hmac: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    source_comment_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reject_recent_hours: Mapped[int] = mapped_column(Integer, default=0, server_default=false())
    created_by: Mapped[str | None] = mapped_column(ForeignKey("api_keys.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lifted_by: Mapped[str | None] = mapped_column(ForeignKey("api_keys.id"), nullable=True)
    site: Mapped[Site | None] = relationship(lazy="joined")


class BanRejection(Base):
    """A comment a ban rejected, with what it was before, so lifting can undo it."""

    __tablename__ = "ban_rejections"

    ban_id: Mapped[str] = mapped_column(ForeignKey("bans.id"), primary_key=True)
    comment_id: Mapped[str] = mapped_column(ForeignKey("comments.id"), primary_key=True)
    # The comment's version right after the ban's rejection: undo only if still there.
    version: Mapped[int] = mapped_column(Integer)
    from_status: Mapped[str] = mapped_column(String(16))
    from_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    from_decided_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    from_reason: Mapped[str | None] = mapped_column(String(16), nullable=True)
    from_note: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    restored_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AuditEntry(Base):
    """Who did what to which object, and why; ids and codes only. Append-only."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_created", "created_at", "id"),
        Index("ix_audit_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_key_id: Mapped[str | None] = mapped_column(String(32), nullable=True)  # None: the CLI
    action: Mapped[str] = mapped_column(String(32))
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[str] = mapped_column(String(64))
    site_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CommentEvent(Base):
    """A change in what the public sees of a comment, for host backends' caches.

    Read in (txid, id) order: see :mod:`commentgate.storage.commit_order`.
    """

    __tablename__ = "comment_events"
    __table_args__ = (
        Index("ix_comment_events_site", "site_id", "txid", "id"),
        Index("ix_comment_events_comment", "comment_id", "txid"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    comment_id: Mapped[str] = mapped_column(ForeignKey("comments.id"))
    article: Mapped[str] = mapped_column(String(500))
    type: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The inserting transaction's id, or a later one: never before the comment's last event.
    txid: Mapped[int] = mapped_column(BigInteger, server_default=current_txid())


class SiteRule(Base):
    """A rule a site's moderators wrote: conditions, and a weight or an action.

    New rules are in the ``shadow`` (evaluated and recorded, not counted) until promoted to
    ``active``; ``retired`` ones are kept for their reports and audit trail.
    """

    __tablename__ = "site_rules"
    __table_args__ = (Index("ix_site_rules_site_state", "site_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    name: Mapped[str] = mapped_column(String(100))
    conditions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    weight: Mapped[float | None] = mapped_column(Float, nullable=True)
    action: Mapped[str | None] = mapped_column(String(16), nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="shadow")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HeldAuthor(Base):
    """An author (by phone fingerprint) whose comments always wait for a moderator."""

    __tablename__ = "held_authors"

    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    phone_hmac: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("api_keys.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
