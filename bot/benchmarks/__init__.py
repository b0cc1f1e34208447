"""Benchmarks: they print figures and compare configurations in one run.
Results and the commands that produced them are recorded in docs/performance.md."""
