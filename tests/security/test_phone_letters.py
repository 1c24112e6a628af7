"""Letters in a phone number are refused, not read as keypad digits.

libphonenumber turns ``0912ABCDEF`` into +84912222333: a number the reader
never typed, which then counts towards somebody else's reputation.
"""

from __future__ import annotations

import pytest

from commentgate.phone import normalize_phone
from tests.helpers import submit

LETTERED = [
    "0912ABCDEF",
    "0912abcdef",
    "1-800-FLOWERS",
    "+84 912 ABC 678",
    "0912 345 67８a",
    "0912３４５ＡＢＣ",  # fullwidth letters
    "0912 345 678 ext. 12",
    "đ0912345678",
]


@pytest.mark.parametrize("raw", LETTERED)
def test_numbers_with_letters_are_refused(raw):
    assert normalize_phone(raw) is None


@pytest.mark.parametrize("raw", ["0912ABCDEF", "0912 345 678 ext. 12"])
def test_the_form_reports_a_lettered_number_as_invalid(client, app, raw):
    response = submit(client, app, phone=raw)
    assert response.status_code == 422
    assert response.json["error"]["fields"]["phone"]["code"] == "phone_invalid"


@pytest.mark.parametrize(
    "raw", ["0912 345 678", "+84-912-345-678", "(024) 3825 1234", "０９１２３４５６７８"]
)
def test_numbers_without_letters_still_pass(raw):
    assert normalize_phone(raw) is not None
