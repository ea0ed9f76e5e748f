"""validate_table: schema check, every row-error class, ID normalisation, duplicates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fangpin import idnumber
from fangpin.feeds.errors import FeedError
from fangpin.feeds.reading import RawTable
from fangpin.feeds.validation import Issue, validate_table
from tests.feeds.conftest import FULL_ID

TODAY = date(2024, 12, 31)
ID = idnumber.build("433124", date(1980, 5, 1), 11)  # 433124198005010110 + check
ID_X = next(
    n
    for n in (idnumber.build("433124", date(1975, 3, 9), s) for s in range(1, 999))
    if n[-1] == "X"
)
MED_HEADERS = [
    "claim_id", "id_number", "name", "admission_date", "discharge_date", "hospital_name",
    "hospital_level", "diagnosis_category", "total_cost", "fund_paid", "compliant_oop",
    "non_compliant_oop", "settled_on",
]  # fmt: skip


def index_of(number: str) -> str:
    return f"idx:{number}"


def med(**overrides: Any) -> list[Any]:
    row = {
        "claim_id": "YBJS0000000001",
        "id_number": ID,
        "name": "张三",
        "admission_date": "2024-05-01",
        "discharge_date": "2024-05-09",
        "hospital_name": "花垣县人民医院",
        "hospital_level": "二级",
        "diagnosis_category": "大病",
        "total_cost": "20000.00",
        "fund_paid": "15000",
        "compliant_oop": "4000.5",
        "non_compliant_oop": "999.50",
        "settled_on": "2024-05-20",
    }
    row.update(overrides)
    return [row[h] for h in MED_HEADERS]


def run(*rows: list[Any], headers: list[str] = MED_HEADERS, fmt: str = "csv") -> Any:
    table = RawTable(headers=headers, rows=list(rows), source_format=fmt)
    return validate_table("medical_claims", table, index_of=index_of, today=TODAY)


def issues(result: Any) -> list[tuple[int, str, str, str, str]]:
    return [(i.row, i.column, i.value, i.reason, i.kind) for i in result.issues]


def test_a_clean_row_is_typed() -> None:
    result = run(med())

    assert issues(result) == []
    (row,) = result.rows
    assert row.row == 2
    assert row.id_index == f"idx:{ID}"
    assert row.values["id_number"] == f"{ID[:6]}********{ID[-4:]}"
    assert row.values["admission_date"] == date(2024, 5, 1)
    assert row.values["total_cost"] == Decimal("20000.00")
    assert row.values["compliant_oop"] == Decimal("4000.50")


def test_chinese_headers_are_accepted() -> None:
    zh = ["结算单号", "身份证号码", "姓名", "入院日期", "出院日期", "医疗机构名称", "医疗机构等级",
          "病种类别", "医疗总费用", "基金支付", "合规自付", "不合规自付", "结算日期"]  # fmt: skip

    result = run(med(), headers=[" " + zh[0], *zh[1:]])

    assert (len(result.rows), result.issues) == (1, [])


def test_missing_column_names_it() -> None:
    headers = [h for h in MED_HEADERS if h != "settled_on"]

    with pytest.raises(FeedError) as raised:
        run(med()[:-1], headers=headers)

    assert (raised.value.code, raised.value.message) == (
        "columns",
        "缺少必需的列：settled_on（结算日期）",
    )


def test_repeated_column_is_refused() -> None:
    with pytest.raises(FeedError, match="列id_number（身份证号码）在表头中出现了两次"):
        run([*med(), ID], headers=[*MED_HEADERS, "身份证号"])


@pytest.mark.parametrize(
    ("overrides", "column", "value", "reason"),
    [
        ({"name": ""}, "name（姓名）", "", "必填项为空"),
        ({"admission_date": "2024-13-01"}, "admission_date（入院日期）", "2024-13-01",
         "日期“2024-13-01”无效（应为YYYY-MM-DD）"),
        ({"settled_on": "2025-02-01"}, "settled_on（结算日期）", "2025-02-01",
         "日期2025-02-01晚于今天"),
        ({"total_cost": "-5"}, "total_cost（医疗总费用）", "-5", "金额不能为负数"),
        ({"total_cost": "12.345"}, "total_cost（医疗总费用）", "12.345", "金额最多保留两位小数"),
        ({"fund_paid": "一万"}, "fund_paid（基金支付）", "一万", "金额“一万”不是数字"),
        ({"hospital_level": "四级"}, "hospital_level（医疗机构等级）", "四级",
         "取值“四级”不在允许范围内（一级、三级、二级）"),
        ({"id_number": ID[:-1] + ("0" if ID[-1] != "0" else "1")}, "id_number（身份证号码）",
         f"{ID[:6]}********{ID[-4:-1]}" + ("0" if ID[-1] != "0" else "1"),
         f"身份证号码校验位错误：应为{ID[-1]}，实为" + ("0" if ID[-1] != "0" else "1")),
        ({"id_number": "43312419800501"}, "id_number（身份证号码）", "433124********0501",
         "身份证号码应为18位（或15位旧号码），实为14位"),
        ({"id_number": ""}, "id_number（身份证号码）", "", "身份证号码为空"),
        ({"name": ID}, "name（姓名）", f"{ID[:6]}********{ID[-4:]}",
         "姓名含有数字（是否把身份证号码填进了姓名列？）"),
        ({"hospital_name": f"医院{ID}"}, "hospital_name（医疗机构名称）",
         f"医院{ID[:4]}********{ID[-4:]}", "该列含有疑似身份证号码的长数字，请核对"),
    ],
)  # fmt: skip
def test_each_row_error_names_row_column_value_and_reason(
    overrides: dict[str, Any], column: str, value: str, reason: str
) -> None:
    second = {"claim_id": "YBJS0000000002", "admission_date": "2024-06-01", **overrides}
    result = run(med(), med(**second))

    assert issues(result) == [(3, column, value, reason, "invalid")]
    assert [r.row for r in result.rows] == [2]
    assert result.invalid_rows == 1


def test_several_bad_cells_in_one_row_are_each_reported() -> None:
    result = run(med(total_cost="-1", settled_on="bad"))

    assert [i.column for i in result.issues] == [
        "total_cost（医疗总费用）",
        "settled_on（结算日期）",
    ]
    assert (result.invalid_rows, result.rows) == (1, [])


@pytest.mark.parametrize("value", [4.3312419800501e17, "4.3312419800501E+17", "4.33124E17"])
def test_an_id_stored_as_a_number_is_rejected(value: object) -> None:
    result = run(med(id_number=value), fmt="xlsx")

    (issue,) = result.issues
    assert issue.reason == (
        "身份证号码被存成了数字（科学计数法），后几位已丢失：请把该列设为文本格式后重新导出"
    )
    assert issue.column == "id_number（身份证号码）"
    assert FULL_ID.search(issue.value) is None
    assert result.rows == []


@pytest.mark.parametrize(
    "typed",
    [
        ID.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        f" {ID} ",
        f"{ID}\u3000",
        f"{ID[:6]} {ID[6:14]} {ID[14:]}",
    ],
)
def test_typing_noise_is_normalised_to_the_same_index(typed: str) -> None:
    (row,) = run(med(id_number=typed)).rows

    assert row.id_index == f"idx:{ID}"


def test_lower_case_x_matches_upper_case() -> None:
    (row,) = run(med(id_number=ID_X.lower())).rows

    assert row.id_index == f"idx:{ID_X}"


def test_a_15_digit_number_is_upgraded_to_18() -> None:
    old = ID[:6] + ID[8:17]  # 15 digits: 2-digit year, no check character

    (row,) = run(med(id_number=old)).rows

    assert row.id_index == f"idx:{ID}"


def test_same_record_id_twice_is_a_duplicate() -> None:
    result = run(med(), med(admission_date="2024-06-01"))

    assert issues(result) == [
        (3, "claim_id（结算单号）", "YBJS0000000001", "记录编号重复：与第2行相同", "duplicate")
    ]
    assert (result.duplicate_rows, [r.row for r in result.rows]) == (1, [2])


def test_same_person_and_date_under_a_new_record_id_is_a_duplicate() -> None:
    result = run(med(), med(claim_id="YBJS0000000002", id_number=ID.lower() + " "))

    assert issues(result) == [
        (
            3,
            "admission_date（入院日期）",
            f"{ID[:6]}********{ID[-4:]}",
            "同一人同一日期的记录重复：与第2行相同",
            "duplicate",
        )
    ]


def test_a_short_csv_row_is_invalid_and_a_cut_off_last_row_is_a_truncated_file() -> None:
    result = run(med(), med(claim_id="YBJS0000000002")[:5], med(claim_id="YBJS0000000003"))

    assert issues(result)[0] == (3, "", "", "该行有5列，表头有13列", "invalid")
    table = RawTable(MED_HEADERS, [med(), med()[:4]], "csv", truncated_row=3)
    with pytest.raises(FeedError) as raised:
        validate_table("medical_claims", table, index_of=index_of, today=TODAY)
    assert raised.value.message == "文件在第3行中途结束（文件不完整，可能上传中断）"


def test_report_values_never_hold_a_full_id() -> None:
    result = run(
        med(id_number=ID[:-1] + "Y"),
        med(claim_id="YBJS2", id_number=float(ID[:-1])),
        med(claim_id="YBJS3", total_cost=ID),
    )

    assert len(result.issues) == 3
    assert all(isinstance(i, Issue) for i in result.issues)
    assert [FULL_ID.search(i.value) for i in result.issues] == [None, None, None]


_DEATH = ["record_id", "id_number", "name", "death_date", "reported_on"]
_cell = st.one_of(
    st.none(),
    st.text(max_size=25),
    st.integers(min_value=-(10**19), max_value=10**19),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.sampled_from([ID, ID.lower(), f" {ID} ", ID[:6] + ID[8:17], float(ID[:-1] + "0")]),
)


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.lists(_cell, min_size=5, max_size=5), max_size=6))
def test_any_cells_give_issues_or_rows_never_a_crash_nor_a_full_id(rows: list[list[Any]]) -> None:
    table = RawTable(headers=_DEATH, rows=rows, source_format="xlsx")

    result = validate_table("death_records", table, index_of=index_of, today=TODAY)

    assert len(result.rows) + result.invalid_rows + result.duplicate_rows == len(rows)
    assert all(FULL_ID.search(issue.value) is None for issue in result.issues)
    # Nothing a valid row keeps holds a full number: it would be published.
    kept = [str(v) for row in result.rows for v in row.values.values() if isinstance(v, str)]
    assert [v for v in kept if FULL_ID.search(v)] == []
