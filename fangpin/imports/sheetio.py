"""The workbooks of an import: the blank template and the error workbook.

Both are written by the pure core (:mod:`fangpin.sheets.template`,
:mod:`fangpin.sheets.errorbook`); this module supplies the columns, the villages in the
uploader's scope for the 村代码 drop-down, the Chinese instructions and the masked values.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, Final

from fangpin.core.access import REGISTRY_EDIT, is_system_actor
from fangpin.core.models import Region, RegionLevel
from fangpin.core.scope import scope_prefix
from fangpin.imports.models import ImportBatch
from fangpin.imports.specs import (
    ADD_EVENT_LABELS,
    ENTITY_LABELS,
    Column,
    code_choices,
    columns_for,
)
from fangpin.sheets.errorbook import CellIssue, write_error_workbook
from fangpin.sheets.template import TemplateColumn, write_template

__all__ = ["error_workbook", "scope_villages", "template_columns", "write_entity_template"]

_TEMPLATE_ROWS: Final = 20_000
_COMMON_RULES: Final = (
    "一、请在第一个工作表“数据”中填写，一行一条；表头（第1行）不要修改、删除或调换含义。",
    "二、带“＊”的列必须有；其余列可以删除，删除或留空的列按说明中的默认值处理。",
    "三、代码列可以填写代码（如01）、名称（如户主）或下拉列表中的“代码 名称”。",
    "四、身份证号码列请保持文本格式：存成数字（如1.10105E+17）的号码后几位已丢失，会被拒绝。",
    "五、全有或全无：上传后系统检查全部行，只要有一处错误就一行也不导入，并列出全部错误"
    "（可下载错误清单，证件号码和电话已脱敏）；改正后重新上传即可。",
    "六、同一文件导入成功后再次上传不会重复导入。",
)
_ENTITY_RULES: Final[dict[str, tuple[str, ...]]] = {
    "households": (
        "七、每行一人。同一户的各行填写同一个“户主身份证号码”；户主本人一行的身份证号码与之相同，"
        "与户主关系为“01 户主”。",
        "八、村代码、户编号、自然村、住址、户类型、户联系电话、易地扶贫搬迁户、安置方式、安置点、"
        "登记日期按户主所在行读取；同户其他行可以留空，填写时必须与户主行一致。",
        "九、户编号可空：留空时按村代码自动编号（村代码+4位顺序号）。",
        "十、出生日期、性别可空（按身份证号码）；填写时必须与号码一致。",
    ),
    "members": (
        "七、每行一名加入已登记农户的新成员，户编号须为本辖区内的正常户。",
        "八、变动类型为出生、迁入或婚入；按出生登记的须在变动日期未满18周岁。",
        "九、新成员的与户主关系不能为“01 户主”（户主变更请在系统中办理）。",
    ),
    "finances": (
        "七、每行一户一个年度（2010年至今年）的收支，金额单位为元，0至10,000,000，最多两位小数。",
        "八、“仅新增”方式下该户该年度已有收支即报错；“新增或更新”方式下已有的记录按本行"
        "填写的金额和家庭人口更新，留空的项目保持原值。",
        "九、家庭人口可空：新增时按户内在册人数。",
    ),
    "conditions": (
        "七、每行一户一次核查（两不愁三保障及饮水安全），同一户同一核查日期只能有一条。",
        "八、饮水安全四项结果由系统按《农村饮水安全评价准则》根据测量值计算，不需填写。",
        "九、“新增或更新”方式下同一户同一核查日期已有的记录按本行更新。",
    ),
}
_EXAMPLES: Final[dict[str, list[dict[str, str]]]] = {
    "households": [
        {
            "head_id_number": "43312419800501001X",
            "village_code": "433124102201 土地村",
            "household_type": "1 脱贫户",
            "registered_on": "2024-03-01",
            "address": "龙潭镇土地村上寨12号",
            "name": "张三",
            "id_number": "43312419800501001X",
            "relation": "01 户主",
        },
        {
            "head_id_number": "43312419800501001X",
            "name": "李梅",
            "id_number": "433124198208090021",
            "relation": "10 配偶",
        },
    ],
    "members": [
        {
            "household_number": "4331241022010001",
            "event_type": "出生",
            "event_date": "2024-05-01",
            "name": "张小花",
            "id_number": "433124202404300021",
            "relation": "30 之女（含儿媳）",
        }
    ],
    "finances": [{"household_number": "4331241022010001", "year": "2024", "wage_migrant": "36000"}],
    "conditions": [
        {
            "household_number": "4331241022010001",
            "assessed_on": "2024-06-01",
            "food_secure": "是",
            "clothing_secure": "是",
            "housing_grade": "A A级（安全）",
            "housing_assessor": "花垣县住房和城乡建设局",
            "housing_assessed_on": "2024-05-20",
            "water_area_type": "rich 丰水地区",
            "water_litres_per_person_day": "60",
            "water_is_piped": "是",
        }
    ],
}


def scope_villages(actor: Any) -> list[str]:
    """The current villages in ``actor``'s edit scope, as ``code name`` for the drop-down."""
    qs = Region.objects.filter(level=RegionLevel.VILLAGE, valid_to__isnull=True)
    if not is_system_actor(actor):
        prefix = scope_prefix(actor, capability=REGISTRY_EDIT)
        if prefix is None:
            return []
        qs = qs.filter(code__startswith=prefix)
    return [f"{code} {name}" for code, name in qs.order_by("code").values_list("code", "name")]


