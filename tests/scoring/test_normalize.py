from hypothesis import given, settings
from hypothesis import strategies as st

from workers.scoring.normalize import canonical, fold, strip_diacritics, without_quotations

TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=80)
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
