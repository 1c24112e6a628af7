"""Links in the comment: how many, where to, hidden behind shorteners, or nothing else."""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache, lru_cache

import tldextract

from workers.scoring.normalize import fold
from workers.scoring.resources import read_rows, read_words
from workers.scoring.spans import MAX_SPANS, Span, locate, merge, url_pattern
from workers.scoring.types import DECISIVE_WEIGHT, Reason, ReasonCode, SiteRules, Submission
from workers.scoring.urls import find_urls

LINK_WEIGHTS = (0.0, 0.3, 0.5, 0.7)  # by number of links, the last one for 3 or more
SHORTENER_WEIGHT = 0.5
SUSPICIOUS_TLD_WEIGHT = 0.3
BLOCKED_WEIGHT = DECISIVE_WEIGHT  # the site said so
LINK_ONLY_WEIGHT = 0.4

_TLD_NAMES = r"com|net|org|vn|vip|bet|xyz|top|club|info|io|me|co|ly|cc|live|online|site"
# "8xbet chấm com", "w88 (dot) net", "bit . ly": dots spelled out or spaced to dodge filters.
# Matched before diacritics are folded: "chăm mẹ" and "chậm" are not "chấm".
_SPELLED_DOT = re.compile(
    rf"(?<=\w)\s*(?:\[\s*\.\s*\]|\(\s*\.\s*\)|[\[\(]?\s*\b(?:dot|chấm|cham)\b\s*[\]\)]?|\s\.\s?)"
    rf"\s*(?=(?:{_TLD_NAMES})\b)"
)
_WORDISH = re.compile(r"[^\W\d_]{2,}")
# "quá.Có ai", "BS.Tô Thị": a full stop before a capitalised word, with no space typed after
# it, ends a sentence or an abbreviation, unless the word is a domain ending as typed
# ("VayNhanh.Net"); an all-capital "W88.COM" stays a link.
_SENTENCE_DOT = re.compile(r"(?<=[^\W\d_])\.(?=([^\W\d_]{2,}))")
# The state's own sites, quoted by readers as sources: never counted as links.
OFFICIAL_DOMAINS = frozenset({"gov.vn"})


@dataclass(frozen=True)
class Link:
    """A link found in the text, reduced to what the rules look at."""

    url: str
    domain: str  # registered domain, e.g. "bit.ly", "nhacai.com.vn"
    suffix: str  # public suffix, e.g. "com.vn"
    explicit: bool  # has a scheme, "www." or a path, so it is a link beyond doubt


@cache
def _domain_extractor() -> tldextract.TLDExtract:
    """Build the extractor once; with no list URLs and no cache dir it uses its bundled
    public-suffix snapshot and never the network."""
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@cache
def _tld_kinds() -> dict[str, str]:
    """Return ``{suffix: "common" | "suspicious"}`` from ``data/tlds.tsv``."""
    return dict(read_rows("tlds.tsv", 2))


@cache
def _shorteners() -> frozenset[str]:
    """Return the registered domains of URL shorteners."""
    return frozenset(read_words("shorteners.txt"))


# A comment may repeat one link hundreds of times.
@lru_cache(maxsize=4096)
def _to_link(url: str) -> Link | None:
    """Resolve one extracted URL to a :class:`Link`, or ``None`` if it has no domain."""
    parts = _domain_extractor()(url)
    domain = parts.top_domain_under_public_suffix
    if not domain:
        return None
    lowered = url.lower()
    explicit = "://" in lowered or lowered.startswith("www.") or "/" in lowered
    return Link(url=url, domain=domain.lower(), suffix=parts.suffix.lower(), explicit=explicit)


def find_links(text: str) -> list[Link]:
    """Return the links in ``text``, including ones with a spelled-out or spaced dot."""
    return list(_find_links(text))


# The links and shape checks both look at the content; keep the last results.
@lru_cache(maxsize=1024)
def _find_links(text: str) -> tuple[Link, ...]:
    text = _SENTENCE_DOT.sub(_space_after_sentence, text)
    text = fold(_SPELLED_DOT.sub(".", fold(text, keep_diacritics=True)), keep_diacritics=False)
    links = []
    for url in find_urls(text):
        link = _to_link(url)
        if link and (link.explicit or link.suffix in _tld_kinds()):
            links.append(link)
    return tuple(links)


def _space_after_sentence(dot: re.Match) -> str:
    word = dot.group(1)
    capitalised = word[0].isupper() and word[1].islower()
    return ". " if capitalised and word.lower() not in _tld_kinds() else "."


