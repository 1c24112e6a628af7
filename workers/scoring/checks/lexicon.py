"""Spam vocabulary by category, from ``data/lexicon.tsv`` plus the site's own words.

A topic word alone ("cá độ" in a comment about a gambling ring) weighs little; an advert
shows itself by combining the topic with a call to action ("nhà cái uy tín", "inbox").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from functools import cache, lru_cache

from workers.scoring.checks.links import strip_links, trusted_links
from workers.scoring.normalize import folded_words, without_quotations
from workers.scoring.phrases import PhraseIndex
from workers.scoring.resources import DataFileError, read_rows
from workers.scoring.spans import Span, locate_phrase, merge
from workers.scoring.types import Reason, ReasonCode, SiteRules, Submission

CTA_BONUS = 0.5  # added to a category that co-occurs with a call to action
CATEGORY_CAP = 1.2
CTA_ALONE_CAP = 0.3
SITE_WORD_WEIGHT = 0.5
SITE_WORDS_CAP = 1.0
MIN_OWN_WORDS = 5
CTA_CATEGORY = "cta"
CATEGORY_CODES = {
    "betting": ReasonCode.LEXICON_BETTING,
    "loan": ReasonCode.LEXICON_LOAN,
    "pharmacy": ReasonCode.LEXICON_PHARMACY,
    "crypto": ReasonCode.LEXICON_CRYPTO,
    "seo": ReasonCode.LEXICON_SEO,
    "job": ReasonCode.LEXICON_JOB,
    "promo": ReasonCode.LEXICON_PROMO,
}


class Kind(str, Enum):
    """How much a phrase says on its own (see the header of ``lexicon.tsv``)."""

    TOPIC = "topic"
    SPAM = "spam"
    CTA = "cta"


@dataclass(frozen=True)
class Entry:
    """One row of the lexicon."""

    category: str
    kind: Kind
    weight: float
    phrase: str


def _parse(row: tuple[str, ...]) -> Entry:
    """Turn a lexicon row into an :class:`Entry`, rejecting unknown categories and kinds."""
    category, kind, weight, phrase = row
    if category not in CATEGORY_CODES and category != CTA_CATEGORY:
        raise DataFileError(f"lexicon.tsv: unknown category {category!r} for {phrase!r}")
    try:
        return Entry(category, Kind(kind), float(weight), phrase)
    except ValueError as error:
        raise DataFileError(f"lexicon.tsv: bad kind or weight for {phrase!r}") from error


@cache
def _entries() -> dict[str, Entry]:
    """Return the lexicon keyed by phrase."""
    return {entry.phrase: entry for entry in map(_parse, read_rows("lexicon.tsv", 4))}


@cache
def _index() -> PhraseIndex:
    return PhraseIndex(_entries())


@lru_cache(maxsize=256)
def _site_index(custom_words: frozenset[str]) -> PhraseIndex:
    return PhraseIndex(sorted(custom_words))


def find_entries(text: str) -> dict[Entry, int]:
    """Return the lexicon entries found in ``text`` with their number of occurrences."""
    return dict(_find_entries(text))


# Content is looked up by several checks; keep the last results (entries are immutable).
@lru_cache(maxsize=1024)
def _find_entries(text: str) -> tuple[tuple[Entry, int], ...]:
    entries = _entries()
    return tuple((entries[phrase], count) for phrase, count in _index().count(text).items())


def _quoted(entries: list[Entry]) -> str:
    return ", ".join(f'"{entry.phrase}"' for entry in entries)


Where = Callable[[Iterable[str]], tuple[Span, ...]]


def _category_reasons(found: list[Entry], where: Where) -> list[Reason]:
    """One reason per category; a call to action turns a topic into an advert. Each is
    located (by ``where``) at its phrases and the calls to action."""
    ctas = [entry for entry in found if entry.kind is Kind.CTA]
    by_category: dict[str, list[Entry]] = defaultdict(list)
    for entry in found:
        if entry.kind is not Kind.CTA:
            by_category[entry.category].append(entry)
    reasons = []
    for category, entries in by_category.items():
        weight = sum(entry.weight for entry in entries) + (CTA_BONUS if ctas else 0.0)
        detail = f"{category} wording: {_quoted(entries)}"
        if ctas:
            detail += f" with call to action {_quoted(ctas)}"
        weight = round(min(weight, CATEGORY_CAP), 4)
        spans = where(entry.phrase for entry in entries + ctas)
        reasons.append(Reason(CATEGORY_CODES[category], weight, detail, spans))
    if ctas and not reasons:
        weight = round(min(sum(entry.weight for entry in ctas), CTA_ALONE_CAP), 4)
        detail, spans = f"call to action {_quoted(ctas)}", where(e.phrase for e in ctas)
        reasons.append(Reason(ReasonCode.CALL_TO_ACTION, weight, detail, spans))
    return reasons


def _site_reason(text: str, custom_words: frozenset[str], where: Where) -> list[Reason]:
    """The site's own spam phrases (``SiteRules.custom_words``)."""
    if not custom_words:
        return []
    hits = sorted(_site_index(custom_words).count(text))
    if not hits:
        return []
    weight = min(SITE_WORD_WEIGHT * len(hits), SITE_WORDS_CAP)
    listed = ", ".join(f'"{hit}"' for hit in hits)
    return [Reason(ReasonCode.LEXICON_SITE, weight, f"site word list: {listed}", where(hits))]


def own_wording(sub: Submission, rules: SiteRules) -> str:
    """The text whose wording counts.

    A reader points at an advert by quoting it ("mấy comment 'nhà cái uy tín nạp đầu tặng
    100%' đầy dưới bài, admin lọc giúp"), so quotations are set aside when the writer has
    MIN_OWN_WORDS words of their own around them. An advert that is all quotation, or a quote
    behind a greeting ("ae ơi 'nhà cái uy tín'"), keeps its wording. Links to the site's
    allowed and official domains are sources, and their paths are headlines
    (".../canh-bao-lua-dao-vay-tien-nhanh"), so they are set aside too.
    """
    text = strip_links(sub.text, trusted_links(sub.text, rules))
    outside = without_quotations(text)
    return outside if len(folded_words(outside)) >= MIN_OWN_WORDS else text


def check_lexicon(sub: Submission, rules: SiteRules) -> list[Reason]:
    """Score spam vocabulary in the title and content (see :func:`own_wording`)."""
    text = own_wording(sub, rules)
    found = sorted(find_entries(text), key=lambda entry: entry.phrase)

    def where(phrases: Iterable[str]) -> tuple[Span, ...]:
        return phrase_spans(sub, phrases)

    return _category_reasons(found, where) + _site_reason(text, rules.custom_words, where)


def phrase_spans(sub: Submission, phrases: Iterable[str]) -> tuple[Span, ...]:
    """Where the phrases are written in the title and content (see :func:`merge`)."""
    fields = {"title": sub.title, "content": sub.content}
    return merge(span for phrase in phrases for span in locate_phrase(fields, phrase))
