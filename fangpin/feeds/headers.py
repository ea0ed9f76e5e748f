"""Column headers a department file may use: the contract's English names or Chinese headers.

Departments export spreadsheets with Chinese headers; the importer maps each accepted header
to the contract column (``fangpin.contract.feeds``). Several spellings are accepted where
departments differ (``身份证号`` / ``身份证号码`` / ``公民身份号码``). Headers are compared after
stripping spaces (including U+3000) and a BOM, and after NFKC (full-width brackets).
docs/feeds.md lists them.
"""

from __future__ import annotations

import unicodedata
from typing import Final

from fangpin.contract.feeds import FEED_TABLES

__all__ = ["CHINESE_HEADERS", "ID_COLUMNS", "canonical_header", "header_map"]

_ID = ("身份证号码", "身份证号", "公民身份号码", "证件号码")
_HEAD_ID = ("户主身份证号码", "户主身份证号", "户主公民身份号码")
_NAME = ("姓名",)
_RECORD = ("记录编号", "业务编号")

#: feed → contract column → accepted Chinese headers (the first is the documented one).
CHINESE_HEADERS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "medical_claims": {
        "claim_id": ("结算单号", "结算编号"),
        "id_number": _ID,
        "name": _NAME,
        "admission_date": ("入院日期",),
        "discharge_date": ("出院日期",),
        "hospital_name": ("医疗机构名称", "医院名称"),
        "hospital_level": ("医疗机构等级", "医院等级"),
        "diagnosis_category": ("病种类别",),
        "total_cost": ("医疗总费用", "总费用"),
        "fund_paid": ("基金支付",),
        "compliant_oop": ("合规自付",),
        "non_compliant_oop": ("不合规自付",),
        "settled_on": ("结算日期",),
    },
    "civil_affairs": {
        "record_id": _RECORD,
        "id_number": _ID,
        "name": _NAME,
        "village_code": ("村代码", "行政村代码"),
        "benefit_type": ("救助类别",),
        "event": ("业务类型",),
        "effective_date": ("生效日期",),
        "amount": ("金额",),
        "reason": ("原因",),
    },
    "education_dropouts": {
        "record_id": _RECORD,
        "id_number": _ID,
        "name": _NAME,
        "school_name": ("学校名称",),
        "grade": ("年级",),
        "status": ("学籍状态", "状态"),
        "reported_on": ("上报日期",),
        "reason": ("原因",),
    },
    "housing_assessments": {
        "record_id": _RECORD,
        "head_id_number": _HEAD_ID,
        "village_code": ("村代码", "行政村代码"),
        "address": ("住址", "地址"),
        "grade": ("鉴定等级", "房屋等级"),
        "assessor": ("鉴定单位",),
        "assessed_on": ("鉴定日期",),
        "renovation_status": ("改造状态",),
    },
    "disability_registrations": {
        "record_id": _RECORD,
        "id_number": _ID,
        "name": _NAME,
        "certificate_number": ("残疾人证号", "残疾证号"),
        "category": ("残疾类别",),
        "grade": ("残疾等级",),
        "event": ("业务类型",),
        "issued_on": ("发证日期",),
    },
    "disaster_losses": {
        "record_id": _RECORD,
        "head_id_number": _HEAD_ID,
        "village_code": ("村代码", "行政村代码"),
        "disaster_code": ("灾害类型代码", "灾种代码"),
        "occurred_on": ("受灾日期",),
        "loss_amount": ("直接经济损失", "损失金额"),
        "house_damage": ("房屋损毁情况",),
        "crop_loss_mu": ("农作物受灾面积（亩）", "农作物受灾面积"),
    },
    "employment_insurance": {
        "record_id": _RECORD,
        "id_number": _ID,
        "name": _NAME,
        "event": ("业务类型",),
        "effective_date": ("生效日期",),
        "employer": ("单位名称", "工作单位"),
        "last_contribution_month": ("缴费月份", "末次缴费月份"),
    },
    "death_records": {
        "record_id": _RECORD,
        "id_number": _ID,
        "name": _NAME,
        "death_date": ("死亡日期",),
        "reported_on": ("上报日期", "注销日期"),
    },
}

#: feed → the column holding the ID number the rows are keyed by.
ID_COLUMNS: Final[dict[str, str]] = {
    feed: ("head_id_number" if "head_id_number" in schema.names else "id_number")
    for feed, schema in FEED_TABLES.items()
}


def canonical_header(text: object) -> str:
    """A header as compared: NFKC, no whitespace or BOM anywhere, English lower-cased."""
    normal = unicodedata.normalize("NFKC", str(text if text is not None else ""))
    return "".join(ch for ch in normal if not ch.isspace() and ch != "\ufeff").lower()


def header_map(feed: str) -> dict[str, str]:
    """Canonical header → contract column, for every accepted header of ``feed``."""
    mapping = {canonical_header(name): name for name in FEED_TABLES[feed].names}
    for column, names in CHINESE_HEADERS[feed].items():
        for name in names:
            mapping[canonical_header(name)] = column
    return mapping
