"""What the detectors read (IntegritySettings) and what they produce (Finding, FINDINGS_SCHEMA).

A finding is a signal for a person to review, never a verdict (DOMAIN.md §11 [D]): it names the
detector, the subject (a household, a region or a cadre), the figures it saw as JSON, the
threshold it used and a plain-Chinese explanation with those figures.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

import numpy as np
import pyarrow as pa

from fangpin.integrity.errors import IntegrityError

__all__ = [
    "CODE_ZH",
    "FINDINGS_SCHEMA",
    "FINDINGS_VERSION",
    "LINE_ZH",
    "MONITORING_LINE",
    "Code",
    "Finding",
    "IntegritySettings",
    "Severity",
    "SubjectKind",
    "findings_table",
    "make_finding",
    "ordered",
]

FINDINGS_VERSION = "1"


class Code(StrEnum):
    """Stable detector codes: the findings table and the app key on them."""

    BUNCHING = "BUNCHING"
    BUNCHING_DENSITY = "BUNCHING_DENSITY"
    TRANSFER_DEPENDENCE = "TRANSFER_DEPENDENCE"
    ONE_OFF_TRANSFER_EXIT = "ONE_OFF_TRANSFER_EXIT"
    PAPER_WAGE = "PAPER_WAGE"
    PAPER_PRODUCTION = "PAPER_PRODUCTION"
    PAPER_POST_WAGE = "PAPER_POST_WAGE"
    FAST_ELIMINATION = "FAST_ELIMINATION"
    ELIMINATED_BELOW_LINE = "ELIMINATED_BELOW_LINE"
    SAME_DAY_ELIMINATIONS = "SAME_DAY_ELIMINATIONS"
    IDENTICAL_INCOME = "IDENTICAL_INCOME"
    DIGIT_PREFERENCE = "DIGIT_PREFERENCE"
    BENFORD = "BENFORD"
    COPIED_NOTES = "COPIED_NOTES"
    DECEASED_COUNTED = "DECEASED_COUNTED"
    DECEASED_STILL_ACTIVE = "DECEASED_STILL_ACTIVE"
    ROUND_QUOTA = "ROUND_QUOTA"


CODE_ZH: Mapping[Code, str] = MappingProxyType(
    {
        Code.BUNCHING: "收入刚过线",
        Code.BUNCHING_DENSITY: "线上户数异常聚集",
        Code.TRANSFER_DEPENDENCE: "收入依赖转移性收入",
        Code.ONE_OFF_TRANSFER_EXIT: "靠一次性转移收入过线",
        Code.PAPER_WAGE: "工资性收入无务工依据",
        Code.PAPER_PRODUCTION: "生产经营性收入无劳动力",
        Code.PAPER_POST_WAGE: "公益岗位工资无岗位记录",
        Code.FAST_ELIMINATION: "识别后过快消除风险",
        Code.ELIMINATED_BELOW_LINE: "收入低于监测线却消除风险",
        Code.SAME_DAY_ELIMINATIONS: "同日集中消除风险",
        Code.IDENTICAL_INCOME: "多户收入完全相同",
        Code.DIGIT_PREFERENCE: "金额个位数偏好",
        Code.BENFORD: "首位数字不符合本福特定律",
        Code.COPIED_NOTES: "走访记录雷同",
        Code.DECEASED_COUNTED: "已故成员仍计入家庭人口",
        Code.DECEASED_STILL_ACTIVE: "有死亡日期仍为在册",
        Code.ROUND_QUOTA: "监测对象占比恰为整数比例",
    }
)


class SubjectKind(StrEnum):
    HOUSEHOLD = "household"
    VILLAGE = "village"
    TOWNSHIP = "township"
    COUNTY = "county"
    CADRE = "cadre"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"


#: The key of ``IntegritySettings.lines`` that elimination is checked against (DOMAIN.md §5.1).
MONITORING_LINE = "monitoring"

#: Chinese names of the usual line keys; any other key is shown as written.
LINE_ZH: Mapping[str, str] = MappingProxyType({"poverty": "贫困线", MONITORING_LINE: "监测线"})


@dataclass(frozen=True, slots=True)
class IntegritySettings:
    """Thresholds of the detectors; the app fills them from the policy edition's [integrity].

    ``lines`` maps a line key to its yuan per person per year for the year screened, e.g.
    ``{"poverty": 4000, "monitoring": 7100}``; detectors that need a line skip without one.
    """

    bunching_band_share: float = 0.05
    bunching_min_households: int = 30
    transfer_share_max: float = 0.5
    fast_elimination_months: int = 2
    same_day_eliminations_min: int = 5
    identical_income_min_households: int = 3
    quota_shares: tuple[float, ...] = (0.05, 0.10)
    quota_tolerance: float = 0.002
    benford_min_records: int = 50
    copied_note_similarity: float = 0.9
    lines: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        lines = {str(k): float(v) for k, v in self.lines.items()}
        object.__setattr__(self, "lines", MappingProxyType(lines))
        object.__setattr__(self, "quota_shares", tuple(self.quota_shares))
        checks: list[tuple[bool, str]] = [
            (0 < self.bunching_band_share < 1, "bunching_band_share 应在 0 与 1 之间"),
            (self.bunching_min_households >= 1, "bunching_min_households 应至少为 1"),
            (0 < self.transfer_share_max <= 1, "transfer_share_max 应在 0 与 1 之间"),
            (self.fast_elimination_months >= 1, "fast_elimination_months 应至少为 1"),
            (self.same_day_eliminations_min >= 2, "same_day_eliminations_min 应至少为 2"),
            (
                self.identical_income_min_households >= 2,
                "identical_income_min_households 应至少为 2",
            ),
            (all(0 < s < 1 for s in self.quota_shares), "quota_shares 每项应在 0 与 1 之间"),
            (0 <= self.quota_tolerance < 1, "quota_tolerance 应在 0 与 1 之间"),
            (self.benford_min_records >= 10, "benford_min_records 应至少为 10"),
            (0 < self.copied_note_similarity <= 1, "copied_note_similarity 应在 0 与 1 之间"),
            (
                all(math.isfinite(v) and v > 0 for v in self.lines.values()),
                "lines 的每条收入线应为正数",
            ),
        ]
        for ok, message in checks:
            if not ok:
                raise IntegrityError("settings", f"核查参数不对：{message}")

    def line_label(self, key: str) -> str:
        return LINE_ZH.get(key, key)


@dataclass(frozen=True, slots=True)
class Finding:
    """One signal for review. ``observed`` is JSON text (sorted keys), so a finding is hashable.

    ``threshold`` is the single figure the rule compared against (None when the rule is a
    plain contradiction, such as a death date on an active member).
    """

    code: str
    subject_kind: str
    subject_id: str
    region_code: str
    year: int
    severity: str
    observed: str
    threshold: float | None
    explanation: str

    def figures(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.observed)
        return result

    def sort_key(self) -> tuple[Any, ...]:
        subject = (
            (0, int(self.subject_id), "") if self.subject_id.isdigit() else (1, 0, self.subject_id)
        )
        return (self.code, self.region_code, self.subject_kind, subject, self.observed)


def _plain(value: Any) -> Any:
    """numpy scalars and tuples made JSON-able; floats rounded so equal runs print equal."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return round(float(value), 6)
    return value


