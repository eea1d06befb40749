"""Synthetic election packages: the Dhi Qar 2010 demo and small random packages for tests.

Everything here is deterministic for a given seed (a `random.Random`, never the global
generator, never the clock), so that generated packages can be committed and regenerated
byte for byte.
"""
