"""Worker CPU amplification: texts built to be slow cost a bounded amount of scoring work.

No timing is asserted (speed belongs to ``bench/adversarial.py``): the tests count the work
the expensive libraries are given, and run the time budget on an injected clock.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from phonenumbers import phonenumbermatcher
from urlextract import URLExtract

from commentgate.domain import CommentStatus, ModerationMode
from commentgate.storage.db import transaction
from commentgate.storage.models import Comment, Verdict
from commentgate.storage.sites import ensure_site
from service.schemas import MAX_LENGTHS
from tests.helpers import submit_ok
from workers.scoring import budget as budget_module
from workers.scoring import urls
from workers.scoring.budget import Budget
from workers.scoring.checks import links
from workers.scoring.corpus import read_corpus
from workers.scoring.normalize import canonical, fold
from workers.scoring.pipeline import classify, run_checks, score_submission
from workers.scoring.training import train
from workers.scoring.types import ReasonCode, SiteRules, Submission

# Units repeated to every field's maximum length: runs of TLDs, dotted pairs, dots, schemes,
# domains, digits and phone-like groups.
ADVERSARIAL_UNITS = [
    ".com",
    "a.b",
    "x.",
    ".com ",
    "a.com ",
    "http://",
    "www.",
    "@a",
    "1.",
    "a1.co/",
    "0912345678 ",
    "09.12.34.56.78.",
    "😀.vn",
    "a\u200b.com",
]
# What urlextract may be handed for one submission at the maximum lengths: each of its
# completions walks (at most) the text it was given, so this sums the length of that text
# over them. (".com" * 1250 alone cost 1,246 completions of 5,000 characters.)
MAX_COMPLETION_CHARS = 150_000
# Endings urlextract completes in one text it is given (``urls.MAX_RUN_ENDINGS``).
MAX_COMPLETIONS_PER_CALL = 16
# Phone numbers parsed for one submission (every candidate and inner group the matcher tries;
# "1." * 2500 alone had 2,628).
MAX_PHONE_PARSES = 400


def at_max_lengths(unit: str) -> Submission:
    def fill(field: str) -> str:
        length = MAX_LENGTHS[field]
        return (unit * (length // len(unit) + 1))[:length]

    return Submission(content=fill("content"), title=fill("title"), name=fill("name"))


@pytest.fixture(autouse=True)
def cold_caches():
    """Each test counts the work of texts never seen before."""
    for cached in (links._find_links, urls._extracted, urls._scanned, fold, canonical):
        cached.cache_clear()
    yield


@pytest.fixture
def url_work(monkeypatch):
    """Per call of urlextract: the number of completions and the characters they walk."""
    calls: list[list[int]] = []
    find_urls, complete_url = URLExtract.find_urls, URLExtract._complete_url

    def counting_find(self, text, *args, **kwargs):
        calls.append([])
        return find_urls(self, text, *args, **kwargs)

    def counting_complete(self, text, *args, **kwargs):
        calls[-1].append(len(text))
        return complete_url(self, text, *args, **kwargs)

    monkeypatch.setattr(URLExtract, "find_urls", counting_find)
    monkeypatch.setattr(URLExtract, "_complete_url", counting_complete)
    return calls


@pytest.fixture
def phone_parses(monkeypatch):
    """How many strings the phone matcher parses."""
    parsed = []
    parse = phonenumbermatcher.parse

    def counting(number, *args, **kwargs):
        parsed.append(number)
        return parse(number, *args, **kwargs)

    monkeypatch.setattr(phonenumbermatcher, "parse", counting)
    return parsed


@pytest.mark.parametrize("unit", ADVERSARIAL_UNITS)
def test_url_completion_work_is_bounded(unit, url_work):
    run_checks(at_max_lengths(unit), SiteRules())
    assert max(map(len, url_work), default=0) <= MAX_COMPLETIONS_PER_CALL
    assert sum(map(sum, url_work)) <= MAX_COMPLETION_CHARS


@pytest.mark.parametrize("unit", ADVERSARIAL_UNITS)
def test_phone_search_work_is_bounded(unit, phone_parses):
    run_checks(at_max_lengths(unit), SiteRules())
    assert len(phone_parses) <= MAX_PHONE_PARSES


def test_tld_runs_still_count_as_a_link():
    reasons = score_submission(Submission(".com" * 1250), SiteRules()).reasons
    assert ReasonCode.LINKS in {reason.code for reason in reasons}


def test_links_in_long_runs_are_still_found():
    """Runs too long or too dense for urlextract are scanned for host names instead."""
    padded = "x" * 600 + "/http://spam.example.com/p"
    dense = ",".join(f"ok{i}.com" for i in range(20)) + ",bad.vn"
    rules = SiteRules(blocked_domains=frozenset({"example.com", "bad.vn"}))
    for text in (padded, dense):
        codes = {reason.code for reason in score_submission(Submission(text), rules).reasons}
        assert ReasonCode.LINK_BLOCKED in codes, text


def test_a_wall_of_numbers_is_not_read_to_its_end_and_says_so():
    verdict = score_submission(at_max_lengths("1."), SiteRules())
    budget = [reason for reason in verdict.reasons if reason.code is ReasonCode.SCORING_BUDGET]
    assert budget and budget[0].weight == 0
    assert (
        classify(verdict, SiteRules(approve_below=1.0), ModerationMode.POST)
        is CommentStatus.PENDING
    )


def test_a_number_found_settles_the_phone_check_early():
    verdict = score_submission(at_max_lengths("0912345678 "), SiteRules())
    codes = {reason.code for reason in verdict.reasons}
    assert ReasonCode.CONTACT_PHONE in codes
    assert ReasonCode.SCORING_BUDGET not in codes


class JumpingClock:
    """Reads 0 for the first ``ticks`` readings, then far past any budget."""

    def __init__(self, ticks: int) -> None:
        self.readings = 0
        self.ticks = ticks

    def __call__(self) -> float:
        self.readings += 1
        return 0.0 if self.readings <= self.ticks else 1_000.0


CLEAN = Submission(content="Bài viết rất hay, cảm ơn tác giả.", submit_seconds=30.0)
VI_TRAIN = Path(__file__).resolve().parents[2] / "data" / "vi_comments.train.jsonl"


@pytest.fixture(scope="module")
def model():
    return train(read_corpus([VI_TRAIN])[:400], version="cpu-test")


def test_budget_spent_skips_the_rest_and_holds_the_comment(model):
    # Started at the first reading, then two checks (links, contact) run in time.
    verdict = score_submission(CLEAN, SiteRules(), model, budget=Budget(clock=JumpingClock(3)))
    reasons = [reason for reason in verdict.reasons if reason.code is ReasonCode.SCORING_BUDGET]
    assert len(reasons) == 1 and reasons[0].weight == 0
    assert "lexicon" in reasons[0].detail and "model" in reasons[0].detail
    assert "links" not in reasons[0].detail
    assert ReasonCode.MODEL not in {reason.code for reason in verdict.reasons}
    assert verdict.score < SiteRules().approve_below
    assert classify(verdict, SiteRules(), ModerationMode.POST) is CommentStatus.PENDING


def test_evidence_found_before_the_budget_ran_out_still_counts():
    rules = SiteRules(blocked_domains=frozenset({"scam.vn"}))
    sub = Submission(content="vào scam.vn ngay")
    verdict = score_submission(sub, rules, budget=Budget(clock=JumpingClock(2)))
    assert classify(verdict, rules, ModerationMode.POST) is CommentStatus.SPAM


def test_budget_not_spent_changes_nothing(model):
    timed = score_submission(CLEAN, SiteRules(), model, budget=Budget(clock=lambda: 0.0))
    untimed = score_submission(CLEAN, SiteRules(), model, budget=Budget(float("inf")))
    assert timed == untimed
    assert classify(timed, SiteRules(), ModerationMode.POST) is CommentStatus.APPROVED


def test_worker_holds_a_comment_whose_budget_ran_out(client, app, worker, sessions, monkeypatch):
    with transaction(sessions) as session:
        ensure_site(session, "demo", mode=ModerationMode.POST)
    comment_id = submit_ok(client, app)
    with transaction(sessions) as session:  # typed for a human half-minute: approved otherwise
        session.get(Comment, comment_id).submit_seconds = 30.0
    # Every reading a thousand seconds after the one before: any budget is spent at once.
    monkeypatch.setattr(budget_module, "CLOCK", itertools.count(step=1_000).__next__)
    worker()
    with sessions() as session:
        assert session.get(Comment, comment_id).status == "pending"
        verdict = session.query(Verdict).filter_by(comment_id=comment_id).one()
        assert "scoring_budget" in {reason["code"] for reason in verdict.reasons}
