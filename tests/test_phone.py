"""Phone numbers in the form field."""

import pytest

from commentgate.phone import normalize_phone


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0912 345 678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("0912.345.678", "+84912345678"),
        ("024 3825 1234", "+842438251234"),
        ("+1 650 253 0000", "+16502530000"),
    ],
)
def test_valid_numbers_are_stored_as_e164(raw, e164):
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize("raw", ["0168 123 4567", "1900 1234", "1800 1234", "12345", "abc", "0912"])
def test_legacy_premium_and_malformed_numbers_are_refused(raw):
    assert normalize_phone(raw) is None
