"""Every income measure per group and in total: what ``fangpin measure`` prints.

The poverty profile comes from the grouped fast path; Sen, SST, Theil, MLD and Atkinson are
computed per group on that group's contiguous slice (one sort by group, no filtering of the
whole population per group). A measure undefined for a group (an income ≤ 0 for Watts, MLD
and Atkinson ε ≥ 1; a negative income for Theil) is None there, never a made-up number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from fangpin.measures.errors import MeasureError
from fangpin.measures.inequality import atkinson, mld, theil
from fangpin.measures.inputs import FloatArray, check_line, group_codes, observations
from fangpin.measures.poverty import sen, sst
from fangpin.measures.profile import ProfileRow, poverty_profile

__all__ = ["SummaryRow", "summary_table"]


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """All measures of one group (``group`` None: the total). None: undefined for the group."""

    group: str | None
    population: float
    poor: float
    headcount: float
    gap: float
    severity: float
    watts: float | None
    sen: float
    sst: float
    gini: float | None
    theil: float | None
    mld: float | None
    atkinson_1: float | None
    atkinson_2: float | None
    mean_income: float


def _defined(measure: Callable[[], float]) -> float | None:
    try:
        return measure()
    except MeasureError as exc:
        if exc.code in ("nonpositive_income", "negative_income", "nonpositive_mean"):
            return None
        raise


def _row_of(
    label: str | None, incomes: FloatArray, weights: FloatArray, line: float, profile: ProfileRow
) -> SummaryRow:
    return SummaryRow(
        group=label,
        population=profile.population,
        poor=profile.poor,
        headcount=profile.headcount,
        gap=profile.gap,
        severity=profile.severity,
        watts=profile.watts,
        sen=sen(incomes, line, weights),
        sst=sst(incomes, line, weights),
        gini=profile.gini,
        theil=_defined(lambda: theil(incomes, weights)),
        mld=_defined(lambda: mld(incomes, weights)),
        atkinson_1=_defined(lambda: atkinson(incomes, 1, weights)),
        atkinson_2=_defined(lambda: atkinson(incomes, 2, weights)),
        mean_income=profile.mean_income,
    )


def summary_table(
    y: ArrayLike, z: float, weights: ArrayLike | None = None, groups: ArrayLike | None = None
) -> list[SummaryRow]:
    """Return a :class:`SummaryRow` per group (labels sorted, as in the profile) and the total."""
    line = check_line(z)
    obs = observations(y, weights)
    if groups is None:
        total = poverty_profile(obs.incomes, line, obs.weights)[-1]
        return [_row_of(None, obs.incomes, obs.weights, line, total)]
    labels, codes = group_codes(groups, obs.rows)
    if obs.kept is not None:
        codes = codes[obs.kept]  # zero-weight rows are gone: a group of only those has no row
    # Profiled by code (0, 1, …), so each row's group names its run in the sorted order.
    profile = poverty_profile(obs.incomes, line, obs.weights, codes)
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=len(labels))
    ends = np.cumsum(counts)
    rows: list[SummaryRow] = []
    for row in profile[:-1]:
        assert row.group is not None
        code = int(row.group)
        run = order[ends[code] - counts[code] : ends[code]]
        rows.append(_row_of(labels[code], obs.incomes[run], obs.weights[run], line, row))
    rows.append(_row_of(None, obs.incomes, obs.weights, line, profile[-1]))
    return rows