def make_finding(
    code: Code,
    kind: SubjectKind,
    subject_id: object,
    region_code: str,
    year: int,
    severity: Severity,
    observed: Mapping[str, Any],
    threshold: float | None,
    explanation: str,
) -> Finding:
    text = json.dumps(
        _plain(observed), ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )
    return Finding(
        code=code.value,
        subject_kind=kind.value,
        subject_id=str(subject_id),
        region_code=region_code,
        year=year,
        severity=severity.value,
        observed=text,
        threshold=None if threshold is None else float(threshold),
        explanation=explanation,
    )


FINDINGS_SCHEMA = pa.schema(
    [
        pa.field("code", pa.string(), nullable=False),
        pa.field("subject_kind", pa.string(), nullable=False),
        pa.field("subject_id", pa.string(), nullable=False),
        pa.field("region_code", pa.string(), nullable=False),  # "" when a cadre spans counties
        pa.field("year", pa.int16(), nullable=False),
        pa.field("severity", pa.string(), nullable=False),
        pa.field("observed", pa.string(), nullable=False),  # JSON object, sorted keys
        pa.field("threshold", pa.float64(), nullable=True),
        pa.field("explanation", pa.string(), nullable=False),
    ],
    metadata={"table": "integrity_findings", "findings_version": FINDINGS_VERSION},
)


def ordered(findings: list[Finding]) -> list[Finding]:
    """Findings in the one deterministic order: code, region, subject kind, subject."""
    return sorted(findings, key=Finding.sort_key)


def findings_table(findings: list[Finding] | tuple[Finding, ...]) -> pa.Table:
    """The findings as an Arrow table of FINDINGS_SCHEMA, in the order given."""
    columns = {name: [getattr(f, name) for f in findings] for name in FINDINGS_SCHEMA.names}
    return pa.Table.from_pydict(columns, schema=FINDINGS_SCHEMA)
