"""Form behaviour: the honeypot, inhumanly fast submits, copied fields, stuffed names."""

from __future__ import annotations

from workers.scoring.checks.lexicon import Kind, find_entries
from workers.scoring.checks.links import find_links
from workers.scoring.normalize import fold
from workers.scoring.types import DECISIVE_WEIGHT, Reason, ReasonCode, SiteRules, Submission

HONEYPOT_WEIGHT = DECISIVE_WEIGHT  # the field is invisible to people; only bots see it
BOT_SPEED_WEIGHT = 0.8
TOO_FAST_WEIGHT = 0.4
IDENTICAL_WEIGHT = 0.4
STUFFING_WEIGHT = 0.4
# Nobody reads a captcha, solves it and submits in under two seconds.
BOT_SECONDS = 2.0
# Typing floor: far above real typing speed (5-8 chars/s) so that pasted text passes.
CHARS_PER_SECOND = 30.0
STUFFING_REPEATS = 3


def check_honeypot(sub: Submission) -> list[Reason]:
    """The hidden ``website`` field must stay empty."""
    if not sub.website.strip():
        return []
    return [Reason(ReasonCode.HONEYPOT, HONEYPOT_WEIGHT, "hidden website field was filled in")]


def check_speed(sub: Submission) -> list[Reason]:
    """Submits faster than solving the captcha and writing the text allows."""
    seconds = sub.submit_seconds
    if seconds is None or seconds < 0:  # unknown, or a clock problem: neutral
        return []
    if seconds < BOT_SECONDS:
        return [
            Reason(
                ReasonCode.TOO_FAST,
                BOT_SPEED_WEIGHT,
                f"submitted {seconds:.1f} s after the captcha was shown",
            )
        ]
    floor = BOT_SECONDS + len(sub.content) / CHARS_PER_SECOND
    if seconds < floor:
        return [
            Reason(
                ReasonCode.TOO_FAST,
                TOO_FAST_WEIGHT,
                f"{len(sub.content)} characters written in {seconds:.1f} s",
            )
        ]
    return []


def check_identical(sub: Submission) -> list[Reason]:
    """Name, title and content copied from one another (a bot filling every field)."""
    fields = {"name": fold(sub.name), "title": fold(sub.title), "content": fold(sub.content)}
    pairs = [("name", "content"), ("title", "content"), ("name", "title")]
    same = [f"{a} and {b}" for a, b in pairs if fields[a] and fields[a] == fields[b]]
    if not same:
        return []
    return [Reason(ReasonCode.IDENTICAL_FIELDS, IDENTICAL_WEIGHT, f"{same[0]} are identical")]


def check_stuffing(sub: Submission) -> list[Reason]:
    """Spam phrases repeated in the content, or an advert or link used as the name."""
    # Topic words are what readers repeat when they rant about a subject ("cá độ ... cá độ"),
    # and what names hold ("Chú Tư Việc Làm"); advert wording is not.
    repeated = [
        entry.phrase
        for entry, count in find_entries(sub.content).items()
        if entry.kind is Kind.SPAM and count >= STUFFING_REPEATS
    ]
    if repeated:
        return [
            Reason(
                ReasonCode.KEYWORD_STUFFING,
                STUFFING_WEIGHT,
                f'"{repeated[0]}" repeated {STUFFING_REPEATS}+ times',
            )
        ]
    in_name = [entry.phrase for entry in find_entries(sub.name) if entry.kind is Kind.SPAM]
    if in_name or (sub.name and find_links(sub.name)):
        shown = f'"{in_name[0]}"' if in_name else "a link"
        return [Reason(ReasonCode.KEYWORD_STUFFING, STUFFING_WEIGHT, f"name contains {shown}")]
    return []


def check_form(sub: Submission, rules: SiteRules) -> list[Reason]:
    """All form-behaviour checks."""
    return [
        *check_honeypot(sub),
        *check_speed(sub),
        *check_identical(sub),
        *check_stuffing(sub),
    ]
