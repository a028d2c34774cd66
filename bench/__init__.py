"""Benchmark scripts (`make bench`, see bench/run.py) and their shared harness (bench/harness.py)."""
