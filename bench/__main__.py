"""Run every benchmark module and print one table: ``python -m bench``."""

from __future__ import annotations

import importlib
import sys

# Each module exposes ``run() -> list[Result]``; add new benchmarks here.
BENCHMARKS = (
    "bench.scoring",
    "bench.job",
    "bench.links",
    "bench.adversarial",
    "bench.console",
)


def main(names: list[str]) -> int:
    """Run the named benchmark modules (all by default) and print their results."""
    rows = []
    for name in names or BENCHMARKS:
        module = importlib.import_module(name)
        print(f"running {name} ...", file=sys.stderr)
        rows.extend(module.run())
    width = max((len(row.name) for row in rows), default=10)
    print(f"{'benchmark':<{width}}  {'value':>12}  unit")
    for row in rows:
        print(f"{row.name:<{width}}  {row.value:>12.1f}  {row.unit}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
