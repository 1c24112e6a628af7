"""The row every benchmark returns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    """One measured number: a name, a value and its unit."""

    name: str
    value: float
    unit: str
