"""Database expressions the registry's generated money columns need on both backends.

PostgreSQL computes in exact ``numeric``. SQLite has no decimal type: Django's decimal
arithmetic there casts to NUMERIC (which turns 7100.0 back into an integer, so a division would
truncate) and sums of fen amounts are binary floats (512.23 − 511.66 = 0.5699999…). So on
SQLite every generated money value is rounded to the fen, and per-capita income is computed
from whole fen with SQLite's half-away-from-zero ROUND, which then agrees exactly with
:func:`fangpin.income.derive` (decimal ROUND_HALF_UP) and with PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from django.db import models


def _money() -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(max_digits=14, decimal_places=2)


class RoundedMoney(models.Func):
    """The expression itself on PostgreSQL; ``ROUND(x, 2)`` on SQLite."""

    arity = 1
    template = "%(expressions)s"

    def __init__(self, expression: Any) -> None:
        super().__init__(expression, output_field=_money())

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"ROUND(CAST({sql} AS REAL), 2)", params


class RoundedQuotient(models.Func):
    """``ROUND(numerator / denominator, 2)``, half away from zero, exact on both backends."""

    arity = 2

    def __init__(self, numerator: Any, denominator: Any) -> None:
        super().__init__(numerator, denominator, output_field=_money())

    def as_sql(  # type: ignore[override]  # takes no function/template: the SQL is fixed
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> Any:
        num, num_params = compiler.compile(self.source_expressions[0])
        den, den_params = compiler.compile(self.source_expressions[1])
        return f"ROUND(CAST({num} AS NUMERIC) / {den}, 2)", (*num_params, *den_params)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        num, num_params = compiler.compile(self.source_expressions[0])
        den, den_params = compiler.compile(self.source_expressions[1])
        fen = f"ROUND(CAST({num} AS REAL) * 100)"
        return f"(ROUND({fen} / {den}) / 100.0)", (*num_params, *den_params)
