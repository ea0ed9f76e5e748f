"""Suspicious simultaneity (DOMAIN.md §11 [D] signal 5: churn and simultaneity).

Many eliminations in one village on one day just before an assessment, and several households
of a village with exactly the same income, suggest figures filled in to a target rather than
measured. Signals for a person to review, never verdicts: a village appraisal meeting decides
many households on one day by design, and households living on the same pension or 低保 can
have equal incomes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pyarrow as pa

from fangpin.integrity.frame import Data, Ints, codes_index, day, runs
from fangpin.integrity.model import (
    Code,
    Finding,
    IntegritySettings,
    Severity,
    SubjectKind,
    make_finding,
    ordered,
)
from fangpin.integrity.text import fen_to_yuan, iso, join_ids, region_label, yuan

__all__ = ["ASSESSMENT_WINDOW_DAYS", "identical_income", "same_day_eliminations"]

#: Eliminations this many days or fewer before an assessment date count as "just before".
ASSESSMENT_WINDOW_DAYS = 30


def _next_assessment(on: date, assessments: Sequence[date]) -> date | None:
    ahead = [a for a in assessments if 0 <= (a - on).days <= ASSESSMENT_WINDOW_DAYS]
    return min(ahead) if ahead else None


def _same_day_eliminations(
    data: Data, settings: IntegritySettings, assessments: Sequence[date]
) -> list[Finding]:
    e = data.eliminations
    villages, village_index = codes_index(e.village_code)
    findings = []
    for rows in runs(village_index, e.eliminated_on.astype(np.int64)):
        households = sorted({int(h) for h in e.household_id[rows]})
        if len(households) < settings.same_day_eliminations_min:
            continue
        village = str(villages[village_index[rows[0]]])
        on = day(e.eliminated_on[rows[0]])
        assessment = _next_assessment(on, assessments)
        observed: dict[str, object] = {
            "eliminated_on": iso(on),
            "households": len(households),
            "household_ids": households,
            "decided_by": sorted({str(d) for d in e.decided_by[rows]}),
        }
        text = f"{region_label('village', village)}{iso(on)}同日标注风险消除{len(households)}户"
        if assessment is None:
            text += f"（达到{settings.same_day_eliminations_min}户）"
        else:
            before = (assessment - on).days
            observed |= {"assessment_on": iso(assessment), "days_before_assessment": before}
            text += (
                f"，在考核日{iso(assessment)}当天"
                if before == 0
                else f"，在考核日{iso(assessment)}前{before}天"
            )
        findings.append(
            make_finding(
                Code.SAME_DAY_ELIMINATIONS,
                SubjectKind.VILLAGE,
                village,
                village,
                data.year,
                Severity.INFO if assessment is None else Severity.WARNING,
                observed,
                settings.same_day_eliminations_min,
                text,
            )
        )
    return findings


def _equal_groups(village_index: Ints, values: Ints, minimum: int) -> list[tuple[Ints, int]]:
    """Groups of ≥ minimum rows of one village sharing one non-zero value."""
    keep = np.flatnonzero(values != 0)
    return [
        (keep[rows], int(values[keep[rows[0]]]))
        for rows in runs(village_index[keep], values[keep])
        if len(rows) >= minimum
    ]


def _identical_income(data: Data, settings: IntegritySettings) -> list[Finding]:
    frame = data.income
    villages, village_index = codes_index(frame.village_code)
    minimum = settings.identical_income_min_households
    per_capita = _equal_groups(village_index, frame.per_capita, minimum)
    seen = {tuple(rows) for rows, _ in per_capita}
    net = [
        (rows, v)
        for rows, v in _equal_groups(village_index, frame.net, minimum)
        if tuple(rows) not in seen
    ]
    findings = []
    for measure, label, groups in (
        ("per_capita_net_income", "人均纯收入", per_capita),
        ("net_income", "家庭纯收入", net),
    ):
        for rows, value in groups:
            village = str(villages[village_index[rows[0]]])
            ids = [int(h) for h in frame.household_id[rows]]
            amount = fen_to_yuan(value)
            findings.append(
                make_finding(
                    Code.IDENTICAL_INCOME,
                    SubjectKind.VILLAGE,
                    village,
                    village,
                    data.year,
                    Severity.WARNING,
                    {
                        "measure": measure,
                        "amount": amount,
                        "households": len(ids),
                        "household_ids": ids,
                    },
                    minimum,
                    f"{region_label('village', village)}{data.year}年有{len(ids)}户{label}"
                    f"同为{yuan(amount)}（户：{join_ids(ids)}）",
                )
            )
    return findings


def same_day_eliminations(
    eliminations: pa.Table,
    *,
    settings: IntegritySettings,
    year: int,
    assessments: Sequence[date] = (),
) -> list[Finding]:
    """Flag villages with ≥ ``same_day_eliminations_min`` households eliminated on one day.

    Warning when the day is 0–30 days (ASSESSMENT_WINDOW_DAYS) before an assessment date,
    info otherwise. A signal for review, never a verdict.
    """
    return ordered(
        _same_day_eliminations(Data(year=year, eliminations=eliminations), settings, assessments)
    )


def identical_income(
    households: pa.Table, finances: pa.Table, *, settings: IntegritySettings, year: int
) -> list[Finding]:
    """Flag ≥ ``identical_income_min_households`` households of a village with equal income.

    Per-capita net income first; then household net income, for groups not already found
    by per-capita (different sizes, same total). Zero is ignored. A signal for review, never
    a verdict.
    """
    return ordered(
        _identical_income(Data(year=year, households=households, finances=finances), settings)
    )
