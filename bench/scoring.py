"""Throughput of the stateless scoring path (checks + model) in one process."""

from __future__ import annotations

import time
from pathlib import Path

from bench.result import Result
from workers.scoring.corpus import read_corpus
from workers.scoring.evaluation import score_texts
from workers.scoring.model import SpamModel
from workers.scoring.pipeline import score_submission
from workers.scoring.training import train
from workers.scoring.types import SiteRules, Submission

# The shared corpora live in ``shared/datasets`` beside the repository, in any checkout.
DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
REPO_DATA = Path(__file__).resolve().parents[1] / "data"


def _corpus_files() -> list[Path]:
    """The shared English training files, plus the Vietnamese train set if present."""
    files = sorted(DATASETS.glob("*.train.jsonl"))
    vietnamese = REPO_DATA / "vi_comments.train.jsonl"
    return files + ([vietnamese] if vietnamese.exists() else [])


# Each rate is the best of this many passes, as timeit reports its best: on a shared host
# the slower passes measure the neighbours' load, not the code.
PASSES = 3


def _per_second(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def _one_by_one(texts: list[str], model: SpamModel, rules: SiteRules) -> float:
    """Comments/s scoring each comment on its own, as the worker does."""
    started = time.perf_counter()
    for text in texts:
        score_submission(Submission(content=text), rules, model)
    return _per_second(len(texts), time.perf_counter() - started)


def _batched(texts: list[str], model: SpamModel, rules: SiteRules) -> float:
    """Comments/s scoring the checks per comment and the model for all texts at once."""
    started = time.perf_counter()
    score_texts(texts, model, rules)
    return _per_second(len(texts), time.perf_counter() - started)


def run() -> list[Result]:
    """Train once, then time per-comment and batched scoring over the corpora (best of
    ``PASSES`` each)."""
    examples = read_corpus(_corpus_files())
    texts = [example.text for example in examples]
    started = time.perf_counter()
    model = train(examples, version="bench")
    train_seconds = time.perf_counter() - started
    rules = SiteRules()
    # Distinct strings per pass, so the per-text caches cannot flatter the numbers (the
    # caches per word stay warm, as in a worker that has scored a few comments).
    single = max(
        _one_by_one([text + " " * (1 + run) for text in texts], model, rules)
        for run in range(PASSES)
    )
    batched = max(
        _batched([text + "\t" * (1 + run) for text in texts], model, rules) for run in range(PASSES)
    )
    return [
        Result("scoring: checks+model, one by one", single, "comments/s"),
        Result("scoring: checks+model, batched model", batched, "comments/s"),
        Result(f"scoring: cold-start training ({len(texts)} texts)", train_seconds, "s"),
    ]
