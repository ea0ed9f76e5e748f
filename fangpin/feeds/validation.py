"""Validate a read file against its feed's contract: columns, types, ID numbers, duplicates.

No database here: the caller passes ``index_of`` (the keyed blind index of a normalised ID
number). The result keeps each valid row's typed values, its ID number's blind index and
masked form — never the plaintext number beyond this function's lifetime — and one
:class:`Issue` per problem (row number, column, masked value, Chinese reason).

Row-level problems exclude the row from publication and go in the report; file-level ones
(missing columns, a truncated file) raise :class:`~fangpin.feeds.errors.FeedError`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

import pyarrow as pa

from fangpin import idnumber
from fangpin.contract.feeds import DISASTER_SUBTYPES, FEED_TABLES
from fangpin.feeds.errors import FeedError
from fangpin.feeds.headers import CHINESE_HEADERS, ID_COLUMNS, canonical_header, header_map
from fangpin.feeds.reading import RawTable
from fangpin.registry.masking import mask_id
from fangpin.sheets import normalise
from fangpin.sheets.normalise import CellError

__all__ = [
    "ALLOWED_VALUES",
    "DUPLICATE",
    "DUPLICATE_KEYS",
    "INVALID",
    "Issue",
    "ValidRow",
    "Validated",
    "validate_table",
]

INVALID: Final = "invalid"
DUPLICATE: Final = "duplicate"
UNMATCHED: Final = "unmatched"
OUT_OF_SCOPE: Final = "out_of_scope"

#: feed → the columns that, with the person, identify one event (a second row is a duplicate).
DUPLICATE_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "medical_claims": ("admission_date", "hospital_name"),
    "civil_affairs": ("effective_date", "benefit_type", "event"),
    "education_dropouts": ("reported_on", "status"),
    "housing_assessments": ("assessed_on",),
    "disability_registrations": ("issued_on", "event"),
    "disaster_losses": ("occurred_on", "disaster_code"),
    "employment_insurance": ("effective_date", "event"),
    "death_records": ("death_date",),
}

#: (feed, column) → the values a department may send (docs/feeds.md).
ALLOWED_VALUES: Final[dict[tuple[str, str], frozenset[str]]] = {
    ("medical_claims", "hospital_level"): frozenset({"一级", "二级", "三级"}),
    ("medical_claims", "diagnosis_category"): frozenset({"普通", "慢性病", "大病"}),
    ("civil_affairs", "benefit_type"): frozenset({"低保", "特困", "临时救助"}),
    ("civil_affairs", "event"): frozenset({"start", "stop", "payment"}),
    ("education_dropouts", "status"): frozenset({"失学", "辍学", "休学", "送教上门"}),
    ("housing_assessments", "grade"): frozenset({"A", "B", "C", "D"}),
    ("housing_assessments", "renovation_status"): frozenset(
        {"无需改造", "已列入改造计划", "改造中", "已竣工"}
    ),
    ("disability_registrations", "grade"): frozenset({"一级", "二级", "三级", "四级"}),
    ("disability_registrations", "event"): frozenset({"新办", "换证", "注销"}),
    ("disaster_losses", "disaster_code"): frozenset(DISASTER_SUBTYPES),
    ("disaster_losses", "house_damage"): frozenset({"无", "部分损坏", "倒塌"}),
    ("employment_insurance", "event"): frozenset({"失业登记", "断缴", "恢复缴费"}),
}

_MONTH: Final = re.compile(r"^[0-9]{4}(0[1-9]|1[0-2])$")
_VILLAGE: Final = re.compile(r"^[0-9]{12}$")
_ID_LIKE: Final = re.compile(r"[0-9]{15}")
#: Free-text columns that hold personal information: masked in the report like a name.
_PI_TEXT_COLUMNS: Final = frozenset({"name", "address", "employer", "reason"})


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem in the report. ``value`` is masked or omitted, never a full ID number."""

    row: int
    column: str
    value: str
    reason: str
    kind: str  # invalid | duplicate | unmatched | out_of_scope

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "reason": self.reason,
            "kind": self.kind,
        }


