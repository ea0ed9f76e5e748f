"""Digit preference and Benford's law (DOMAIN.md §11 [D] signals 1 and 5: fabricated figures).

Measured money amounts end in any digit about equally often, and amounts spanning several
orders of magnitude start with 1 about 30% of the time (Benford). Figures written to fit a
worksheet tend to end in 0 or 5 and to start with the digits people like. Both tests run on
the year's non-zero income component amounts per village and, for the last digit, on the
per-capita incomes recorded at elimination per deciding cadre.

Signals for a person to review, never verdicts: policy amounts (低保, pensions, post wages)
are set in round yuan, and a village's amounts may not span the magnitudes Benford needs.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from fangpin.income import COMPONENTS
from fangpin.integrity.frame import Data, Ints, codes_index
from fangpin.integrity.model import (
    Code,
    Finding,
    IntegritySettings,
    Severity,
    SubjectKind,
    make_finding,
    ordered,
)
from fangpin.integrity.stats import (
    BAND_ZH,
    BENFORD_BANDS,
    BENFORD_EXPECTED,
    benford_first_digit,
    first_digits,
    last_digit_test,
)
from fangpin.integrity.text import common_region, p_value, percent, region_label

__all__ = ["DIGIT_ALPHA", "LAST_DIGIT_MIN_YUAN", "benford", "digit_preference"]

#: A group is flagged when the chi-square p-value of its last digits is below this.
DIGIT_ALPHA = 0.01
#: Amounts below 10 yuan have no separate last digit (it is also the first): left out.
LAST_DIGIT_MIN_YUAN = 10

_FLAG_BANDS = {"marginal": BENFORD_BANDS[1][0], "nonconformity": BENFORD_BANDS[2][0]}


def _amounts(data: Data) -> tuple[np.ndarray, Ints, Ints]:
    """Village names, and each non-zero component amount (fen) with its village index."""
    frame = data.income
    villages, village_index = codes_index(frame.village_code)
    if len(frame) == 0:
        return villages, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    amounts = np.concatenate([frame.component[c.field] for c in COMPONENTS])
    owners = np.tile(village_index, len(COMPONENTS))
    keep = amounts > 0
    return villages, owners[keep], amounts[keep]


def _digit_finding(
    data: Data,
    kind: SubjectKind,
    subject: str,
    region: str,
    what: str,
    counts: np.ndarray,
) -> Finding | None:
    result = last_digit_test([int(c) for c in counts])
    if result.p >= DIGIT_ALPHA:
        return None
    top = int(np.argmax(counts))
    share = counts[top] / result.n
    return make_finding(
        Code.DIGIT_PREFERENCE,
        kind,
        subject,
        region,
        data.year,
        Severity.INFO,
        {
            "digit_counts": list(result.counts),
            "records": result.n,
            "chi2": result.chi2,
            "df": result.df,
            "p": result.p,
            "top_digit": top,
            "top_share": share,
        },
        DIGIT_ALPHA,
        f"{what}共{result.n}笔，个位数分布明显不均：数字{top}占{percent(share)}"
        f"（均匀分布应各占10%），卡方={result.chi2:.2f}（自由度{result.df}），"
        f"{p_value(result.p)}",
    )


def _digit_preference(data: Data, settings: IntegritySettings) -> list[Finding]:
    findings: list[Finding] = []
    minimum = settings.benford_min_records
    if data.has("households", "finances"):
        villages, owners, amounts = _amounts(data)
        keep = amounts >= LAST_DIGIT_MIN_YUAN * 100
        digits = (amounts[keep] // 100) % 10
        table = np.bincount(owners[keep] * 10 + digits, minlength=len(villages) * 10).reshape(
            len(villages), 10
        )
        for v, counts in enumerate(table):
            if counts.sum() < minimum:
                continue
            village = str(villages[v])
            what = f"{region_label('village', village)}{data.year}年收入明细金额"
            found = _digit_finding(data, SubjectKind.VILLAGE, village, village, what, counts)
            if found:
                findings.append(found)
    if data.has("eliminations"):
        e = data.eliminations
        usable = e.has_figure & (e.per_capita_fen >= LAST_DIGIT_MIN_YUAN * 100)
        usable &= np.array([bool(str(d).strip()) for d in e.decided_by], dtype=bool)
        cadres, cadre_index = codes_index(e.decided_by[usable])
        digits = (e.per_capita_fen[usable] // 100) % 10
        table = np.bincount(cadre_index * 10 + digits, minlength=len(cadres) * 10).reshape(
            len(cadres), 10
        )
        villages = e.village_code[usable]
        for c, counts in enumerate(table):
            if counts.sum() < minimum:
                continue
            cadre = str(cadres[c])
            region = common_region(str(v) for v in villages[cadre_index == c])
            what = f"“{cadre}”{data.year}年标注风险消除时登记的人均纯收入"
            found = _digit_finding(data, SubjectKind.CADRE, cadre, region, what, counts)
            if found:
                findings.append(found)
    return findings


def _benford(data: Data, settings: IntegritySettings) -> list[Finding]:
    villages, owners, amounts = _amounts(data)
    digits = first_digits(amounts)
    table = np.bincount(owners * 9 + digits - 1, minlength=len(villages) * 9).reshape(
        len(villages), 9
    )
    findings = []
    for v, counts in enumerate(table):
        if counts.sum() < settings.benford_min_records:
            continue
        result = benford_first_digit([int(c) for c in counts])
        if result.band not in _FLAG_BANDS or result.p >= DIGIT_ALPHA:
            continue
        shares = counts / result.n
        worst = int(np.argmax(np.abs(shares - np.array(BENFORD_EXPECTED))))
        village = str(villages[v])
        bound = _FLAG_BANDS[result.band]
        findings.append(
            make_finding(
                Code.BENFORD,
                SubjectKind.VILLAGE,
                village,
                village,
                data.year,
                Severity.WARNING if result.band == "nonconformity" else Severity.INFO,
                {
                    "digit_counts": list(result.counts),
                    "records": result.n,
                    "mad": result.mad,
                    "band": result.band,
                    "chi2": result.chi2,
                    "p": result.p,
                },
                bound,
                f"{region_label('village', village)}{data.year}年收入明细金额共{result.n}笔，"
                f"首位数字分布偏离本福特定律（Nigrini判定：{BAND_ZH[result.band]}）："
                f"平均绝对偏差MAD={result.mad:.4f}（>{bound}），卡方={result.chi2:.2f}"
                f"（自由度8，{p_value(result.p)}）；偏离最大的是数字{worst + 1}，"
                f"占{percent(shares[worst])}（本福特定律应为{percent(BENFORD_EXPECTED[worst])}）",
            )
        )
    return findings


def digit_preference(
    *,
    settings: IntegritySettings,
    year: int,
    households: pa.Table | None = None,
    finances: pa.Table | None = None,
    eliminations: pa.Table | None = None,
) -> list[Finding]:
    """Flag villages and cadres whose amounts' last digits are not uniform (χ², df 9).

    Villages: the year's non-zero income component amounts of ≥ 10 yuan (needs households and
    finances). Cadres: the per-capita incomes recorded at the eliminations each ``decided_by``
    made in the year. Only groups with ≥ ``benford_min_records`` amounts; flagged at
    p < DIGIT_ALPHA. A signal for review, never a verdict.
    """
    data = Data(year=year, households=households, finances=finances, eliminations=eliminations)
    return ordered(_digit_preference(data, settings))


def benford(
    households: pa.Table, finances: pa.Table, *, settings: IntegritySettings, year: int
) -> list[Finding]:
    """Flag villages whose income amounts' first digits stray from Benford's law.

    Nigrini's first-digit MAD: above 0.012 (marginally acceptable) is info, above 0.015
    (nonconformity) a warning — and only when the chi-square test (df 8) also rejects
    Benford at p < DIGIT_ALPHA, since small samples have a large MAD by chance. Only villages
    with ≥ ``benford_min_records`` amounts. A signal for review, never a verdict.
    """
    return ordered(_benford(Data(year=year, households=households, finances=finances), settings))
