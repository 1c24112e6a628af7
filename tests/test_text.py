"""Cleaning rules for what readers type."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commentgate.text import clean_text


def test_decomposed_and_composed_vietnamese_are_equal():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hằng")
    assert decomposed != "Nguyễn Thị Hằng"
    assert clean_text(decomposed) == "Nguyễn Thị Hằng"


@pytest.mark.parametrize(
    "hidden",
    [
        "\u200b",
        "\u200c",
        "\u200e",
        "\u200f",
        "\u202a",
        "\u202e",
        "\u2060",
        "\u2064",
        "\ufeff",
        "\u00ad",
        "\u2066",
    ],
)
def test_invisible_format_characters_are_removed(hidden):
    assert clean_text(f"nhà{hidden}cái") == "nhàcái"


def test_zwj_between_letters_is_removed_but_kept_inside_emoji_sequences():
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert clean_text(f"a\u200db {family}") == f"ab {family}"


def test_control_characters_are_removed_and_newlines_kept_only_when_multiline():
    raw = "  Dòng 1\r\nDòng\x07 2\rDòng 3\x00\tcuối  "
    assert clean_text(raw, multiline=True) == "Dòng 1\nDòng 2\nDòng 3 cuối"
    assert clean_text(raw) == "Dòng 1 Dòng 2 Dòng 3 cuối"


def test_text_that_is_only_invisible_becomes_empty():
    assert clean_text("\u200b \u200e\ufeff ") == ""


@settings(deadline=None)  # a loaded CI machine can stall any one example
@given(st.text())
def test_cleaning_is_idempotent_and_nfc(text):
    once = clean_text(text, multiline=True)
    assert clean_text(once, multiline=True) == once
    assert unicodedata.is_normalized("NFC", once)
