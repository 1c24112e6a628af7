"""What one ``make bench`` run measures, and for how long (``--quick``: a smoke run)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from bench.harness.world import postgres_reachable

PARTS = ("intake", "worker", "pipeline", "captcha", "public")


@dataclass(frozen=True)
class Plan:
    """The parts to run, on which databases, and the durations that follow from ``quick``."""

    parts: tuple[str, ...] = PARTS
    quick: bool = False
    postgres: bool = True

    @property
    def backends(self) -> tuple[str, ...]:
        """Databases the per-backend targets run on."""
        return ("sqlite", "postgresql") if self.postgres else ("sqlite",)

    @property
    def main_backend(self) -> str:
        """The database of the single-backend parts: PostgreSQL, as in production."""
        return self.backends[-1]

    @property
    def load_seconds(self) -> float:
        """Length of one closed-loop measurement."""
        return 2 if self.quick else 8

    @property
    def tail_seconds(self) -> float:
        """Length of intake's open-loop run at half its peak, for its p99: long enough that
        one stall of this shared host for a tenth of a second is not the whole 1%."""
        return 2 if self.quick else 15

    @property
    def turn_seconds(self) -> float:
        """Length of one of intake's turns (the commit handler and the service alternate)."""
        return 1 if self.quick else 3

    @property
    def open_seconds(self) -> float:
        """Length of the open-loop runs of the pipeline and the captcha burst."""
        return 4 if self.quick else 60

    @property
    def open_rate(self) -> float:
        """Comments (and captchas) per second of those open-loop runs."""
        return 10 if self.quick else 50

    @property
    def worker_comments(self) -> int:
        """Comments queued before a worker starts on them."""
        return 60 if self.quick else 800

    @property
    def worker_seconds(self) -> float:
        """At most this long measuring a worker's steady rate."""
        return 4 if self.quick else 15


@cache
def prior_model():
    """A model trained on the Vietnamese training split, stored as each world's global prior."""
    from pathlib import Path

    from workers.scoring.corpus import read_corpus
    from workers.scoring.training import train

    data = Path(__file__).resolve().parents[2] / "data" / "vi_comments.train.jsonl"
    return train(read_corpus([data]), version="bench-prior")


def make_plan(parts: tuple[str, ...], quick: bool) -> Plan:
    """A plan for ``parts``; PostgreSQL joins when the machine's server answers."""
    return Plan(parts=parts, quick=quick, postgres=postgres_reachable())
