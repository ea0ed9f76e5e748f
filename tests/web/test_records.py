"""Finances by year, conditions and cancel (注销) through the pages (views/records.py)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fangpin import income
from fangpin.core.models import AuditEvent, User
from fangpin.registry import services
from fangpin.registry.models import Household, HouseholdCondition, HouseholdFinance, Person
from tests.registry.conftest import World
from tests.web.conftest import client_for

STALE = "该记录已被他人修改，请刷新后重试"
LAST_YEAR = timezone.localdate().year - 1


def _finance_data(year: int = LAST_YEAR, version: Any = "", **amounts: str) -> dict[str, Any]:
    data: dict[str, Any] = {"year": year, "version": version, "household_size": ""}
    data.update(dict.fromkeys(income.all_amount_fields(), ""))
    data.update(amounts)
    return data


def _condition_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "assessed_on": "2024-06-01",
        "food_secure": "1",
        "clothing_secure": "1",
        "housing_grade": "B",
        "housing_assessor": "花垣县住房和城乡建设局",
        "housing_assessed_on": "2024-05-20",
        "water_source": "2",
        "water_area_type": "rich",
        "litres_per_person_day": "30",
        "quality_tested": "0",
        "quality_simple_check_ok": "1",
        "is_piped": "0",
        "trip_minutes": "15",
        "horizontal_m": "",
        "vertical_m": "",
        "cut_days_per_year": "10",
    }
    data.update(overrides)
    return data


def _amounts(finance: HouseholdFinance) -> dict[str, Decimal]:
    """The stored amounts (the model's money columns are built from income.COMPONENTS)."""
    return {name: getattr(finance, name) for name in income.all_amount_fields()}


def _empty(household: Household) -> None:
    """Let every member leave through paths outside this page (as the registry tests do)."""
    Person.objects.filter(household=household).update(status="moved_out")


# --- finances ---------------------------------------------------------------------------------


def test_the_finance_form_lists_every_component_by_category(
    family: Household, cadre_client: Client
) -> None:
    response = cadre_client.get(f"/households/{family.public_id}/finances/")

    assert response.status_code == 200
    body = response.content.decode()
    for title in ("工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "生产经营性支出"):
        assert f"<legend>{title}</legend>" in body
    for component in income.COMPONENTS:
        assert f'name="{component.field}"' in body, component.field
    assert f'<option value="{LAST_YEAR}" selected>' in body
    assert 'name="household_size" value="3"' in body  # today's active members
    assert "no-store" in response["Cache-Control"]


def test_a_year_of_finances_is_saved_with_its_derived_totals(
    family: Household, cadre_client: Client
) -> None:
    response = cadre_client.post(
        f"/households/{family.public_id}/finances/save/",
        _finance_data(wage_migrant="12000.50", prod_crops="3000", production_expenses="1000"),
    )

    assert response.status_code == 302
    assert response["Location"] == f"/households/{family.public_id}/finances/?year={LAST_YEAR}"
    finance = HouseholdFinance.objects.get(household=family, year=LAST_YEAR)
    stored = _amounts(finance)
    assert (stored["wage_migrant"], stored["prod_crops"], stored["production_expenses"]) == (
        Decimal("12000.50"),
        Decimal("3000.00"),
        Decimal("1000.00"),
    )
    assert stored["tr_dibao"] == Decimal("0.00")  # blank is 0
    assert sum(stored.values()) == Decimal("16000.50")  # nothing else was set
    assert (finance.household_size, finance.version) == (3, 1)
    assert finance.net_income == Decimal("14000.50")
    assert finance.per_capita_net_income == Decimal("4666.83")
    audit = AuditEvent.objects.get(action="householdfinance.create")
    assert audit.object_id == str(finance.pk)
    assert audit.changes["wage_migrant"] == [None, "12000.50"]
    assert audit.changes["household_size"] == [None, 3]
    assert audit.changes["year"] == [None, LAST_YEAR]
    body = cadre_client.get(response["Location"]).content.decode()
    assert f"已保存{LAST_YEAR}年度收支：人均纯收入4666.83元" in body
    assert f"{LAST_YEAR}年度合计" in body
    assert '<dt>家庭纯收入</dt><dd class="num" data-total="6">14000.50</dd>' in body
    assert '<dt>人均纯收入</dt><dd class="num" data-total="8">4666.83</dd>' in body


def test_a_year_is_updated_with_its_version(family: Household, cadre_client: Client) -> None:
    services.finance_upsert(
        actor="system:test", household_id=family.pk, year=LAST_YEAR, amounts={"tr_dibao": "2400"}
    )
    page = cadre_client.get(f"/households/{family.public_id}/finances/?year={LAST_YEAR}")
    assert 'name="tr_dibao" value="2400.00"' in page.content.decode()

    response = cadre_client.post(
        f"/households/{family.public_id}/finances/save/",
        _finance_data(version=1, tr_dibao="2400.00", wage_local="6000", household_size="2"),
    )

    assert response.status_code == 302
    finance = HouseholdFinance.objects.get(household=family, year=LAST_YEAR)
    assert (finance.version, finance.household_size, _amounts(finance)["wage_local"]) == (
        2,
        2,
        Decimal("6000.00"),
    )
    assert finance.per_capita_net_income == Decimal("4200.00")
    audit = AuditEvent.objects.get(action="householdfinance.update")
    assert audit.changes == {"wage_local": ["0.00", "6000.00"], "household_size": [3, 2]}


def test_a_bad_amount_is_shown_on_its_field_and_nothing_is_saved(
    family: Household, cadre_client: Client, counts: Any
) -> None:
    before = counts()
    response = cadre_client.post(
        f"/households/{family.public_id}/finances/save/", _finance_data(prod_livestock="12.345")
    )

    assert response.status_code == 400
    body = response.content.decode()
    field = '<span class="field-check" id="check-prod_livestock" aria-live="polite">'
    assert (
        f'{field}<span class="field-error" role="alert">养殖业收入“12.345”最多保留两位小数' in body
    )
    assert counts() == before


def test_a_bad_household_size_is_shown_on_its_field(
    family: Household, cadre_client: Client, counts: Any
) -> None:
    before = counts()
    response = cadre_client.post(
        f"/households/{family.public_id}/finances/save/", _finance_data(household_size="120")
    )

    assert response.status_code == 400
    field = '<span class="field-check" id="check-household_size" aria-live="polite">'
    assert (
        f'{field}<span class="field-error" role="alert">家庭人口应在1至99之间，实为120'
        in response.content.decode()
    )
    assert counts() == before


def test_a_year_outside_the_range_is_refused(
    family: Household, cadre_client: Client, counts: Any
) -> None:
    before = counts()
    response = cadre_client.post(
        f"/households/{family.public_id}/finances/save/", _finance_data(year=2009, wage_local="1")
    )

    assert response.status_code == 400
    this_year = timezone.localdate().year
    assert (
        f'<p class="error" role="alert">年度应在2010至{this_year}之间，实为2009</p>'
        in response.content.decode()
    )
    assert counts() == before


@pytest.mark.parametrize("version", [1, ""])
def test_a_stale_finance_form_is_409_and_changes_nothing(
    family: Household, cadre_client: Client, counts: Any, version: Any
) -> None:
    # Someone saved the year after this user's form was drawn (version 1 → 2, or created).
    services.finance_upsert(
        actor="system:test", household_id=family.pk, year=LAST_YEAR, amounts={"tr_dibao": "100"}
    )
    if version == 1:
        services.finance_upsert(
            actor="system:test",
            household_id=family.pk,
            year=LAST_YEAR,
            amounts={"tr_dibao": "200"},
            expected_version=1,
        )
    before = counts()
    response = cadre_client.post(
        f"/households/{family.public_id}/finances/save/",
        _finance_data(version=version, tr_dibao="999"),
    )

    assert response.status_code == 409
    body = response.content.decode()
    assert STALE in body
    assert f'href="/households/{family.public_id}/finances/?year={LAST_YEAR}">重新载入</a>' in body
    assert counts() == before
    finance = HouseholdFinance.objects.get(household=family, year=LAST_YEAR)
    expected = Decimal("200.00") if version == 1 else Decimal("100.00")
    assert _amounts(finance)["tr_dibao"] == expected


def test_the_year_select_loads_another_year(world: World) -> None:
    client = client_for(world.viewers["cadre_tudi"])
    household = world.households["tudi"]
    response = client.get(f"/households/{household.public_id}/finances/", {"year": "2023"})

    body = response.content.decode()
    assert '<option value="2023" selected>' in body
    assert 'name="wage_local" value="9000.00"' in body
    assert 'name="version" value="1"' in body
    assert "修改2023年度收支" in body


# --- conditions -------------------------------------------------------------------------------


def test_a_condition_is_recorded_with_the_water_results(
    family: Household, cadre_client: Client
) -> None:
    assert cadre_client.get(f"/households/{family.public_id}/conditions/new/").status_code == 200
    response = cadre_client.post(
        f"/households/{family.public_id}/conditions/save/", _condition_data()
    )

    assert response.status_code == 302
    assert response["Location"] == f"/households/{family.public_id}/"
    condition = HouseholdCondition.objects.get(household=family)
    assert (
        condition.assessed_on,
        condition.food_secure,
        condition.clothing_secure,
        condition.housing_grade,
        condition.housing_assessor,
        condition.housing_assessed_on,
        condition.water_source,
        condition.water_area_type,
        condition.water_litres_per_person_day,
        condition.water_quality_tested,
        condition.water_quality_simple_check_ok,
        condition.water_is_piped,
        condition.water_trip_minutes,
        condition.water_horizontal_m,
        condition.water_vertical_m,
        condition.water_cut_days_per_year,
    ) == (
        date(2024, 6, 1),
        True,
        True,
        "B",
        "花垣县住房和城乡建设局",
        date(2024, 5, 20),
        "2",
        "rich",
        30,
        False,
        True,
        False,
        15,
        None,
        None,
        10,
    )
    # 30 litres is under the 35 of a water-rich area; the rest passes.
    assert (
        condition.water_quantity_ok,
        condition.water_quality_ok,
        condition.water_convenience_ok,
        condition.water_reliability_ok,
    ) == (False, True, True, True)
    audit = AuditEvent.objects.get(action="householdcondition.create")
    assert audit.object_id == str(condition.pk)
    assert audit.changes["housing_grade"] == [None, "B"]
    assert audit.changes["water_quantity_ok"] == [None, False]
    body = cadre_client.get(response["Location"]).content.decode()
    assert "已记录2024-06-01的核查；饮水安全未达标：水量" in body


def test_a_bad_water_measurement_is_shown_on_its_field(
    family: Household, cadre_client: Client, counts: Any
) -> None:
    before = counts()
    response = cadre_client.post(
        f"/households/{family.public_id}/conditions/save/", _condition_data(cut_days_per_year="400")
    )

    assert response.status_code == 400
    field = '<span class="field-check" id="check-cut_days_per_year" aria-live="polite">'
    error = '<span class="field-error" role="alert">年停水或缺水天数应为0至366之间的整数，实为400'
    assert f"{field}{error}" in response.content.decode()
    assert counts() == before


def test_a_missing_housing_assessor_is_refused(
    family: Household, cadre_client: Client, counts: Any
) -> None:
    before = counts()
    response = cadre_client.post(
        f"/households/{family.public_id}/conditions/save/", _condition_data(housing_assessor=" ")
    )

    assert response.status_code == 400
    assert "必须填写住房安全鉴定单位" in response.content.decode()
    assert counts() == before


def test_a_second_assessment_on_the_same_day_is_refused(world: World, counts: Any) -> None:
    household = world.households["tudi"]
    client = client_for(world.viewers["cadre_tudi"])
    before = counts()
    response = client.post(
        f"/households/{household.public_id}/conditions/save/",
        _condition_data(assessed_on="2024-05-01"),
    )

    assert response.status_code == 400
    assert f"农户{household.household_number}在2024-05-01已有核查记录" in response.content.decode()
    assert counts() == before


# --- cancel -----------------------------------------------------------------------------------


def _cancel_data(household: Household, **overrides: Any) -> dict[str, Any]:
    data = {
        "version": household.version,
        "roster": "",
        "reason": "整户迁出",
        "effective_date": "2024-06-01",
    }
    data.update(overrides)
    return data


def test_cancel_asks_for_confirmation_then_cancels(
    family: Household, cadre_client: Client, counts: Any
) -> None:
    _empty(family)
    assert cadre_client.get(f"/households/{family.public_id}/cancel/").status_code == 200
    before = counts()
    url = f"/households/{family.public_id}/cancel/save/"
    step1 = cadre_client.post(url, _cancel_data(family))

    assert step1.status_code == 200
    body = step1.content.decode()
    assert f"确定注销农户{family.household_number}吗？" in body
    assert '<input type="hidden" name="confirm" value="1">' in body
    assert counts() == before  # nothing yet

    step2 = cadre_client.post(url, _cancel_data(family, confirm="1"))

    assert step2.status_code == 302
    assert step2["Location"] == f"/households/{family.public_id}/"
    family.refresh_from_db()
    assert (family.status, family.version) == ("cancelled", 2)
    audit = AuditEvent.objects.get(action="household.cancel")
    assert audit.changes == {
        "status": ["active", "cancelled"],
        "reason": "整户迁出",
        "effective_date": "2024-06-01",
    }
    page = cadre_client.get(step2["Location"]).content.decode()
    assert f"已注销农户{family.household_number}" in page
    assert (
        f"/households/{family.public_id}/cancel/" not in page
    )  # no buttons on a cancelled household


def test_cancel_with_members_left_is_refused(
    family: Household, cadre_client: Client, counts: Any
) -> None:
    members = sorted(Person.objects.filter(household=family), key=lambda p: p.pk)
    roster = ",".join(f"{p.pk}.{p.version}" for p in members)
    before = counts()
    response = cadre_client.post(
        f"/households/{family.public_id}/cancel/save/",
        _cancel_data(family, roster=roster, confirm="1"),
    )

    assert response.status_code == 400
    assert f"农户{family.household_number}还有3名在册成员，不能注销" in response.content.decode()
    assert counts() == before


def test_cancel_needs_a_reason(family: Household, cadre_client: Client, counts: Any) -> None:
    _empty(family)
    before = counts()
    response = cadre_client.post(
        f"/households/{family.public_id}/cancel/save/",
        _cancel_data(family, reason="  ", confirm="1"),
    )

    assert response.status_code == 400
    field = '<span class="field-check" id="check-reason" aria-live="polite">'
    assert f'{field}<span class="field-error" role="alert">必须填写注销原因' in (
        response.content.decode()
    )
    assert counts() == before
    assert Household.objects.get(pk=family.pk).status == "active"


def test_cancel_in_the_future_is_refused(
    family: Household, cadre_client: Client, counts: Any
) -> None:
    _empty(family)
    tomorrow = timezone.localdate() + timedelta(days=1)
    before = counts()
    response = cadre_client.post(
        f"/households/{family.public_id}/cancel/save/",
        _cancel_data(family, effective_date=tomorrow.isoformat(), confirm="1"),
    )

    assert response.status_code == 400
    assert f"生效日期{tomorrow.isoformat()}不能晚于今天" in response.content.decode()
    assert counts() == before


@pytest.mark.parametrize("what", ["version", "roster"])
def test_a_stale_cancel_is_409_and_changes_nothing(
    family: Household, cadre_client: Client, counts: Any, what: str
) -> None:
    _empty(family)
    stale: dict[str, Any] = (
        {"version": family.version + 1} if what == "version" else {"roster": "1.1"}
    )
    before = counts()
    response = cadre_client.post(
        f"/households/{family.public_id}/cancel/save/", _cancel_data(family, confirm="1", **stale)
    )

    assert response.status_code == 409
    body = response.content.decode()
    assert STALE in body
    assert f'href="/households/{family.public_id}/cancel/">重新载入</a>' in body
    assert counts() == before
    assert Household.objects.get(pk=family.pk).status == "active"


# --- scope, roles, methods (every route of this module) -----------------------------------------


def _writes(household: Household) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"/households/{household.public_id}/finances/save/", _finance_data(wage_local="1")),
        (f"/households/{household.public_id}/conditions/save/", _condition_data()),
        (f"/households/{household.public_id}/cancel/save/", _cancel_data(household, confirm="1")),
    ]