@dataclass(slots=True)
class ValidRow:
    row: int
    values: dict[str, Any]  # typed contract values; the ID column holds its masked form
    id_index: str


@dataclass(slots=True)
class Validated:
    rows: list[ValidRow] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    total: int = 0
    invalid_rows: int = 0
    duplicate_rows: int = 0


def column_label(feed: str, column: str) -> str:
    """``column（中文列名）`` as the report shows it."""
    names = CHINESE_HEADERS.get(feed, {}).get(column)
    return f"{column}（{names[0]}）" if names else column


def map_columns(feed: str, headers: list[str]) -> dict[str, int]:
    """Contract column → position in the file. Refuse missing and repeated columns."""
    mapping = header_map(feed)
    positions: dict[str, int] = {}
    for position, header in enumerate(headers):
        column = mapping.get(canonical_header(header))
        if column is None:
            continue  # extra columns are ignored
        if column in positions:
            raise FeedError("columns", f"列{column_label(feed, column)}在表头中出现了两次")
        positions[column] = position
    missing = [c for c in FEED_TABLES[feed].names if c not in positions]
    if missing:
        listed = "、".join(column_label(feed, c) for c in missing)
        raise FeedError("columns", f"缺少必需的列：{listed}")
    return positions


def validate_table(
    feed: str,
    table: RawTable,
    *,
    index_of: Callable[[str], str],
    today: date,
    progress: Callable[[int, int], None] | None = None,
) -> Validated:
    """Type every row of ``table`` for ``feed``; collect issues; drop invalid and duplicate rows."""
    if feed not in FEED_TABLES:
        raise FeedError("feed", f"未知的部门数据：{feed}")
    schema = FEED_TABLES[feed]
    positions = map_columns(feed, table.headers)
    if table.truncated_row is not None:
        raise FeedError(
            "truncated", f"文件在第{table.truncated_row}行中途结束（文件不完整，可能上传中断）"
        )
    id_column = ID_COLUMNS[feed]
    record_column = schema.names[0]
    result = Validated(total=len(table.rows))
    seen_records: dict[str, int] = {}
    seen_events: dict[tuple[Any, ...], int] = {}
    width = len(table.headers)
    for offset, raw in enumerate(table.rows):
        row_number = offset + 2
        if progress is not None and offset % 10_000 == 0:
            progress(offset, result.total)
        issues: list[Issue] = []
        if table.source_format == "csv" and len(raw) != width:
            result.issues.append(
                Issue(row_number, "", "", f"该行有{len(raw)}列，表头有{width}列", INVALID)
            )
            result.invalid_rows += 1
            continue
        values: dict[str, Any] = {}
        id_index = ""
        for schema_field in schema:
            name = schema_field.name
            value = raw[positions[name]] if positions[name] < len(raw) else None
            label = column_label(feed, name)
            if name == id_column:
                checked = _id_number(value, index_of=index_of, today=today)
                if isinstance(checked, Issue):
                    issues.append(Issue(row_number, label, checked.value, checked.reason, INVALID))
                    continue
                id_index, values[name] = checked
                continue
            try:
                values[name] = _typed(feed, schema_field, value, today=today)
            except CellError as bad:
                issues.append(Issue(row_number, label, _shown(name, value), bad.reason, INVALID))
        if issues:
            result.issues.extend(issues)
            result.invalid_rows += 1
            continue
        record_id = values[record_column]
        if record_id in seen_records:
            result.issues.append(
                Issue(
                    row_number,
                    column_label(feed, record_column),
                    str(record_id),
                    f"记录编号重复：与第{seen_records[record_id]}行相同",
                    DUPLICATE,
                )
            )
            result.duplicate_rows += 1
            continue
        key_columns = DUPLICATE_KEYS[feed]
        event_key = (id_index, *(values[c] for c in key_columns))
        if event_key in seen_events:
            result.issues.append(
                Issue(
                    row_number,
                    column_label(feed, key_columns[0]),
                    values[id_column],
                    f"同一人同一日期的记录重复：与第{seen_events[event_key]}行相同",
                    DUPLICATE,
                )
            )
            result.duplicate_rows += 1
            continue
        seen_records[record_id] = row_number
        seen_events[event_key] = row_number
        result.rows.append(ValidRow(row=row_number, values=values, id_index=id_index))
    if progress is not None:
        progress(result.total, result.total)
    return result


