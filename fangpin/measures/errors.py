"""Errors of the measures core: a stable ``code`` and a Chinese ``message``."""

from __future__ import annotations

__all__ = ["ERROR_CODES", "MeasureError"]

# Every code the core can refuse with; tests assert each one.
ERROR_CODES = (
    "shape",  # wrong number of dimensions, or arrays of different lengths
    "empty",  # no observation (or only zero-weight ones)
    "not_numeric",  # a value that is not a number
    "not_finite",  # NaN or infinity in incomes, achievements, weights or parameters
    "negative_weight",  # a person (or indicator) weight below zero
    "zero_population",  # the weights sum to zero
    "line",  # a poverty line that is not a positive finite number
    "parameter",  # alpha or epsilon below zero, k outside its range
    "nonpositive_income",  # Watts, MLD, Atkinson (epsilon >= 1) need incomes above zero
    "negative_income",  # Theil, Atkinson (epsilon < 1) need incomes of at least zero
    "nonpositive_mean",  # Gini, Theil, Lorenz need a mean income above zero
    "too_few",  # the corrected Gini needs a population (sum of weights) above one
    "cutoff",  # an MPI deprivation cutoff that is not a positive finite number
    "indicator_weight",  # an MPI indicator weight that is not a positive finite number
    "group",  # a group label that is missing (NaN, None)
    "indicators",  # an indicator set file or override that is malformed
    "columns",  # a registry table without a column the builder reads
    "data",  # registry rows the builder cannot use (duplicate finance row, size below one …)
    "file",  # an input file that cannot be read: missing, unknown format, unknown encoding
    "blank",  # an empty cell in a column a measure reads
)


class MeasureError(ValueError):
    """Input a measure cannot be computed on. Nothing is half-computed: the call returns nothing."""

    def __init__(self, code: str, message: str) -> None:
        if code not in ERROR_CODES:
            raise AssertionError(f"unknown measures error code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"
