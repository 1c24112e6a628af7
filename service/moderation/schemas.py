"""Request and response models of the moderation API (queue, bulk, edits, bans)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from commentgate.domain import BanKind, CommentStatus, ModerationMode, RejectReason, ReviewSort
from commentgate.storage.models import to_utc
from service.moderation.bulk import MAX_BULK_IDS
from service.schemas import (
    Content,
    ModeratorComment,
    Note,
    PageQuery,
    SingleLine200,
    note_of,
    optional_text,
)

ReasonCode = Annotated[str, Field(pattern=r"^[a-z0-9_]{1,40}$")]
CommentId = Annotated[str, Field(min_length=1, max_length=64)]


def as_utc(value: datetime | None) -> datetime | None:
    """Aware in UTC; a time without a zone is taken as UTC.

    Raises:
        ValueError: in UTC it falls outside years 1-9999 (a field error, "invalid").
    """
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else to_utc(value)


Moment = Annotated[datetime | None, AfterValidator(as_utc)]


class ReviewFilterQuery(BaseModel):
    """Filters shared by the queue and its counts."""

    site: str | None = Field(None, max_length=100, description="Site name")
    article: list[Annotated[str, Field(max_length=500)]] = Field(
        default_factory=list, max_length=100, description="Article key (repeatable)"
    )
    score_min: float | None = Field(None, ge=-1e6, le=1e6, allow_inf_nan=False)
    score_max: float | None = Field(None, ge=-1e6, le=1e6, allow_inf_nan=False)
    reason: list[ReasonCode] = Field(
        default_factory=list, max_length=20, description="Verdict reason code (repeatable, any)"
    )
    has_link: bool | None = None
    q: optional_text(200) = Field(  # type: ignore[valid-type]
        None, description="Text in title or content (case-insensitive)"
    )
    since: Moment = Field(None, description="Created at or after (RFC 3339)")
    until: Moment = Field(None, description="Created before (RFC 3339)")


class ReviewQuery(ReviewFilterQuery, PageQuery):
    status: list[CommentStatus] = Field(
        default_factory=list,
        description="Repeatable; none given: pending, or every status with same_author_as",
    )
    sort: ReviewSort = ReviewSort.NEWEST
    same_author_as: CommentId | None = Field(
        None,
        description="The other comments of this comment's author (same phone number or IP "
        "address), on the key's sites; the page then carries the author's counts",
    )


class AuthorCounts(BaseModel):
    """How the author's other comments on the key's sites stand (whatever the filters)."""

    approved: int
    rejected: int
    spam: int
    pending: int
    total: int = Field(description="Every status, received included")


class ReviewPage(BaseModel):
    items: list[ModeratorComment]
    next_cursor: str | None
    author: AuthorCounts | None = Field(None, description="With same_author_as only")


class StatusCounts(BaseModel):
    counts: dict[str, int] = Field(description="Every status, 0 when none")


def empty_counts() -> dict[str, int]:
    """Every status with a count of 0."""
    return {status.value: 0 for status in CommentStatus}


class ModeratedSite(BaseModel):
    name: str
    mode: ModerationMode
    counts: dict[str, int] = Field(description="Comments of the site per status, 0 when none")


class ModeratedSites(BaseModel):
    items: list[ModeratedSite] = Field(description="By name")


class EditIn(BaseModel):
    """New title and/or content; at least one."""

    model_config = ConfigDict(extra="ignore")

    title: SingleLine200 | None = None
    content: Content | None = Field(None, validate_default=True)

    @field_validator("content")
    @classmethod
    def _something(cls, content: str | None, info: ValidationInfo) -> str | None:
        if content is None and info.data.get("title") is None:
            raise PydanticCustomError("required", "title or content")
        return content


class EditOut(BaseModel):
    title: str = Field(description="The title before this edit")
    content: str = Field(description="The content before this edit")
    edited_by: str | None
    edited_at: str


class EditHistory(BaseModel):
    items: list[EditOut] = Field(description="Oldest first: the first holds the original")


class RevealIn(BaseModel):
    """Which personal fields to show in full; the body is optional (both)."""

    model_config = ConfigDict(extra="ignore")

    fields: list[Literal["phone", "ip"]] = Field(
        default_factory=lambda: ["phone", "ip"], min_length=1, max_length=2
    )


class RevealOut(BaseModel):
    phone: str | None = Field(description="E.164; None when not asked for or not given")
    ip: str | None = Field(description="None when not asked for or not stored")


class BulkIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    action: Literal["approve", "reject"]
    ids: list[CommentId] = Field(min_length=1, max_length=MAX_BULK_IDS)
    reason: RejectReason = Field(RejectReason.OTHER, description="For reject")
    note: Note = None
    if_match: dict[str, Annotated[str, Field(max_length=100)]] = Field(
        default_factory=dict,
        max_length=MAX_BULK_IDS,
        description="ETag per id, needed to change decided comments",
    )


class BulkItem(BaseModel):
    id: str
    result: Literal["ok", "not_found", "conflict", "precondition_failed"]
    status: CommentStatus | None
    etag: str | None


class BulkOut(BaseModel):
    results: list[BulkItem]
    counts: dict[str, int]


class BanIn(BaseModel):
    """Ban by ``value`` (a phone number or IP address) or by one of the author's comments.

    An IPv6 address bans its whole /64, the block one subscriber can pick addresses from.
    """

    model_config = ConfigDict(extra="ignore")

    kind: BanKind
    comment_id: CommentId | None = None
    value: str | None = Field(None, min_length=1, max_length=100, validate_default=True)
    site: str | None = Field(None, max_length=100, description="Default: every site of the key")
    reject_recent_hours: int = Field(
        0, ge=0, le=720, description="Also mark their comments of the last N hours spam"
    )
    duration_hours: int | None = Field(None, ge=1, le=87600, description="Default: until lifted")
    note: note_of(500) = None  # type: ignore[valid-type]

    @field_validator("value")
    @classmethod
    def _one_target(cls, value: str | None, info: ValidationInfo) -> str | None:
        comment_id = info.data.get("comment_id")
        if value is None and comment_id is None:
            raise PydanticCustomError("required", "value or comment_id")
        if value is not None and comment_id is not None:
            raise PydanticCustomError("invalid", "value or comment_id, not both")
        return value


class LiftIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    restore: bool = Field(True, description="Put back the comments the ban rejected")


class BanPath(BaseModel):
    ban_id: str = Field(max_length=64)


class BanQuery(PageQuery):
    site: str | None = Field(None, max_length=100)
    active: bool | None = None


class BanOut(BaseModel):
    id: str
    kind: BanKind
    site: str | None = Field(description="None: every site")
    note: str | None
    source_comment_id: str | None
    reject_recent_hours: int
    rejected_count: int
    active: bool
    created_at: str
    created_by: str | None
    expires_at: str | None
    lifted_at: str | None
    lifted_by: str | None


class BanPage(BaseModel):
    items: list[BanOut]
    next_cursor: str | None


class BanResult(BaseModel):
    ban: BanOut
    rejected: list[str] = Field(description="Comments this call marked spam")
    restored: list[str] = Field(description="Comments this call put back")
    kept: list[str] = Field(description="Comments changed since the ban, left as they are")


__all__ = ["ModeratorComment"]


class AuthorHold(BaseModel):
    held: bool = Field(description="Whether the author is now always pre-moderated")
    changed: bool = Field(description="False when it already was so")
