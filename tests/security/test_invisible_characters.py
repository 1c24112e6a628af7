"""Text cleaning drops every format character and treats blank-drawing fillers as spaces.

Format (Cf) characters draw nothing: kept, they hide words from filters and
moderators. The only one kept is a ZWJ inside an emoji sequence (after a
pictograph, skin tone or VS16 and before a pictograph). Hangul fillers and
the blank Braille pattern draw nothing either: a name made of them is blank.
"""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commentgate.text import clean_text
from tests.helpers import comment_fields, submit

ZWJ = "\u200d"
FORMAT_CHARACTERS = [
    chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"
]
FILLERS = ["\u3164", "\uffa0", "\u2800", "\u115f", "\u1160"]
PICTOGRAPHS = ["\U0001f468", "\U0001f469", "\U0001f3f3", "\u2764", "\U0001f525", "\u2695"]


@pytest.mark.parametrize(
    "hidden",
    [
        "\u061c",  # Arabic letter mark
        "\u180e",  # Mongolian vowel separator
        *(chr(c) for c in range(0x206A, 0x2070)),  # deprecated format characters
        "\ufff9",
        "\ufffa",
        "\ufffb",  # interlinear annotation
        "\U000e0001",
        "\U000e0041",
        "\U000e007f",  # tags
        *(chr(c) for c in range(0x1D173, 0x1D17B)),  # musical formatting
    ],
)
def test_format_characters_are_dropped(hidden):
    assert clean_text(f"nhà{hidden}cái") == "nhàcái"
    assert clean_text(f"nhà{hidden}cái", multiline=True) == "nhàcái"


def test_every_format_character_is_dropped_between_letters():
    for char in FORMAT_CHARACTERS:
        assert clean_text(f"a{char}b") == "ab", f"U+{ord(char):04X}"


@pytest.mark.parametrize("filler", FILLERS)
def test_fillers_are_blanks(filler):
    assert clean_text(filler * 3) == ""
    assert clean_text(f"An{filler}Bình") == "An Bình"


@pytest.mark.parametrize("name", [*(f * 3 for f in FILLERS), "\u3164\u200b\u2800", "\u034f\ufe0f"])
def test_a_name_that_draws_nothing_is_required(client, app, name):
    response = client.post(
        "/api/v1/comments", json=comment_fields(name=name, captcha_id="x", captcha_answer="y")
    )
    assert response.status_code == 422
    assert response.json["error"]["fields"]["name"]["code"] == "required"


def test_emoji_sequences_keep_their_joiners(client, app, sessions):
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    rainbow = "\U0001f3f3\ufe0f\u200d\U0001f308"
    health = "\U0001f9d1\U0001f3fd\u200d\u2695\ufe0f"
    assert clean_text(f"{family} {rainbow} {health}") == f"{family} {rainbow} {health}"
    # Subdivision flags are a black flag and tag characters: the tags go, the flag stays.
    england = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
    assert clean_text(england) == "\U0001f3f4"
    assert submit(client, app, title=f"Gia đình {family}").status_code == 202


def test_joiners_outside_emoji_sequences_are_dropped():
    assert clean_text(f"a{ZWJ}b") == "ab"
    assert clean_text(f"\U0001f468{ZWJ}a") == "\U0001f468a"
    assert clean_text(f"\u2800{ZWJ}\u2800") == ""
    assert clean_text(f"\U0001f468{ZWJ}{ZWJ}\U0001f469") == "\U0001f468\U0001f469"


def _is_pictograph(char: str) -> bool:
    return bool(char) and (unicodedata.category(char) == "So" or 0x1F000 <= ord(char) <= 0x1FAFF)


def _inside_emoji(text: str, index: int) -> bool:
    """After a pictograph (skin tones included) or VS16, and before a pictograph."""
    before, after = text[index - 1 : index], text[index + 1 : index + 2]
    return (before == "\ufe0f" or _is_pictograph(before)) and _is_pictograph(after)


TRICKY = st.sampled_from(
    [*FORMAT_CHARACTERS[:200], *FORMAT_CHARACTERS[-200:], *FILLERS, *PICTOGRAPHS]
    + [ZWJ, ZWJ, ZWJ, "\ufe0f", "\U0001f3fd", " ", "\n", "a", "ệ", "\u0301"]
)


@settings(deadline=None, max_examples=300)
@given(st.lists(st.one_of(TRICKY, st.characters()), max_size=40).map("".join), st.booleans())
def test_cleaned_text_holds_no_format_character_but_joiners_inside_emoji(text, multiline):
    cleaned = clean_text(text, multiline=multiline)
    for index, char in enumerate(cleaned):
        assert char not in FILLERS
        if unicodedata.category(char) == "Cf":
            assert char == ZWJ and _inside_emoji(cleaned, index), (text, cleaned)
    assert cleaned == cleaned.strip()
