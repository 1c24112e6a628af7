import pytest

from workers.scoring import phrases
from workers.scoring.checks.lexicon import CATEGORY_CODES, check_lexicon, find_entries
from workers.scoring.types import ReasonCode, SiteRules, Submission


def score(text, rules=None):
    reasons = check_lexicon(Submission(text), rules or SiteRules())
    return sum(reason.weight for reason in reasons)


def test_news_comment_discussing_betting_is_not_flagged_by_the_word():
    text = "Cá độ bóng đá đã làm tan nát bao gia đình, công an cần xử lý"
    assert 0 < score(text) <= 0.2


def test_news_comment_about_loans_stays_small():
    assert score("Tôi bị lừa vay tiền qua app, lãi cắt cổ, mong cơ quan chức năng vào cuộc") <= 0.2


@pytest.mark.parametrize(
    "text",
    [
        "Hội Nông dân hỗ trợ vay vốn ưu đãi cho bà con trồng lúa",
        "Giờ ra ngân hàng rút tiền chỉ cần CCCD gắn chip, tiện thật.",
        "Các chiến sĩ làm nhiệm vụ suốt đêm, trung tâm giới thiệu việc làm miễn phí",
        "Mình tặng 100k ủng hộ bà con vùng lũ",
        "Their claim is not guaranteed at all",
    ],
)
def test_everyday_news_wording_stays_small(text):
    assert score(text) <= 0.3


def test_the_headline_in_a_trusted_link_is_not_wording():
    link = "https://baomoi-demo.vn/canh-bao-vay-tien-nhanh-khong-the-chap-lai-suat-cao-123.html"
    text = f"Báo đã viết kỹ rồi, đọc lại bài này: {link}"
    rules = SiteRules(allowed_domains=frozenset({"baomoi-demo.vn"}))
    assert score(text, rules) == 0
    assert score(text) > 0  # from a domain the site did not vouch for, the words count
    assert score(text.replace("baomoi-demo.vn", "dichvucong.gov.vn")) == 0


def test_topic_with_call_to_action_crosses():
    assert score("Link vào nhà cái uy tín, nạp đầu tặng 100k") >= 1.0
    assert score("v4y t1ền nh4nh k0 thế chấp, chỉ cần CCCD, ib zalo") >= 1.0


def test_evasions_still_match():
    assert score("N.h.à c.á.i uy tín nhất") >= 1.0
    assert score("n h à c á i uy tín") >= 0.7  # topic + call to action


def test_quoted_wording_is_a_reader_pointing_at_an_advert():
    quoted = "Mấy cái comment 'nhà cái uy tín nạp đầu tặng 100%' đầy dưới bài, admin lọc giúp"
    assert score(quoted) == 0
    assert score(quoted.replace("'", "")) >= 1.0
    rules = SiteRules(custom_words=frozenset({"thần dược"}))
    assert score("Báo nên cấm hẳn mấy quảng cáo 'thần dược' kiểu này", rules) == 0


def test_an_advert_that_is_mostly_quotation_keeps_its_wording():
    assert score("'Nhà cái uy tín, nạp đầu tặng 100%'") >= 1.0
    assert score("Ae ơi “nhà cái uy tín nạp đầu tặng 100%”") >= 1.0
    rules = SiteRules(custom_words=frozenset({"thần dược"}))
    assert score("Mua 'thần dược'", rules) > 0


def test_short_phrase_spelled_out_matches_as_a_whole_token_only():
    assert "lô đề" in {entry.phrase for entry in find_entries("l ô đ ề 1 ăn 99, ib")}
    assert "cá độ" in {entry.phrase for entry in find_entries("c.á đ.ộ")}
    # The same letters inside ordinary words are not the glued phrase.
    assert find_entries("an avocado salad that would explode") == {}


def test_words_typed_with_other_diacritics_are_other_words():
    everyday = "Không thể chấp nhận được. Người dân đề nghị xử lý; cả cuộc đời bà bán cá ngoài chợ"
    assert find_entries(everyday) == {}  # not "không thế chấp", "dàn đề", "cá cược", "bắn cá"
    # The phrase itself, typed with or without its diacritics or spaced out, still counts.
    for advert in ("Vay không thế chấp", "vay khong the chap", "k h ô n g t h ế c h ấ p"):
        assert "không thế chấp" in {entry.phrase for entry in find_entries(advert)}, advert


def test_short_keys_inside_longer_words_only_when_they_carry_digits():
    # "claim", "prize" and "inbox" are English words inside other words ...
    assert find_entries("I read the disclaimer, surprized that inboxes were reclaimed") == {}
    # ... while a brand name with digits glued into a domain is still the brand,
    assert "fb88" in {entry.phrase for entry in find_entries("vào fb88vn.com nhé")}
    assert "w88" in {entry.phrase for entry in find_entries("link vào nhacaiw88")}
    # ... but not inside a flight number or a camera model.
    assert find_entries("Chuyến bay VN881 hoãn; pass lại Canon M880, ổ WD SW880, BK80") == {}


def test_short_glued_phrase_typed_as_an_ordinary_word_is_not_matched():
    assert find_entries("Banca Intesa mở chi nhánh; con tàu đi qua kênh Banca") == {}
    assert find_entries("Lode Runner là trò chơi cũ") == {}
    assert "bắn cá" in {entry.phrase for entry in find_entries("b.ắ.n c.á đổi thưởng")}


def test_english_channel_spam():
    reasons = check_lexicon(
        Submission("Check out my channel, subscribe to my channel!"), SiteRules()
    )
    assert reasons[0].code == ReasonCode.LEXICON_PROMO
    assert reasons[0].weight >= 0.9


def test_site_custom_words():
    rules = SiteRules(custom_words=frozenset({"thần dược"}))
    reasons = check_lexicon(Submission("Mua THẦN DƯỢC ở đây"), rules)
    assert [r.code for r in reasons] == [ReasonCode.LEXICON_SITE]


def test_lexicon_data_is_valid_and_counted():
    entries = find_entries("nhà cái nhà cái nhà cái")
    assert [(entry.category, count) for entry, count in entries.items()] == [("betting", 3)]
    assert set(CATEGORY_CODES) >= {"betting", "loan", "pharmacy", "crypto", "seo", "job"}


def test_short_phrase_joined_by_invisible_characters_or_beside_its_typed_twin_matches():
    assert "nổ hũ" in {entry.phrase for entry in find_entries("chơi nổ\u200bhũ, inbox mình")}
    assert "lô đề" in {entry.phrase for entry in find_entries("Lode Runner hay, còn l ô đ ề thì")}


def test_glued_keys_found_inside_tokens_are_remembered_within_a_bound(monkeypatch):
    monkeypatch.setattr(phrases, "INSIDE_CACHE_SIZE", 3)
    index = phrases.PhraseIndex(["nhà cái uy tín"])
    texts = ["vao nhacaiuytin.com", "alpha beta", "gamma delta", "vao nhacaiuytin.com"]
    assert [sorted(index.count(text)) for text in texts] == [
        ["nhà cái uy tín"],
        [],
        [],
        ["nhà cái uy tín"],
    ]
    assert len(index._inside_cache) <= 3
    assert index.count("vao " + "x" * 40 + "nhacaiuytin") == {"nhà cái uy tín": 1}
    assert all(len(token) <= phrases.INSIDE_CACHE_TOKEN for token in index._inside_cache)
