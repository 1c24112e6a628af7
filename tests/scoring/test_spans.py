"""Spans point into the stored text, whatever folding changed on the way."""

from workers.scoring.checks.contact import check_contact
from workers.scoring.checks.lexicon import check_lexicon
from workers.scoring.checks.links import check_links
from workers.scoring.spans import MAX_SPANS, Span, locate, locate_phrase, merge, number_pattern
from workers.scoring.types import Reason, SiteRules, Submission


def covered(text: str, spans) -> list[str]:
    return [text[s.start : s.end] for s in spans]


def test_folding_that_changes_lengths_maps_back():
    # Full-width letters, a ligature that folds to two letters, an invisible joiner,
    # and a diacritic typed as a combining mark: all shift folded positions.
    text = "ＦＢ \ufb01ne nha\u200bcai ca\u0301i nha\u0300 cái"
    assert covered(text, locate_phrase({"content": text}, "fine")) == ["\ufb01ne"]
    assert covered(text, locate_phrase({"content": text}, "nhà cái")) == [
        "nha\u200bcai",
        "nha\u0300 cái",
    ]


def test_a_phrase_inside_a_longer_word_is_found_only_without_a_word_of_its_own():
    text = "xem nhacaiuytin.com"
    assert covered(text, locate_phrase({"content": text}, "nhà cái uy tín")) == ["nhacaiuytin"]


def test_phone_numbers_however_written():
    text = "gọi +84 912 345 678 hay 0912-345-678, không phải 10912345678"
    spans = locate({"content": text}, number_pattern("0912 345 678"))
    assert covered(text, spans) == ["+84 912 345 678", "0912-345-678"]


def test_spans_are_capped_and_merged():
    text = "zalo " * 50
    assert len(locate_phrase({"content": text}, "zalo")) == MAX_SPANS
    spans = [Span("content", 0, 5), Span("content", 3, 9), Span("title", 0, 2)]
    assert merge(spans) == (Span("content", 0, 9), Span("title", 0, 2))


def test_checks_locate_their_evidence():
    sub = Submission(
        content="Vay tiền nhanh, nhắn Zalo 0912 345 678 hoặc xem vaynhanh.xyz",
        title="Giải ngân trong ngày",
    )
    rules = SiteRules()
    reasons = check_links(sub, rules) + check_contact(sub, rules) + check_lexicon(sub, rules)
    by_code = {str(getattr(r.code, "value", r.code)): r for r in reasons}
    assert covered(sub.content, by_code["links"].spans) == ["vaynhanh.xyz"]
    assert covered(sub.content, by_code["contact_phone"].spans) == ["0912 345 678"]
    loan = by_code["lexicon_loan"].spans
    assert "Giải ngân trong ngày" in covered(sub.title, [s for s in loan if s.field == "title"])
    assert "Vay tiền nhanh" in covered(sub.content, [s for s in loan if s.field == "content"])


def test_spans_are_not_part_of_a_reasons_identity_and_stored_only_when_found():
    plain = Reason("links", 0.3, "1 link")
    assert plain.at((Span("content", 0, 3),)) == plain
    assert "spans" not in plain.to_dict()
    assert plain.at((Span("content", 0, 3),)).to_dict()["spans"] == [
        {"field": "content", "start": 0, "end": 3}
    ]
