"""The first step of every comment submission: redeem the captcha it names.

Both doors in (the JSON API and the no-JavaScript form) call this before any
other check, so a captcha is consumed on every request that names it, right or
wrong, even when other fields fail: a bot cannot probe answers with otherwise
broken requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from commentgate import metrics
from commentgate.captcha import CaptchaService, Redemption, TakenCaptcha
from commentgate.errors import FieldError
from commentgate.text import clean_text


@dataclass(frozen=True)
class CaptchaCheck:
    """The outcome of redeeming: the redemption (if a captcha was named) and its field error."""

    redemption: Redemption | None = None
    errors: dict[str, FieldError] = field(default_factory=dict)

    @property
    def issued_at(self) -> float | None:
        return self.redemption.issued_at if self.redemption else None


def named_captcha(payload: object) -> tuple[str, str, str] | None:
    """``(captcha_id, answer, site)`` when the submission names a captcha, else None.

    The site is cleaned as the comment's own is, so it compares equal to the
    name the captcha was issued for.
    """
    if not isinstance(payload, Mapping):
        return None
    captcha_id, answer = payload.get("captcha_id"), payload.get("captcha_answer")
    if not isinstance(captcha_id, str) or not captcha_id.strip():
        return None
    site = payload.get("site")
    return (
        captcha_id.strip(),
        answer if isinstance(answer, str) else "",
        clean_text(site) if isinstance(site, str) else "",
    )


def redeem_named_captcha(
    captchas: CaptchaService, payload: object, taken: TakenCaptcha | None = None
) -> CaptchaCheck:
    """Consume the captcha ``payload`` names and report its verdict as a field error.

    ``taken`` is that captcha if the request's limit check consumed it already
    (:mod:`service.limit_batch`). A blank answer to a live captcha is left to
    field validation ("required"); an expired, used or unknown captcha is reported
    whatever the answer; one issued for another site as a wrong answer.
    """
    named = named_captcha(payload)
    if named is None:
        return CaptchaCheck()
    captcha_id, answer, site = named
    if taken is not None and taken.id == captcha_id:
        redemption = captchas.judge(taken, answer, site)
    else:
        redemption = captchas.redeem(captcha_id, answer, site)
    metrics.CAPTCHAS.labels(_event(redemption)).inc()
    if redemption.ok or not (answer.strip() or redemption.error == "captcha_expired"):
        return CaptchaCheck(redemption)
    return CaptchaCheck(redemption, {"captcha_answer": FieldError(redemption.error or "")})


def _event(redemption: Redemption) -> str:
    if redemption.ok:
        return "solved"
    return "expired" if redemption.error == "captcha_expired" else "failed"
