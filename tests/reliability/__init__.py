"""Reliability tests: a small CI-sized version of ``bench/reliability.py``."""
