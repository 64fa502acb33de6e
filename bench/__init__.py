"""Runnable benchmarks printing figures (`make bench`)."""
