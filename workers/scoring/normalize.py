"""Text folding that undoes the usual spam evasions before matching.

Two layers:

* :func:`fold` is loss-light: Unicode compatibility forms (NFKC: full-width and mathematical
  letters/digits), invisible characters, case, Cyrillic/Greek look-alikes and, unless
  ``keep_diacritics``, Vietnamese diacritics (``đ`` -> ``d``, tone and vowel marks stripped).
* :func:`canonical` adds evasion rules on top of the diacritic-free fold: leet digits,
  ``j`` for ``i``, letters split by spaces or dots, repeated letters and teencode words.
  It is the form lexicon phrases and word lists are matched in; both sides pass through it,
  so a rule that changes an ordinary word (``free`` -> ``fre``) changes the phrase too.

Every public function is idempotent and total over ``str``: each one iterates its steps to a
fixed point, because Unicode steps such as NFKC and case folding do not commute.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache, lru_cache

from workers.scoring.resources import read_rows

_MAX_ROUNDS = 4

# Look-alikes seen in evasions, after case folding (so only lower case is needed).
_HOMOGLYPHS = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
        "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i",
        "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ь": "b", "п": "n",
        # Greek
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
        "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "γ": "y", "ς": "c",
        # Latin variants that NFKC leaves alone
        "ı": "i", "ɑ": "a", "ɡ": "g", "ɩ": "i", "ʟ": "l", "ᴀ": "a", "ᴇ": "e", "ᴏ": "o",
    }
)  # fmt: skip

# Fillers that render as nothing but are letters or marks, not format characters.
_INVISIBLE_EXTRA = (0x034F, 0x115F, 0x1160, 0x180E, 0x3164, 0xFFA0)

_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "@": "a", "$": "s"}
# A run of word characters, from its first letter, that holds a leet symbol (others have
# nothing to replace). Anchored at the run's start and possessive, so a long word without
# one fails in linear time instead of being retried from every letter.
_LEET_RUN = re.compile(r"(?<![\w@$])([\d_@$]*+)([^\W\d_][^\W0134]*+[0134@$][\w@$]*)")
_ASTERISK_IN_WORD = re.compile(r"(?<=[^\W\d_])\*+(?=[^\W\d_])")
_J_AFTER_CONSONANT = re.compile(r"(?<=[b-df-hk-np-tv-xz])j")
_DOTTED_LETTERS = re.compile(r"(?<![\w.])[^\W\d_](?:[.\-_*·•]+[^\W\d_])+(?![\w])")
# Single letters between spaces; punctuation may follow the last one ("n h a n h, ib").
_SPACED_LETTERS = re.compile(r"(?<!\w)[^\W\d_](?:[ \t]+[^\W\d_](?!\w)){2,}")
_REPEATED_LETTER = re.compile(r"([^\W\d_])\1+")
_SPACE = re.compile(r"\s+")
# A quotation: a quote mark that opens after a non-word character, text without quote marks
# or line breaks, and a closing mark before a non-word character (so "don't" is no quote).
_QUOTATION = re.compile(r"(?<!\w)['\"“‘«]([^'\"“”‘’«»\n]{2,200}?)['\"”’»](?!\w)")
_WORD = re.compile(r"\w+")


@cache
def _invisible_table() -> dict[int, None]:
    """Map every format (Cf) code point and the known fillers to deletion."""
    table: dict[int, None] = dict.fromkeys(_INVISIBLE_EXTRA)
    for code in range(sys.maxunicode + 1):
        if unicodedata.category(chr(code)) == "Cf":
            table[code] = None
    return table


@cache
def _invisible_as_space() -> dict[int, str]:
    return dict.fromkeys(_invisible_table(), " ")


@cache
def _marks_table() -> dict[int, None]:
    """Map every non-spacing mark (Mn) to deletion: ``str.translate`` drops them in C, a
    character-by-character category test was a tenth of the time of scoring a comment."""
    return {
        code: None for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) == "Mn"
    }


def typed_words(text: str) -> list[str]:
    """The words as the writer typed them: case and diacritics folded, nothing else.

    An invisible character separates words here and look-alike letters stay foreign, so
    "nhà\u200bcái" is two words and "Duмa" (Cyrillic м) is not "duma": what evasion rules
    join or map is what was not typed as an ordinary word.
    """
    spaced = unicodedata.normalize("NFKC", text.translate(_invisible_as_space())).casefold()
    return words(strip_diacritics(spaced))


def _fixed_point(step, text: str) -> str:
    """Apply ``step`` until the text stops changing (bounded, see module docstring)."""
    for _ in range(_MAX_ROUNDS):
        changed = step(text)
        if changed == text:
            break
        text = changed
    return text


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese (and any other) combining marks; ``đ`` becomes ``d``."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", decomposed.translate(_marks_table()))


def _drop_stray_marks(text: str) -> str:
    """Drop combining marks that did not compose (stacked "zalgo" marks, selectors)."""
    return unicodedata.normalize("NFC", text).translate(_marks_table())


def _fold_once(text: str, keep_diacritics: bool) -> str:
    """One round of :func:`fold` over the whole of ``text``."""
    text = unicodedata.normalize("NFKC", text).translate(_invisible_table())
    text = unicodedata.normalize("NFKC", text.casefold()).translate(_HOMOGLYPHS)
    text = _drop_stray_marks(text) if keep_diacritics else strip_diacritics(text)
    return _SPACE.sub(" ", text).strip()


def _fold_word(word: str, keep_diacritics: bool) -> str:
    """:func:`fold` of one whitespace-free word (which may fold into several, or none)."""
    return _fixed_point(lambda value: _fold_once(value, keep_diacritics), word)


# Words folded before, by spelling, one table for each way of folding: a comment's words are
# mostly everyday words, and folding their letters again and again was a third of the time
# of scoring one. Only a short word whose fold is short too is kept (NFKC makes 18
# characters of some one), and a full table starts again, so a flood of made-up words
# takes a bounded memory (about 4 MB a table at most).
KNOWN_WORDS, KNOWN_WORD_LONGEST = 16_384, 32
_known_folds: dict[bool, dict[str, str]] = {False: {}, True: {}}


def _fold_new_word(word: str, keep_diacritics: bool) -> str:
    folded = _fold_word(word, keep_diacritics)
    if len(word) <= KNOWN_WORD_LONGEST and len(folded) <= KNOWN_WORD_LONGEST:
        known = _known_folds[keep_diacritics]
        if len(known) >= KNOWN_WORDS:
            known.clear()
        known[word] = folded
    return folded


@lru_cache(maxsize=4096)
def fold(text: str, *, keep_diacritics: bool = False) -> str:
    """Return the lower-case, look-alike-free form of ``text`` (diacritics optional).

    Word by word: every step works on characters, or on sequences that cannot cross
    whitespace (a space is a starter that composes with nothing, and no step deletes one),
    so each word reaches its fixed point alone, and the text's is theirs joined
    (``tests/scoring/test_normalize.py`` checks it on arbitrary text).
    """
    if text.isascii():  # nothing to compose, fold or map: only case and spacing change
        return _SPACE.sub(" ", text.lower()).strip()
    known = _known_folds[keep_diacritics]
    folded = (known.get(word) or _fold_new_word(word, keep_diacritics) for word in text.split())
    return " ".join(word for word in folded if word)


def _unleet_word(match: re.Match[str]) -> str:
    """Replace leet symbols that follow a letter: ``n4p`` -> ``nap`` but ``500k`` stays."""
    lead, word = match.groups()
    return lead + "".join(_LEET.get(ch, ch) for ch in word)


def _join_letters(match: re.Match[str]) -> str:
    """Glue a run of single letters back together: ``n.h.a`` / ``n h a`` -> ``nha``."""
    return "".join(ch for ch in match.group() if ch.isalpha())


@cache
def _teencode() -> dict[str, str]:
    """Return the teencode table with keys and values in evasion-normal form."""
    table = {}
    for key, value in read_rows("teencode.tsv", 2):
        table[_rules(fold(key))] = _rules(fold(value))
    # Replacements must not be keys themselves, or a second pass would change them again.
    assert not set(" ".join(table.values()).split()) & set(table), "teencode output is a key"
    return table


def _expand_teencode(text: str) -> str:
    """Replace whole teencode tokens (``ko`` -> ``khong``, ``ib`` -> ``inbox``)."""
    table = _teencode()
    return _WORD.sub(lambda match: table.get(match.group(), match.group()), text)


def _rules(text: str) -> str:
    """The character-level evasion rules, without the teencode table."""
    # "nhà_cái_uy_tín": an underscore is a word separator, not part of a word.
    text = text.replace("_", " ")
    text = _ASTERISK_IN_WORD.sub("", text)
    text = _LEET_RUN.sub(_unleet_word, text)
    # "tjen" -> "tien": Vietnamese has no j, so j after a consonant stands for i.
    text = _J_AFTER_CONSONANT.sub("i", text)
    text = _DOTTED_LETTERS.sub(_join_letters, text)
    text = _SPACED_LETTERS.sub(_join_letters, text)
    # Repeated letters collapse to one ("freeee" -> "fre", "nhaaa" -> "nha"); digits are
    # kept because phone numbers and amounts repeat digits legitimately.
    text = _REPEATED_LETTER.sub(r"\1", text)
    return _SPACE.sub(" ", text).strip()


# Several checks look at the same comment, so the last few results are cached.
@lru_cache(maxsize=4096)
def canonical(text: str) -> str:
    """Return the evasion-normal form of ``text`` that word lists are matched in."""
    return _fixed_point(lambda value: _expand_teencode(_rules(fold(value))), text)


# The checks, the model and the near-duplicate memory all read the same comment's words
# (a few texts of it: its content, its title and content, its own wording).
@lru_cache(maxsize=256)
def canonical_words(text: str) -> tuple[str, ...]:
    """The word tokens of ``text``'s evasion-normal form."""
    return tuple(words(canonical(text)))


@lru_cache(maxsize=256)
def folded_words(text: str, *, keep_diacritics: bool = False) -> tuple[str, ...]:
    """The word tokens of ``text`` folded (see :func:`fold`)."""
    return tuple(words(fold(text, keep_diacritics=keep_diacritics)))


def without_quotations(text: str) -> str:
    """``text`` with every quotation replaced by a bare pair of quote marks."""
    return _QUOTATION.sub('""', text)


def words(text: str) -> list[str]:
    """Split an already folded or canonical text into word tokens."""
    return _WORD.findall(text)
