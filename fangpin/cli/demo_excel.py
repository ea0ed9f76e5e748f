"""⑪ of ``fangpin demo``: Excel in and out, as a village cadre would use it.

The cadre downloads the 户籍与家庭成员 template for their village, fills in three households
that moved into the village, and uploads it. The first upload has two mistakes made every
day in real files — an ID number with a wrong check character and one Excel stored as a
number — so the check lists both and writes the error workbook, and nothing is written. The
corrected file imports all three households in one transaction; the same file again answers
「已导入」. Their finances for the year follow in upsert mode. The files are kept under
``VAR_DIR/demo/excel/`` for the newcomer to open.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path
from typing import Any

import typer
import xlsxwriter

# (name, sex 1/2, birth date, relation, education, student status, migrant months)
_Member = tuple[str, str, date, str, str, str, int]
_HOUSEHOLDS: list[tuple[str, str, list[_Member]]] = [
    (
        "2",
        "岩板组",
        [
            ("龙再田", "1", date(1968, 4, 12), "01", "60", "00", 0),
            ("石秀英", "2", date(1970, 9, 3), "10", "70", "00", 0),
            ("龙建军", "1", date(1995, 1, 21), "20", "50", "00", 10),
            ("龙雨涵", "2", date(2016, 6, 30), "40", "70", "21", 0),
        ],
    ),
    ("1", "岩板组", [("麻金花", "2", date(1955, 11, 8), "01", "80", "00", 0)]),
    (
        "2",
        "新寨组",
        [
            ("吴光明", "1", date(1980, 2, 14), "01", "60", "00", 8),
            ("杨春燕", "2", date(1982, 7, 19), "10", "60", "00", 0),
            ("吴思琪", "2", date(2011, 3, 5), "30", "70", "22", 0),
        ],
    ),
]


def _free_ids(region: str, people: int, rng: random.Random) -> list[str]:
    """Valid ID numbers of ``region`` nobody in the registry has (checked by blind index)."""
    from fangpin.idnumber import build
    from fangpin.registry.models import Person, identity_index

    numbers: list[str] = []
    births = [m[2] for _t, _v, members in _HOUSEHOLDS for m in members]
    sexes = [m[1] for _t, _v, members in _HOUSEHOLDS for m in members]
    for birth, sex in zip(births[:people], sexes[:people], strict=True):
        while True:
            sequence = rng.randrange(500, 998)
            if (sequence % 2 == 1) != (sex == "1"):
                sequence += 1
            number = build(region, birth, sequence)
            if (
                number not in numbers
                and not Person.objects.filter(id_number_index=identity_index("1", number)).exists()
            ):
                numbers.append(number)
                break
    return numbers


def _rows(village_code: str, village_name: str, ids: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    at = 0
    for household_type, group, members in _HOUSEHOLDS:
        head_id = ids[at]
        for index, (name, _sex, _birth, relation, education, student, months) in enumerate(members):
            row: dict[str, Any] = {
                "head_id_number": head_id,
                "name": name,
                "id_number": ids[at],
                "relation": relation,
                "ethnicity": "06 苗族",
                "education": education,
                "student_status": student,
                "migrant_work_months": months,
                "migrant_employer": "广东省东莞市某电子厂" if months else "",
                "has_resident_medical": "是",
                "has_resident_pension": "是" if relation in ("01", "10") else "否",
            }
            if index == 0:
                row |= {
                    "village_code": village_code,
                    "natural_village": group,
                    "address": f"{village_name}{group}",
                    "household_type": household_type,
                    "registered_on": date(2024, 3, 1),
                }
            rows.append(row)
            at += 1
    return rows


def _write(path: Path, entity: str, rows: list[dict[str, Any]], *, as_number: str = "") -> Path:
    """A filled-in sheet as a cadre saves it (ID columns as text; ``as_number``: that ID number
    typed into a cell Excel formats as a number, the commonest real mistake)."""
    from fangpin.imports.specs import columns_for

    columns = [c for c in columns_for(entity) if any(c.key in row for row in rows)]
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    sheet = workbook.add_worksheet(
        {"households": "户籍与家庭成员", "finances": "家庭收支"}.get(entity, entity)
    )
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for col, column in enumerate(columns):
        sheet.write_string(0, col, column.header)
    for r, row in enumerate(rows, start=1):
        for col, column in enumerate(columns):
            value = row.get(column.key)
            if value is None or value == "":
                continue
            if isinstance(value, date):
                sheet.write_datetime(r, col, value, day)
            elif column.kind == "id" and value == as_number:
                sheet.write_number(r, col, float(value))
            elif isinstance(value, int | float):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, str(value))
    workbook.close()
    return path


def demo_excel(*, county: str, seed: int, folder: Path) -> dict[str, int]:
    """Run the Excel walk-through; return the counts the demo prints."""
    from fangpin.core.errors import FangpinError
    from fangpin.core.models import Role, User
    from fangpin.imports.errors import ImportAlreadyAppliedError
    from fangpin.imports.services import (
        import_apply,
        import_check,
        import_error_workbook,
        import_template,
    )

    cadre = (
        User.objects.filter(role=Role.VILLAGE_CADRE, home_region__code__startswith=county)
        .select_related("home_region")
        .order_by("username")
        .first()
    )
    if cadre is None or cadre.home_region is None:
        return {}
    folder.mkdir(parents=True, exist_ok=True)
    village_code = cadre.home_region.code
    rng = random.Random(seed)
    people = sum(len(m) for _t, _v, m in _HOUSEHOLDS)
    ids = _free_ids(county[:6], people, rng)
    rows = _rows(village_code, cadre.home_region.name, ids)

    import_template(actor=cadre, entity="households", target=folder / "户籍与家庭成员模板.xlsx")
    wrong = ids[4][:17] + ("0" if ids[4][17] != "0" else "1")  # a wrong check character
    first = [dict(r) for r in rows]
    first[4]["id_number"] = wrong
    first[4]["head_id_number"] = wrong
    first_file = _write(
        folder / "户籍与家庭成员_第一次.xlsx", "households", first, as_number=ids[6]
    )
    checked = import_check(
        actor=cadre, entity="households", path=first_file, file_name=first_file.name
    )
    import_error_workbook(actor=cadre, batch_id=checked.pk, target=folder / "导入错误清单.xlsx")

    fixed_file = _write(folder / "户籍与家庭成员_改正后.xlsx", "households", rows)
    batch = import_check(
        actor=cadre, entity="households", path=fixed_file, file_name=fixed_file.name
    )
    if batch.error_count:
        first_issue = (batch.report or {}).get("issues", [{}])[0]
        typer.echo(
            f"   Excel导入演示未完成：改正后的文件仍有 {batch.error_count} 处错误，"
            f"如第{first_issue.get('row', '?')}行：{first_issue.get('reason', '')}"
        )
        return {}
    try:
        applied = import_apply(actor=cadre, batch_id=batch.pk)
        import_check(actor=cadre, entity="households", path=fixed_file, file_name=fixed_file.name)
    except ImportAlreadyAppliedError:
        again = 1
    except FangpinError as exc:
        typer.echo(f"   Excel导入演示未完成：{exc.message}")
        return {}
    else:
        again = 0

    from fangpin.registry.models import Household

    numbers = list(
        Household.objects.filter(pk__in=applied.object_ids.get("households", [])).values_list(
            "household_number", flat=True
        )
    )
    finances = [
        {
            "household_number": number,
            "year": 2024,
            "wage_migrant": round(rng.uniform(18_000, 42_000), 2) if i != 1 else 0,
            "prod_crops": round(rng.uniform(1_500, 6_000), 2),
            "prod_livestock": round(rng.uniform(0, 4_000), 2),
            "tr_pension": 2_160 if i == 1 else 0,
            "tr_eco_compensation": round(rng.uniform(100, 600), 2),
            "production_expenses": round(rng.uniform(800, 2_500), 2),
        }
        for i, number in enumerate(sorted(numbers))
    ]
    finance_file = _write(folder / "家庭收支_2024.xlsx", "finances", finances)
    money = import_check(
        actor=cadre,
        entity="finances",
        path=finance_file,
        file_name=finance_file.name,
        mode="upsert",
    )
    if not money.error_count:
        import_apply(actor=cadre, batch_id=money.pk)
    return {
        "first_errors": checked.error_count,
        "households": int(applied.counts.get("households", 0)),
        "persons": int(applied.counts.get("persons", 0)),
        "again_refused": again,
        "finances": len(finances) if not money.error_count else 0,
        "finance_errors": money.error_count,
    }
