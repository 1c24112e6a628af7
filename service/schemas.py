"""Request and response models. Request models validate and clean in one pass.

Length limits count code points *after* cleaning, so cleaning runs inside the
field validators and pydantic reports every field's problem at once.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from commentgate.captcha import CaptchaKind
from commentgate.domain import CommentStatus, RejectReason
from commentgate.phone import normalize_phone
from commentgate.storage.pagination import DEFAULT_LIMIT, MAX_LIMIT
from commentgate.text import clean_text, within

# Longest field values in code points after cleaning; the widget's own checks use them too.
MAX_LENGTHS = {"article": 500, "name": 80, "title": 200, "content": 5000}


def _text(max_len: int, *, multiline: bool = False) -> AfterValidator:
    def check(value: str) -> str:
        cleaned = clean_text(value, multiline=multiline)
        if not cleaned:
            raise PydanticCustomError("required", "required")
        return within(max_len, cleaned)

    return AfterValidator(check)


def _phone(value: str | None) -> str | None:
    cleaned = clean_text(value) if value is not None else ""
    if not cleaned:
        return None
    e164 = normalize_phone(cleaned)
    if e164 is None:
        raise PydanticCustomError("phone_invalid", "phone invalid")
    return e164


def _unticked_as_false(value: Any) -> Any:
    # Absent, null or empty (an unticked box) all say the same: no consent.
    return False if value is None or value == "" else value


def optional_text(max_len: int, *, multiline: bool = False) -> Any:
    """Optional free text of at most ``max_len`` characters after cleaning; empty becomes None."""

    def check(value: str | None) -> str | None:
        if value is None:
            return None
        return within(max_len, clean_text(value, multiline=multiline)) or None

    return Annotated[
        str | None,
        AfterValidator(check),
        Field(description=f"At most {max_len:,} characters after cleaning"),
    ]


def note_of(max_len: int) -> Any:
    """An optional note (multi-line kept) of at most ``max_len`` characters after cleaning."""
    return optional_text(max_len, multiline=True)


Note = note_of(1000)


def _honeypot(value: Any) -> str:
    # Whatever a bot puts here is evidence, never a reason to refuse.
    return "" if value is None else clean_text(str(value))[:200]


SingleLine80 = Annotated[
    str, _text(MAX_LENGTHS["name"]), Field(description="1–80 characters after cleaning")
]
SingleLine200 = Annotated[
    str, _text(MAX_LENGTHS["title"]), Field(description="1–200 characters after cleaning")
]
SiteName = Annotated[str, _text(100)]
Article = Annotated[
    str, _text(MAX_LENGTHS["article"]), Field(description="Host's article key or URL, 1–500")
]
Content = Annotated[
    str,
    _text(MAX_LENGTHS["content"], multiline=True),
    Field(description="1–5,000 characters"),
]


class CommentIn(BaseModel):
    """A reader's comment as the widget sends it."""

    model_config = ConfigDict(extra="ignore")

    site: SiteName
    article: Article
    name: SingleLine80
    phone: Annotated[str | None, AfterValidator(_phone)] = Field(
        None, description="Optional; Vietnamese or international mobile/fixed line"
    )
    title: SingleLine200
    content: Content
    consent: Annotated[bool, BeforeValidator(_unticked_as_false)] = Field(
        False,
        description="The reader agreed to the site's privacy notice; required with a phone"
        " number where the site names a notice (or always, if it says so)",
    )
    captcha_id: Annotated[str, _text(100)]
    captcha_answer: Annotated[str, _text(20)]
    website: Annotated[Any, BeforeValidator(_honeypot)] = Field(
        "", description="Leave empty (a trap for bots)", json_schema_extra={"type": "string"}
    )


class NoticeQuery(BaseModel):
    site: SiteName = Field(description="A registered site")


class PrivacyNotice(BaseModel):
    """The privacy notice a site asks readers to consent to; all null: it asks none."""

    site: str
    notice_url: str | None
    notice_version: str | None
    purpose: str | None
    consent_always: bool = Field(description="Consent asked with every comment, phone or not")