def _pages(household: Household) -> list[str]:
    return [
        f"/households/{household.public_id}/finances/",
        f"/households/{household.public_id}/conditions/new/",
        f"/households/{household.public_id}/cancel/",
    ]


def test_out_of_scope_households_are_404_like_missing_and_nothing_changes(
    family: Household, douwang_cadre: User, counts: Any
) -> None:
    _empty(family)
    client = client_for(douwang_cadre)
    before = counts()
    missing = Household(pk=999_999, version=1)
    for url in _pages(family):
        outside = client.get(url)
        assert outside.status_code == 404, url
        assert family.household_number not in outside.content.decode()
    for (url, data), (missing_url, missing_data) in zip(
        _writes(family), _writes(missing), strict=True
    ):
        outside = client.post(url, data)
        gone = client.post(missing_url, missing_data)
        assert outside.status_code == gone.status_code == 404, url
        assert outside.content == gone.content, url
    # Nothing changed but one audited refusal per request for the household (scenario 1:
    # fangpin/web/denials.py); the missing one left nothing.
    refused = len(_pages(family)) + len(_writes(family))
    assert counts() == {**before, "audit": before["audit"] + refused}
    denied = AuditEvent.objects.filter(action="authz.denied", object_id=str(family.public_id))
    assert denied.count() == refused
    assert Household.objects.get(pk=family.pk).status == "active"


