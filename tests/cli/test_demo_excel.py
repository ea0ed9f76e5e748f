"""The demo's step ⑪ (Excel in and out) on the small test county, where every number is known."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from fangpin.cli.demo_excel import demo_excel
from fangpin.core.models import User
from fangpin.imports.models import ImportBatch
from fangpin.registry.models import Household, HouseholdFinance, Person
from tests.registry.conftest import TUDI, tudi_cadre, village

__all__ = ["tudi_cadre", "village"]  # fixtures, imported so pytest finds them


def test_the_walk_through_imports_the_fixed_file_once(tudi_cadre: User, tmp_path: Path) -> None:
    households, persons = Household.objects.count(), Person.objects.count()

    folder = tmp_path / "excel"

    counts = demo_excel(county="433124", seed=7, folder=folder)

    assert counts == {
        "first_errors": 2,
        "households": 3,
        "persons": 8,
        "again_refused": 1,
        "finances": 3,
        "finance_errors": 0,
    }
    assert (Household.objects.count(), Person.objects.count()) == (households + 3, persons + 8)
    first, fixed, money = ImportBatch.objects.order_by("created_at")
    added = fixed.object_ids["households"]
    assert set(Household.objects.filter(pk__in=added).values_list("village_id", flat=True)) == {
        TUDI
    }
    assert HouseholdFinance.objects.filter(household__in=added, year=2024).count() == 3
    assert [(b.entity, b.status, b.error_count) for b in (first, fixed, money)] == [
        ("households", "checked", 2),
        ("households", "applied", 0),
        ("finances", "applied", 0),
    ]
    # row 6: 麻金花's ID with a wrong check character; row 8: 杨春燕's ID stored as a number
    assert [(i["row"], i["column"]) for i in first.report["issues"]] == [
        (6, "id_number"),
        (8, "id_number"),
    ]
    assert first.report["issues"][1]["reason"].startswith("身份证号码被存成了")
    assert {p.name for p in folder.iterdir()} == {
        "导入错误清单.xlsx",
        "家庭收支_2024.xlsx",
        "户籍与家庭成员_改正后.xlsx",
        "户籍与家庭成员_第一次.xlsx",
        "户籍与家庭成员模板.xlsx",
    }
    listing = openpyxl.load_workbook(folder / "导入错误清单.xlsx")["错误清单"]
    assert listing.max_row == 2 + 2  # title, header, the two errors