class CommentAccepted(BaseModel):
    id: str
    status: Literal["received"] = "received"


class CaptchaIn(BaseModel):
    """What kind of captcha to issue; the body is optional."""

    model_config = ConfigDict(extra="ignore")

    kind: CaptchaKind = CaptchaKind.IMAGE


_QUERY_SCHEMAS: dict[type, dict[str, Any]] = {}


class QueryModel(BaseModel):
    """A query string's model, whose JSON schema is worked out once.

    flask-openapi3 asks a query model for its JSON schema on every request it
    parses (to tell lists from single values): about 0.7 ms of a captcha or a
    public page each time. The schema of a class never changes, so the plain call
    is answered from a cache; calls with arguments (the OpenAPI document) are not.
    """

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if args or kwargs:
            return super().model_json_schema(*args, **kwargs)
        if cls not in _QUERY_SCHEMAS:
            _QUERY_SCHEMAS[cls] = super().model_json_schema()
        return _QUERY_SCHEMAS[cls]


class CaptchaQuery(QueryModel):
    """The site a captcha is for: only its comments can redeem it, and it counts against
    that site's limits."""

    site: SiteName = Field(description="A registered site; the captcha is good only for it")


class CaptchaMediaQuery(QueryModel):
    """The site a captcha's picture or sound is fetched for: it only chooses the limits."""

    site: SiteName | None = Field(
        None, description="The captcha's site; without it only the per-IP limits apply"
    )


class CaptchaOut(BaseModel):
    id: str
    kind: CaptchaKind
    image_url: str
    audio_url: str | None = Field(None, description="Only for kind audio: the digits read aloud")
    expires_in: int


class CaptchaPath(BaseModel):
    captcha_id: str


class CommentPath(BaseModel):
    comment_id: str


class PageQuery(QueryModel):
    cursor: str | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class PublicListQuery(PageQuery):
    site: str
    article: str


class CountsQuery(QueryModel):
    site: str
    article: list[str] = Field(min_length=1, max_length=100)


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    reason: RejectReason = RejectReason.OTHER
    note: Note = None


class PublicComment(BaseModel):
    id: str
    name: str
    title: str
    content: str
    created_at: str


class PublicPage(BaseModel):
    items: list[PublicComment]
    next_cursor: str | None


class Counts(BaseModel):
    site: str
    counts: dict[str, int]


class SpanOut(BaseModel):
    field: Literal["title", "content", "name"]
    start: int = Field(ge=0, description="First code point of the stored (cleaned) text")
    end: int = Field(ge=0, description="Code point after the last one")


class ReasonOut(BaseModel):
    code: str
    weight: float
    detail: str
    spans: list[SpanOut] = Field(
        default_factory=list,
        description="Where the evidence is in the text as scored (links, phone numbers, "
        "messenger handles, word-list phrases); none for older verdicts, other checks, and "
        "once a moderator edited the text",
    )


class VerdictOut(BaseModel):
    score: float
    reasons: list[ReasonOut]
    model_version: str


class ModeratorComment(BaseModel):
    id: str
    site: str
    article: str
    name: str
    phone: str | None = Field(
        description="Masked (+84 912 *** 678); the full number through POST …/reveal"
    )
    title: str
    content: str
    ip: str | None = Field(
        description="Masked (203.0.113.x, an IPv6 /64 then x:x:x:x); in full through …/reveal"
    )
    user_agent: str | None
    honeypot_filled: bool
    submit_seconds: float | None
    status: CommentStatus
    score: float | None
    verdict: VerdictOut | None
    created_at: str
    scored_at: str | None
    decided_at: str | None
    decision_reason: str | None
    decision_note: str | None
    has_link: bool
    edited_at: str | None
    etag: str


class FieldErrorOut(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    code: str
    message: str
    fields: dict[str, FieldErrorOut] | None = Field(None, description="422: per field")
    current: ModeratorComment | None = Field(None, description="409: the comment as it is")
    checks: dict[str, str] | None = Field(None, description="503 from /readyz: what failed")


class ErrorOut(BaseModel):
    error: ErrorBody
