"""The exportable lists of the assistance force page (``/force/``): work teams, assisting
cadres, pairings with their commitments, the project library, project assets and consumption
assistance, in the layouts officials keep.

Same contract as :mod:`fangpin.web.export_lists` (the page's selectors, the region scope
applied there). Filters: ``region`` — a region code or the page's code prefix (``433124``,
``433124102``), inside the exporter's scope — and, for purchases, ``year``. No ID or phone
numbers: household numbers only.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from fangpin.core.exports import ExportError
from fangpin.core.scope import scope_prefix
from fangpin.force import selectors
from fangpin.force.models import TeamRole
from fangpin.policy import PolicyError, resolve
from fangpin.regioncode import RegionCodeError, subtree_prefix
from fangpin.sheets.writer import Column
from fangpin.web.export_lists import ExportList

__all__ = [
    "FORCE_ASSETS",
    "FORCE_CADRES",
    "FORCE_LISTS",
    "FORCE_PAIRINGS",
    "FORCE_PROJECTS",
    "FORCE_PURCHASES",
    "FORCE_TEAMS",
]

PAGE = "web:force"
VISIT_MONTHS = 6
YES, NO = "是", "否"


def _prefix(user: Any, filters: dict[str, str]) -> str:
    """The ``region`` filter as a code prefix inside the scope (the whole scope without it)."""
    scope = scope_prefix(user) or ""
    wanted = filters.get("region", "")
    if not wanted:
        return scope
    try:
        prefix = subtree_prefix(wanted)
    except RegionCodeError:
        raise ExportError("filters", "筛选条件“区划”不正确：应为区划代码") from None
    if not prefix.startswith(scope):
        raise ExportError("filters", "所选区划不在您的辖区内")
    return prefix


# --- 驻村工作队 ----------------------------------------------------------------------------------


def _team_rows(user: Any, filters: dict[str, str]) -> list[Any]:
    return selectors.teams(user=user, prefix=_prefix(user, filters), on=timezone.localdate())


def _team_cells(team: Any, unmasked: bool) -> list[object]:
    del unmasked  # no number in this list
    today = timezone.localdate()
    current = [
        m for m in team.members.all() if m.start_date <= today and (m.end_date or today) >= today
    ]

    def named(role: str) -> str:
        return "、".join(m.name for m in current if m.role == role)

    return [
        team.village.name,
        team.dispatching_unit,
        team.start_date,
        named(TeamRole.FIRST_SECRETARY),
        named(TeamRole.CAPTAIN),
        len({m.name for m in current}),  # a first secretary who captains counts once
    ]


FORCE_TEAMS = ExportList(
    name="force_teams",
    title="驻村工作队",
    page_url=PAGE,
    columns=(
        Column("village", "村", width=14),
        Column("dispatching_unit", "派出单位", width=24),
        Column("start_date", "轮换开始", "date", width=12),
        Column("first_secretary", "第一书记"),
        Column("captain", "队长"),
        Column("members", "队员人数", "int"),
    ),
    filters=("region",),
    rows=_team_rows,
    cells=_team_cells,
)


# --- 帮扶责任人 ----------------------------------------------------------------------------------


def _limit(county6: str, year: int) -> int | None:
    """Households one cadre may be responsible for in the county (the policy edition)."""
    try:
        return resolve(year, county6).force.max_households_per_cadre
    except PolicyError:
        return None


def _cadre_rows(user: Any, filters: dict[str, str]) -> list[Any]:
    today = timezone.localdate()
    rows = selectors.cadre_rows(
        user=user,
        prefix=_prefix(user, filters),
        on=today,
        months=VISIT_MONTHS,
        limit=0,  # each county's own limit is applied by the cell
    )
    limits = {c: _limit(c, today.year) for c in {row.cadre.county_id[:6] for row in rows}}
    return [(row, limits[row.cadre.county_id[:6]]) for row in rows]


def _cadre_cells(pair: Any, unmasked: bool) -> list[object]:
    del unmasked  # cadres' names and units only
    row, limit = pair
    over = "" if limit is None else (YES if row.households_total > limit else NO)
    return [row.cadre.name, row.cadre.unit, row.households, over, row.visits_total]


FORCE_CADRES = ExportList(
    name="force_cadres",
    title="帮扶责任人",
    page_url=PAGE,
    columns=(
        Column("name", "姓名"),
        Column("unit", "单位", width=24),
        Column("households", "帮扶户数", "int"),
        Column("over_limit", "是否超过上限"),
        Column("visits", "近6个月走访次数", "int", width=16),
    ),
    filters=("region",),
    rows=_cadre_rows,
    cells=_cadre_cells,
)


# --- 项目库 --------------------------------------------------------------------------------------


def _project_rows(user: Any, filters: dict[str, str]) -> Any:
    return selectors.projects(user=user, prefix=_prefix(user, filters))


def _project_cells(p: Any, unmasked: bool) -> list[object]:
    del unmasked  # no number in this list
    tags = [label for field, label in selectors.PROJECT_TAGS.items() if getattr(p, field)]
    return [
        p.name,
        p.get_kind_display(),
        p.region.name,
        p.get_status_display(),
        p.start_date,
        p.end_date,
        "、".join(tags),
        p.product,
        p.funds_total,
        p.linking_funds,
        p.households_benefited,
        p.assets_value,
    ]


FORCE_PROJECTS = ExportList(
    name="force_projects",
    title="项目库",
    page_url=PAGE,
    columns=(
        Column("name", "项目名称", width=30),
        Column("kind", "类型", width=18),
        Column("region", "实施地点", width=14),
        Column("status", "状态"),
        Column("start_date", "计划开工", "date", width=12),
        Column("end_date", "计划完工", "date", width=12),
        Column("tags", "一村一品/一县一业", width=18),
        Column("product", "主导产品", width=14),
        Column("funds_total", "资金合计", "money", width=14),
        Column("linking_funds", "其中衔接资金", "money", width=14),
        Column("households", "受益户数", "int"),
        Column("assets_value", "资产原值", "money", width=14),
    ),
    filters=("region",),
    rows=_project_rows,
    cells=_project_cells,
)


# --- 消费帮扶 ------------------------------------------------------------------------------------


def _purchase_rows(user: Any, filters: dict[str, str]) -> Any:
    year: int | None = None
    if filters.get("year"):
        text = filters["year"]
        if not (text.isascii() and text.isdigit() and 2000 <= int(text) <= 2100):
            raise ExportError("filters", "筛选条件“年度”不正确：应为四位年份")
        year = int(text)
    return selectors.purchases(user=user, prefix=_prefix(user, filters), year=year)


def _purchase_cells(p: Any, unmasked: bool) -> list[object]:
    del unmasked  # household numbers only
    seller = p.household.household_number if p.household is not None else p.cooperative
    return [p.year, p.buyer, p.product, seller, p.amount, p.bought_on]


FORCE_PURCHASES = ExportList(
    name="force_purchases",
    title="消费帮扶",
    page_url=PAGE,
    columns=(
        Column("year", "年度", "int"),
        Column("buyer", "采购单位", width=24),
        Column("product", "产品", width=16),
        Column("seller", "供货方（户编号或合作社）", width=24),
        Column("amount", "金额", "money", width=14),
        Column("bought_on", "采购日期", "date", width=12),
    ),
    filters=("region", "year"),
    rows=_purchase_rows,
    cells=_purchase_cells,
)

# --- 东西部协作与定点帮扶 ------------------------------------------------------------------------


def _pairing_rows(user: Any, filters: dict[str, str]) -> list[Any]:
    pairings = selectors.pairings(user=user, prefix=_prefix(user, filters))
    return [(p, c) for p in pairings for c in p.commitments.all()]


def _pairing_cells(pair: Any, unmasked: bool) -> list[object]:
    del unmasked  # units and figures only
    pairing, c = pair
    share = round(float(c.delivered / c.committed) * 100, 1) if c.committed else None
    return [
        pairing.county.name,
        pairing.get_kind_display(),
        pairing.partner,
        c.year,
        c.get_item_display(),
        c.committed,
        c.delivered,
        share,
    ]


FORCE_PAIRINGS = ExportList(
    name="force_pairings",
    title="东西部协作与定点帮扶",
    page_url=PAGE,
    columns=(
        Column("county", "受帮扶县", width=12),
        Column("kind", "类别", width=12),
        Column("partner", "帮扶方", width=20),
        Column("year", "年度", "int"),
        Column("item", "事项", width=20),
        Column("committed", "协议数", "money", width=14),
        Column("delivered", "完成数", "money", width=14),
        Column("share", "完成率（%）", "number", width=12),
    ),
    filters=("region",),
    rows=_pairing_rows,
    cells=_pairing_cells,
)


# --- 项目资产 ------------------------------------------------------------------------------------


def _asset_rows(user: Any, filters: dict[str, str]) -> Any:
    return selectors.assets(user=user, prefix=_prefix(user, filters)).select_related(
        "project__region"
    )


def _asset_cells(a: Any, unmasked: bool) -> list[object]:
    del unmasked  # no number in this list
    return [
        a.name,
        a.project.name,
        a.project.region.name,
        a.get_kind_display(),
        a.owner,
        a.manager,
        a.value,
        a.returns_total,
        a.last_year_return,
    ]


FORCE_ASSETS = ExportList(
    name="force_assets",
    title="项目资产",
    page_url=PAGE,
    columns=(
        Column("name", "资产名称", width=30),
        Column("project", "所属项目", width=30),
        Column("region", "实施地点", width=14),
        Column("kind", "资产类别", width=12),
        Column("owner", "所有权人", width=20),
        Column("manager", "经营管理主体", width=20),
        Column("value", "资产原值", "money", width=14),
        Column("returns_total", "累计收益", "money", width=14),
        Column("last_year_return", "上年收益", "money", width=14),
    ),
    filters=("region",),
    rows=_asset_rows,
    cells=_asset_cells,
)

FORCE_LISTS = (
    FORCE_TEAMS,
    FORCE_CADRES,
    FORCE_PAIRINGS,
    FORCE_PROJECTS,
    FORCE_ASSETS,
    FORCE_PURCHASES,
)
"""Registered in :data:`fangpin.web.exports.LISTS`."""
