"""Rate limits of the public form, counted in Django's cache (ASVS 2.4.1, anti-automation).

- per client IP: at most :data:`IP_ATTEMPTS_PER_HOUR` form posts (stops guessing the human
  check) and :data:`IP_SUBMISSIONS_PER_HOUR` stored declarations an hour;
- per ID number: at most :data:`ID_SUBMISSIONS_PER_DAY` stored declarations a day.

Keys hold keyed hashes (the ID number's blind index, the IP's keyed hash), never plain values.
A fixed window per key: the first count sets the expiry. Settings of the same names with a
``FANGPIN_INTAKE_`` prefix override the numbers (tests use that). With several server
processes, the cache must be shared between them (the default local-memory cache counts per
process): see docs/intake.md.
"""

from __future__ import annotations

from typing import Final

from django.conf import settings
from django.core.cache import cache

__all__ = [
    "ID_SUBMISSIONS_PER_DAY",
    "IP_ATTEMPTS_PER_HOUR",
    "IP_SUBMISSIONS_PER_HOUR",
    "attempt_allowed",
    "submission_allowed",
    "submission_count",
]

IP_ATTEMPTS_PER_HOUR: Final = 30
IP_SUBMISSIONS_PER_HOUR: Final = 5
ID_SUBMISSIONS_PER_DAY: Final = 3
_HOUR: Final = 3600
_DAY: Final = 24 * 3600


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, f"FANGPIN_INTAKE_{name}", default))


def _hit(key: str, window: int) -> int:
    """Count one more in ``key``'s window and return the new count."""
    if cache.add(key, 1, window):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, window)
        return 1


def attempt_allowed(ip_hash: str) -> bool:
    """Count a form post from this client; False once it is over the hourly limit."""
    return _hit(f"intake:attempt:{ip_hash}", _HOUR) <= _limit(
        "IP_ATTEMPTS_PER_HOUR", IP_ATTEMPTS_PER_HOUR
    )


def submission_allowed(*, ip_hash: str, id_index: str) -> bool:
    """Whether one more declaration from this client and for this ID number is allowed."""
    ip_count = int(cache.get(f"intake:submit_ip:{ip_hash}", 0))
    id_count = int(cache.get(f"intake:submit_id:{id_index}", 0))
    return ip_count < _limit("IP_SUBMISSIONS_PER_HOUR", IP_SUBMISSIONS_PER_HOUR) and (
        id_count < _limit("ID_SUBMISSIONS_PER_DAY", ID_SUBMISSIONS_PER_DAY)
    )


def submission_count(*, ip_hash: str, id_index: str) -> None:
    """Count a stored declaration against both limits."""
    _hit(f"intake:submit_ip:{ip_hash}", _HOUR)
    _hit(f"intake:submit_id:{id_index}", _DAY)
