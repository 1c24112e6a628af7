"""``python -m bench``: the service's targets (``make bench``), or named benchmark modules.

``python -m bench [--quick] [--only intake,worker,pipeline,captcha,public]`` starts the
service on loopback and prints its targets' table (:mod:`bench.harness`);
``python -m bench bench.scoring [bench.job …]`` runs in-process benchmark modules instead.
"""

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


def modules(names: list[str]) -> int:
    """Run the named benchmark modules and print their results."""
    rows = []
    for name in names:
        module = importlib.import_module(name)
        print(f"running {name} ...", file=sys.stderr)
        rows.extend(module.run())
    width = max((len(row.name) for row in rows), default=10)
    print(f"{'benchmark':<{width}}  {'value':>12}  unit")
    for row in rows:
        print(f"{row.name:<{width}}  {row.value:>12.1f}  {row.unit}")
    return 0


def main(argv: list[str]) -> int:
    """Module names run those modules; anything else is the targets' harness."""
    if argv and all(arg.startswith("bench.") for arg in argv):
        return modules(argv)
    from bench.harness.main import main as targets

    return targets(argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
