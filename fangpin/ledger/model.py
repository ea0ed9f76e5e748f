"""The problem record of the rectification ledger (问题台账, DOMAIN.md §8.3) as immutable values.

A :class:`Problem` is what was found, where, about which household, who must fix it by when,
and where it stands; its :attr:`Problem.history` is insert-only (one :class:`Entry` per
decision). Codes are words; their Chinese names are in the ``*_ZH`` tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Final

__all__ = [
    "DIMENSION_ZH",
    "SOURCE_ZH",
    "STATUS_ZH",
    "Dimension",
    "Entry",
    "Problem",
    "Source",
    "Status",
]


class Source(StrEnum):
    """Where a problem was found (问题来源)."""

    INSPECTION = "inspection"  # 巡视
    ASSESSMENT = "assessment"  # 考核 (成效考核, 省际交叉考核)
    EVALUATION = "evaluation"  # 第三方评估
    UNANNOUNCED_VISIT = "unannounced_visit"  # 暗访
    SUPERVISION = "supervision"  # 督战 (挂牌督战)
    SELF_CHECK = "self_check"  # 自查
    COMPLAINT = "complaint"  # 群众举报 (12317 …)
    DATA_COMPARISON = "data_comparison"  # 数据比对 (部门数据、筛查预警)


class Dimension(StrEnum):
    """What the problem is about (问题类别)."""

    INCOME = "income"  # 收入
    EDUCATION = "education"  # 义务教育
    MEDICAL = "medical"  # 医疗
    HOUSING = "housing"  # 住房
    WATER = "water"  # 饮水
    MEASURES = "measures"  # 帮扶措施
    PROCEDURE = "procedure"  # 程序
    FILES = "files"  # 档案
    FUNDS = "funds"  # 资金
    CONDUCT = "conduct"  # 作风


class Status(StrEnum):
    """Where a problem stands (整改状态)."""

    OPEN = "open"  # 待整改
    IN_PROGRESS = "in_progress"  # 整改中
    FIXED = "fixed"  # 已整改待核
    CLOSED = "closed"  # 已销号
    RETURNED = "returned"  # 退回 (the check found it not fixed)


SOURCE_ZH: Final[dict[Source, str]] = {
    Source.INSPECTION: "巡视",
    Source.ASSESSMENT: "考核",
    Source.EVALUATION: "第三方评估",
    Source.UNANNOUNCED_VISIT: "暗访",
    Source.SUPERVISION: "督战",
    Source.SELF_CHECK: "自查",
    Source.COMPLAINT: "群众举报",
    Source.DATA_COMPARISON: "数据比对",
}
DIMENSION_ZH: Final[dict[Dimension, str]] = {
    Dimension.INCOME: "收入",
    Dimension.EDUCATION: "义务教育",
    Dimension.MEDICAL: "医疗",
    Dimension.HOUSING: "住房",
    Dimension.WATER: "饮水",
    Dimension.MEASURES: "帮扶措施",
    Dimension.PROCEDURE: "程序",
    Dimension.FILES: "档案",
    Dimension.FUNDS: "资金",
    Dimension.CONDUCT: "作风",
}
STATUS_ZH: Final[dict[Status, str]] = {
    Status.OPEN: "待整改",
    Status.IN_PROGRESS: "整改中",
    Status.FIXED: "已整改待核",
    Status.CLOSED: "已销号",
    Status.RETURNED: "退回",
}


@dataclass(frozen=True, slots=True)
class Entry:
    """One decision in a problem's history: who, when, from which status to which, and what
    they wrote (the fix, the evidence, the reason of a return, the verifier's check)."""

    action: str
    actor: str
    on: date
    from_status: Status
    to_status: Status
    note: str = ""
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem of the ledger, as of its last decision.

    ``region_code`` is the 12-digit code of where it was found (down to the village);
    ``household_ids`` and ``person_ids`` link it to the registry when it concerns them.
    ``fixed_by`` is who reported it fixed last: the verifier who closes it must be someone
    else (对账销号). ``closure_evidence`` is the evidence the fix was reported with.
    """

    source: Source
    source_batch: str
    found_on: date
    region_code: str
    dimension: Dimension
    description: str
    lead_unit: str
    deadline: date
    responsible_units: tuple[str, ...] = ()
    responsible_person: str = ""
    measures: str = ""
    evidence: tuple[str, ...] = ()
    household_ids: tuple[int, ...] = ()
    person_ids: tuple[int, ...] = ()
    status: Status = Status.OPEN
    fixed_by: str = ""
    closure_evidence: tuple[str, ...] = ()
    closed_by: str = ""
    closed_on: date | None = None
    history: tuple[Entry, ...] = field(default=())

    @property
    def is_closed(self) -> bool:
        return self.status is Status.CLOSED