def counted_links(text: str, rules: SiteRules) -> list[Link]:
    """The links of ``text`` that count: not to the site's allowed or official domains."""
    trusted = set(trusted_links(text, rules))
    return [link for link in find_links(text) if link not in trusted]


def trusted_links(text: str, rules: SiteRules) -> list[Link]:
    """The links of ``text`` to the site's allowed domains or to official ones."""
    return _matching(find_links(text), rules.allowed_domains | OFFICIAL_DOMAINS)


def _matching(links: list[Link], listed: AbstractSet[str]) -> list[Link]:
    """The links to one of ``listed`` or a subdomain of one (each domain looked up once:
    a comment may repeat one link hundreds of times)."""
    domains = {link.domain for link in links}
    hits = {domain for domain in domains if _matches(domain, listed)}
    return [link for link in links if link.domain in hits]


def _matches(domain: str, listed: AbstractSet[str]) -> bool:
    """Whether ``domain`` is one of ``listed`` or a subdomain of one."""
    # One lookup per label, not one comparison per entry: a comment may hold hundreds of
    # links, and a site's lists are as long as its admins make them.
    labels = domain.split(".")
    return any(".".join(labels[start:]) in listed for start in range(len(labels)))


def _domains(links: list[Link]) -> str:
    """Short, de-duplicated domain list for a reason detail."""
    return ", ".join(dict.fromkeys(link.domain for link in links))


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _link_reasons(
    links: list[Link], rules: SiteRules, where: Callable[[list[Link]], tuple[Span, ...]]
) -> list[Reason]:
    """Reasons about the links themselves: count, shorteners, TLDs, blocked domains; each
    located by ``where``."""
    reasons = []
    weight = LINK_WEIGHTS[min(len(links), len(LINK_WEIGHTS) - 1)]
    detail = f"{_plural(len(links), 'link')} ({_domains(links)})"
    reasons.append(Reason(ReasonCode.LINKS, weight, detail, where(links)))
    groups = (
        (ReasonCode.LINK_SHORTENER, SHORTENER_WEIGHT, _shorteners(), "shortened"),
        (ReasonCode.LINK_BLOCKED, BLOCKED_WEIGHT, rules.blocked_domains, "blocked"),
    )
    for code, step, listed, label in groups:
        hits = _matching(links, listed)
        if hits:
            detail = f"{_plural(len(hits), label + ' link')} ({_domains(hits)})"
            reasons.append(Reason(code, step, detail, where(hits)))
    odd = [link for link in links if _tld_kinds().get(link.suffix) == "suspicious"]
    if odd:
        suffixes = ", ".join(dict.fromkeys("." + link.suffix for link in odd))
        reasons.append(
            Reason(
                ReasonCode.LINK_SUSPICIOUS_TLD,
                SUSPICIOUS_TLD_WEIGHT,
                f"links to cheap spam-prone domains ({suffixes})",
                where(odd),
            )
        )
    return reasons


def strip_links(text: str, links: list[Link]) -> str:
    """Return ``text`` with the link strings removed (for "is there anything else?")."""
    # replace() removes every occurrence, so each URL is looked for once.
    for url in dict.fromkeys(link.url for link in links):
        text = text.replace(url, " ")
    return text


def check_links(sub: Submission, rules: SiteRules) -> list[Reason]:
    """Score links in the title and content; links to allowed and official domains are
    ignored."""
    in_content = counted_links(sub.content, rules)
    in_title = counted_links(sub.title, rules) if sub.title else []
    links = in_content + in_title
    if not links:
        return []

    def where(some: list[Link]) -> tuple[Span, ...]:
        chosen = set(some)
        return link_spans(
            sub,
            [link for link in in_content if link in chosen],
            [link for link in in_title if link in chosen],
        )

    reasons = _link_reasons(links, rules, where)
    rest = strip_links(fold(sub.content), links)
    if not _WORDISH.search(rest):
        only = Reason(ReasonCode.LINK_ONLY, LINK_ONLY_WEIGHT, "nothing but links", where(links))
        reasons.append(only)
    return reasons


def link_spans(sub: Submission, in_content: list[Link], in_title: list[Link]) -> tuple[Span, ...]:
    """Where the given links of the content and of the title are written (the first
    :data:`MAX_SPANS` links looked for: a comment may hold hundreds)."""
    spans: list[Span] = []
    for name, text, links in (("title", sub.title, in_title), ("content", sub.content, in_content)):
        for url in list(dict.fromkeys(link.url for link in links))[:MAX_SPANS]:
            spans.extend(locate({name: text}, url_pattern(url)))
    return merge(spans)
