"""Benchmarks: generated inputs, one measurement per subprocess, the table in ``results.md`` (``make bench``)."""
