"""The template and the error workbook, read back with openpyxl."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from fangpin.core.models import Region, User
from fangpin.imports.errors import ImportError_
from fangpin.imports.services import import_check, import_error_workbook, import_template
from fangpin.imports.specs import ENTITIES, columns_for
from tests.imports.conftest import DOUWANG, TUDI, headers_of
from tests.registry.conftest import make_user

KEYS = [
    "head_id_number",
    "village_code",
    "household_type",
    "registered_on",
    "name",
    "id_number",
    "relation",
    "phone",
]


def read(buffer: io.BytesIO) -> openpyxl.Workbook:
    buffer.seek(0)
    return openpyxl.load_workbook(buffer)


def village_choices(workbook: openpyxl.Workbook) -> list[str]:
    """The values the data sheet's 村代码 drop-down offers (from the hidden code sheet)."""
    data = workbook.worksheets[0]
    column = [c.value for c in data[1]].index("＊村代码") + 1
    letter = openpyxl.utils.get_column_letter(column)
    for validation in data.data_validations.dataValidation:
        if any(str(r).startswith(f"{letter}2") for r in validation.sqref.ranges):
            sheet_name, cells = validation.formula1.lstrip("=").split("!")
            codes = workbook[sheet_name.strip("'")]
            return [row[0].value for row in codes[cells.replace("$", "")]]
    raise AssertionError("no drop-down on 村代码")


@pytest.mark.parametrize("entity", ENTITIES)
def test_template_headers_are_the_entity_columns_required_marked(actor: User, entity: str) -> None:
    buffer = io.BytesIO()
    import_template(actor=actor, entity=entity, target=buffer)
    workbook = read(buffer)
    assert workbook.sheetnames == ["数据", "填写说明", "代码表"]
    headers = [c.value for c in workbook["数据"][1]]
    assert headers == [("＊" if c.required else "") + c.header for c in columns_for(entity)]
    assert workbook["数据"].max_row == 1  # no example on the data sheet
    notes = [row[0] for row in workbook["填写说明"].iter_rows(values_only=True)]
    assert any(str(n).startswith("五、全有或全无") for n in notes)


def test_village_drop_down_lists_exactly_the_villages_in_scope(
    actor: User, tudi_cadre: User, village: Region
) -> None:
    Region.objects.create(
        code="433124102203",
        name="已撤销村",
        level=5,
        parent_id="433124102000",
        urban_rural_class="220",
        valid_to="2020-01-01",
    )
    township = make_user("township", "township_reviewer", "433124102000")
    expected = {
        actor: [f"{TUDI} 土地村", f"{DOUWANG} 豆旺村"],
        township: [f"{TUDI} 土地村", f"{DOUWANG} 豆旺村"],
        tudi_cadre: [f"{TUDI} 土地村"],
    }
    for user, villages in expected.items():
        buffer = io.BytesIO()
        import_template(actor=user, entity="households", target=buffer)
        assert village_choices(read(buffer)) == villages


def test_a_user_without_registry_edit_gets_no_template(village: Region) -> None:
    auditor = make_user("auditor", "auditor", "433124000000")
    with pytest.raises(ImportError_) as caught:
        import_template(actor=auditor, entity="households", target=io.BytesIO())
    assert (caught.value.code, caught.value.message) == (
        "forbidden",
        "当前账号无权导入农户登记信息",
    )


def test_error_workbook_lists_every_issue_with_masked_values(
    tudi_cadre: User, xlsx: Callable[..., Path], ids: Callable[..., str]
) -> None:
    head = ids()
    bad = head[:-1] + ("0" if head[-1] != "0" else "1")
    rows = [
        [bad, TUDI, "1", "2024-03-01", "张三", bad, "01", "13812345678"],
        [head, TUDI, "1", "2024-03-01", "", head, "01", "1234"],
    ]
    batch = import_check(
        actor=tudi_cadre,
        entity="households",
        path=xlsx(headers_of("households", KEYS), rows),
        file_name="a.xlsx",
    )
    buffer = io.BytesIO()
    import_error_workbook(actor=tudi_cadre, batch_id=batch.pk, target=buffer)
    workbook = read(buffer)
    listing = list(workbook["错误清单"].iter_rows(min_row=3, values_only=True))
    masked = f"{bad[:6]}********{bad[-4:]}"
    assert listing == [
        (
            2,
            "身份证号码",
            masked,
            f"证件号码无效：身份证号码校验位错误：应为{head[-1]}，实为{bad[-1]}",
        ),
        (3, "姓名", None, "必须填写姓名"),
        (3, "联系电话", "****", "联系电话“****”格式不正确：应为11位手机号码或区号加电话号码"),
    ]
    failing = list(workbook["出错的行"].iter_rows(values_only=True))
    headers = ["原行号", *[c.header for c in columns_for("households")]]
    assert list(failing[0]) == headers
    first = dict(zip(headers, failing[1], strict=True))
    assert (first["原行号"], first["身份证号码"], first["户主身份证号码"], first["联系电话"]) == (
        2,
        masked,
        masked,
        "138****5678",
    )
    text = buffer.getvalue()
    assert head.encode() not in text
    assert bad.encode() not in text
