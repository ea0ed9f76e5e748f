"""The columns of each import: Chinese headers, kinds, code tables, notes for the template.

A coded cell may hold the code (``01``), the label (``户主``) or both (``01 户主``, the form the
template's drop-down offers); :func:`code_from_cell` turns any of them into the code. Code
labels come from :mod:`fangpin.codes`, so the template, the checks and the services agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal

from fangpin import codes, income

__all__ = [
    "ADD_EVENT_LABELS",
    "COUNT_LABELS",
    "ENTITIES",
    "ENTITY_LABELS",
    "PERSON_FLAGS",
    "Column",
    "code_choices",
    "code_from_cell",
    "columns_for",
    "count_lines",
]

Kind = Literal["text", "id", "code", "date", "int", "money", "bool"]
#: ``household``: read from the head's row (other rows blank or equal); ``person``: every row.
Level = Literal["household", "person", "row"]


@dataclass(frozen=True, slots=True)
class Column:
    """One column of an import sheet."""

    key: str
    header: str
    kind: Kind = "text"
    required: bool = False  # the header must be present and the cell filled (on its level)
    table: str = ""  # the code table of a ``code`` column
    note: str = ""
    level: Level = "row"
    width: int = 0


ENTITIES: Final = ("households", "members", "finances", "conditions")
ENTITY_LABELS: Final[dict[str, str]] = {
    "households": "户籍与家庭成员",
    "members": "新增家庭成员",
    "finances": "家庭收支",
    "conditions": "两不愁三保障及饮水",
}

#: The Chinese name of each count an applied import reports (``ImportBatch.counts``).
COUNT_LABELS: Final[dict[str, str]] = {
    "households": "新增户数",
    "persons": "新增人数",
    "members": "新增成员",
    "finances_created": "新增收支记录",
    "finances_updated": "更新收支记录",
    "conditions_created": "新增核查记录",
    "conditions_updated": "更新核查记录",
}


def count_lines(counts: dict[str, Any]) -> list[tuple[str, Any]]:
    """An applied batch's counts as (Chinese label, value), in :data:`COUNT_LABELS` order (the
    stored JSON's key order is the database's: PostgreSQL's jsonb sorts its keys)."""
    order = {key: at for at, key in enumerate(COUNT_LABELS)}
    keys = sorted(counts, key=lambda k: (order.get(k, len(order)), k))
    return [(COUNT_LABELS.get(k, k), counts[k]) for k in keys]


PERSON_FLAGS: Final = (
    ("has_resident_medical", "参加城乡居民基本医疗保险"),
    ("has_employee_medical", "参加职工基本医疗保险"),
    ("has_critical_illness", "参加大病保险"),
    ("has_resident_pension", "参加城乡居民基本养老保险"),
    ("has_employee_pension", "参加职工基本养老保险"),
    ("is_dibao", "享受低保"),
    ("is_tekun", "特困供养"),
)

#: The membership events of a member joining an existing household (person_add).
ADD_EVENT_LABELS: Final[dict[str, str]] = {
    "birth": "出生",
    "move_in": "迁入",
    "marriage_in": "婚入",
}

_YES_NO = "填“是”或“否”，空白为“否”"


def code_choices(table: str) -> list[str]:
    """The drop-down entries of a code table: ``code label``."""
    return [f"{v.code} {v.zh}" for v in codes.table(table).values]


def code_from_cell(table: str, text: str) -> str:
    """The code a cell names: the code, the label or ``code label``; else the text unchanged
    (the validator then refuses it with its own message). ``text`` is already stripped.

    A code stored as a number loses its leading zero (``1`` for ``01``): a purely numeric text
    is padded to the table's code width when that makes it a code.
    """
    values = codes.table(table)
    if text in values:
        return text
    head, _, rest = text.partition(" ")
    if head in values and rest.strip() in ("", values.label(head)):
        return head
    for value in values.values:
        if value.zh == text:
            return value.code
    if text.isdigit():
        widths = {len(code) for code in values.codes()}
        for width in widths:
            padded = text.zfill(width)
            if padded in values:
                return padded
    return text


def _code(
    key: str, header: str, table: str, *, level: Level, required: bool = False, note: str = ""
) -> Column:
    return Column(key, header, "code", required, table, note or "从下拉列表选择", level)


