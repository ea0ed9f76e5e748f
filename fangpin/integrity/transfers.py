"""Transfer dependence and exit on one-off transfers (DOMAIN.md §11 [D] signal 2, 算账脱贫).

A household above a line mostly on transfers, or only thanks to a one-off payment (disaster
relief, anti-poverty insurance), has not left risk "stably" (DOMAIN.md §5.1, §11). Signals for
a person to review, never verdicts: a pensioner household lives on transfers by design.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from fangpin.income import COMPONENTS, Category
from fangpin.integrity.frame import ONE_OFF_FIELDS, Data
from fangpin.integrity.model import (
    Code,
    Finding,
    IntegritySettings,
    Severity,
    SubjectKind,
    make_finding,
    ordered,
)
from fangpin.integrity.text import fen_to_yuan, percent, yuan

__all__ = ["one_off_transfer_exit", "transfer_dependence"]

_ZH = {c.field: c.zh for c in COMPONENTS}


def _transfer_dependence(data: Data, settings: IntegritySettings) -> list[Finding]:
    frame = data.income
    transfer = frame.category[Category.TRANSFER]
    limit = settings.transfer_share_max
    # share > limit without dividing: transfer > limit × net, with net > 0.
    hits = (frame.net > 0) & (transfer > limit * frame.net)
    if settings.lines:
        hits &= frame.per_capita >= round(max(settings.lines.values()) * 100)
    findings = []
    for i in np.flatnonzero(hits):
        share = transfer[i] / frame.net[i]
        findings.append(
            make_finding(
                Code.TRANSFER_DEPENDENCE,
                SubjectKind.HOUSEHOLD,
                frame.household_id[i],
                str(frame.village_code[i]),
                data.year,
                Severity.INFO,
                {
                    "transfer_income": fen_to_yuan(transfer[i]),
                    "net_income": fen_to_yuan(frame.net[i]),
                    "transfer_share": share,
                    "per_capita_net_income": fen_to_yuan(frame.per_capita[i]),
                },
                limit,
                f"{data.year}年转移性收入{yuan(fen_to_yuan(transfer[i]))}"
                f"占家庭纯收入{yuan(fen_to_yuan(frame.net[i]))}的{percent(share)}"
                f"（超过{percent(limit, 0)}），人均纯收入{yuan(fen_to_yuan(frame.per_capita[i]))}",
            )
        )
    return findings


def _one_off_transfer_exit(data: Data, settings: IntegritySettings) -> list[Finding]:
    frame = data.income
    without = frame.per_capita_of(frame.net - frame.one_off)
    findings = []
    for i in np.flatnonzero(frame.one_off > 0):
        crossed = sorted(
            (line, key)
            for key, line in settings.lines.items()
            if frame.per_capita[i] >= round(line * 100) > without[i]
        )
        if not crossed:
            continue
        line, key = crossed[-1]
        label = settings.line_label(key)
        items = [
            (name, fen_to_yuan(frame.component[name][i]))
            for name in ONE_OFF_FIELDS
            if frame.component[name][i] > 0
        ]
        pc, rest = fen_to_yuan(frame.per_capita[i]), fen_to_yuan(without[i])
        findings.append(
            make_finding(
                Code.ONE_OFF_TRANSFER_EXIT,
                SubjectKind.HOUSEHOLD,
                frame.household_id[i],
                str(frame.village_code[i]),
                data.year,
                Severity.WARNING,
                {
                    "line": key,
                    "line_amount": line,
                    "lines_crossed": sorted(k for _, k in crossed),
                    "per_capita_net_income": pc,
                    "per_capita_without_one_off": rest,
                    "one_off": dict(items),
                    "household_size": frame.size[i],
                },
                line,
                f"{data.year}年人均纯收入{yuan(pc)}，不低于{label}{yuan(line)}；"
                f"其中一次性转移收入"
                f"{'、'.join(f'{_ZH[name]}{yuan(amount)}' for name, amount in items)}，"
                f"扣除后人均仅{yuan(rest)}，低于{label}",
            )
        )
    return findings


def transfer_dependence(
    households: pa.Table, finances: pa.Table, *, settings: IntegritySettings, year: int
) -> list[Finding]:
    """Flag households whose transfer income exceeds ``transfer_share_max`` of net income.

    Only households at or above the highest configured line (usually the monitoring line; all
    households when no line is set): below it, transfers are assistance doing its job, not an
    exit on paper. A signal for review, never a verdict: elderly and disabled households
    rightly live on pensions and allowances.
    """
    return ordered(
        _transfer_dependence(Data(year=year, households=households, finances=finances), settings)
    )


def one_off_transfer_exit(
    households: pa.Table, finances: pa.Table, *, settings: IntegritySettings, year: int
) -> list[Finding]:
    """Flag households at or above a line only thanks to one-off transfers.

    One-off: disaster relief and anti-poverty insurance payouts (ONE_OFF_FIELDS; there is no
    donations field). One finding per household, naming the highest line crossed. A signal for
    review, never a verdict: the payment may recur, or other income may have been omitted.
    """
    return ordered(
        _one_off_transfer_exit(Data(year=year, households=households, finances=finances), settings)
    )
