"""Benchmarks, run together with ``python -m bench``."""