def _person_columns() -> list[Column]:
    p: Level = "person"
    return [
        Column("name", "姓名", "text", True, note="汉字；少数民族姓名用“·”分隔", level=p),
        _code("id_type", "证件类型", "id_type", level=p, note="空白为“1 居民身份证”"),
        Column(
            "id_number",
            "身份证号码",
            "id",
            True,
            note="18位，末位可为X；请设置为文本格式，不要存成数字",
            level=p,
            width=22,
        ),
        _code("sex", "性别", "sex", level=p, note="可空：按身份证号码自动填写；填写时须与号码一致"),
        Column(
            "birth_date", "出生日期", "date", note="可空：按身份证号码；填写时须与号码一致", level=p
        ),
        _code("relation", "与户主关系", "relation", level=p, required=True),
        _code("ethnicity", "民族", "ethnicity", level=p, note="空白为“01 汉族”"),
        _code("education", "文化程度", "education", level=p, note="空白为“90 其他（含学龄前）”"),
        _code(
            "student_status", "在校生状况", "student_status", level=p, note="空白为“00 非在校生”"
        ),
        _code(
            "out_of_school_reason",
            "失辍学原因",
            "out_of_school_reason",
            level=p,
            note="仅非在校生填写",
        ),
        _code("health", "健康状况", "health", level=p, note="空白为“10 健康”"),
        _code(
            "disability_grade", "残疾等级", "disability_grade", level=p, note="健康状况为残疾时必填"
        ),
        _code(
            "disability_category",
            "残疾类别",
            "disability_category",
            level=p,
            note="填写残疾等级时必填",
        ),
        _code(
            "labour_ability", "劳动技能", "labour_ability", level=p, note="空白为“10 普通劳动力”"
        ),
        Column("migrant_work_months", "务工时间（月）", "int", note="0至12，空白为0", level=p),
        Column("migrant_employer", "务工单位", "text", note="务工时间大于0时必填", level=p),
        Column("phone", "联系电话", "text", note="本人手机号码或固定电话，可空", level=p),
        *[Column(key, header, "bool", note=_YES_NO, level=p) for key, header in PERSON_FLAGS],
    ]


def _household_columns() -> list[Column]:
    h: Level = "household"
    return [
        Column(
            "head_id_number",
            "户主身份证号码",
            "id",
            True,
            note="同一户各行填写同一户主的身份证号码；户主本人一行与其身份证号码相同",
            level="row",
            width=22,
        ),
        Column(
            "village_code",
            "村代码",
            "code",
            True,
            note="12位村级区划代码，从下拉列表选择",
            level=h,
            width=24,
        ),
        Column("household_number", "户编号", "text", note="可空：按村代码自动编号", level=h),
        Column("natural_village", "自然村", "text", level=h),
        Column("address", "住址", "text", level=h),
        _code("household_type", "户类型", "household_type", level=h, required=True),
        Column("household_phone", "户联系电话", "text", note="户的联系电话，可空", level=h),
        Column("is_relocated", "易地扶贫搬迁户", "bool", note=_YES_NO, level=h),
        _code("relocation_mode", "安置方式", "relocation_mode", level=h, note="搬迁户必填"),
        Column("relocation_site", "安置点", "text", note="仅搬迁户填写", level=h),
        Column(
            "registered_on", "登记日期", "date", True, note="如2024-03-01，不能晚于今天", level=h
        ),
    ]


def _members_columns() -> list[Column]:
    return [
        Column("household_number", "户编号", "text", True, note="已登记的户编号"),
        Column(
            "event_type",
            "变动类型",
            "code",
            True,
            table="membership_event",
            note="出生、迁入或婚入（出生登记须未满18周岁）",
        ),
        Column("event_date", "变动日期", "date", True, note="不能晚于今天，不能早于出生日期"),
        *_person_columns(),
    ]


def _finance_columns() -> list[Column]:
    amounts = [
        Column(c.field, c.zh, "money", note="元，0至10,000,000，最多两位小数；空白为0")
        for c in income.COMPONENTS
    ]
    amounts += [
        Column(name, label, "money", note="元；空白为0")
        for name, label in income.EXPENSE_FIELDS + income.MEMO_FIELDS
    ]
    return [
        Column("household_number", "户编号", "text", True, note="已登记的户编号"),
        Column("year", "年度", "int", True, note="2010年至今年"),
        Column("household_size", "家庭人口", "int", note="1至99；空白为户内在册人数"),
        *amounts,
    ]


def _condition_columns() -> list[Column]:
    return [
        Column("household_number", "户编号", "text", True, note="已登记的户编号"),
        Column("assessed_on", "核查日期", "date", True, note="不能晚于今天"),
        Column("food_secure", "不愁吃", "bool", True, note="是或否"),
        Column("clothing_secure", "不愁穿", "bool", True, note="是或否"),
        _code("housing_grade", "住房安全等级", "housing_grade", level="row", required=True),
        Column("housing_assessor", "鉴定单位", "text", True, note="县级以上住建部门"),
        Column("housing_assessed_on", "鉴定日期", "date", True, note="不能晚于今天"),
        _code("water_source", "饮用水来源", "water_source", level="row", note="空白为“1”"),
        _code("water_area_type", "水资源条件", "water_area_type", level="row", required=True),
        Column("water_litres_per_person_day", "人均日供水量（升）", "int", True),
        Column("water_quality_tested", "水质经检测合格", "bool", note=_YES_NO),
        Column("water_quality_simple_check_ok", "水质简易检查合格", "bool", note=_YES_NO),
        Column("water_is_piped", "自来水入户", "bool", note=_YES_NO),
        Column("water_trip_minutes", "单次取水往返时间（分钟）", "int", note="可空"),
        Column("water_horizontal_m", "取水水平距离（米）", "int", note="可空"),
        Column("water_vertical_m", "取水垂直高差（米）", "int", note="可空"),
        Column("water_cut_days_per_year", "年停水或缺水天数", "int", note="0至366，空白为0"),
    ]


def columns_for(entity: str) -> list[Column]:
    """The columns of ``entity``, in template order."""
    if entity == "households":
        return [*_household_columns(), *_person_columns()]
    if entity == "members":
        return _members_columns()
    if entity == "finances":
        return _finance_columns()
    if entity == "conditions":
        return _condition_columns()
    raise ValueError(f"unknown import entity {entity!r}")
