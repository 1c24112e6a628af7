"""Turning a comment into hashed features for the model.

Vietnamese is written in syllables separated by spaces, so whitespace words are syllables and
word bigrams catch two-syllable words ("nhà cái"). Features come from two views of the text:
the diacritic-folded form (robust to people and spammers who type without accents) and the
form that keeps diacritics (which tells "bán" from "bạn"). Character n-grams inside word
boundaries absorb leftover spelling tricks. One flag feature marks warning language
(``checks/discussion.py``), so the model can learn that quoted spam wording is not an advert.
"""

from __future__ import annotations

import re
from functools import cache

import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

from workers.scoring.checks.discussion import find_warnings
from workers.scoring.normalize import canonical, fold, words
from workers.scoring.resources import read_words

N_FEATURES = 2**20
CHAR_NGRAMS = (4, 5)
FEATURE_SET = (
    "words12+accents1+canonical1+numshape+stop+charwb45+warning/binary/v4"  # stored with a model
)
_DIGIT = re.compile(r"\d")


def _char_wb(tokens: list[str]) -> list[str]:
    """Character n-grams of each token padded with spaces, like sklearn's ``char_wb``."""
    grams = []
    low, high = CHAR_NGRAMS
    for token in tokens:
        padded = f" {token} "
        for size in range(low, min(high, len(padded)) + 1):
            grams.extend(padded[start : start + size] for start in range(len(padded) - size + 1))
    return grams


@cache
def _stopwords() -> frozenset[str]:
    return frozenset(read_words("stopwords.txt"))


def analyze(text: str) -> list[str]:
    """Return the feature strings of ``text``."""
    stop = _stopwords()
    plain = words(fold(text))
    accents = words(fold(text, keep_diacritics=True))
    evasions = words(canonical(text))
    features = [f"w {token}" for token in plain if token not in stop]
    features += [f"b {a} {b}" for a, b in zip(plain, plain[1:], strict=False)]
    features += [f"a {token}" for token in accents if not token.isascii()]
    features += [f"c {token}" for token in evasions if token not in stop]
    # Shapes of numbers ("09061701461" -> "00000000000"): phone and short-code lengths
    # generalise where the digits themselves never repeat.
    features += [f"n {_DIGIT.sub('0', token)}" for token in plain if _DIGIT.search(token)]
    # Character n-grams over whitespace tokens keep punctuation and symbols ("£", "18+").
    features += _char_wb([token for token in fold(text).split() if token not in stop])
    # No flag shared by every text of a language: one moderator decision would move them all.
    return features + (["__warning__"] if find_warnings(text) else [])


@cache
def vectorizer() -> HashingVectorizer:
    """The stateless hashing vectorizer shared by training and scoring."""
    return HashingVectorizer(
        analyzer=analyze,
        n_features=N_FEATURES,
        alternate_sign=False,
        binary=True,  # presence, not counts: measured better on the training corpora
        norm="l2",
        dtype=float,
    )


def vectorize(texts: list[str]) -> sp.csr_matrix:
    """Hash ``texts`` into one sparse row each."""
    return vectorizer().transform(texts)
