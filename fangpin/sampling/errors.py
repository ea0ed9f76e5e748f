"""Errors of the sampling core: a stable ``code`` and a Chinese ``message``."""

from __future__ import annotations

__all__ = ["ERROR_CODES", "SamplingError"]

# Every code the core can refuse with; tests assert each one.
ERROR_CODES = (
    "bad_parameter",  # a design parameter out of range (confidence, margin, fraction, seed …)
    "bad_frame",  # the sampling frame does not fit: duplicates, unknown strata, missing lists
    "zero_size",  # PPS: a stratum has fewer villages of positive size than it must draw
    "bad_input",  # estimation input: lengths differ, not finite, negative weight, N_h < n_h
    "empty",  # nothing to estimate from
    "zero_denominator",  # the weighted denominator of a ratio is 0
    "single_psu",  # a stratum with one sampled village: no variance can be estimated in it
    "bad_record",  # a household record whose counts contradict each other
    "bad_region",  # a region code that is malformed or does not exist
)


class SamplingError(ValueError):
    """A refused computation: bad parameters, an inconsistent frame or inestimable data."""

    def __init__(self, code: str, message: str) -> None:
        if code not in ERROR_CODES:
            raise AssertionError(f"unknown sampling error code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def __repr__(self) -> str:
        return f"SamplingError({self.code!r}, {self.message!r})"
