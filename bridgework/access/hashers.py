"""The password hasher: Argon2id at a cost sized for the small servers Bridgework runs on.

Django's Argon2 settings (100 MiB, two passes, eight lanes) spend about 200 ms of CPU a
sign-in, on eight threads: on a two-core server every sign-in stalls both cores for about
100 ms, and a flood of sign-in attempts is a cheap way to slow every page down. OWASP's
password storage guidance gives equally strong Argon2id settings that trade memory against
passes; the one with the most memory (46 MiB, one pass, one lane) costs about 50 ms of one
core here (decision 0016).

The algorithm's name stays ``argon2``: hashes made with other settings are still checked,
with the settings written in them, and Django rehashes them with these at the person's next
sign-in (``must_update``).
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher

__all__ = ["SizedArgon2PasswordHasher"]


class SizedArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id, 46 MiB of memory, one pass, one lane (OWASP's first listed setting)."""

    memory_cost = 47104  # KiB
    time_cost = 1
    parallelism = 1
