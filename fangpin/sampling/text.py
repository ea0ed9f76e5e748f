"""Percentages in Chinese verdict texts, never rounded onto the line they are compared with."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["digits_apart", "percent"]


def percent(share: float, digits: int | None = None) -> str:
    """A share as a percentage: ``digits`` fixed decimals (``0.0123, 1`` → ``"1.2%"``), or
    without trailing zeros when None (a standard line: ``0.02`` → ``"2%"``, ``0.025`` →
    ``"2.5%"``)."""
    if digits is None:
        return f"{round(share * 100, 4):g}%"
    return f"{share * 100:.{digits}f}%"


def digits_apart(values: Iterable[float], line: float, *, start: int = 1) -> int:
    """Decimals (from ``start``, at most 4) at which no value other than the line itself
    prints like the line: 1.96% against 2% is shown as 1.96%, not 2.0%."""
    shown = tuple(values)
    digits = start
    while digits < 4 and any(
        v != line and round(v * 100, digits) == round(line * 100, digits) for v in shown
    ):
        digits += 1
    return digits
