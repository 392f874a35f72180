"""The benchmark suite: `python -m bench` (or `--quick`) measures the platform against baselines.

Every figure is a ratio to a baseline measured in the same run, on the same machine and servers,
so the machine's speed and noise cancel; each measurement is repeated and reported as the median
with its spread (min-max). See BENCHMARKS.md for the last full run.
"""
