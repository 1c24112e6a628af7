"""Turning a comment into weighted, hashed features for the model.

Two blocks of features, each hashed into the same ``N_FEATURES`` columns:

* **words**: Vietnamese is written in syllables separated by spaces, so whitespace words are
  syllables and word bigrams catch two-syllable words ("nhà cái"). They come from two views
  of the text: the diacritic-folded form (robust to people and spammers who type without
  accents) and the form that keeps diacritics (which tells "bán" from "bạn"), plus the
  evasion-normal form, number shapes, character n-grams inside words and one flag for warning
  language (``checks/discussion.py``), so the model can learn that quoted spam wording is not
  an advert.
* **text**: character 1- to 5-grams over the whole lower-cased text, across word boundaries
  and punctuation ("£1.50", "://", "18+", ":)"): the signal word features miss in short,
  abbreviated SMS and channel spam.

Counts are weighted as in TF-IDF with sublinear term frequency (``1 + log(count)``) times the
inverse document frequency of the model's training corpus (:class:`Idf`), and each block is
scaled to unit length before the two are added, so neither dominates by its number of
n-grams. Hashing keeps the vectorizers stateless; only the IDF table belongs to a model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from itertools import repeat

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction import FeatureHasher
from sklearn.utils import murmurhash3_32
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

from workers.scoring.checks.discussion import find_warnings
from workers.scoring.normalize import canonical_words, fold, folded_words
from workers.scoring.resources import read_words

N_FEATURES = 2**20
CHAR_NGRAMS = (4, 5)  # inside words
TEXT_NGRAMS = (1, 5)  # across the whole text
FEATURE_SET = (  # stored with a model; a model of another feature set is not loaded
    "words12+accents1+canonical1+numshape+stop+charwb45+warning|text15/sublinear-idf-l2/v5"
)
UNSEEN_WEIGHT = 1.0
_DIGIT = re.compile(r"\d")
# Text n-grams are marked so that the same characters in both blocks ("nhà c" and a word
# block n-gram) stay two features.
_TEXT_MARK = "\x00"


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
    """Return the word-block feature strings of ``text``."""
    stop = _stopwords()
    plain = folded_words(text)
    accents = folded_words(text, keep_diacritics=True)
    evasions = canonical_words(text)
    features = [feature for feature, _, _ in _words_and_pairs(plain, stop)]
    features += [f"a {token}" for token in accents if not token.isascii()]
    features += [f"c {token}" for token in evasions if token not in stop]
    # Shapes of numbers ("09061701461" -> "00000000000"): phone and short-code lengths
    # generalise where the digits themselves never repeat.
    features += [f"n {_DIGIT.sub('0', token)}" for token in plain if _DIGIT.search(token)]
    # Character n-grams over whitespace tokens keep punctuation and symbols ("£", "18+").
    features += _char_wb([token for token in fold(text).split() if token not in stop])
    # No flag shared by every text of a language: one moderator decision would move them all.
    return features + (["__warning__"] if find_warnings(text) else [])


def word_features(text: str) -> list[tuple[int, str]]:
    """The column of each word and word-pair feature of ``text``, with the words as the
    writer typed them (lower-cased), for showing moderators what the model read."""
    plain = folded_words(text)
    accents = folded_words(text, keep_diacritics=True)
    shown = accents if len(accents) == len(plain) else plain
    return [
        (column_of(feature), " ".join(shown[start:end]))
        for feature, start, end in _words_and_pairs(plain, _stopwords())
    ]


def _words_and_pairs(plain: list[str], stop: frozenset[str]) -> list[tuple[str, int, int]]:
    """The word and word-pair features of folded tokens, with the token span of each."""
    found = [(f"w {token}", i, i + 1) for i, token in enumerate(plain) if token not in stop]
    pairs = enumerate(zip(plain, plain[1:], strict=False))
    found += [(f"b {a} {b}", i, i + 2) for i, (a, b) in pairs]
    return found


def column_of(feature: str) -> int:
    """The hashed column of one feature string, as the vectorizers compute it."""
    return abs(murmurhash3_32(feature, seed=0)) % N_FEATURES


def text_ngrams(text: str) -> list[str]:
    """Return the text-block feature strings: character n-grams of the whole text."""
    folded = fold(text, keep_diacritics=True)
    low, high = TEXT_NGRAMS
    return [
        _TEXT_MARK + folded[start : start + size]
        for size in range(low, high + 1)
        for start in range(len(folded) - size + 1)
    ]


@cache
def _hasher() -> FeatureHasher:
    # HashingVectorizer's own hasher (same seed, so the same columns). Fed (feature, 1)
    # pairs: given plain strings it pairs them itself in a Python generator, which cost
    # more than the hashing.
    return FeatureHasher(
        n_features=N_FEATURES, input_type="pair", alternate_sign=False, dtype=np.float64
    )


def _hashed(texts: list[str]) -> sp.csr_matrix:
    """Both blocks of every text in one hashing call, rows alternating (words, text)."""
    return _hasher().transform(
        zip(block, repeat(1.0)) for text in texts for block in (analyze(text), text_ngrams(text))
    )


@dataclass(frozen=True)
class Counts:
    """Raw n-gram counts of some texts, one block each."""

    words: sp.csr_matrix
    text: sp.csr_matrix

    def __len__(self) -> int:
        return self.words.shape[0]


def count(texts: list[str]) -> Counts:
    """Hash ``texts`` into n-gram counts (stateless: the same for every model).

    Both blocks of every text go through one hashing call, rows alternating: each call
    builds and checks a sparse matrix, which cost as much as making the n-grams of a comment.
    """
    if not texts:  # the hasher refuses an empty sequence
        return Counts(sp.csr_matrix((0, N_FEATURES)), sp.csr_matrix((0, N_FEATURES)))
    rows = _hashed(texts)
    return Counts(rows[0::2], rows[1::2])


@dataclass(frozen=True)
class Idf:
    """Inverse document frequencies of a training corpus, stored sparsely.

    ``idf = ln((1 + n) / (1 + df)) + 1`` (sklearn's smoothed form). A column no training text
    had weighs ``UNSEEN_WEIGHT``, the least any column can: with the largest value (what the
    formula gives for df = 0) the many one-off n-grams of a new text would dilute the known
    ones when the row is scaled to unit length (measured 0.007 F1 worse in English and
    Vietnamese cross-validation), and with none the model could not learn a new
    template's wording from decisions. With no documents every weight is 1 (sublinear TF).
    """

    documents: int = 0
    columns: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # df > 0
    frequencies: np.ndarray = field(default_factory=lambda: np.zeros(0))  # their df

    @classmethod
    def of(cls, counts: Counts) -> Idf:
        """The document frequencies of ``counts`` (a text counts once per column)."""
        present = (counts.words + counts.text).sign().tocsc()
        frequencies = np.diff(present.indptr)
        (columns,) = np.nonzero(frequencies)
        return cls(len(counts), columns.astype(np.int64), frequencies[columns].astype(float))

    @cached_property
    def vector(self) -> np.ndarray:
        """The weight of every column."""
        weights = np.full(N_FEATURES, UNSEEN_WEIGHT)
        weights[self.columns] = np.log((1 + self.documents) / (1 + self.frequencies)) + 1.0
        return weights


def _tf_idf(counts: np.ndarray, idf: np.ndarray) -> np.ndarray:
    return (1.0 + np.log(counts)) * idf


def _weigh(block: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    weighted = block.copy()
    weighted.data = _tf_idf(weighted.data, idf[weighted.indices])
    # What sklearn's normalize() does, without its input validation: a third of the time
    # of scoring one comment went there.
    inplace_csr_row_normalize_l2(weighted)
    return weighted


def weigh(counts: Counts, idf: Idf) -> sp.csr_matrix:
    """Model rows: sublinear TF-IDF per block, each block of unit length, blocks added."""
    vector = idf.vector
    return (_weigh(counts.words, vector) + _weigh(counts.text, vector)).tocsr()


@dataclass(frozen=True)
class Row:
    """One text's model row: its non-zero columns (ascending) and their values."""

    columns: np.ndarray
    values: np.ndarray


def row_of(text: str, idf: Idf) -> Row:
    """The model row of one text, equal to ``weigh(count([text]), idf)``, computed without
    slicing, copying and adding sparse matrices: for one comment at a time that bookkeeping
    cost more than the arithmetic."""
    hashed = _hashed([text])
    vector = idf.vector
    columns, values = [], []
    for start, end in zip(hashed.indptr[:-1], hashed.indptr[1:], strict=True):
        block = hashed.indices[start:end]
        weights = _tf_idf(hashed.data[start:end], vector[block])
        norm = np.sqrt(weights @ weights)
        columns.append(block)
        values.append(weights / norm if norm else weights)
    # A column of both blocks sums its two values, as adding the blocks' matrices does.
    unique, position = np.unique(np.concatenate(columns), return_inverse=True)
    summed = np.bincount(position, weights=np.concatenate(values)).astype(np.float64, copy=False)
    return Row(unique, summed)
