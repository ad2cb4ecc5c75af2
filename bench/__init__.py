"""Bridgework benchmarks: ``make bench`` (``python -m bench.run``).

Generates a dataset at a scale factor in a separate data folder (``var/bench``), measures
percentiles and ratios on one machine in one run, and writes ``docs/benchmarks.md``. Nothing here
passes or fails on time: the report says which targets of QUALITY.md were met.
"""

__all__: list[str] = []
