"""Arrow schemas of the department feeds (部门数据, DOMAIN.md §9.4).

Each feed is one table as a department sends it: rows keyed by ID number (公民身份号码) as the
department typed it, so an importer must normalise and match it (``fangpin.idnumber``) and
must expect duplicates, unknown people and late records. Columns, values and the messiness
an importer will meet are documented in ``docs/feeds.md``.

Nulls are real Arrow nulls, never NaN. Money is Decimal128(12, 2) yuan. Record ids are the
department's own strings (a prefix and a number).
"""

from __future__ import annotations

import pyarrow as pa

from fangpin.contract.registry import CONTRACT_VERSION, MONEY

__all__ = [
    "CIVIL_AFFAIRS",
    "DEATH_RECORDS",
    "DISABILITY_REGISTRATIONS",
    "DISASTER_LOSSES",
    "DISASTER_SUBTYPES",
    "EDUCATION_DROPOUTS",
    "EMPLOYMENT_INSURANCE",
    "FEED_DEPARTMENTS",
    "FEED_TABLES",
    "HOUSING_ASSESSMENTS",
    "MEDICAL_CLAIMS",
]

#: Natural-disaster subtypes (因自然灾害子项, DOMAIN.md §2.4; a local system's code list [L]).
DISASTER_SUBTYPES: dict[str, str] = {
    "0201": "洪涝",
    "0202": "地质",
    "0203": "旱灾",
    "0204": "生物",
    "0205": "气象",
    "0206": "地震",
    "0299": "其他",
}


def _schema(name: str, department: str, fields: list[pa.Field]) -> pa.Schema:
    return pa.schema(
        fields,
        metadata={"table": name, "contract_version": CONTRACT_VERSION, "department": department},
    )


def _text(name: str, nullable: bool = False) -> pa.Field:
    return pa.field(name, pa.string(), nullable=nullable)


def _day(name: str, nullable: bool = False) -> pa.Field:
    return pa.field(name, pa.date32(), nullable=nullable)


def _money(name: str, nullable: bool = False) -> pa.Field:
    return pa.field(name, MONEY, nullable=nullable)


MEDICAL_CLAIMS = _schema(
    "medical_claims",
    "医疗保障局",
    [
        _text("claim_id"),
        _text("id_number"),
        _text("name"),
        _day("admission_date"),
        _day("discharge_date"),
        _text("hospital_name"),
        _text("hospital_level"),  # 一级 / 二级 / 三级
        _text("diagnosis_category"),  # 普通 / 慢性病 / 大病
        _money("total_cost"),
        _money("fund_paid"),  # basic + critical-illness insurance + medical assistance
        _money("compliant_oop"),  # 合规自付
        _money("non_compliant_oop"),  # 不合规自付 (outside the reimbursement list)
        _day("settled_on"),
    ],
)

CIVIL_AFFAIRS = _schema(
    "civil_affairs",
    "民政局",
    [
        _text("record_id"),
        _text("id_number"),
        _text("name"),
        _text("village_code"),
        _text("benefit_type"),  # 低保 / 特困 / 临时救助
        _text("event"),  # start / stop / payment
        _day("effective_date"),
        _money("amount", nullable=True),  # monthly amount (start, payment); null on stop
        _text("reason", nullable=True),
    ],
)

EDUCATION_DROPOUTS = _schema(
    "education_dropouts",
    "教育局",
    [
        _text("record_id"),
        _text("id_number"),
        _text("name"),
        _text("school_name", nullable=True),  # null when never enrolled (失学)
        _text("grade", nullable=True),  # e.g. 小学三年级, 初中二年级
        _text("status"),  # 失学 / 辍学 / 休学 / 送教上门
        _day("reported_on"),
        _text("reason", nullable=True),
    ],
)

HOUSING_ASSESSMENTS = _schema(
    "housing_assessments",
    "住房和城乡建设局",
    [
        _text("record_id"),
        _text("head_id_number"),
        _text("village_code"),
        _text("address"),
        _text("grade"),  # A / B / C / D (DOMAIN.md §7)
        _text("assessor"),
        _day("assessed_on"),
        _text("renovation_status"),  # 无需改造 / 已列入改造计划 / 改造中 / 已竣工
    ],
)

DISABILITY_REGISTRATIONS = _schema(
    "disability_registrations",
    "残疾人联合会",
    [
        _text("record_id"),
        _text("id_number"),
        _text("name"),
        _text("certificate_number"),  # 残疾人证号: ID number + category digit + grade digit
        _text("category"),  # label, e.g. 肢体残疾 (GB/T 26341)
        _text("grade"),  # label, e.g. 二级
        _text("event"),  # 新办 / 换证 / 注销
        _day("issued_on"),
    ],
)

DISASTER_LOSSES = _schema(
    "disaster_losses",
    "应急管理局",
    [
        _text("record_id"),
        _text("head_id_number"),
        _text("village_code"),
        _text("disaster_code"),  # DISASTER_SUBTYPES
        _day("occurred_on"),
        _money("loss_amount"),
        _text("house_damage"),  # 无 / 部分损坏 / 倒塌
        pa.field("crop_loss_mu", pa.float64(), nullable=True),  # null: no crops lost
    ],
)

EMPLOYMENT_INSURANCE = _schema(
    "employment_insurance",
    "人力资源和社会保障局",
    [
        _text("record_id"),
        _text("id_number"),
        _text("name"),
        _text("event"),  # 失业登记 / 断缴 / 恢复缴费
        _day("effective_date"),
        _text("employer", nullable=True),
        _text("last_contribution_month", nullable=True),  # YYYYMM
    ],
)

DEATH_RECORDS = _schema(
    "death_records",
    "公安局",
    [
        _text("record_id"),
        _text("id_number"),
        _text("name"),
        _day("death_date"),
        _day("reported_on"),
    ],
)

#: File stem -> schema of every department feed.
FEED_TABLES: dict[str, pa.Schema] = {
    schema.metadata[b"table"].decode(): schema
    for schema in (
        MEDICAL_CLAIMS,
        CIVIL_AFFAIRS,
        EDUCATION_DROPOUTS,
        HOUSING_ASSESSMENTS,
        DISABILITY_REGISTRATIONS,
        DISASTER_LOSSES,
        EMPLOYMENT_INSURANCE,
        DEATH_RECORDS,
    )
}

#: File stem -> the department that sends it.
FEED_DEPARTMENTS: dict[str, str] = {
    name: schema.metadata[b"department"].decode() for name, schema in FEED_TABLES.items()
}