def _shown(column: str, value: object) -> str:
    """A bad value as the report shows it: codes, dates and money as typed; names masked.

    Anything with 15 digits in a row is masked like an ID number, whatever the column.
    """
    if value is None:
        return ""
    text = str(value).strip()
    if re.search(r"[0-9]{15}", text):
        return mask_id(text)
    if column in _PI_TEXT_COLUMNS:
        return (text[:1] + "*" * (len(text) - 1))[:40]
    return text[:40]


def _id_number(
    value: object, *, index_of: Callable[[str], str], today: date
) -> tuple[str, str] | Issue:
    """``(blind index, masked number)`` of a valid ID, or an Issue (value masked)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return Issue(0, "", "", "身份证号码为空", INVALID)
    if normalise.is_number_id(value):
        shown = value if isinstance(value, str) else repr(value)
        return Issue(0, "", mask_id(str(shown).strip()), normalise.ID_AS_NUMBER_MESSAGE, INVALID)
    if isinstance(value, bool) or not isinstance(value, str | int):
        return Issue(0, "", "", "身份证号码应为文本", INVALID)
    text = str(value)
    try:
        parsed = idnumber.parse(text, today=today)
    except idnumber.IdNumberError as exc:
        return Issue(0, "", mask_id(idnumber.normalise(text)), exc.message, INVALID)
    return index_of(parsed.number), mask_id(parsed.number)


def _typed(feed: str, schema_field: pa.Field, value: object, *, today: date) -> Any:
    name = schema_field.name
    if value is None or (isinstance(value, str) and not value.strip()):
        if not schema_field.nullable:
            raise CellError("必填项为空")
        return None
    kind = schema_field.type
    if pa.types.is_date32(kind):
        return _date(value, today=today)
    if pa.types.is_decimal(kind):
        return _money(value)
    if pa.types.is_floating(kind):
        return _float(value)
    text = _text(value)
    allowed = ALLOWED_VALUES.get((feed, name))
    if allowed is not None and text not in allowed:
        raise CellError(f"取值“{text[:20]}”不在允许范围内（{'、'.join(sorted(allowed))}）")
    if name == "village_code" and not _VILLAGE.match(text):
        raise CellError("村代码应为12位数字（统计用区划代码）")
    if name == "last_contribution_month" and not _MONTH.match(text):
        raise CellError("缴费月份应为YYYYMM格式，如202406")
    if name == "certificate_number":
        normal = idnumber.normalise(text)
        return mask_id(normal)  # holds the ID number: never kept in full
    if name == "name" and any(ch.isdigit() for ch in text):
        raise CellError("姓名含有数字（是否把身份证号码填进了姓名列？）")
    if _ID_LIKE.search(idnumber.normalise(text)):
        # A number pasted into a text column would be published in full: refuse the row.
        raise CellError("该列含有疑似身份证号码的长数字，请核对")
    return text


def _text(value: object) -> str:
    if isinstance(value, bool):
        raise CellError("应为文本")
    if isinstance(value, float):
        if math.isnan(value) or not value.is_integer():
            raise CellError("应为文本")
        return str(int(value))
    if isinstance(value, datetime | date):
        raise CellError("应为文本，不是日期")
    return str(value).strip()


def _date(value: object, *, today: date) -> date:
    return normalise.date_value(value, today=today)


def _money(value: object) -> Decimal:
    return normalise.money(value)


def _float(value: object) -> float:
    if isinstance(value, bool):
        raise CellError("应为数字")
    try:
        number = float(str(value).strip()) if not isinstance(value, int | float) else float(value)
    except ValueError:
        raise CellError(f"“{str(value)[:20]}”不是数字") from None
    if math.isnan(number) or math.isinf(number):
        raise CellError("不是有效数字")
    if number < 0:
        raise CellError("不能为负数")
    return number
