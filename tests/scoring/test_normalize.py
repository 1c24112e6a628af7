from hypothesis import given, settings
from hypothesis import strategies as st

from workers.scoring.normalize import (
    _fold_word,
    canonical,
    fold,
    strip_diacritics,
    without_quotations,
)

TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=80)
# Whitespace of every kind, marks that would compose across it, compatibility forms that
# hold a space ("¨" is " \u0308" in NFKC), invisible characters, jamo that compose as
# starters, letters that take a second round (accented Greek look-alikes, "ℌ"), and ordinary
# letters: where folding word by word could part from folding the whole text, if anywhere.
SEAMS = st.text(
    alphabet=" \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000"
    "\u0301\u0308\u0323\u031b\u0345\u034f\u200b\u200d\ufeff\u180e\u3164"
    "\xa8\xb4\u1fed\u2474\ufb01\u01c5\u0130\u03a3\u1100\u1161\u11a8đĐaeoAΣΆύℌẞ",
    max_size=40,
)
SPAMMY = st.text(alphabet="nhàcáiđNH 0134@$.*-_zjkoạễ\u200bаеоＺ１", max_size=40)


def test_fold_maps_compatibility_forms_and_homoglyphs():
    assert fold("ｚａｌｏ ０９１２") == "zalo 0912"
    assert fold("Frее mоnеy") == "free money"  # Cyrillic е, о
    assert fold("nhà\u200bcái") == "nhacai"


def test_fold_keeps_or_strips_vietnamese_diacritics():
    assert fold("Đường phố Hà Nội") == "duong pho ha noi"
    assert fold("Đường phố Hà Nội", keep_diacritics=True) == "đường phố hà nội"
    assert strip_diacritics("đặc biệt") == "dac biet"


def test_canonical_undoes_evasions():
    assert canonical("N h à  c á i uy tín") == "nhacai uy tin"
    assert canonical("n.h.a c.a.i") == "nha cai"
    assert canonical("v4y t1ền k0 thế chấp") == "vay tien khong the chap"
    assert canonical("tjen nhanh") == "tien nhanh"
    assert canonical("freeeee") == canonical("free")
    assert canonical("Nhà_cái_uy_tín nạp_đầu_tặng_100k") == "nha cai uy tin nap dau tang 100k"
    assert canonical("t r ả t h ư ở n g n h a n h, ib") == "trathuongnhanh, inbox"


def test_quotations_are_cut_but_apostrophes_are_not():
    assert without_quotations("kiểu 'vay tiền nhanh' ngày nào") == 'kiểu "" ngày nào'
    assert without_quotations("comment “nhà cái uy tín” đầy") == 'comment "" đầy'
    assert without_quotations("it's Tom's car, isn't it") == "it's Tom's car, isn't it"


def test_canonical_keeps_amounts_brands_and_zalo():
    assert canonical("nạp 500k vào 1xbet, ib zalo") == "nap 500k vao 1xbet, inbox zalo"


@settings(max_examples=1000, deadline=None)
@given(st.one_of(SEAMS, TEXT))
def test_folding_word_by_word_equals_folding_the_whole_text(text):
    # _fold_word of the whole text runs the steps over all of it, to their fixed point.
    whole = text if not text.isascii() else text + "é"
    for keep in (False, True):
        assert fold(whole, keep_diacritics=keep) == _fold_word(whole, keep)


def test_a_word_folds_to_its_fixed_point():
    assert fold("Ύà ℌà") == "ua ha"  # υ and ℌ appear only after the first round


def test_long_words_fold_as_short_ones_do():
    long_word = "Đường" * 10 + "\u200bＨÀ"
    assert fold(f"{long_word} {long_word[:30]}") == f"{'duong' * 10}ha {'duong' * 6}"


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_fold_is_idempotent_on_any_text(text):
    for keep in (False, True):
        once = fold(text, keep_diacritics=keep)
        assert fold(once, keep_diacritics=keep) == once


@settings(max_examples=300, deadline=None)
@given(st.one_of(TEXT, SPAMMY))
def test_canonical_is_idempotent_and_total(text):
    once = canonical(text)
    assert isinstance(once, str)
    assert canonical(once) == once
