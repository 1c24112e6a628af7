"""Request and response models of the admin API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from commentgate.domain import AuditAction, Role
from commentgate.keyring import NewKey
from commentgate.site_settings import NewSite, SiteSettings
from service.moderation.schemas import Moment
from service.schemas import PageQuery


class SitePath(BaseModel):
    site_name: str = Field(max_length=100)


class SiteOut(BaseModel):
    name: str
    origins: list[str]
    mode: str
    spam_at: float
    approve_below: float
    blocked_domains: list[str]
    allowed_domains: list[str]
    custom_words: list[str]
    webhook_url: str | None
    webhook_url_error: Literal["invalid", "not_public"] | None = Field(
        description="Why webhooks are not delivered to webhook_url (it breaks today's rules"
        " and was stored before them): invalid, or not_public (a loopback, private or"
        " link-local address); null when deliveries go out"
    )
    webhook_secret_set: bool = Field(description="The secret itself is never shown")
    retention_days: int | None
    privacy_notice_url: str | None
    privacy_notice_version: str | None
    privacy_purpose: str | None
    consent_always: bool
    erasure: Literal["delete", "anonymise"]
    hold_first_time: bool
    hold_links: bool
    abuse_action: Literal["flag", "reject"]
    created_at: str


class SitePage(BaseModel):
    items: list[SiteOut]
    next_cursor: str | None


class KeyOut(BaseModel):
    id: str
    prefix: str = Field(description="The key's first characters, to recognise it")
    name: str
    role: Role
    site: str | None
    created_at: str
    revoked_at: str | None


class KeyCreated(KeyOut):
    key: str = Field(description="The secret: shown this once, stored only as SHA-256")


class KeyPath(BaseModel):
    key_id: str = Field(max_length=64)


class KeyQuery(PageQuery):
    prefix: str | None = Field(None, max_length=16)
    role: Role | None = None
    include_revoked: bool = False


class KeyPage(BaseModel):
    items: list[KeyOut]
    next_cursor: str | None


class AuditQuery(PageQuery):
    action: list[AuditAction] = Field(default_factory=list, max_length=20)
    target_type: str | None = Field(None, max_length=16)
    target_id: str | None = Field(None, max_length=64)
    actor: str | None = Field(None, max_length=32, description="Key id")
    site: str | None = Field(None, max_length=100)
    since: Moment = None
    until: Moment = None


class AuditOut(BaseModel):
    id: str
    at: str
    actor: str | None = Field(description="Key id; null for the command line")
    action: AuditAction
    target_type: str
    target_id: str
    site: str | None
    reason: str | None
    detail: dict


class AuditPage(BaseModel):
    items: list[AuditOut]
    next_cursor: str | None


__all__ = ["NewKey", "NewSite", "SiteSettings"]


class SubjectRequest(BaseModel):
    """Whose data: their phone number and, to narrow it to what they prove, one comment."""

    phone: str = Field(max_length=40, description="Any format; found by its fingerprint")
    comment: str | None = Field(None, max_length=32, description="One of their comments' id")


class SubjectErased(BaseModel):
    request_id: str = Field(description="The audit log's target id for this erasure")
    comments: int
    deleted: int
    blanked: int = Field(description="Emptied, kept as rows: readers had seen them")
    anonymised: int
    redis_entries: int
    audit_mentions: int = Field(description="Audit entries naming the person: should be 0")
