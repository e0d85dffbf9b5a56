"""Benchmarks for pactgraph: how fast, against which peers, as the work grows.

Not part of the test suite and not installed: run from the repository root with
``python -m bench --size 1k --out bench/results/``. ``bench.generator`` makes deterministic
synthetic pacts in the bundled data's own input format, so the real build path (records and
letters, quote anchoring included) is what gets measured.
"""
