"""Database expressions the registry's generated columns need on both backends."""

from __future__ import annotations

from typing import Any

from django.db import models


class RoundedQuotient(models.Func):
    """``ROUND(numerator / denominator, 2)`` computed in decimal arithmetic, on both backends.

    SQLite stores whole-yuan decimals as integers, and Django's own decimal arithmetic there
    casts to NUMERIC, which turns 7100.0 back into an integer: the division would truncate.
    So SQLite divides as REAL; PostgreSQL divides as numeric (its ``round(x, 2)`` exists only
    for numeric).
    """

    arity = 2
    template = "ROUND(CAST(%(expressions)s, 2)"
    arg_joiner = " AS NUMERIC) / "
    output_field = models.DecimalField(max_digits=14, decimal_places=2)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection, arg_joiner=" AS REAL) / ", **extra_context)
