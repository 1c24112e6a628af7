"""Contact bait: phone numbers and messenger handles that pull readers into private chat."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import phonenumbers

from workers.scoring.budget import budget_reason
from workers.scoring.normalize import canonical, fold
from workers.scoring.resources import read_rows
from workers.scoring.spans import Span, locate, locate_phrase, merge, number_pattern
from workers.scoring.types import Reason, ReasonCode, SiteRules, Submission

PHONE_WEIGHT = 0.6
HANDLE_MENTION_WEIGHT = 0.15  # "Zalo" is also the country's everyday messenger
HANDLE_BAIT_WEIGHT = 0.6  # a handle next to a number, an @name or "ib/kb/add"
INBOX_WEIGHT = 0.2
# Bulk SMS marketing: "text WIN to 83738", "reply STOP to opt out". Strong, but short of
# DECISIVE_WEIGHT: a reader may pass on a charity's text-to-give line, and a sure ham call of
# the model can still hold such a comment for review. Only the English forms: the Vietnamese
# "soạn tin … gửi 1407" is how the state's relief funds collect donations.
PREMIUM_SMS_WEIGHT = 2.0
MIN_PHONE_DIGITS = 8
# Bounds on the phone search: phonenumbers parses every number-like string and every group
# inside it, and a wall of numbers would keep it parsing. Ordinary comments have a few dozen
# groups of digits at most. Past either bound the search stops, and unless a number was found
# by then (which settles the check's weight) the verdict says that scoring stopped short.
MAX_DIGIT_GROUPS = 256
MAX_PHONE_MATCHES = 16

_TOKEN = re.compile(r"\d+|[^\W\d_]+|[^\w]+|_+")
_DIGITS = re.compile(r"\d+")
# What may sit between the digits of one hidden number ("0 9 1 2", "09.12.34", "09-12").
# Not a comma: "0-0, 0-1, 2-1" is a list of scores.
_DIGIT_GLUE = re.compile(r"[\s.\-_/()*+:]{1,3}")
# Hotlines of public bodies and businesses are quoted by readers; they are not a private
# way in. A reader's or an advert's own number is a mobile or a landline.
_SERVICE_NUMBERS = frozenset(
    {
        phonenumbers.PhoneNumberType.TOLL_FREE,
        phonenumbers.PhoneNumberType.PREMIUM_RATE,
        phonenumbers.PhoneNumberType.SHARED_COST,
    }
)

# Patterns run on the canonical text, where "ib" is already "inbox" and "kb" is "ket ban".
_MESSENGERS = {
    ReasonCode.CONTACT_ZALO: (r"zalo|za lo|zl", "Zalo"),
    # Not "tg" (readers' "tác giả", "thời gian") nor "face" ("Face ID", "face the facts").
    ReasonCode.CONTACT_TELEGRAM: (r"telegram|tele|t\.me/\w+", "Telegram"),
    ReasonCode.CONTACT_FACEBOOK: (r"facebok|fb|fanpage|m\.me/\w+|messenger", "Facebook"),
    ReasonCode.CONTACT_VIBER: (r"viber|whatsap|wechat|line id", "Viber/WhatsApp"),
}
# The reason codes of messenger handles.
MESSENGER_CODES = frozenset(_MESSENGERS)
# Next to a messenger's name, what makes it a way to reach the writer: an ask, an @handle,
# a number, or a colon before an id with digits. Not "qua" ("gửi qua Zalo", and "quá"
# folds to it) nor a colon before any word ("Nguồn: fb Bộ Y tế").
_BAIT = re.compile(
    r"\b(?:inbox|ket ban|add|lien he|nhan tin|goi|call|text|pm|chat|ib)\b|@\w|:\s*\w*\d|\d{6,}"
)
_INBOX = re.compile(
    r"\b(?:inbox (?:minh|em|anh|chi|shop|ngay|me)|nhan tin (?:minh|em|ngay|cho)|"
    r"pm me|dm me|text me|whatsapp me|(?:call|text|txt) (?:me|now)|lien he (?:ngay|minh|em|sdt)|"
    r"so dien thoai|inbox)\b"
)

# Bulk SMS asks, read on the text as typed (case kept): a keyword with a capitalised word
# ("text WIN to 83738", "Text A, B or C to 83738") to a short code of 4-6 digits that ends
# the clause ("to 50000 subscribers" is a count), or how to stop such messages ("reply STOP",
# "text stop to stop"; not "my reply: end the subsidies"). Words are separated by spaces and
# commas only, so an ask never runs across a sentence.
_SHORT_CODE = re.compile(
    r"\b(?:text|txt|send|sms|msg|reply)[ \t]+((?:[^\W_]+[ \t,]{1,3}){1,4}?)(?:to|on|2)[ \t]+"
    r"\d{4,6}\b(?![ \t.,]?\d)(?=[ \t]*(?:$|[^\w\s]|(?:now|to|for|and|or)\b))",
    re.IGNORECASE,
)
_OPT_OUT = re.compile(
    r"\b(?:text|txt|reply|send|sms)[ \t]+(?:stop|end|unsub)\b(?=[ \t]*(?:$|[^\w\s]|(?:to|out)\b))",
    re.IGNORECASE,
)


@cache
def _spelled_digits() -> dict[str, str]:
    """Return ``{word: digit}`` for digits written as words."""
    return dict(read_rows("spelled_digits.tsv", 2))


def _digit_value(tokens: list[str], index: int) -> str | None:
    """Return the digits ``tokens[index]`` stands for, or ``None`` if it is not part of a
    number."""
    token = tokens[index]
    if token.isdigit():
        return token
    # "o912345678": letter o for zero, next to digits (looked at only for an "o")
    if token == "o" and any(item.isdigit() for item in tokens[max(index - 2, 0) : index + 3]):
        return "0"
    return _spelled_digits().get(token)


def _number_runs(text: str) -> list[str]:
    """Return digit strings of number-like runs: "0 9 1 2", "09.12.34", "khong chin mot"."""
    tokens = _TOKEN.findall(text)
    runs, current = [], []
    for index, token in enumerate(tokens):
        value = _digit_value(tokens, index)
        if value is not None:
            current.append(value)
        elif not (current and _DIGIT_GLUE.fullmatch(token)):
            runs.append("".join(current))
            current = []
    runs.append("".join(current))
    return [run for run in runs if len(run) >= MIN_PHONE_DIGITS]


@dataclass(frozen=True)
class PhoneSearch:
    """The phone numbers found, and whether the search read enough to settle the check."""

    numbers: tuple[str, ...]
    complete: bool


def find_phones(text: str) -> list[str]:
    """Return phone numbers (national format) hidden in ``text``, however they are spaced."""
    return list(search_phones(text).numbers)


def search_phones(text: str) -> PhoneSearch:
    """The phone numbers of ``text`` (see :func:`find_phones`), read within the bounds above."""
    folded = fold(text)
    compact, cut = _first_groups(" ".join([folded, *_number_runs(folded)]))
    found = []
    matcher = phonenumbers.PhoneNumberMatcher(compact, "VN")
    for read, match in enumerate(matcher, start=1):
        if _dialled(match.raw_string) and phonenumbers.number_type(match.number) not in (
            _SERVICE_NUMBERS
        ):
            found.append(
                phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.NATIONAL)
            )
        if read == MAX_PHONE_MATCHES:
            cut = cut or matcher.has_next()
            break
    numbers = tuple(dict.fromkeys(found))
    return PhoneSearch(numbers, complete=bool(numbers) or not cut)


def _first_groups(text: str) -> tuple[str, bool]:
    """``text`` up to its ``MAX_DIGIT_GROUPS``-th group of digits, and whether it was cut."""
    for count, group in enumerate(_DIGITS.finditer(text), start=1):
        if count > MAX_DIGIT_GROUPS:
            return text[: group.start()], True
    return text, False


def _dialled(raw: str) -> bool:
    """Written as a number is dialled: a leading 0, or +/84 and the country code. Without
    one, "350.000.000" (đồng) or "2185022120" (a price range glued) is an amount."""
    digits = raw.lstrip("(")
    return digits.startswith(("0", "+", "84"))


def _messenger_reasons(text: str, has_phone: bool, content: str) -> list[Reason]:
    """One reason per messenger mentioned; heavier when it comes with a way to reach someone."""
    reasons = []
    for code, (pattern, label) in _MESSENGERS.items():
        match = re.search(rf"(?:^|\W)({pattern})(?:$|\W)", text)
        if not match:
            continue
        window = text[max(match.start() - 25, 0) : match.end() + 25]
        spans = _in_content(content, match.group(1))
        if has_phone or _BAIT.search(window.replace(match.group(1), " ")):
            reasons.append(Reason(code, HANDLE_BAIT_WEIGHT, f"{label} contact offered", spans))
        else:
            reasons.append(Reason(code, HANDLE_MENTION_WEIGHT, f"{label} mentioned", spans))
    return reasons


def _in_content(content: str, phrase: str) -> tuple[Span, ...]:
    """Where ``phrase`` (as a check matched it) is written in the content."""
    return locate_phrase({"content": content}, phrase)


def premium_sms_reasons(text: str) -> list[Reason]:
    """Asking readers to text a keyword to a short code, or how to stop such messages."""
    typed = unicodedata.normalize("NFKC", text)
    code = _SHORT_CODE.search(typed)
    keyword = code.group(1).split() if code else []
    ask = code if any(word.isupper() for word in keyword) else _OPT_OUT.search(typed)
    if not ask:
        return []
    detail = f'SMS marketing ("{ask.group()}")'
    spans = _in_content(text, ask.group())
    return [Reason(ReasonCode.PREMIUM_SMS, PREMIUM_SMS_WEIGHT, detail, spans)]


def check_contact(sub: Submission, rules: SiteRules) -> list[Reason]:
    """Score phone numbers and messenger handles in the body (the phone field is not bait)."""
    search = search_phones(sub.content)
    phones = search.numbers
    content = {"content": sub.content}
    reasons = []
    if phones:
        shown = ", ".join(phones[:3])
        spans = merge(span for phone in phones for span in locate(content, number_pattern(phone)))
        detail = f"phone number in text: {shown}"
        reasons.append(Reason(ReasonCode.CONTACT_PHONE, PHONE_WEIGHT, detail, spans))
    if not search.complete:
        reasons.append(budget_reason("phone numbers past the first ones were not looked for"))
    reasons.extend(premium_sms_reasons(sub.content))
    text = canonical(sub.content)
    reasons.extend(_messenger_reasons(text, bool(phones), sub.content))
    inbox = _INBOX.search(text)
    if inbox:
        reasons.append(
            Reason(
                ReasonCode.CONTACT_INBOX,
                INBOX_WEIGHT,
                f'asks for private contact ("{inbox.group()}")',
                _in_content(sub.content, inbox.group()),
            )
        )
    return reasons
