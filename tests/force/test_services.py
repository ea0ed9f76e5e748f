"""The assistance-force services (fangpin.force.services): work teams keep their history and
one first secretary at a time, a cadre's reassignment keeps the old term, commitments and
projects are versioned, purchases have exactly one seller, and every refusal — rights, scope,
values — writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

import pytest

from fangpin.core.access import SYSTEM
from fangpin.core.models import AuditEvent
from fangpin.force import services
from fangpin.force.errors import ForceError
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
from fangpin.registry.models import HouseholdFinance
from tests.force.conftest import (
    DOUWANG,
    HUAYUAN,
    LONGMEN,
    LONGTAN,
    LUXI,
    MINLE,
    MINLE_TOWN,
    TUDI,
    World,
)

FORCE_TABLES = (
    WorkTeam,
    TeamMember,
    AssistingCadre,
    CadreAssignment,
    Pairing,
    PairingCommitment,
    Project,
    ProjectFunding,
    ProjectBeneficiary,
    ProjectAsset,
    AssetReturn,
    Benefit,
    Purchase,
)


def force_state() -> dict[str, Any]:
    """Everything a force write may change, for "nothing changed" checks."""
    return {
        **{model.__name__: model.objects.count() for model in FORCE_TABLES},
        "terms": sorted(TeamMember.objects.values_list("pk", "end_date"))
        + sorted(WorkTeam.objects.values_list("pk", "end_date"))
        + sorted(CadreAssignment.objects.values_list("pk", "end_date")),
        "versions": sorted(PairingCommitment.objects.values_list("pk", "version", "delivered"))
        + sorted(Project.objects.values_list("pk", "version", "status"))
        + sorted(Benefit.objects.values_list("pk", "version", "amount")),
        "returns": sorted(AssetReturn.objects.values_list("pk", "amount")),
        "finances": sorted(
            HouseholdFinance.objects.values_list(
                "pk", "version", "wage_local", "prop_asset_dividend", "prop_land_rent", "prod_other"
            )
        ),
        "audit": AuditEvent.objects.count(),
    }


def refuses(call: Callable[[], object], code: str, message: str | None = None) -> None:
    """``call`` raises ForceError ``code`` (with ``message``) and writes nothing."""
    before = force_state()
    with pytest.raises(ForceError) as raised:
        call()
    assert (raised.value.code, force_state()) == (code, before), raised.value.message
    if message is not None:
        assert raised.value.message == message


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))


def test_work_team_keeps_its_history_and_one_first_secretary(world: World) -> None:
    county = world.users["county_huayuan"]
    team = services.team_create(
        actor=county,
        village_code=TUDI,
        dispatching_unit="湘西州财政局",
        start_date=date(2024, 1, 1),
    )

    def add(name: str, role: str, start: date = date(2024, 1, 1), **more: Any) -> TeamMember:
        values: dict[str, Any] = {
            "name": name,
            "role": role,
            "unit": "湘西州财政局",
            "start_date": start,
        }
        values.update(more)
        return services.member_add(actor=county, team_id=team.public_id, **values)

    secretary = add("张书记", "first_secretary")
    add("李队长", "captain")
    add("王队员", "member")
    add("赵队员", "member")  # members are as many as needed
    refuses(
        lambda: add("钱书记", "first_secretary", date(2024, 2, 1)),
        "role_taken",
        "该工作队已有在任第一书记张书记，请先结束其任期",
    )
    refuses(lambda: add("孙队长", "captain"), "role_taken")
    refuses(lambda: add("周某", "chief"), "role")
    refuses(lambda: add("周某", "member", date(2023, 12, 31)), "start_date")
    refuses(lambda: add("周" * 51, "member"), "name", "姓名不能超过50个字，实为51个字")
    refuses(lambda: add("  ", "member"), "name", "请填写姓名")
    refuses(
        lambda: services.team_create(
            actor=county,
            village_code=TUDI,
            dispatching_unit="县委组织部",
            start_date=date(2024, 6, 1),
        ),
        "team_overlap",
    )
    refuses(
        lambda: services.team_create(
            actor=county,
            village_code=LONGTAN,
            dispatching_unit="县委组织部",
            start_date=date(2024, 6, 1),
        ),
        "region",
    )
    refuses(
        lambda: services.member_end(
            actor=county, member_id=secretary.pk, end_date=date(2023, 1, 1)
        ),
        "end_date",
    )

    services.member_end(actor=county, member_id=secretary.pk, end_date=date(2024, 3, 31))
    refuses(
        lambda: services.member_end(
            actor=county, member_id=secretary.pk, end_date=date(2024, 4, 1)
        ),
        "already",
    )
    refuses(lambda: add("钱书记", "first_secretary", date(2024, 3, 31)), "role_taken")
    add("钱书记", "first_secretary", date(2024, 4, 1))  # the successor
    ended = services.team_end(actor=county, team_id=team.public_id, end_date=date(2024, 12, 31))

    assert ended.end_date == date(2024, 12, 31)
    assert list(
        TeamMember.objects.filter(team=team)
        .order_by("start_date", "id")
        .values_list("name", "role", "start_date", "end_date")
    ) == [
        ("张书记", "first_secretary", date(2024, 1, 1), date(2024, 3, 31)),
        ("李队长", "captain", date(2024, 1, 1), date(2024, 12, 31)),
        ("王队员", "member", date(2024, 1, 1), date(2024, 12, 31)),
        ("赵队员", "member", date(2024, 1, 1), date(2024, 12, 31)),
        ("钱书记", "first_secretary", date(2024, 4, 1), date(2024, 12, 31)),
    ]
    refuses(lambda: add("孙队员", "member", date(2025, 1, 1)), "ended")
    refuses(
        lambda: services.team_end(actor=county, team_id=team.public_id, end_date=date(2025, 1, 1)),
        "already",
    )
    refuses(
        lambda: services.team_create(
            actor=county,
            village_code=TUDI,
            dispatching_unit="县委组织部",
            start_date=date(2024, 12, 31),
        ),
        "team_overlap",
    )
    successor = services.team_create(
        actor=county, village_code=TUDI, dispatching_unit="县委组织部", start_date=date(2025, 1, 1)
    )
    assert list(
        WorkTeam.objects.filter(village_id=TUDI)
        .order_by("start_date")
        .values_list("pk", "dispatching_unit", "end_date")
    ) == [(team.pk, "湘西州财政局", date(2024, 12, 31)), (successor.pk, "县委组织部", None)]
    assert actions()[-9:] == [
        "workteam.create",
        "teammember.add",
        "teammember.add",
        "teammember.add",
        "teammember.add",
        "teammember.end",
        "teammember.add",
        "workteam.end",
        "workteam.create",
    ]
    event = AuditEvent.objects.filter(action="workteam.end").get()
    assert event.changes == {
        "end_date": "2024-12-31",
        "members_ended": sorted(
            TeamMember.objects.filter(team=team).exclude(name="张书记").values_list("pk", flat=True)
        ),
    }


def test_cadre_reassignment_keeps_the_old_term(world: World) -> None:
    county = world.users["county_huayuan"]
    first = services.cadre_create(
        actor=county, county_code=HUAYUAN, name="张三", unit="县农业农村局", username="cadre_tudi"
    )
    second = services.cadre_create(actor=county, county_code=HUAYUAN, name="李四", unit="县财政局")
    assert (first.user, first.county_id, second.user) == (world.users["cadre_tudi"], HUAYUAN, None)
    household = world.households["tudi_a"]
    services.cadre_assign(
        actor=county,
        cadre_id=first.public_id,
        household_id=household.pk,
        start_date=date(2024, 1, 1),
    )
    # The village's own cadre may reassign a household of the village.
    services.cadre_assign(
        actor=world.users["cadre_tudi"],
        cadre_id=second.public_id,
        household_id=household.pk,
        start_date=date(2024, 7, 1),
    )

    assert list(
        CadreAssignment.objects.filter(household=household)
        .order_by("start_date")
        .values_list("cadre__name", "start_date", "end_date")
    ) == [("张三", date(2024, 1, 1), date(2024, 6, 30)), ("李四", date(2024, 7, 1), None)]

    def assign(cadre: AssistingCadre, key: str, start: date, actor: Any = county) -> object:
        return services.cadre_assign(
            actor=actor,
            cadre_id=cadre.public_id,
            household_id=world.households[key].pk,
            start_date=start,
        )

    refuses(
        lambda: assign(second, "tudi_a", date(2024, 9, 1)), "already", "李四已是该户的帮扶责任人"
    )
    refuses(lambda: assign(first, "tudi_a", date(2024, 7, 1)), "start_date")
    refuses(lambda: assign(first, "luxi_a", date(2024, 7, 1)), "forbidden")
    refuses(lambda: assign(first, "luxi_a", date(2024, 7, 1), SYSTEM), "household")
    refuses(
        lambda: assign(first, "douwang_a", date(2024, 7, 1), world.users["cadre_tudi"]), "forbidden"
    )
    for username in ("inspector_luxi", "cadre_tudi", "nobody"):  # other county, linked, unknown
        refuses(
            partial(
                services.cadre_create,
                actor=county,
                county_code=HUAYUAN,
                name="王五",
                unit="县民政局",
                username=username,
            ),
            "user",
        )
    assert actions()[-4:] == ["cadre.create", "cadre.create", "cadre.assign", "cadre.assign"]


def test_pairing_commitments_are_versioned(world: World) -> None:
    county = world.users["county_huayuan"]
    pairing = services.pairing_create(
        actor=county,
        kind="east_west",
        partner="山东省济南市",
        county_code=HUAYUAN,
        start_year=2021,
        end_year=2025,
    )

    def commit(**changes: Any) -> PairingCommitment:
        values: dict[str, Any] = {
            "pairing_id": pairing.public_id,
            "year": 2024,
            "item": "funds",
            "committed": Decimal("32000000"),
            "delivered": Decimal("0"),
        }
        values.update(changes)
        return services.commitment_set(actor=county, **values)

    created = commit()
    assert (created.committed, created.delivered, created.version) == (
        Decimal("32000000.00"),
        Decimal("0.00"),
        1,
    )
    updated = commit(delivered="31000000.50", expected_version=1)
    assert (updated.pk, updated.delivered, updated.version) == (
        created.pk,
        Decimal("31000000.50"),
        2,
    )
    refuses(
        lambda: commit(delivered=1, expected_version=1), "stale", "该记录已被他人修改，请刷新后重试"
    )
    refuses(lambda: commit(delivered=1), "version_required")
    refuses(lambda: commit(item="jobs", expected_version=1), "stale")  # no such row
    refuses(lambda: commit(item="jobs", year=2026), "year")
    refuses(lambda: commit(item="jobs", committed=Decimal("-1")), "amount")
    refuses(lambda: commit(item="jobs", committed=1.5), "amount")
    refuses(lambda: commit(item="jobs", committed=Decimal("1.005")), "amount")
    refuses(lambda: commit(item="gifts"), "item")
    refuses(
        lambda: services.pairing_create(
            actor=county,
            kind="east_west",
            partner="山东省济南市",
            county_code=HUAYUAN,
            start_year=2025,
        ),
        "already",
    )
    refuses(
        lambda: services.pairing_create(
            actor=county,
            kind="designated",
            partner="中央某部委",
            county_code=HUAYUAN,
            start_year=2024,
            end_year=2023,
        ),
        "end_year",
    )
    other = services.pairing_create(
        actor=county,
        kind="designated",
        partner="山东省济南市",
        county_code=HUAYUAN,
        start_year=2024,
    )
    assert (other.kind, other.end_year) == ("designated", None)
    event = AuditEvent.objects.filter(action="commitment.set").order_by("pk").last()
    assert event is not None
    assert event.changes == {
        "year": 2024,
        "item": "funds",
        "committed": ["32000000.00", "32000000.00"],
        "delivered": ["0.00", "31000000.50"],
        "version": 2,
    }


def test_projects_funding_beneficiaries_and_assets(world: World) -> None:
    county = world.users["county_huayuan"]

    def create(**changes: Any) -> Project:
        values: dict[str, Any] = {
            "name": "猕猴桃产业园",
            "kind": "industry",
            "region_code": LONGTAN,
            "start_date": date(2024, 3, 1),
            "one_county_one_industry": True,
            "product": "猕猴桃",
            "funding": {"central_linking": Decimal("480000"), "east_west": Decimal("200000")},
        }
        values.update(changes)
        return services.project_create(actor=county, **values)

    project = create()
    assert (project.status, project.version, project.region_id) == ("planned", 1, LONGTAN)
    updated = services.project_update(
        actor=county,
        project_id=project.public_id,
        expected_version=1,
        status="in_progress",
        end_date=date(2024, 11, 30),
        funding={"central_linking": Decimal("500000")},
    )
    assert (updated.status, updated.end_date, updated.version) == (
        "in_progress",
        date(2024, 11, 30),
        2,
    )
    assert list(ProjectFunding.objects.filter(project=project).values_list("source", "amount")) == [
        ("central_linking", Decimal("500000.00"))
    ]

    def link(key: str, link_type: str = "dividend", target: Project = project) -> object:
        return services.beneficiary_link(
            actor=county,
            project_id=target.public_id,
            household_id=world.households[key].pk,
            link_type=link_type,
            since=date(2024, 4, 1),
        )

    link("tudi_a")
    link("tudi_a", "wage")  # another kind of link to the same project
    whole_county = create(region_code=HUAYUAN, name="县级冷链物流中心", funding=None)
    link("minle_a", target=whole_county)  # a county project reaches every township
    asset = services.asset_add(
        actor=county,
        project_id=project.public_id,
        name="猕猴桃分拣车间",
        kind="operating",
        owner="龙潭镇股份经济合作联合社",
        manager="花垣县猕猴桃专业合作社",
        value=Decimal("680000"),
    )
    first = services.asset_return_set(
        actor=county, asset_id=asset.public_id, year=2024, amount=Decimal("28800")
    )
    again = services.asset_return_set(
        actor=county, asset_id=asset.public_id, year=2024, amount=Decimal("30000.5")
    )
    assert (again.pk, again.amount, AssetReturn.objects.count()) == (
        first.pk,
        Decimal("30000.50"),
        1,
    )

    refuses(
        lambda: services.project_update(
            actor=county, project_id=project.public_id, expected_version=1, status="completed"
        ),
        "stale",
    )
    refuses(lambda: link("tudi_a"), "already", "该户已与项目建立资产收益分红利益联结")
    refuses(lambda: link("minle_a"), "household", "该农户不在项目实施地点范围内")
    refuses(lambda: link("luxi_a"), "forbidden")
    refuses(lambda: link("tudi_b", "gift"), "link_type")
    refuses(lambda: create(funding={"gift": Decimal(1)}), "funding")
    refuses(lambda: create(funding={"local": Decimal(0)}), "amount")
    refuses(lambda: create(region_code="433124102299"), "region")  # not loaded
    refuses(lambda: create(region_code=LUXI), "forbidden")
    refuses(lambda: create(product=""), "product", "一村一品、一县一业项目须填写主导产品")
    refuses(lambda: create(name="园" * 201), "name", "项目名称不能超过200个字，实为201个字")
    refuses(lambda: create(end_date=date(2024, 2, 1)), "end_date")
    refuses(lambda: create(status="dreaming"), "status")
    refuses(
        lambda: services.asset_return_set(
            actor=county, asset_id=asset.public_id, year=2023, amount=Decimal(1)
        ),
        "year",
    )
    refuses(
        lambda: services.asset_add(
            actor=county,
            project_id=project.public_id,
            name="冷库",
            kind="operating",
            owner="村集体",
            manager="合作社",
            value=Decimal("-1"),
        ),
        "amount",
    )
    event = AuditEvent.objects.filter(action="project.update").get()
    assert event.changes == {
        "status": ["planned", "in_progress"],
        "end_date": [None, "2024-11-30"],
        "funding": [
            {"central_linking": "480000.00", "east_west": "200000.00"},
            {"central_linking": "500000.00"},
        ],
        "version": 2,
    }


def test_a_purchase_has_exactly_one_seller(world: World) -> None:
    county = world.users["county_huayuan"]
    pairing = services.pairing_create(
        actor=county, kind="east_west", partner="山东省济南市", county_code=HUAYUAN, start_year=2021
    )
    luxi_pairing = services.pairing_create(
        actor=SYSTEM, kind="east_west", partner="山东省济南市", county_code=LUXI, start_year=2021
    )

    def buy(**changes: Any) -> Purchase:
        values: dict[str, Any] = {
            "county_code": HUAYUAN,
            "buyer": "济南市教育局食堂",
            "year": 2024,
            "bought_on": date(2024, 10, 1),
            "product": "猕猴桃",
            "amount": Decimal("5000"),
        }
        values.update(changes)
        return services.purchase_record(actor=county, **values)

    from_household = buy(household_id=world.households["tudi_a"].pk, pairing_id=pairing.public_id)
    from_cooperative = buy(cooperative=" 花垣县猕猴桃专业合作社 ")
    assert list(
        Purchase.objects.order_by("pk").values_list(
            "household_id", "cooperative", "pairing_id", "amount"
        )
    ) == [
        (world.households["tudi_a"].pk, "", pairing.pk, Decimal("5000.00")),
        (None, "花垣县猕猴桃专业合作社", None, Decimal("5000.00")),
    ]
    assert from_household.pk < from_cooperative.pk
    both = {"household_id": world.households["tudi_a"].pk, "cooperative": "某合作社"}
    refuses(lambda: buy(**both), "seller", "供货方须是一个农户或一个合作社（二者选一）")
    refuses(lambda: buy(), "seller")
    refuses(lambda: buy(cooperative="   "), "seller")
    refuses(lambda: buy(household_id=world.households["luxi_a"].pk), "household")
    refuses(lambda: buy(cooperative="某合作社", bought_on=date(2023, 12, 31)), "bought_on")
    refuses(lambda: buy(cooperative="某合作社", pairing_id=luxi_pairing.public_id), "pairing")
    refuses(lambda: buy(cooperative="某合作社", amount=Decimal(0)), "amount")
    refuses(lambda: buy(cooperative="社" * 101), "cooperative")


def test_rights_and_scope(world: World) -> None:
    """Each refusal (no registry.edit, or a target outside the scope) writes nothing; the
    same write inside the scope goes through."""
    users = world.users
    county, township, cadre = (
        users["county_huayuan"],
        users["township_longtan"],
        users["cadre_tudi"],
    )
    town_project = services.project_create(
        actor=county,
        name="乡镇项目",
        kind="industry",
        region_code=LONGTAN,
        start_date=date(2024, 1, 1),
    )
    douwang_team = services.team_create(
        actor=county,
        village_code=DOUWANG,
        dispatching_unit="县委组织部",
        start_date=date(2024, 1, 1),
    )
    pairing = services.pairing_create(
        actor=county, kind="designated", partner="中央某部委", county_code=HUAYUAN, start_year=2021
    )

    def project(actor: Any, region: str) -> object:
        return services.project_create(
            actor=actor,
            name="新项目",
            kind="industry",
            region_code=region,
            start_date=date(2024, 1, 1),
        )

    def team(actor: Any, village: str) -> object:
        return services.team_create(
            actor=actor,
            village_code=village,
            dispatching_unit="某单位",
            start_date=date(2024, 1, 1),
        )

    def pair(actor: Any) -> object:
        return services.pairing_create(
            actor=actor, kind="east_west", partner="某市", county_code=HUAYUAN, start_year=2024
        )

    def cadre_of(actor: Any) -> object:
        return services.cadre_create(actor=actor, county_code=HUAYUAN, name="某人", unit="某单位")

    def buy(actor: Any) -> object:
        return services.purchase_record(
            actor=actor,
            county_code=HUAYUAN,
            buyer="某单位",
            year=2024,
            bought_on=date(2024, 5, 1),
            product="茶叶",
            amount=Decimal(100),
            cooperative="某合作社",
        )

    refused: list[tuple[str, Callable[[], object]]] = [
        ("township, other township", lambda: project(township, MINLE_TOWN)),
        ("township, village of another township", lambda: project(township, MINLE)),
        ("township, the county", lambda: project(township, HUAYUAN)),
        ("village cadre, pairing", lambda: pair(cadre)),
        ("township, pairing", lambda: pair(township)),
        ("township, cadre", lambda: cadre_of(township)),
        ("village cadre, purchase", lambda: buy(cadre)),
        ("inspector, team", lambda: team(users["inspector_huayuan"], LONGMEN)),
        ("inspector, project", lambda: project(users["inspector_huayuan"], HUAYUAN)),
        ("inspector, pairing", lambda: pair(users["inspector_huayuan"])),
        ("auditor, team", lambda: team(users["auditor"], LONGMEN)),
        ("county, other county", lambda: project(county, LUXI)),
        ("village cadre, other village", lambda: team(cadre, LONGMEN)),
        (
            "village cadre, township project's asset",
            lambda: services.asset_add(
                actor=cadre,
                project_id=town_project.public_id,
                name="设施",
                kind="operating",
                owner="村集体",
                manager="合作社",
                value=Decimal(1),
            ),
        ),
        (
            "village cadre, team of another village",
            lambda: services.team_end(
                actor=cadre, team_id=douwang_team.public_id, end_date=date(2024, 6, 1)
            ),
        ),
        (
            "township, the county's pairing",
            lambda: services.commitment_set(
                actor=township,
                pairing_id=pairing.public_id,
                year=2024,
                item="funds",
                committed=Decimal(1),
                delivered=Decimal(0),
            ),
        ),
    ]
    for case, call in refused:
        before = force_state()
        with pytest.raises(ForceError) as raised:
            call()
        assert (raised.value.code, force_state()) == ("forbidden", before), case
    assert raised.value.message == "该结对关系所在县不在本账号的管辖范围内"
    messages = []
    for actor, region in ((users["inspector_huayuan"], HUAYUAN), (township, MINLE_TOWN)):
        with pytest.raises(ForceError) as raised:
            project(actor, region)
        messages.append(raised.value.message)
    assert messages == [
        "当前账号无权登记帮扶力量和产业项目",
        "区划“433124103000”不在本账号的管辖范围内",
    ]

    # Inside their scope the same writes go through.
    assert isinstance(project(township, TUDI), Project)
    assert isinstance(project(cadre, TUDI), Project)
    assert isinstance(team(cadre, TUDI), WorkTeam)
    assert isinstance(pair("system:test"), Pairing)
    assert isinstance(project(SYSTEM, LUXI), Project)
    assert Project.objects.filter(region_id=TUDI).count() == 2
