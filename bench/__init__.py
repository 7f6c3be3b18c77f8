"""launch-sim benchmarks: figures and ratios measured side by side in one run (``nox -s bench``)."""
