"""A cheap Argon2id for the test suite only (``FANGPIN_MODE=test``; settings.py).

Demo and production hash with Django's ``Argon2PasswordHasher`` (Argon2id, 100 MiB, two
passes). Tests create accounts and log in hundreds of times; with the same algorithm at a tiny
cost they exercise the same code (the encoded hash names its parameters, so either hasher
verifies the other's hashes) in a fraction of the time.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher

__all__ = ["TestArgon2PasswordHasher"]


class TestArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at 1 pass over 1 MiB, one lane: for FANGPIN_MODE=test only."""

    time_cost = 1
    memory_cost = 1024  # KiB
    parallelism = 1