@pytest.mark.parametrize("viewer", ["inspector_luxi", "officer_xiangxi", "auditor", "sysadmin"])
def test_read_only_roles_are_refused_and_nothing_changes(
    world: World, counts: Any, viewer: str
) -> None:
    household = world.households["luxi"]  # inside the inspector's and the officer's scope
    _empty(household)
    client = client_for(world.viewers[viewer])
    before = counts()
    for url in _pages(household):
        assert client.get(url).status_code == 403, url
    for url, data in _writes(household):
        assert client.post(url, data).status_code == 403, url
    assert counts() == before
    assert Household.objects.get(pk=household.pk).status == "active"
    body = client.get(f"/households/{household.public_id}/").content.decode()
    for url in _pages(household):
        assert url not in body  # no buttons for a read-only role


def test_writes_refuse_get_and_pages_refuse_post(family: Household, cadre_client: Client) -> None:
    for url, _data in _writes(family):
        assert cadre_client.get(url).status_code == 405, url
    for url in _pages(family):
        assert cadre_client.post(url, {}).status_code == 405, url


def test_writes_need_the_csrf_token(family: Household, tudi_cadre: User, counts: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(tudi_cadre)
    before = counts()
    for url, data in _writes(family):
        assert client.post(url, data).status_code == 403, url
    assert counts() == before


def test_the_household_page_links_the_new_pages_for_editors(
    family: Household, cadre_client: Client
) -> None:
    body = cadre_client.get(f"/households/{family.public_id}/").content.decode()

    for url in [*_pages(family), f"/households/{family.public_id}/split/"]:
        assert f'href="{url}"' in body, url
