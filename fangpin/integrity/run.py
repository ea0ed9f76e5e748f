"""Run every detector whose inputs are present; findings sorted, with a per-detector summary."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import pyarrow as pa

from fangpin.integrity.bunching import _bunching, _bunching_density
from fangpin.integrity.deceased import _deceased_counted, _deceased_still_active
from fangpin.integrity.digits import _benford, _digit_preference
from fangpin.integrity.frame import Data
from fangpin.integrity.model import (
    CODE_ZH,
    MONITORING_LINE,
    Code,
    Finding,
    IntegritySettings,
    findings_table,
)
from fangpin.integrity.notes import _copied_notes
from fangpin.integrity.paper import _paper_post_wage, _paper_production, _paper_wage
from fangpin.integrity.quota import _round_quota
from fangpin.integrity.simultaneity import _identical_income, _same_day_eliminations
from fangpin.integrity.transfers import _one_off_transfer_exit, _transfer_dependence
from fangpin.integrity.velocity import _eliminated_below_line, _fast_elimination

__all__ = ["DETECTORS", "Detector", "DetectorSummary", "IntegrityReport", "run_all"]

_Run = Callable[[Data, IntegritySettings, Sequence[date]], list[Finding]]


@dataclass(frozen=True, slots=True)
class Detector:
    code: Code
    inputs: tuple[str, ...]  # tables it needs (any one of ``alternatives`` also suffices)
    run: _Run
    needs_line: str = ""  # "" none, "any" some line, or the key of one line
    alternatives: tuple[tuple[str, ...], ...] = ()


def _plain(fn: Callable[[Data, IntegritySettings], list[Finding]]) -> _Run:
    return lambda data, settings, _assessments: fn(data, settings)


_INCOME = ("households", "finances")

DETECTORS: tuple[Detector, ...] = (
    Detector(Code.BUNCHING, _INCOME, _plain(_bunching), needs_line="any"),
    Detector(Code.BUNCHING_DENSITY, _INCOME, _plain(_bunching_density), needs_line="any"),
    Detector(Code.TRANSFER_DEPENDENCE, _INCOME, _plain(_transfer_dependence)),
    Detector(Code.ONE_OFF_TRANSFER_EXIT, _INCOME, _plain(_one_off_transfer_exit), needs_line="any"),
    Detector(Code.PAPER_WAGE, (*_INCOME, "persons"), _plain(_paper_wage)),
    Detector(Code.PAPER_PRODUCTION, (*_INCOME, "persons"), _plain(_paper_production)),
    Detector(Code.PAPER_POST_WAGE, (*_INCOME, "posts"), _plain(_paper_post_wage)),
    Detector(Code.FAST_ELIMINATION, ("eliminations",), _plain(_fast_elimination)),
    Detector(
        Code.ELIMINATED_BELOW_LINE,
        ("eliminations",),
        _plain(_eliminated_below_line),
        needs_line=MONITORING_LINE,
    ),
    Detector(Code.SAME_DAY_ELIMINATIONS, ("eliminations",), _same_day_eliminations),
    Detector(Code.IDENTICAL_INCOME, _INCOME, _plain(_identical_income)),
    Detector(
        Code.DIGIT_PREFERENCE,
        _INCOME,
        _plain(_digit_preference),
        alternatives=(("eliminations",),),
    ),
    Detector(Code.BENFORD, _INCOME, _plain(_benford)),
    Detector(Code.COPIED_NOTES, ("visits",), _plain(_copied_notes)),
    Detector(Code.DECEASED_COUNTED, (*_INCOME, "persons"), _plain(_deceased_counted)),
    Detector(Code.DECEASED_STILL_ACTIVE, ("households", "persons"), _plain(_deceased_still_active)),
    Detector(Code.ROUND_QUOTA, ("households", "monitorings"), _plain(_round_quota)),
)


@dataclass(frozen=True, slots=True)
class DetectorSummary:
    """Whether a detector ran, how many findings it made, or why it was skipped (Chinese)."""

    code: str
    title: str
    ran: bool
    findings: int
    note: str


@dataclass(frozen=True, slots=True)
class IntegrityReport:
    year: int
    findings: tuple[Finding, ...]
    summary: tuple[DetectorSummary, ...]

    def table(self) -> pa.Table:
        return findings_table(self.findings)


def _skip_reason(detector: Detector, data: Data, settings: IntegritySettings) -> str:
    options = (detector.inputs, *detector.alternatives)
    if not any(data.has(*option) for option in options):
        return f"缺少输入表：{'、'.join(data.missing(*detector.inputs))}"
    if detector.needs_line == "any" and not settings.lines:
        return "未设置收入线（lines）"
    key = detector.needs_line
    if key not in ("", "any") and key not in settings.lines:
        return f"未设置{settings.line_label(key)}（lines 中缺少 {key}）"
    return ""


def run_all(
    *,
    settings: IntegritySettings,
    year: int,
    households: pa.Table | None = None,
    persons: pa.Table | None = None,
    finances: pa.Table | None = None,
    monitorings: pa.Table | None = None,
    eliminations: pa.Table | None = None,
    visits: pa.Table | None = None,
    posts: pa.Table | None = None,
    assessments: Sequence[date] = (),
) -> IntegrityReport:
    """Run every detector whose input tables (and income lines) are given, for ``year``.

    Tables are validated once (IntegrityError on the first bad one) and the shared figures
    are computed once. Findings come sorted by code, region, subject kind and subject, so
    the same input in any row order gives the same report. Every finding is a signal for a
    person to review, never a verdict.
    """
    data = Data(
        year=year,
        households=households,
        persons=persons,
        finances=finances,
        monitorings=monitorings,
        eliminations=eliminations,
        visits=visits,
        posts=posts,
    )
    findings: list[Finding] = []
    summary = []
    for detector in DETECTORS:
        reason = _skip_reason(detector, data, settings)
        found = [] if reason else detector.run(data, settings, tuple(assessments))
        findings.extend(found)
        summary.append(
            DetectorSummary(
                code=detector.code.value,
                title=CODE_ZH[detector.code],
                ran=not reason,
                findings=len(found),
                note=reason,
            )
        )
    findings.sort(key=Finding.sort_key)
    return IntegrityReport(year=year, findings=tuple(findings), summary=tuple(summary))
