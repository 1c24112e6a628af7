"""Shared fixtures: small models are trained once per session."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

from workers.scoring.corpus import Example, read_corpus
from workers.scoring.model import SpamModel
from workers.scoring.training import train

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "datasets"  # beside the checkout
VI_TRAIN = REPO / "data" / "vi_comments.train.jsonl"


def unavailable(what: str) -> NoReturn:
    """Skip on a workstation without the data; fail on CI, where it must be present."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} not available on CI (expected at {SHARED} or in data/)")
    pytest.skip(f"{what} not available")


@pytest.fixture(scope="session")
def english_examples() -> list[Example]:
    files = sorted(SHARED.glob("*.train.jsonl"))
    if not files:
        unavailable("shared English training corpora")
    return read_corpus(files)


@pytest.fixture(scope="session")
def english_model(english_examples: list[Example]) -> SpamModel:
    return train(english_examples, version="en-test")


@pytest.fixture(scope="session")
def bilingual_model(english_examples: list[Example]) -> SpamModel:
    if not VI_TRAIN.exists():
        unavailable("Vietnamese training set")
    return train(english_examples + read_corpus([VI_TRAIN]), version="vi-en-test")


@pytest.fixture
def model_bytes(english_model: SpamModel) -> bytes:
    """A fresh copy for tests that mutate a model."""
    return english_model.to_bytes()
