"""Helpers for tests and benchmarks: an independent SimPy model of the reliability engine (``simpy_reference``;
needs the ``dev`` extra) and functions for sweep-engine tests (``functions``). Nothing in the engines imports them."""
