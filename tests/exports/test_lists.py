"""Every exportable list holds exactly the rows of the exporter's scope, masked: clues, cases,
declarations and the visit coverage list, for a village cadre with data in two villages; and
the filters the pages pass on (a township prefix, the household months) filter the export."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from fangpin import idnumber
from fangpin.core.exports import ExportError
from fangpin.core.models import User
from fangpin.registry.models import Household
from fangpin.web.exports import LISTS, export_prepare, export_write_file
from tests.casework.conftest import make_case, make_clue
from tests.exports.helpers import xlsx_rows
from tests.intake.conftest import STRANGER_ID, make_declaration
from tests.registry.conftest import DOUWANG, TUDI
from tests.registry.monitoring_helpers import add_spell

FULL_ID = re.compile(r"\d{17}[\dXx]")
FULL_PHONE = re.compile(r"1[3-9]\d{9}")


def exported(user: User, list_name: str, tmp_path: Path) -> list[list[Any]]:
    prepared = export_prepare(LISTS[list_name], user=user, filters={})
    target = tmp_path / f"{list_name}.xlsx"
    export_write_file(target, prepared, user=user, file_format="xlsx", unmasked=False)
    rows = xlsx_rows(target.read_bytes())
    assert prepared.row_count == len(rows) - 3  # title, note, header, then the data
    return rows[3:]


def no_full_numbers(rows: list[list[Any]]) -> bool:
    text = " ".join(str(cell) for row in rows for cell in row if cell is not None)
    return FULL_ID.search(text) is None and FULL_PHONE.search(text) is None


def test_clues_of_the_cadres_village_only(
    family: Household, douwang_family: Household, tudi_cadre: User, tmp_path: Path
) -> None:
    make_clue(family)
    make_clue(douwang_family)

    rows = exported(tudi_cadre, "clues", tmp_path)

    assert family.household_number in rows[0]
    assert len(rows) == 1
    assert no_full_numbers(rows)


def test_cases_of_the_cadres_village_only(
    family: Household, douwang_family: Household, tudi_cadre: User, actor: User, tmp_path: Path
) -> None:
    make_case(family, actor)
    make_case(douwang_family, actor)

    rows = exported(tudi_cadre, "cases", tmp_path)

    assert len(rows) == 1
    assert family.household_number in rows[0]
    assert no_full_numbers(rows)


def test_declarations_of_the_cadres_village_only_and_masked(
    family: Household, tudi_cadre: User, tmp_path: Path
) -> None:
    make_declaration(TUDI)
    make_declaration(DOUWANG, id_number=idnumber.build("433124", date(1979, 6, 1), 556))

    rows = exported(tudi_cadre, "declarations", tmp_path)

    assert len(rows) == 1
    assert f"{STRANGER_ID[:6]}********{STRANGER_ID[-4:]}" in rows[0]
    assert "139****1234" in rows[0]
    assert "彭小红" not in rows[0]  # the declarant's name is masked, as on the page
    assert no_full_numbers(rows)


def test_coverage_of_the_cadres_village_only(
    family: Household, douwang_family: Household, tudi_cadre: User, tmp_path: Path
) -> None:
    add_spell(family, "MARGINAL", date(2026, 1, 1), risks=[("01", "")])
    add_spell(douwang_family, "MARGINAL", date(2026, 1, 1), risks=[("01", "")])

    rows = exported(tudi_cadre, "coverage", tmp_path)

    assert [row[0] for row in rows] == [family.household_number]


def test_a_township_prefix_filters_the_clue_case_and_problem_exports(
    family: Household, douwang_family: Household, actor: User, tudi_cadre: User
) -> None:
    from tests.supervision.test_services import record

    make_clue(family)
    make_clue(douwang_family)
    make_case(family, actor)
    make_case(douwang_family, actor)
    record(actor)
    record(actor, region_code=DOUWANG)

    def count(user: User, list_name: str, filters: dict[str, str]) -> int:
        return export_prepare(LISTS[list_name], user=user, filters=filters).row_count

    assert count(actor, "clues", {"village": "433124102"}) == 2  # 龙潭镇: both villages
    assert count(actor, "cases", {"village": "433124102"}) == 2
    assert count(actor, "problems", {"region": "433124102"}) == 2
    assert count(actor, "problems", {"region": DOUWANG}) == 1
    with pytest.raises(ExportError) as refused:  # not a choice of a village cadre
        count(tudi_cadre, "clues", {"village": "433124102"})
    assert refused.value.code == "filters"


def test_the_household_export_keeps_the_month_filters(
    family: Household, douwang_family: Household, actor: User
) -> None:
    add_spell(family, "MARGINAL", date(2026, 1, 1))
    add_spell(
        douwang_family, "MARGINAL", date(2025, 3, 1), eliminated=date(2025, 12, 1),
        is_current=False,
    )  # fmt: skip
    add_spell(douwang_family, "UNSTABLE", date(2026, 1, 1))  # the risk returned: a new spell

    def numbers(filters: dict[str, str]) -> list[str]:
        rows = export_prepare(LISTS["households"], user=actor, filters=filters).rows
        return [h.household_number for h in rows]

    assert numbers({"identified": "2026-01"}) == sorted(
        [family.household_number, douwang_family.household_number]
    )
    assert numbers({"identified": "2025-03"}) == [douwang_family.household_number]
    assert numbers({"eliminated": "2025-12"}) == [douwang_family.household_number]
    assert numbers({"eliminated": "2026-01"}) == []
    with pytest.raises(ExportError) as refused:
        numbers({"identified": "2026-1"})
    assert refused.value.code == "filters"