def _choices(column: Column, villages: Sequence[str]) -> tuple[str, ...]:
    if column.key == "village_code":
        return tuple(villages)
    if column.key == "event_type":
        return tuple(ADD_EVENT_LABELS.values())
    return tuple(code_choices(column.table)) if column.table else ()


def template_columns(
    columns: Sequence[Column], villages: Sequence[str] | None = None
) -> list[TemplateColumn]:
    """The pure core's columns; without ``villages`` (header matching only) the village
    column is plain text."""
    out = []
    for column in columns:
        choices = _choices(column, villages or ())
        kind = column.kind if column.kind != "code" or choices else "text"
        out.append(
            TemplateColumn(
                key=column.key,
                header=column.header,
                required=column.required,
                kind=kind,
                choices=choices,
                note=column.note,
                width=column.width,
            )
        )
    return out


def write_entity_template(*, actor: Any, entity: str, target: str | Path | IO[bytes]) -> None:
    columns = columns_for(entity)
    villages = scope_villages(actor)
    examples = [[row.get(c.key, "") for c in columns] for row in _EXAMPLES[entity]]
    write_template(
        target,
        title=f"{ENTITY_LABELS[entity]}导入模板",
        sheet_name="数据",
        columns=template_columns(columns, villages),
        instructions=[*_COMMON_RULES, *_ENTITY_RULES[entity], "", "各列说明："]
        + [f"{'＊' if c.required else ''}{c.header}：{c.note or '可空'}" for c in columns],
        example_rows=examples,
        rows=_TEMPLATE_ROWS,
    )


def error_workbook(batch: ImportBatch, target: str | Path | IO[bytes]) -> None:
    """The failing rows (masked) and every issue of ``batch``, for fixing and re-uploading."""
    columns = columns_for(batch.entity)
    report = batch.report or {}
    failing = [
        (int(item["row"]), [item["values"].get(c.key, "") for c in columns])
        for item in report.get("failing_rows", [])
    ]
    issues = [
        CellIssue(row=i["row"], column_key=i["column"], value=i["value"], reason=i["reason"])
        for i in report.get("issues", [])
    ]
    file_error = report.get("file_error")
    write_error_workbook(
        target,
        title=f"{ENTITY_LABELS[batch.entity]}导入错误清单（{batch.file_name}）",
        columns=template_columns(columns),
        failing_rows=failing,
        issues=issues,
        file_issues=[file_error["message"]] if file_error else [],
    )
