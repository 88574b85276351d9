"""Benchmarks run by `make bench`; each prints its figure next to a baseline from the same run."""
