"""The integrity findings as an Excel list (「导出Excel」 on the integrity page): the latest run of
the county and year the page shows, cut to the exporter's scope, one detector when asked."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from fangpin.core.exports import ExportError
from fangpin.evaluation.integrity import integrity_run
from fangpin.evaluation.models import IntegrityFinding
from fangpin.web.exports import LISTS, export_prepare, export_write_file
from tests.evaluation.conftest import HUAYUAN, XIANGSHUI, World, add_household
from tests.exports.helpers import xlsx_rows

pytestmark = [
    pytest.mark.django_db(transaction=connection.vendor == "postgresql"),
    pytest.mark.usefixtures("finances"),
]

INTEGRITY = LISTS["integrity"]


def exported(world: World, username: str, filters: dict[str, str], tmp_path: Path) -> list[list]:
    user = world.users[username]
    prepared = export_prepare(INTEGRITY, user=user, filters=filters)
    target = tmp_path / "integrity.xlsx"
    export_write_file(target, prepared, user=user, file_format="xlsx", unmasked=False)
    rows = xlsx_rows(target.read_bytes())
    assert prepared.row_count == len(rows) - 3  # title, note, header, then the data
    return rows[3:]


def test_the_list_holds_the_latest_runs_findings_of_one_detector(
    world: World, tmp_path: Path
) -> None:
    same = [add_household(XIANGSHUI, "2", 22222) for _ in range(3)]
    run = integrity_run(actor=world.users["inspector_huayuan"], county_code=HUAYUAN, year=2024)
    expected = run.findings.get(detector="IDENTICAL_INCOME")

    rows = exported(
        world,
        "county_huayuan",
        {"county": HUAYUAN, "year": "2024", "detector": "IDENTICAL_INCOME"},
        tmp_path,
    )

    assert rows == [
        [
            "多户收入完全相同",
            "需核实",
            "响水村",
            None,
            expected.subject_id,
            expected.explanation,
            expected.threshold,
            None,
        ]
    ]
    assert len(same) == 3


def test_everything_of_the_run_without_a_detector_and_nothing_outside_the_scope(
    world: World, tmp_path: Path
) -> None:
    run = integrity_run(actor=world.users["inspector_huayuan"], county_code=HUAYUAN, year=2024)
    total = run.findings.count()

    rows = exported(world, "county_huayuan", {"county": HUAYUAN, "year": "2024"}, tmp_path)
    luxi = exported(world, "inspector_luxi", {"year": "2024"}, tmp_path)

    assert len(rows) == total
    assert luxi == []
    with pytest.raises(ExportError) as refused:
        export_prepare(INTEGRITY, user=world.users["inspector_luxi"], filters={"county": HUAYUAN})
    assert refused.value.code == "filters"
    assert IntegrityFinding.objects.count() == total
