"""Benefits to households (fangpin.force.benefits): only to a household linked by that kind of
link, each flowing into the household's income of the year exactly once — a correction moves
the income by the difference, two projects add up, hand-typed amounts stay — and every
refusal writes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from fangpin.core.models import AuditEvent
from fangpin.force import services
from fangpin.force.benefits import benefit_record
from fangpin.force.models import Benefit, Project
from fangpin.registry.models import HouseholdFinance
from fangpin.registry.services import finance_upsert
from tests.force.conftest import LONGTAN, TUDI, World
from tests.force.test_services import refuses

YEAR = 2024
COMPONENTS = ("wage_local", "prop_asset_dividend", "prop_land_rent", "prod_other")


def project_at(world: World, region: str, name: str, links: dict[str, tuple[str, ...]]) -> Project:
    """A project of ``region`` with ``links``: household key → kinds of link."""
    county = world.users["county_huayuan"]
    project = services.project_create(
        actor=county, name=name, kind="industry", region_code=region, start_date=date(2024, 1, 1)
    )
    for key, kinds in links.items():
        for kind in kinds:
            services.beneficiary_link(
                actor=county,
                project_id=project.public_id,
                household_id=world.households[key].pk,
                link_type=kind,
                since=date(2024, 2, 1),
            )
    return project


def finance(world: World, key: str) -> dict[str, Any]:
    row = HouseholdFinance.objects.filter(household=world.households[key], year=YEAR)
    return dict(row.values("version", "household_size", *COMPONENTS).get())


def test_a_benefit_needs_the_household_linked_by_that_kind(world: World) -> None:
    project = project_at(world, LONGTAN, "黄牛养殖", {"tudi_a": ("dividend",)})
    county = world.users["county_huayuan"]

    def record(key: str = "tudi_a", actor: Any = county, **changes: Any) -> object:
        values: dict[str, Any] = {
            "project_id": project.public_id,
            "household_id": world.households[key].pk,
            "year": YEAR,
            "link_type": "dividend",
            "amount": Decimal("800"),
        }
        values.update(changes)
        return benefit_record(actor=actor, **values)

    refuses(
        lambda: record("tudi_b"), "not_linked", "该户未与项目建立资产收益分红利益联结，不能登记收益"
    )
    refuses(
        lambda: record(link_type="wage"),
        "not_linked",
        "该户未与项目建立务工工资利益联结，不能登记收益",
    )
    refuses(lambda: record(link_type="gift"), "link_type")
    refuses(lambda: record(expected_version=1), "stale", "该记录已被他人修改，请刷新后重试")
    refuses(lambda: record(amount=Decimal("-1")), "amount")
    refuses(lambda: record(amount=Decimal("0.001")), "amount")
    refuses(lambda: record(year=2023), "year")  # before the link
    future = timezone.localdate().year + 1  # the finance service's rule, its message
    refuses(lambda: record(year=future), "year", f"年度应在2010至{future - 1}之间，实为{future}")
    refuses(lambda: record("douwang_a", world.users["cadre_tudi"]), "forbidden")
    refuses(lambda: record(actor=world.users["inspector_huayuan"]), "forbidden")
    refuses(lambda: record(actor=world.users["auditor"]), "forbidden")
    assert not HouseholdFinance.objects.exists()

    # The village's own cadre may record it; the year's finance row is created with it.
    row = record(actor=world.users["cadre_tudi"])
    assert isinstance(row, Benefit)
    assert (row.amount, row.version, row.recorded_by_label) == (Decimal("800.00"), 1, "cadre_tudi")
    assert finance(world, "tudi_a") == {
        "version": 1,
        "household_size": 2,
        "wage_local": Decimal("0.00"),
        "prop_asset_dividend": Decimal("800.00"),
        "prop_land_rent": Decimal("0.00"),
        "prod_other": Decimal("0.00"),
    }
    assert list(AuditEvent.objects.order_by("-pk").values_list("action", flat=True)[:2]) == [
        "benefit.record",
        "householdfinance.create",
    ]


def test_income_flows_in_once(world: World) -> None:
    county, cadre = world.users["county_huayuan"], world.users["cadre_tudi"]
    orchard = project_at(world, LONGTAN, "猕猴桃产业园", {"tudi_a": ("dividend",)})
    cattle = project_at(world, TUDI, "黄牛养殖", {"tudi_a": ("dividend", "land_rent")})
    household = world.households["tudi_a"]
    # The cadre typed the household's wages by hand first.
    finance_upsert(actor=cadre, household_id=household.pk, year=YEAR, amounts={"wage_local": 9000})

    def record(project: Project, amount: str, link: str = "dividend", **more: Any) -> Benefit:
        return benefit_record(
            actor=county,
            project_id=project.public_id,
            household_id=household.pk,
            year=YEAR,
            link_type=link,
            amount=Decimal(amount),
            **more,
        )

    first = record(orchard, "1000")
    assert finance(world, "tudi_a")["prop_asset_dividend"] == Decimal("1000.00")
    corrected = record(orchard, "1500", expected_version=1)
    assert (corrected.pk, corrected.amount, corrected.version) == (first.pk, Decimal("1500.00"), 2)
    assert finance(world, "tudi_a")["prop_asset_dividend"] == Decimal("1500.00")  # not 2500
    record(cattle, "300")
    record(cattle, "2400", "land_rent")
    assert finance(world, "tudi_a") == {
        "version": 5,
        "household_size": 2,
        "wage_local": Decimal("9000.00"),  # the cadre's, untouched
        "prop_asset_dividend": Decimal("1800.00"),  # 1500 + 300: two projects add up
        "prop_land_rent": Decimal("2400.00"),
        "prod_other": Decimal("0.00"),
    }
    events = AuditEvent.objects.count()
    same = record(orchard, "1500", expected_version=2)  # nothing to change
    assert (same.version, AuditEvent.objects.count()) == (2, events)

    refuses(lambda: record(orchard, "1200", expected_version=1), "stale")
    refuses(lambda: record(orchard, "1200"), "version_required")
    # The cadre lowers the dividend by hand to 1000; taking the orchard's 1500 out would
    # leave it below 0.
    finance_upsert(
        actor=cadre,
        household_id=household.pk,
        year=YEAR,
        amounts={"prop_asset_dividend": 1000},
        expected_version=5,
    )
    refuses(
        lambda: record(orchard, "0", expected_version=2),
        "income_below_zero",
        "该户2024年度收支表中的“资产收益扶贫分红”现为1000.00元，少于要减去的1500.00元"
        "（可能已被手工修改），请先核对收支表",
    )
    lowered = record(orchard, "1200", expected_version=2)
    assert lowered.version == 3
    assert finance(world, "tudi_a")["prop_asset_dividend"] == Decimal("700.00")  # 1000 − 300
    assert list(
        Benefit.objects.order_by("pk").values_list(
            "project__name", "link_type", "amount", "version"
        )
    ) == [
        ("猕猴桃产业园", "dividend", Decimal("1200.00"), 3),
        ("黄牛养殖", "dividend", Decimal("300.00"), 1),
        ("黄牛养殖", "land_rent", Decimal("2400.00"), 1),
    ]
    changes = list(
        AuditEvent.objects.filter(action="benefit.record")
        .order_by("pk")
        .values_list("changes", flat=True)
    )
    assert [(c["amount"], c["version"]) for c in changes] == [
        ([None, "1000.00"], 1),
        (["1000.00", "1500.00"], 2),
        ([None, "300.00"], 1),
        ([None, "2400.00"], 1),
        (["1500.00", "1200.00"], 3),
    ]
    assert changes[-1] == {
        "project": str(orchard.public_id),
        "household": household.household_number,
        "year": YEAR,
        "link_type": "dividend",
        "component": "prop_asset_dividend",
        "amount": ["1500.00", "1200.00"],
        "version": 3,
    }
