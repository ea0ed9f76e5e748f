"""Scenario 16: dirty rows in a 5,000-row file. Nothing is written; every error is reported,
with masked values, exactly once, on the right cell."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from fangpin.core.models import User
from fangpin.imports import staging
from fangpin.imports.errors import ImportApplyError, ImportFileError
from fangpin.imports.models import ImportBatch
from fangpin.imports.services import import_apply, import_check
from fangpin.registry import services
from fangpin.registry.models import Household, Person
from fangpin.registry.validation import PersonInput
from fangpin.sheets.normalise import ID_AS_NUMBER_MESSAGE
from tests.imports.conftest import DOUWANG, TUDI, headers_of, unique_ids, write_csv

KEYS = [
    "head_id_number",
    "village_code",
    "household_type",
    "registered_on",
    "name",
    "id_number",
    "birth_date",
    "relation",
    "phone",
]
HEADERS = headers_of("households", KEYS)
HOUSEHOLDS = 1_250  # x 4 people = 5,000 rows


def masked(number: str) -> str:
    return f"{number[:6]}********{number[-4:]}"


def clean_rows() -> list[dict[str, Any]]:
    heads = unique_ids(HOUSEHOLDS, first_birth=date(1970, 1, 1))
    spouses = unique_ids(HOUSEHOLDS, first_birth=date(1972, 1, 1), female=True)
    sons = unique_ids(HOUSEHOLDS, first_birth=date(2000, 1, 1))
    daughters = unique_ids(HOUSEHOLDS, first_birth=date(2004, 1, 1), female=True)
    rows: list[dict[str, Any]] = []
    for head, spouse, son, daughter in zip(heads, spouses, sons, daughters, strict=True):
        rows.append(
            {
                "head_id_number": head,
                "village_code": TUDI,
                "household_type": "1",
                "registered_on": "2024-03-01",
                "name": "张大山",
                "id_number": head,
                "relation": "01",
            }
        )
        for name, number, relation in (
            ("李花", spouse, "10"),
            ("张一", son, "20"),
            ("张二", daughter, "30"),
        ):
            rows.append(
                {"head_id_number": head, "name": name, "id_number": number, "relation": relation}
            )
    return rows


def sheet_row(index: int) -> int:
    return index + 2


def test_dirty_5000_row_file_writes_nothing_and_reports_every_error_exactly(
    tudi_cadre: User,
    actor: User,
    xlsx: Callable[..., Path],
    counts: Callable[[], dict[str, int]],
) -> None:
    rows = clean_rows()
    assert len(rows) == 5_000
    registered = rows[401]["id_number"]  # a spouse, registered in 豆旺村 beforehand
    services.household_create(
        actor=actor,
        village_code=DOUWANG,
        household_type="2",
        head=PersonInput(name="李花", id_number=registered, relation="01"),
        registered_on=date(2024, 1, 1),
    )
    dup_source = rows[10]["id_number"]
    bad_check = rows[21]["id_number"][:-1] + ("0" if rows[21]["id_number"][-1] != "0" else "1")
    expected_check = rows[21]["id_number"][-1]
    # Normalisable dirt: full-width digits, spaces, lower-case x -- accepted, no issue.
    rows[5]["id_number"] = rows[5]["id_number"].translate(
        {ord(d): chr(ord(d) + 0xFEE0) for d in "0123456789"}
    )
    rows[6]["id_number"] = " ".join(
        [rows[6]["id_number"][:6], rows[6]["id_number"][6:14], rows[6]["id_number"][14:]]
    )
    rows[21]["id_number"] = bad_check  # a son: bad check character
    rows[33]["id_number"] = 1.10105199003077e17  # a daughter: ID stored as a number
    rows[42]["id_number"] = dup_source  # a son: the ID of row 12 (index 10)
    rows[60]["village_code"] = DOUWANG  # a head: village out of the cadre's scope
    rows[64]["village_code"] = "433124102299"  # a head: unknown village
    rows[81]["birth_date"] = "1980-05-02"  # a spouse: birth date differs from the ID
    rows[90]["name"] = ""  # a son: empty required
    rows[4999]["relation"] = ""  # the last row: empty required relation
    keyed = [[r.get(k, "") for k in KEYS] for r in rows]
    path = xlsx(HEADERS, keyed)
    before = counts()

    batch = import_check(actor=tudi_cadre, entity="households", path=path, file_name="脏数据.xlsx")

    found = [(i["row"], i["column"], i["value"], i["reason"]) for i in batch.report["issues"]]
    assert found == [
        (
            sheet_row(21),
            "id_number",
            masked(bad_check),
            f"证件号码无效：身份证号码校验位错误：应为{expected_check}，实为{bad_check[-1]}",
        ),
        (sheet_row(33), "id_number", "1.1010********e+17", ID_AS_NUMBER_MESSAGE),
        (sheet_row(42), "id_number", masked(dup_source), f"与第{sheet_row(10)}行的身份证号码重复"),
        (sheet_row(60), "village_code", DOUWANG, f"行政区划代码“{DOUWANG}”不存在"),
        (sheet_row(64), "village_code", "433124102299", "行政区划代码“433124102299”不存在"),
        (sheet_row(81), "birth_date", "1980-05-02", "出生日期1980-05-02与证件号码中的出生日期不符"),
        (sheet_row(90), "name", "", "必须填写姓名"),
        (
            sheet_row(401),
            "id_number",
            masked(registered),
            f"证件号码{masked(registered)}已被其他地区的在册人员使用",
        ),
        (sheet_row(4999), "relation", "", "必须填写与户主关系"),
    ]
    assert (batch.status, batch.row_count, batch.error_count) == ("checked", 5_000, 9)
    assert batch.report["issues_total"] == 9
    assert counts() == {**before, "audit": before["audit"] + 1}  # only the check's own event
    assert not staging.batch_dir(batch.pk).exists()
    with pytest.raises(ImportApplyError) as caught:
        import_apply(actor=tudi_cadre, batch_id=batch.pk)
    assert caught.value.code == "has_errors"
    assert counts() == {**before, "audit": before["audit"] + 1}


def test_registered_holder_is_named_only_inside_the_scope(
    actor: User, xlsx: Callable[..., Path]
) -> None:
    rows = clean_rows()[:4]
    existing = services.household_create(
        actor=actor,
        village_code=TUDI,
        household_type="2",
        head=PersonInput(name="李花", id_number=rows[1]["id_number"], relation="01"),
        registered_on=date(2024, 1, 1),
    )
    path = xlsx(HEADERS, [[r.get(k, "") for k in KEYS] for r in rows])
    batch = import_check(actor=actor, entity="households", path=path, file_name="a.xlsx")
    assert [i["reason"] for i in batch.report["issues"]] == [
        f"证件号码{masked(rows[1]['id_number'])}已被在册人员李花（户编号{existing.household_number}）使用"
    ]


def test_clean_5000_row_file_with_normalisable_dirt_imports_every_row(
    tudi_cadre: User, xlsx: Callable[..., Path]
) -> None:
    rows = clean_rows()
    wanted = rows[5]["id_number"]
    rows[5]["id_number"] = wanted.translate({ord(d): chr(ord(d) + 0xFEE0) for d in "0123456789"})
    rows[6]["id_number"] = " " + rows[6]["id_number"].lower() + " "
    path = xlsx(HEADERS, [[r.get(k, "") for k in KEYS] for r in rows])
    batch = import_check(actor=tudi_cadre, entity="households", path=path, file_name="a.xlsx")
    assert batch.error_count == 0
    applied = import_apply(actor=tudi_cadre, batch_id=batch.pk)
    assert applied.counts == {"households": 1_250, "persons": 5_000}
    assert Household.objects.filter(village_id=TUDI).count() == 1_250
    assert Person.objects.count() == 5_000


def test_a_file_of_20001_rows_is_refused_whole(
    tudi_cadre: User, tmp_path: Path, counts: Callable[[], dict[str, int]]
) -> None:
    heads = unique_ids(20_001)
    rows = [[h, TUDI, "1", "2024-03-01", "张三", h, "", "01", ""] for h in heads]
    path = write_csv(tmp_path / "big.csv", HEADERS, rows)
    before = counts()
    with pytest.raises(ImportFileError) as caught:
        import_check(actor=tudi_cadre, entity="households", path=path, file_name="big.csv")
    assert (caught.value.code, caught.value.message) == (
        "too_many_rows",
        "文件有20,001行，超过单个文件的上限20,000行，请分批上传",
    )
    batch = ImportBatch.objects.get(pk=caught.value.batch_id)
    assert batch.status == "refused"
    assert batch.report == {
        "file_error": {"code": "too_many_rows", "message": caught.value.message},
        "issues": [],
    }
    assert counts() == {**before, "audit": before["audit"] + 1}


def test_missing_required_columns_are_all_named(
    tudi_cadre: User, xlsx: Callable[..., Path]
) -> None:
    path = xlsx(["姓名", "身份证号码", "备注"], [["张三", "43312419800501001X", "x"]])
    with pytest.raises(ImportFileError) as caught:
        import_check(actor=tudi_cadre, entity="households", path=path, file_name="a.xlsx")
    assert (caught.value.code, caught.value.message) == (
        "columns",
        "文件缺少必需的列：户主身份证号码、村代码、户类型、登记日期、与户主关系",
    )


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"%PDF-1.4 not a sheet", "type"),
        (b"", "empty"),
        (b"PK\x03\x04broken zip", "corrupt"),
    ],
)
def test_unreadable_files_are_refused_with_the_readers_message(
    tudi_cadre: User, tmp_path: Path, content: bytes, code: str
) -> None:
    path = tmp_path / "upload.xlsx"
    path.write_bytes(content)
    with pytest.raises(ImportFileError) as caught:
        import_check(actor=tudi_cadre, entity="households", path=path, file_name="x.xlsx")
    assert caught.value.code == code
    assert ImportBatch.objects.get(pk=caught.value.batch_id).status == "refused"
