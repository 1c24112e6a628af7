"""Warning language: a reader quoting spam to warn others is not advertising it.

News comments discuss scams, betting rings and fake medicine, and often quote the very
wording, numbers and links spammers use ("đừng bấm vào link bit.ly", "bị lừa mất 50 triệu").
When warning phrases from ``data/warnings.txt`` occur, one negative reason cancels most of
the lexicon, contact and link evidence of the same comment, and of the model's reason unless
the model is sure.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, lru_cache

from workers.scoring.checks.contact import HANDLE_BAIT_WEIGHT, MESSENGER_CODES
from workers.scoring.normalize import fold, folded_words, words
from workers.scoring.resources import read_words
from workers.scoring.types import Reason, ReasonCode, Submission

# Both constants were chosen by 5-fold cross-validation on the Vietnamese training side (see
# bench/README.md): a fixed step for the warning itself, plus this share of the bait evidence.
WARNING_WEIGHT = 0.4
WARNING_DISCOUNT = 0.7
# The model's reason is bait too (it reads the quoted spam wording) unless the model gives
# p(spam) of at least MODEL_SURE: it sees the warning words itself, so a confident call is an
# advert borrowing them ("ai bị lừa đảo thì liên hệ bên mình lấy lại tiền"). Chosen by
# cross-validation on the Vietnamese training side, where recovery-scam adverts reach
# p > 0.99 and readers' warnings stay under p = 0.8.
MODEL_SURE = 0.9
MAX_SHOWN = 3
# "không bị chặn", "ko lừa đảo": adverts reassure with negated warnings.
NEGATIONS = frozenset({"không", "ko", "k", "chẳng", "chả", "khong"})
# Evidence that warning language explains away: what a reader quotes when warning others.
DISCOUNTED = frozenset(
    {
        ReasonCode.LINKS,
        ReasonCode.LINK_ONLY,
        ReasonCode.LINK_SHORTENER,
        ReasonCode.LINK_SUSPICIOUS_TLD,
        ReasonCode.SHORT_WITH_LINK,
        ReasonCode.CONTACT_PHONE,
        ReasonCode.CONTACT_ZALO,
        ReasonCode.CONTACT_TELEGRAM,
        ReasonCode.CONTACT_FACEBOOK,
        ReasonCode.CONTACT_VIBER,
        ReasonCode.CONTACT_INBOX,
        ReasonCode.PREMIUM_SMS,
        ReasonCode.LEXICON_BETTING,
        ReasonCode.LEXICON_LOAN,
        ReasonCode.LEXICON_PHARMACY,
        ReasonCode.LEXICON_CRYPTO,
        ReasonCode.LEXICON_SEO,
        ReasonCode.LEXICON_JOB,
        ReasonCode.LEXICON_PROMO,
        ReasonCode.CALL_TO_ACTION,
        ReasonCode.SELF_PROMOTION,
        ReasonCode.ENGAGEMENT_BAIT,
        ReasonCode.MODEL,
    }
)


@cache
def _phrases() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Return the warning phrases as diacritic-keeping token tuples, keyed by first token."""
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for phrase in read_words("warnings.txt"):
        tokens = tuple(words(fold(phrase, keep_diacritics=True)))
        by_first.setdefault(tokens[0], []).append(tokens)
    return {first: tuple(phrases) for first, phrases in by_first.items()}


def find_warnings(text: str) -> list[str]:
    """Return the warning phrases in ``text`` (each once), skipping negated ones."""
    return list(_find_warnings(text))


# Scoring and the model's features both ask about the same comment.
@lru_cache(maxsize=1024)
def _find_warnings(text: str) -> tuple[str, ...]:
    tokens = folded_words(text, keep_diacritics=True)
    index = _phrases()
    found = []
    for start, token in enumerate(tokens):
        if start and tokens[start - 1] in NEGATIONS:
            continue
        for phrase in index.get(token, ()):
            if tuple(tokens[start : start + len(phrase)]) == phrase:
                found.append(" ".join(phrase))
    return tuple(dict.fromkeys(found))


def offers_contact(reasons: Sequence[Reason]) -> bool:
    """A phone number in the text and a messenger handle offered with it: how an advert says
    "reach me", not how a reader quotes a scammer's number."""
    phone = any(r.code is ReasonCode.CONTACT_PHONE and r.weight > 0 for r in reasons)
    handle = any(r.code in MESSENGER_CODES and r.weight >= HANDLE_BAIT_WEIGHT for r in reasons)
    return phone and handle


def warning_reasons(
    sub: Submission, reasons: Sequence[Reason], model_probability: float | None = None
) -> list[Reason]:
    """A negative reason when warning language surrounds the bait found in ``reasons``;
    ``model_probability`` is the p(spam) behind a ``model`` reason among them. Where the
    writer offers a contact, warning words explain away only the model's reason: recovery
    scams tell a victim's story first ("mình cũng bị lừa … kết bạn zalo 09…")."""
    found = find_warnings(sub.text)
    if not found:
        return []
    model_sure = model_probability is not None and model_probability >= MODEL_SURE
    discounted = {ReasonCode.MODEL} if offers_contact(reasons) else DISCOUNTED
    bait = sum(
        r.weight
        for r in reasons
        if r.code in discounted and r.weight > 0 and not (r.code is ReasonCode.MODEL and model_sure)
    )
    weight = -round(WARNING_WEIGHT + WARNING_DISCOUNT * bait, 4)
    shown = ", ".join(f'"{phrase}"' for phrase in found[:MAX_SHOWN])
    return [Reason(ReasonCode.WARNING_CONTEXT, weight, f"warning language: {shown}")]
