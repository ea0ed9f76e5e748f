"""The force page's Excel lists (驻村工作队, 帮扶责任人, 项目库, 消费帮扶): each list's header row
and a data row exactly, the region and year filters, and filters outside the scope refused."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from fangpin.assistance.models import Visit
from fangpin.core.exports import ExportError
from fangpin.core.models import User
from fangpin.force.models import (
    AssistingCadre,
    CadreAssignment,
    Pairing,
    PairingCommitment,
    Project,
    ProjectAsset,
    ProjectBeneficiary,
    ProjectFunding,
    Purchase,
    TeamMember,
    WorkTeam,
)
from fangpin.web.exports import LISTS, export_prepare, export_write_file
from tests.exports.helpers import xlsx_rows
from tests.force.conftest import HUAYUAN, LONGTAN, MINLE, MINLE_TOWN, TUDI, World

pytestmark = pytest.mark.django_db

BY = "system:test"


def exported(
    user: User, name: str, tmp_path: Path, filters: dict[str, str] | None = None
) -> list[list[Any]]:
    """Header row, then the data rows, of the list as written to .xlsx."""
    prepared = export_prepare(LISTS[name], user=user, filters=filters or {})
    target = tmp_path / f"{name}.xlsx"
    export_write_file(target, prepared, user=user, file_format="xlsx", unmasked=False)
    rows = xlsx_rows(target.read_bytes())
    assert rows[0][0] == LISTS[name].title
    assert prepared.row_count == len(rows) - 3  # title, note, header, then the data
    return rows[2:]


def at_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def build(world: World, today: date) -> dict[str, Any]:
    hh = world.households
    start = today - timedelta(days=100)
    tudi = WorkTeam.objects.create(
        village_id=TUDI, dispatching_unit="县农业农村局", start_date=start, created_by_label=BY
    )
    for name, role, end in [
        ("张书记", "first_secretary", today - timedelta(days=50)),
        ("李书记", "first_secretary", None),
        ("王队长", "captain", None),
        ("赵队员", "member", None),
    ]:
        TeamMember.objects.create(
            team=tudi, name=name, role=role, unit="县农业农村局", start_date=start, end_date=end
        )
    WorkTeam.objects.create(
        village_id=MINLE, dispatching_unit="县教育局", start_date=start, created_by_label=BY
    )

    cadre = AssistingCadre.objects.create(
        name="彭大",
        unit="县农业农村局",
        county_id=HUAYUAN,
        user=world.users["cadre_tudi"],
        created_by_label=BY,
    )
    for key in ("longmen_a", "longmen_b", "tudi_a", "tudi_b", "douwang_a", "douwang_b"):
        CadreAssignment.objects.create(cadre=cadre, household=hh[key], start_date=start)
    for day in (today, today - timedelta(days=40), today - timedelta(days=400)):
        Visit.objects.create(
            household=hh["tudi_a"],
            visited_on=day,
            visitor=world.users["cadre_tudi"],
            visitor_label="彭大",
            findings="好",
        )

    veg = Project.objects.create(
        name="花垣县蔬菜基地",
        kind="industry",
        region_id=HUAYUAN,
        status="in_progress",
        start_date=date(2025, 3, 1),
        end_date=date(2026, 10, 31),
        one_county_one_industry=True,
        product="蔬菜",
        created_by_label=BY,
    )
    for source, amount in [("central_linking", 500000), ("provincial_linking", 100000)]:
        ProjectFunding.objects.create(project=veg, source=source, amount=Decimal(amount))
    ProjectFunding.objects.create(project=veg, source="local", amount=Decimal("100000.50"))
    ProjectBeneficiary.objects.create(
        project=veg, household=hh["tudi_a"], link_type="dividend", since=date(2025, 3, 1)
    )
    ProjectAsset.objects.create(
        project=veg, name="冷库", kind="operating", owner="土地村", manager="合作社", value=500000
    )
    Project.objects.create(
        name="民乐村茶叶加工",
        kind="industry",
        region_id=MINLE,
        start_date=date(2025, 2, 1),
        one_village_one_product=True,
        created_by_label=BY,
    )

    for year, product, household, coop in [
        (2024, "腊肉", hh["tudi_a"], ""),
        (2025, "茶叶", None, "民乐茶叶社"),
    ]:
        Purchase.objects.create(
            buyer="长沙市教育局",
            county_id=HUAYUAN,
            year=year,
            bought_on=date(year, 9, 1),
            product=product,
            household=household,
            cooperative=coop,
            amount=Decimal("1500.00"),
            recorded_by_label=BY,
        )
    return {"start": start}


def test_each_list_has_the_officials_layout(world: World, tmp_path: Path) -> None:
    today = timezone.localdate()
    made = build(world, today)
    county = world.users["county_huayuan"]
    longtan = {"region": LONGTAN[:9]}

    teams = exported(county, "force_teams", tmp_path, longtan)
    assert teams == [
        ["村", "派出单位", "轮换开始", "第一书记", "队长", "队员人数"],
        ["土地村", "县农业农村局", at_midnight(made["start"]), "李书记", "王队长", 3],
    ]
    cadres = exported(county, "force_cadres", tmp_path)
    assert cadres == [
        ["姓名", "单位", "帮扶户数", "是否超过上限", "近6个月走访次数"],
        ["彭大", "县农业农村局", 6, "是", 2],  # six households, over the edition's five
    ]
    projects = exported(county, "force_projects", tmp_path, longtan)
    assert projects == [
        [
            "项目名称",
            "类型",
            "实施地点",
            "状态",
            "计划开工",
            "计划完工",
            "一村一品/一县一业",
            "主导产品",
            "资金合计",
            "其中衔接资金",
            "受益户数",
            "资产原值",
        ],
        [
            "花垣县蔬菜基地",
            "产业发展",
            "花垣县",
            "实施中",
            datetime(2025, 3, 1),
            datetime(2026, 10, 31),
            "一县一业",
            "蔬菜",
            700000.5,
            600000,
            1,
            500000,
        ],
    ]
    purchases = exported(county, "force_purchases", tmp_path, {"year": "2024"})
    assert purchases == [
        ["年度", "采购单位", "产品", "供货方（户编号或合作社）", "金额", "采购日期"],
        [
            2024,
            "长沙市教育局",
            "腊肉",
            world.households["tudi_a"].household_number,
            1500,
            datetime(2024, 9, 1),
        ],
    ]
    assert exported(county, "force_purchases", tmp_path, {"year": "2025"})[1][3] == "民乐茶叶社"
    assets = exported(county, "force_assets", tmp_path)
    assert assets == [
        [
            "资产名称",
            "所属项目",
            "实施地点",
            "资产类别",
            "所有权人",
            "经营管理主体",
            "资产原值",
            "累计收益",
            "上年收益",
        ],
        ["冷库", "花垣县蔬菜基地", "花垣县", "经营性资产", "土地村", "合作社", 500000, 0, 0],
    ]
    pairing = Pairing.objects.create(
        kind="east_west",
        partner="山东省济南市",
        county_id=HUAYUAN,
        start_year=2021,
        created_by_label=BY,
    )
    PairingCommitment.objects.create(
        pairing=pairing, year=2025, item="jobs", committed=Decimal(600), delivered=Decimal(540)
    )
    pairings = exported(county, "force_pairings", tmp_path)
    assert pairings == [
        ["受帮扶县", "类别", "帮扶方", "年度", "事项", "协议数", "完成数", "完成率（%）"],
        ["花垣县", "东西部协作", "山东省济南市", 2025, "帮助转移就业（人）", 600, 540, 90],
    ]


def test_the_filters_cut_to_the_region_and_never_leave_the_scope(
    world: World, tmp_path: Path
) -> None:
    build(world, timezone.localdate())
    users = world.users
    rows = {  # viewer, filters → data rows of each list (teams, cadres, projects, purchases)
        ("county_huayuan", ""): (2, 1, 2, 2),
        ("county_huayuan", MINLE_TOWN): (1, 1, 2, 0),  # the county project benefits it too
        ("township_longtan", ""): (1, 1, 1, 1),  # its households' purchases only
        ("inspector_luxi", ""): (0, 0, 0, 0),
    }
    names = ("force_teams", "force_cadres", "force_projects", "force_purchases")
    for (viewer, region), counts in rows.items():
        filters = {"region": region} if region else {}
        got = tuple(
            export_prepare(LISTS[n], user=users[viewer], filters=filters).row_count for n in names
        )
        assert got == counts, (viewer, region)

    refused = [
        ("township_longtan", "force_teams", {"region": HUAYUAN}),  # wider than the scope
        ("township_longtan", "force_projects", {"region": MINLE_TOWN}),  # another township
        ("county_huayuan", "force_cadres", {"region": "43312"}),  # not a code
        ("county_huayuan", "force_purchases", {"year": "twenty"}),
        ("county_huayuan", "force_teams", {"year": "2024"}),  # not a filter of this list
    ]
    for viewer, name, filters in refused:
        with pytest.raises(ExportError) as error:
            export_prepare(LISTS[name], user=users[viewer], filters=filters)
        assert error.value.code == "filters", (viewer, name, filters)


def test_the_export_command_names_every_list() -> None:
    """`fangpin export --help` lists the lists a user can ask for (the registry's names)."""
    from typer.testing import CliRunner

    from fangpin.cli import app
    from fangpin.web.exports import LISTS

    shown = " ".join(CliRunner().invoke(app, ["export", "--help"]).output.split())
    for name in LISTS:
        assert name in shown.replace("│", " "), name
