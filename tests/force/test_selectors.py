"""The assistance force's reads: teams and the villages without one, cadres' loads and visits,
the households without a cadre, pairings, projects with their funds and assets, benefits and
purchases — each cut to the reader's scope, a county project visible from below."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from fangpin.assistance.models import Visit
from fangpin.core.models import Region, Role, User
from fangpin.force import selectors
from fangpin.force.models import (
    AssetReturn,
    AssistingCadre,
    Benefit,
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
from fangpin.registry.models import Household
from tests.force.conftest import (
    DOUWANG,
    HUAYUAN,
    LONGMEN,
    LONGTAN,
    LUXI,
    MINLE,
    TUDI,
    XIANGSHUI,
    World,
)
from tests.registry.conftest import make_user

pytestmark = pytest.mark.django_db

ON = date(2025, 6, 15)
LIMIT = 5
LONGXIKOU = "433122102200"  # 泸溪县 龙溪口村
BY = "system:test"


@dataclass
class Force:
    teams: dict[str, WorkTeam]
    cadres: dict[str, AssistingCadre]
    projects: dict[str, Project]
    purchases: dict[str, Purchase]
    pairing: Pairing
    visitor: User


def team(village: str, unit: str, start: date, end: date | None = None) -> WorkTeam:
    return WorkTeam.objects.create(
        village_id=village,
        dispatching_unit=unit,
        start_date=start,
        end_date=end,
        created_by_label=BY,
    )


def member(t: WorkTeam, name: str, role: str, start: date, end: date | None = None) -> None:
    TeamMember.objects.create(
        team=t, name=name, role=role, unit="县农业农村局", start_date=start, end_date=end
    )


def assign(cadre: AssistingCadre, household: Household, start: date, end: date | None = None):
    CadreAssignment.objects.create(cadre=cadre, household=household, start_date=start, end_date=end)


def project(name: str, kind: str, region: str, start: date, funds: dict[str, int], **kw: Any):
    p = Project.objects.create(
        name=name, kind=kind, region_id=region, start_date=start, created_by_label=BY, **kw
    )
    ProjectFunding.objects.bulk_create(
        ProjectFunding(project=p, source=s, amount=Decimal(a)) for s, a in funds.items()
    )
    return p


def purchase(key: str, buyer: str, county: str, bought: date, amount: str, **kw: Any):
    return Purchase.objects.create(
        buyer=buyer,
        county_id=county,
        year=bought.year,
        bought_on=bought,
        product=key,
        amount=Decimal(amount),
        recorded_by_label=BY,
        **kw,
    )


def build(world: World) -> Force:
    """Teams, cadres, a pairing, five projects and four purchases (see each test's figures)."""
    hh = world.households
    teams = {
        "tudi_old": team(TUDI, "县财政局", date(2021, 3, 1), date(2024, 2, 29)),
        "tudi": team(TUDI, "县农业农村局", date(2024, 3, 1)),
        "minle_next": team(MINLE, "县教育局", date(2025, 7, 1)),  # not yet stationed
        "longmen_ended": team(LONGMEN, "县卫健局", date(2022, 3, 1), date(2025, 6, 14)),
        "luxi": team(LONGXIKOU, "泸溪县水利局", date(2024, 3, 1)),
    }
    t = teams["tudi"]
    member(t, "赵队员", "member", date(2024, 3, 1))
    member(t, "李书记", "first_secretary", date(2024, 9, 1))
    member(t, "王队长", "captain", date(2024, 3, 1))
    member(t, "张书记", "first_secretary", date(2024, 3, 1), date(2024, 8, 31))

    visitor = make_user("cadre_peng", Role.VILLAGE_CADRE, TUDI)
    cadres = {
        "peng": AssistingCadre.objects.create(
            name="彭大", unit="县农业农村局", county_id=HUAYUAN, user=visitor, created_by_label=BY
        ),
        "shi": AssistingCadre.objects.create(
            name="石二", unit="县人社局", county_id=HUAYUAN, created_by_label=BY
        ),
        "fu": AssistingCadre.objects.create(
            name="符三", unit="泸溪县民政局", county_id=LUXI, created_by_label=BY
        ),
    }
    for key in ("longmen_a", "longmen_b", "tudi_a", "tudi_b", "douwang_a", "douwang_b"):
        assign(cadres["peng"], hh[key], date(2024, 1, 1))  # six: over the limit of five
    assign(cadres["peng"], hh["minle_a"], date(2023, 1, 1), date(2024, 12, 31))  # ended
    assign(cadres["shi"], hh["minle_b"], date(2024, 1, 1))
    assign(cadres["shi"], hh["douwang_d"], date(2025, 7, 1))  # not yet
    assign(cadres["fu"], hh["luxi_a"], date(2024, 1, 1))
    stranger = world.users["cadre_tudi"]  # visits, but is nobody's cadre account
    for key, day, who in [
        ("tudi_a", date(2025, 6, 3), visitor),
        ("tudi_a", date(2025, 6, 10), visitor),
        ("longmen_a", date(2025, 4, 20), visitor),
        ("minle_a", date(2025, 1, 5), visitor),
        ("tudi_b", date(2024, 12, 20), visitor),  # before the six months
        ("tudi_a", date(2025, 6, 5), stranger),
    ]:
        Visit.objects.create(
            household=hh[key],
            visited_on=day,
            visitor=who,
            visitor_label=who.username,
            findings="好",
        )

    pairing = Pairing.objects.create(
        kind="east_west", partner="长沙市", county_id=HUAYUAN, start_year=2021, created_by_label=BY
    )
    PairingCommitment.objects.bulk_create(
        PairingCommitment(pairing=pairing, year=y, item=i, committed=c, delivered=d)
        for y, i, c, d in [
            (2025, "funds", 1000000, 0),
            (2024, "jobs", 100, 120),
            (2024, "funds", 1000000, 800000),
            (2024, "cadres", 0, 2),
        ]
    )

    projects = {
        "veg": project(
            "花垣县蔬菜基地",
            "industry",
            HUAYUAN,
            date(2025, 3, 1),
            {"central_linking": 500000, "provincial_linking": 100000, "local": 100000},
            status="in_progress",
            one_county_one_industry=True,
            product="蔬菜",
        ),
        "road": project(
            "土地村道路硬化",
            "infrastructure",
            TUDI,
            date(2025, 4, 1),
            {"central_linking": 200000, "self": 10000},
        ),
        "tea": project(
            "民乐村茶叶加工",
            "industry",
            MINLE,
            date(2025, 2, 1),
            {"central_linking": 200000},
            one_village_one_product=True,
            product="茶叶",
        ),
        "stopped": project(
            "响水村养殖场",
            "industry",
            XIANGSHUI,
            date(2025, 1, 15),
            {"central_linking": 500000},
            status="suspended",
        ),
        "luxi": project(
            "泸溪县柑橘园", "industry", LUXI, date(2025, 5, 1), {"central_linking": 999}
        ),
    }
    veg = projects["veg"]
    ProjectBeneficiary.objects.bulk_create(
        ProjectBeneficiary(project=veg, household=hh[k], link_type=t, since=date(2025, 3, 1))
        for k, t in [("tudi_a", "dividend"), ("tudi_a", "wage"), ("tudi_b", "dividend")]
    )
    store = ProjectAsset.objects.create(
        project=veg, name="冷库", kind="operating", owner="土地村", manager="合作社", value=500000
    )
    ProjectAsset.objects.create(
        project=veg, name="大棚", kind="operating", owner="土地村", manager="合作社", value=300000
    )
    AssetReturn.objects.create(asset=store, year=2024, amount=Decimal("30000"))
    AssetReturn.objects.create(asset=store, year=2025, amount=Decimal("40000"))
    for year, kind, amount in [(2024, "dividend", "1200.00"), (2025, "wage", "3000.00")]:
        Benefit.objects.create(
            project=veg,
            household=hh["tudi_a"],
            year=year,
            link_type=kind,
            amount=Decimal(amount),
            recorded_by_label=BY,
        )

    purchases = {
        "腊肉": purchase(
            "腊肉", "长沙市教育局", HUAYUAN, date(2024, 9, 1), "1500", household=hh["tudi_a"]
        ),
        "茶叶": purchase(
            "茶叶", "长沙市教育局", HUAYUAN, date(2025, 5, 1), "20000", cooperative="民乐茶叶社"
        ),
        "蜂蜜": purchase(
            "蜂蜜", "湖南大学", HUAYUAN, date(2025, 6, 1), "800", household=hh["minle_b"]
        ),
        "柑橘": purchase("柑橘", "湖南大学", LUXI, date(2025, 6, 2), "900", cooperative="泸溪果社"),
    }
    return Force(teams, cadres, projects, purchases, pairing, visitor)


def test_teams_and_villages_without_one_in_each_scope(world: World) -> None:
    force = build(world)
    users = world.users
    cases = {  # viewer, prefix → (teams, villages without a team on ON)
        ("county_huayuan", "433124"): (["tudi"], [LONGMEN, DOUWANG, MINLE, XIANGSHUI]),
        ("county_huayuan", "433124102"): (["tudi"], [LONGMEN, DOUWANG]),
        ("township_longtan", ""): (["tudi"], [LONGMEN, DOUWANG]),
        ("township_longtan", "433124103"): ([], []),  # another township: nothing
        ("township_longtan", "433124"): (["tudi"], [LONGMEN, DOUWANG]),  # never wider
        ("cadre_tudi", "433124"): (["tudi"], []),
        ("inspector_luxi", ""): (["luxi"], []),
    }
    for (viewer, prefix), (want_teams, want_villages) in cases.items():
        got = selectors.teams(user=users[viewer], prefix=prefix, on=ON)
        assert got == [force.teams[k] for k in want_teams], (viewer, prefix)
        without = selectors.villages_without_team(user=users[viewer], prefix=prefix, on=ON)
        assert [v.code for v in without] == want_villages, (viewer, prefix)

    members = selectors.teams(user=users["county_huayuan"], prefix="", on=ON)[0].members.all()
    assert [(m.name, m.end_date) for m in members] == [
        ("张书记", date(2024, 8, 31)),
        ("李书记", None),
        ("王队长", None),
        ("赵队员", None),
    ]
    history = selectors.team_history(user=users["township_longtan"], village_code=TUDI)
    assert history == [force.teams["tudi"], force.teams["tudi_old"]]
    assert selectors.team_history(user=users["inspector_luxi"], village_code=TUDI) == []
    one = selectors.team_history(user=users["cadre_tudi"], team_id=force.teams["tudi"].public_id)
    assert one == [force.teams["tudi"]]


def test_cadres_loads_visits_and_households_without_a_cadre(world: World) -> None:
    force = build(world)
    users, hh = world.users, world.households
    months = [date(2025, m, 1) for m in range(1, 7)]

    county = selectors.cadre_rows(user=users["county_huayuan"], prefix="433124", on=ON, limit=LIMIT)
    village = selectors.cadre_rows(user=users["cadre_tudi"], prefix="", on=ON, limit=LIMIT)
    wide = selectors.cadre_rows(user=users["county_huayuan"], prefix="", on=ON, limit=6)

    def table(rows: list[selectors.CadreRow]) -> dict[str, tuple[Any, ...]]:
        return {
            r.cadre.name: (r.households, r.households_total, r.over_limit, list(r.visits.values()))
            for r in rows
        }

    assert all(list(r.visits) == months for r in county + village)
    assert table(county) == {
        "彭大": (6, 6, True, [1, 0, 0, 1, 0, 2]),
        "石二": (1, 1, False, [0] * 6),
    }
    assert table(village) == {  # inside 土地村 only; the limit is about all six
        "彭大": (2, 6, True, [0, 0, 0, 0, 0, 2]),
        "石二": (0, 1, False, [0] * 6),
    }
    assert [r.over_limit for r in wide] == [False, False]
    assert county[0].visits_total == 4
    luxi = selectors.cadre_rows(user=users["inspector_luxi"], prefix="", on=ON, limit=LIMIT)
    assert [r.cadre for r in luxi] == [force.cadres["fu"]]
    assert selectors.cadre_rows(user=users["cadre_tudi"], prefix="43312210", on=ON, limit=1) == []

    without = selectors.households_without_cadre(user=users["county_huayuan"], prefix="", on=ON)
    assert list(without) == [hh["douwang_d"], hh["minle_a"], hh["xiangshui_a"], hh["xiangshui_b"]]
    longtan = selectors.households_without_cadre(user=users["township_longtan"], prefix="", on=ON)
    assert list(longtan) == [hh["douwang_d"]]
    assert (
        list(selectors.households_without_cadre(user=users["inspector_luxi"], prefix="", on=ON))
        == []
    )


def test_projects_funds_assets_and_the_linking_share(world: World) -> None:
    force = build(world)
    users, p = world.users, force.projects
    county = users["county_huayuan"]

    rows = selectors.projects(user=county, prefix="433124")
    assert list(rows) == [p["road"], p["veg"], p["tea"], p["stopped"]]
    figures = {
        r.name: (r.funds_total, r.linking_funds, r.households_benefited, r.assets_value)
        for r in rows
    }
    assert figures == {
        "花垣县蔬菜基地": (Decimal("700000"), Decimal("600000"), 2, Decimal("800000")),
        "土地村道路硬化": (Decimal("210000"), Decimal("200000"), 0, Decimal("0")),
        "民乐村茶叶加工": (Decimal("200000"), Decimal("200000"), 0, Decimal("0")),
        "响水村养殖场": (Decimal("500000"), Decimal("500000"), 0, Decimal("0")),
    }
    assert list(selectors.projects(user=county, prefix="", kind="industry")) == [
        p["veg"],
        p["tea"],
        p["stopped"],
    ]
    assert list(selectors.projects(user=county, prefix="", status="suspended")) == [p["stopped"]]
    assert list(selectors.projects(user=county, prefix="", tag="one_village_one_product")) == [
        p["tea"]
    ]
    assert list(selectors.projects(user=county, prefix="", tag="nonsense")) == []

    # 衔接资金 of the county: 500k + 100k (industry) + 200k (road) + 200k (industry); the
    # terminated farm's 500k is left out — 800k of 1,000k on industry.
    assert selectors.funds_by_source(user=county, prefix="433124") == {
        "central_linking": Decimal("900000"),
        "provincial_linking": Decimal("100000"),
        "local": Decimal("100000"),
        "self": Decimal("10000"),
    }
    assert list(selectors.funds_by_source(user=county, prefix="433124")) == [
        "central_linking",
        "provincial_linking",
        "local",
        "self",
    ]
    assert selectors.linking_industry_share(user=county, prefix="433124") == 0.8
    assert selectors.linking_industry_share(user=county, prefix="433124102") == 0.0
    assert selectors.linking_industry_share(user=county, prefix="433124103") == 1.0
    assert selectors.linking_industry_share(user=users["cadre_tudi"], prefix="433124103") is None
    assert selectors.funds_by_source(user=users["inspector_luxi"], prefix="433124") == {}

    assets = selectors.assets(user=county, prefix="", year=2024)
    assert {a.name: (a.value, a.returns_total, a.last_year_return) for a in assets} == {
        "冷库": (Decimal("500000"), Decimal("70000"), Decimal("30000")),
        "大棚": (Decimal("300000"), Decimal("0"), Decimal("0")),
    }
    assert selectors.assets(user=users["inspector_luxi"], prefix="").count() == 0

    benefits = selectors.benefits_by_household(
        user=county, household_id=world.households["tudi_a"].pk
    )
    assert [(b.year, b.link_type, b.amount) for b in benefits] == [
        (2025, "wage", Decimal("3000.00")),
        (2024, "dividend", Decimal("1200.00")),
    ]
    other = users["inspector_luxi"]
    assert (
        selectors.benefits_by_household(user=other, household_id=world.households["tudi_a"].pk)
        == []
    )


def test_a_township_sees_its_own_and_its_countys_projects_not_another_townships(
    world: World,
) -> None:
    force = build(world)
    users, p = world.users, force.projects
    visible = {
        "township_longtan": [p["road"], p["veg"]],
        "cadre_tudi": [p["road"], p["veg"]],
        "county_huayuan": [p["road"], p["veg"], p["tea"], p["stopped"]],
        "inspector_luxi": [p["luxi"]],
        "inspector_xiangxi": [p["luxi"], p["road"], p["veg"], p["tea"], p["stopped"]],
    }
    for viewer, want in visible.items():
        assert list(selectors.projects(user=users[viewer], prefix="")) == want, viewer
        for key, project_ in p.items():
            try:
                selectors.project_get(user=users[viewer], public_id=project_.public_id)
                seen = True
            except Project.DoesNotExist:
                seen = False
            assert seen == (project_ in want), (viewer, key)
    # a county user narrowing to 龙潭镇 reads what 龙潭镇 reads
    narrowed = selectors.projects(user=users["county_huayuan"], prefix=LONGTAN[:9])
    assert list(narrowed) == visible["township_longtan"]
    with pytest.raises(Project.DoesNotExist):
        selectors.project_get(user=users["county_huayuan"], public_id="not-a-uuid")
    longtan_assets = selectors.assets(user=users["township_longtan"], prefix="")
    assert sorted(a.name for a in longtan_assets) == sorted(["冷库", "大棚"])


def test_pairings_purchases_and_the_region_a_viewer_asks_for(world: World) -> None:
    force = build(world)
    users = world.users
    county, longtan = users["county_huayuan"], users["township_longtan"]

    assert selectors.pairings(user=longtan, prefix="") == [force.pairing]  # the county's
    assert selectors.pairings(user=users["inspector_luxi"], prefix="") == []
    (pairing,) = selectors.pairings(user=county, prefix="433124")
    assert selectors.commitment_totals(pairing) == {
        2024: {
            "funds": (Decimal("1000000"), Decimal("800000"), 0.8),
            "jobs": (Decimal("100"), Decimal("120"), 1.2),
            "cadres": (Decimal("0"), Decimal("2"), None),
        },
        2025: {"funds": (Decimal("1000000"), Decimal("0"), 0.0)},
    }
    assert list(selectors.commitment_totals(pairing)[2024]) == ["funds", "jobs", "cadres"]

    bought = force.purchases
    assert list(selectors.purchases(user=county, prefix="")) == [
        bought["蜂蜜"],
        bought["茶叶"],
        bought["腊肉"],
    ]
    assert list(selectors.purchases(user=county, prefix="", year=2025)) == [
        bought["蜂蜜"],
        bought["茶叶"],
    ]
    # inside a county: the purchases from its households only (the co-operative is the county's)
    assert list(selectors.purchases(user=longtan, prefix="")) == [bought["腊肉"]]
    assert selectors.purchase_totals(user=county, prefix="433124") == [
        (2025, "长沙市教育局", 1, Decimal("20000")),
        (2025, "湖南大学", 1, Decimal("800")),
        (2024, "长沙市教育局", 1, Decimal("1500")),
    ]

    asked = {  # viewer, code → the region, or None when refused
        ("township_longtan", None): LONGTAN,
        ("township_longtan", TUDI): TUDI,
        ("township_longtan", "433124102"): LONGTAN,
        ("township_longtan", HUAYUAN): None,  # above the scope
        ("township_longtan", "433124103201"): None,  # another township's village
        ("township_longtan", "43312410"): None,  # malformed
        ("township_longtan", "433124102299"): None,  # unknown
        ("county_huayuan", ""): HUAYUAN,
    }
    for (viewer, code), want in asked.items():
        try:
            got: str | None = selectors.region_in_scope(user=users[viewer], code=code).code
        except Region.DoesNotExist:
            got = None
        assert got == want, (viewer, code)


def test_each_read_costs_a_fixed_number_of_queries(
    world: World, django_assert_num_queries: Any
) -> None:
    build(world)
    county = world.users["county_huayuan"]
    with django_assert_num_queries(2):
        selectors.teams(user=county, prefix="", on=ON)
    with django_assert_num_queries(3):
        selectors.cadre_rows(user=county, prefix="", on=ON, limit=LIMIT)
    with django_assert_num_queries(1):
        selectors.villages_without_team(user=county, prefix="", on=ON)
    with django_assert_num_queries(2):
        for pairing in selectors.pairings(user=county, prefix=""):
            selectors.commitment_totals(pairing)
    with django_assert_num_queries(1):
        [
            (p.region.name, p.funds_total, p.assets_value)
            for p in selectors.projects(user=county, prefix="")
        ]
    with django_assert_num_queries(1):
        [(a.project.region.name, a.returns_total) for a in selectors.assets(user=county, prefix="")]
