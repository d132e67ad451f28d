"""Benchmarks of the portal, run on demand (``make bench N=1000``), never in CI nor in the test suite."""
