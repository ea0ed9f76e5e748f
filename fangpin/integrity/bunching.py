"""Bunching just above a line (DOMAIN.md §11 [D] signal 1, 算账脱贫).

Two views of the same smell: households whose per-capita net income sits just above a line,
and regions where more households sit just above than the density just below predicts. Both
are signals for a person to review, never a verdict: incomes near a line are common and
honest (a line is set near where many households are), and a worksheet may be right.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from fangpin.integrity.frame import Data, IncomeFrame, Ints, groups, region_codes
from fangpin.integrity.model import (
    Code,
    Finding,
    IntegritySettings,
    Severity,
    SubjectKind,
    make_finding,
    ordered,
)
from fangpin.integrity.stats import density_test
from fangpin.integrity.text import LEVEL_ZH, fen_to_yuan, p_value, percent, region_label, yuan

__all__ = [
    "DENSITY_ALPHA",
    "DENSITY_BINS_PER_BAND",
    "DENSITY_BINS_PER_SIDE",
    "bunching",
    "bunching_density",
]

#: A region is flagged when the one-sided p-value of the density jump is below this.
DENSITY_ALPHA = 0.01
#: Histogram bins per bunching band (bin width = line × band ÷ 4, e.g. 88.75 yuan at 7,100 and
#: 5%), and bins on each side of the line (bandwidth = 16 bins = 4 bands = 20% of the line).
DENSITY_BINS_PER_BAND = 4
DENSITY_BINS_PER_SIDE = 16


def _band(line: float, settings: IntegritySettings) -> tuple[int, int]:
    """The band [line, line × (1 + share)) in fen."""
    low = round(line * 100)
    return low, round(line * (1 + settings.bunching_band_share) * 100)


def _bunching(data: Data, settings: IntegritySettings) -> list[Finding]:
    frame = data.income
    band = settings.bunching_band_share
    findings = []
    for key, line in sorted(settings.lines.items()):
        low, high = _band(line, settings)
        hits = np.flatnonzero((frame.per_capita >= low) & (frame.per_capita < high))
        label = settings.line_label(key)
        for i in hits:
            pc = fen_to_yuan(frame.per_capita[i])
            above = (frame.per_capita[i] - low) / low
            where = (
                f"恰好等于{label}{yuan(line)}（在{percent(band, 0)}以内）"
                if frame.per_capita[i] == low
                else f"仅高于{label}{yuan(line)}{percent(above)}（在{percent(band, 0)}以内）"
            )
            findings.append(
                make_finding(
                    Code.BUNCHING,
                    SubjectKind.HOUSEHOLD,
                    frame.household_id[i],
                    str(frame.village_code[i]),
                    data.year,
                    Severity.INFO,
                    {
                        "line": key,
                        "line_amount": line,
                        "per_capita_net_income": pc,
                        "share_above": above,
                        "household_size": frame.size[i],
                        "net_income": fen_to_yuan(frame.net[i]),
                    },
                    band,
                    f"{data.year}年人均纯收入{yuan(pc)}，{where}",
                )
            )
    return findings


def _regions(frame: IncomeFrame) -> Iterator[tuple[str, str, Ints]]:
    """(level, code, row indices) of every county, then every township, in code order."""
    for level in ("county", "township"):
        for code, rows in groups(region_codes(frame.village_code, level)):
            yield level, code, rows


def _bunching_density(data: Data, settings: IntegritySettings) -> list[Finding]:
    frame = data.income
    band = settings.bunching_band_share
    findings = []
    for key, line in sorted(settings.lines.items()):
        low, high = _band(line, settings)
        below = round(line * (1 - band) * 100)
        width = max(1, round(line * band * 100 / DENSITY_BINS_PER_BAND))
        label = settings.line_label(key)
        for level, code, rows in _regions(frame):
            if len(rows) < settings.bunching_min_households:
                continue
            values = frame.per_capita[rows]
            result = density_test(values, low, bin_width=width, bins_per_side=DENSITY_BINS_PER_SIDE)
            if result is None or result.p >= DENSITY_ALPHA:
                continue
            n_below = int(np.count_nonzero((values >= below) & (values < low)))
            n_above = int(np.count_nonzero((values >= low) & (values < high)))
            ratio = float(np.exp(result.theta))
            findings.append(
                make_finding(
                    Code.BUNCHING_DENSITY,
                    SubjectKind(level),
                    code,
                    code,
                    data.year,
                    Severity.WARNING,
                    {
                        "line": key,
                        "line_amount": line,
                        "households": len(rows),
                        "count_below": n_below,
                        "count_above": n_above,
                        "band_share": band,
                        "theta": result.theta,
                        "se": result.se,
                        "z": result.z,
                        "p": result.p,
                        "bin_width": result.bin_width,
                        "bandwidth": result.bandwidth,
                    },
                    DENSITY_ALPHA,
                    f"{region_label(level, code)}{data.year}年有收入记录的{len(rows)}户中，"
                    f"人均纯收入在{label}{yuan(line)}以下{percent(band, 0)}"
                    f"（{yuan(below / 100)}–{yuan(line)}）的有{n_below}户，"
                    f"以上{percent(band, 0)}（{yuan(line)}–{yuan(high / 100)}）的有{n_above}户；"
                    f"线上密度约为线下的{ratio:.1f}倍（McCrary密度检验 z={result.z:.2f}，"
                    f"{p_value(result.p)}，显著性水平{DENSITY_ALPHA}），"
                    f"户数在{LEVEL_ZH[level]}内向线上聚集",
                )
            )
    return findings


def bunching(
    households: pa.Table, finances: pa.Table, *, settings: IntegritySettings, year: int
) -> list[Finding]:
    """Flag households whose per-capita net income is in [line, line × (1 + band)).

    One finding per household and line (the bands of distinct lines rarely overlap). Uses the
    reported per-capita net income, not the edition's effective income, because that is the
    figure a worksheet is made to add up to. A signal for review, never a verdict.
    """
    return ordered(_bunching(Data(year=year, households=households, finances=finances), settings))


def bunching_density(
    households: pa.Table, finances: pa.Table, *, settings: IntegritySettings, year: int
) -> list[Finding]:
    """Flag counties and townships whose income density jumps up at a line (McCrary 2008).

    Only regions with at least ``bunching_min_households`` households with a finance record
    are tested; a region is flagged when the excess above the line is significant at
    DENSITY_ALPHA (one-sided). A signal for review, never a verdict: a local wage, pension or
    subsidy level just above a line also makes a bump.
    """
    return ordered(
        _bunching_density(Data(year=year, households=households, finances=finances), settings)
    )
