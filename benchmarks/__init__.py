"""Benchmarks (not tests): `make bench` runs them and writes benchmarks/RESULTS.md."""
