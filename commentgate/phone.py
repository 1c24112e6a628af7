"""Phone numbers readers leave in the form, checked with Google's libphonenumber."""

from __future__ import annotations

import phonenumbers
from phonenumbers import PhoneNumberType

DEFAULT_REGION = "VN"
_ACCEPTED_TYPES = frozenset(
    {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


def normalize_phone(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """Return the number as E.164 if it is a valid mobile or fixed line, else None.

    Premium-rate (1900…), toll-free and retired numbering (0168…) are refused:
    a reader's contact number is never one of those. So is anything with letters,
    which libphonenumber would read as keypad digits (``0912ABCDEF`` as 0912222333).
    """
    if any(char.isalpha() for char in raw):
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    # number_type is UNKNOWN for a number is_valid_number refuses: asking both matched the
    # number against its region's patterns twice (a sixth of a comment's validation).
    if phonenumbers.number_type(number) not in _ACCEPTED_TYPES:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
