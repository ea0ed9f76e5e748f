"""Elimination velocity (DOMAIN.md §11 [D] signal 4; §9.3 the Guizhou rule and 4_11_010).

Risk elimination needs income stable for months and above the monitoring line (DOMAIN.md §5.1).
An elimination in the month of identification or the next, or with income below the line,
is flagged for a person to review — never a verdict: a sudden-difficulty household whose one
bill was paid can recover fast, and a recorded figure can be a typing slip.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from fangpin.codes import table as code_table
from fangpin.integrity.errors import IntegrityError
from fangpin.integrity.frame import Data, day, lookup, months
from fangpin.integrity.model import (
    MONITORING_LINE,
    Code,
    Finding,
    IntegritySettings,
    Severity,
    SubjectKind,
    make_finding,
    ordered,
)
from fangpin.integrity.text import fen_to_yuan, iso, yuan

__all__ = ["eliminated_below_line", "fast_elimination", "mode_label"]


def mode_label(mode: str) -> str:
    modes = code_table("elimination_mode")
    return modes.label(mode) if mode in modes else mode or "方式未填"


def _fast_elimination(data: Data, settings: IntegritySettings) -> list[Finding]:
    e = data.eliminations
    limit = settings.fast_elimination_months
    spans = months(e.eliminated_on) - months(e.identified_on) + 1
    findings = []
    for i in np.flatnonzero(spans <= limit):
        identified, eliminated = day(e.identified_on[i]), day(e.eliminated_on[i])
        mode = str(e.mode[i])
        if eliminated < identified:
            how = "风险消除日期早于识别日期"
        elif spans[i] == 1:
            how = "在识别当月即消除"
        elif spans[i] == 2:
            how = "在识别次月即消除"
        else:
            how = f"识别后第{spans[i] - 1}个月即消除"
        findings.append(
            make_finding(
                Code.FAST_ELIMINATION,
                SubjectKind.HOUSEHOLD,
                e.household_id[i],
                str(e.village_code[i]),
                data.year,
                Severity.WARNING if mode != "natural" else Severity.INFO,
                {
                    "identified_on": iso(identified),
                    "eliminated_on": iso(eliminated),
                    "calendar_months": spans[i],
                    "mode": mode,
                    "decided_by": str(e.decided_by[i]),
                },
                limit,
                f"{iso(identified)}识别为监测对象，{iso(eliminated)}标注风险消除"
                f"（{mode_label(mode)}），{how}（不超过{limit}个自然月）",
            )
        )
    return findings


def _eliminated_below_line(data: Data, settings: IntegritySettings) -> list[Finding]:
    if MONITORING_LINE not in settings.lines:
        raise IntegrityError("lines", "未设置监测线（lines 中缺少 monitoring），无法核对消除时收入")
    line = settings.lines[MONITORING_LINE]
    e = data.eliminations
    figure = e.per_capita_fen.copy()
    source = np.where(e.has_figure, "elimination", "")
    if data.has("households", "finances"):
        pos, found = lookup(data.income.household_id, e.household_id)
        fill = ~e.has_figure & found
        figure[fill] = data.income.per_capita[pos[fill]]
        source[fill] = "finances"
    findings = []
    for i in np.flatnonzero((source != "") & (figure < round(line * 100))):
        amount = fen_to_yuan(figure[i])
        mode = str(e.mode[i])
        basis = (
            "时登记的人均纯收入"
            if source[i] == "elimination"
            else f"，按{data.year}年收支记录人均纯收入"
        )
        findings.append(
            make_finding(
                Code.ELIMINATED_BELOW_LINE,
                SubjectKind.HOUSEHOLD,
                e.household_id[i],
                str(e.village_code[i]),
                data.year,
                Severity.WARNING,
                {
                    "eliminated_on": iso(day(e.eliminated_on[i])),
                    "mode": mode,
                    "per_capita_net_income": amount,
                    "source": str(source[i]),
                    "line_amount": line,
                    "decided_by": str(e.decided_by[i]),
                },
                line,
                f"{iso(day(e.eliminated_on[i]))}标注风险消除（{mode_label(mode)}）{basis}"
                f"{yuan(amount)}，低于监测线{yuan(line)}（差{yuan(line - amount)}）",
            )
        )
    return findings


def fast_elimination(
    eliminations: pa.Table, *, settings: IntegritySettings, year: int
) -> list[Finding]:
    """Flag eliminations in ``year`` spanning ≤ ``fast_elimination_months`` calendar months.

    Calendar months as the Guizhou rule counts them: the month of identification is month 1,
    so with 2 an elimination in that month or the next is flagged (also one dated before its
    identification). Warning for 帮扶消除, info for 自然消除 (a risk can vanish of itself).
    A signal for review, never a verdict.
    """
    return ordered(_fast_elimination(Data(year=year, eliminations=eliminations), settings))


def eliminated_below_line(
    eliminations: pa.Table,
    *,
    settings: IntegritySettings,
    year: int,
    households: pa.Table | None = None,
    finances: pa.Table | None = None,
) -> list[Finding]:
    """Flag eliminations in ``year`` whose per-capita income is below the monitoring line.

    Uses the figure recorded at elimination; where it is missing and finances are given, the
    household's per-capita net income of ``year``. Needs ``lines["monitoring"]``
    (IntegrityError ``lines``). A signal for review, never a verdict.
    """
    data = Data(year=year, eliminations=eliminations, households=households, finances=finances)
    return ordered(_eliminated_below_line(data, settings))
