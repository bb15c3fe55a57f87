"""Executors that run a function over work units; the local one is a process pool."""
