"""finance_upsert: validation, create/update semantics and the database-generated totals."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangpin import income
from fangpin.core.models import AuditEvent
from fangpin.registry import services
from fangpin.registry.errors import RegistryError, StaleVersionError
from fangpin.registry.models import Household, HouseholdFinance

Counts = Callable[[], dict[str, int]]

AMOUNTS: dict[str, Any] = {
    "wage_migrant": "30000",
    "wage_public_welfare_post": 6000,
    "prod_crops": Decimal("5000.00"),
    "tr_dibao": Decimal("2400.50"),
    "tr_pension": "1236",
    "production_expenses": "3000",
    "compliant_oop_spending": "8000",
}


def _money(finance: HouseholdFinance, name: str) -> Decimal:
    """A component amount (the fields are made in a loop in the model, invisible to mypy)."""
    value: Decimal = getattr(finance, name)
    return value


def _refused(counts: Counts, **kwargs: Any) -> RegistryError:
    before = counts()
    with pytest.raises(RegistryError) as info:
        services.finance_upsert(**kwargs)
    assert counts() == before
    return info.value


def test_create_computes_totals_in_the_database(family: Household, actor: Any) -> None:
    finance = services.finance_upsert(
        actor=actor, household_id=family.pk, year=2024, amounts=AMOUNTS
    )
    assert (finance.household_size, finance.version) == (3, 1)  # three active members
    assert finance.wage_income == Decimal("36000.00")
    assert finance.production_income == Decimal("5000.00")
    assert finance.property_income == Decimal("0.00")
    assert finance.transfer_income == Decimal("3636.50")
    assert finance.net_income == Decimal("41636.50")
    assert finance.per_capita_net_income == Decimal("13878.83")  # 41636.50 / 3 = 13878.8333…
    assert _money(finance, "compliant_oop_spending") == Decimal(
        "8000.00"
    )  # recorded, not subtracted
    assert _money(finance, "tr_tekun") == Decimal("0.00")  # missing keys are 0 on create


def test_generated_values_equal_fangpin_income_derive(family: Household, actor: Any) -> None:
    finance = services.finance_upsert(
        actor=actor, household_id=family.pk, year=2024, amounts=AMOUNTS
    )
    derived = income.derive(AMOUNTS, 3)
    assert (
        finance.wage_income,
        finance.production_income,
        finance.property_income,
        finance.transfer_income,
        finance.net_income,
        finance.per_capita_net_income,
    ) == (
        derived.wage_income,
        derived.production_income,
        derived.property_income,
        derived.transfer_income,
        derived.net_income,
        derived.per_capita_net_income,
    )


def test_per_capita_rounds_half_up_to_the_fen(family: Household, actor: Any) -> None:
    finance = services.finance_upsert(
        actor=actor,
        household_id=family.pk,
        year=2024,
        amounts={"tr_other": "10.01"},
        household_size=2,
    )
    assert finance.per_capita_net_income == Decimal("5.01")  # 5.005 → 5.01
    assert income.derive({"tr_other": "10.01"}, 2).per_capita_net_income == Decimal("5.01")


def test_net_income_may_be_negative(family: Household, actor: Any) -> None:
    finance = services.finance_upsert(
        actor=actor,
        household_id=family.pk,
        year=2024,
        amounts={"prod_livestock": "1000", "production_expenses": "4000"},
    )
    assert (finance.net_income, finance.per_capita_net_income) == (
        Decimal("-3000.00"),
        Decimal("-1000.00"),
    )


money = st.decimals(min_value=0, max_value=200_000, places=2, allow_nan=False)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    amounts=st.dictionaries(st.sampled_from(income.all_amount_fields()), money, max_size=8),
    size=st.integers(min_value=1, max_value=12),
)
def test_database_and_derive_agree_for_any_amounts(
    family: Household, actor: Any, amounts: dict[str, Decimal], size: int
) -> None:
    HouseholdFinance.objects.filter(household=family).delete()
    finance = services.finance_upsert(
        actor=actor, household_id=family.pk, year=2024, amounts=amounts, household_size=size
    )
    derived = income.derive(amounts, size)
    assert finance.net_income == derived.net_income
    assert finance.per_capita_net_income == derived.per_capita_net_income
    assert finance.transfer_income == derived.transfer_income


def test_create_audits_every_amount(family: Household, actor: Any) -> None:
    finance = services.finance_upsert(
        actor=actor, household_id=family.pk, year=2024, amounts={"tr_dibao": "2400.5"}
    )
    audit = AuditEvent.objects.get(action="householdfinance.create")
    assert audit.object_id == str(finance.pk)
    assert audit.changes["tr_dibao"] == [None, "2400.50"]
    assert audit.changes["wage_migrant"] == [None, "0.00"]
    assert audit.changes["household_size"] == [None, 3]
    assert audit.changes["year"] == [None, 2024]


def test_update_changes_only_the_given_amounts(family: Household, actor: Any) -> None:
    services.finance_upsert(actor=actor, household_id=family.pk, year=2024, amounts=AMOUNTS)
    finance = services.finance_upsert(
        actor=actor,
        household_id=family.pk,
        year=2024,
        amounts={"wage_migrant": "32000", "tr_dibao": "2400.50"},
        expected_version=1,
    )
    assert (finance.version, finance.household_size) == (2, 3)
    assert _money(finance, "wage_migrant") == Decimal("32000.00")
    assert _money(finance, "prod_crops") == Decimal("5000.00")  # untouched
    assert finance.net_income == Decimal("43636.50")
    audit = AuditEvent.objects.get(action="householdfinance.update")
    assert audit.changes == {"wage_migrant": ["30000.00", "32000.00"]}


def test_update_can_change_household_size(family: Household, actor: Any) -> None:
    services.finance_upsert(actor=actor, household_id=family.pk, year=2024, amounts=AMOUNTS)
    finance = services.finance_upsert(
        actor=actor,
        household_id=family.pk,
        year=2024,
        amounts={},
        household_size=4,
        expected_version=1,
    )
    assert (finance.household_size, finance.per_capita_net_income) == (4, Decimal("10409.13"))


def test_update_needs_the_version(family: Household, actor: Any, counts: Counts) -> None:
    services.finance_upsert(actor=actor, household_id=family.pk, year=2024, amounts=AMOUNTS)
    error = _refused(
        counts, actor=actor, household_id=family.pk, year=2024, amounts={"prod_crops": "1"}
    )
    assert (error.code, error.field) == ("version_required", "expected_version")


def test_update_refuses_a_stale_version(family: Household, actor: Any, counts: Counts) -> None:
    services.finance_upsert(actor=actor, household_id=family.pk, year=2024, amounts=AMOUNTS)
    services.finance_upsert(
        actor=actor,
        household_id=family.pk,
        year=2024,
        amounts={"prod_crops": "1"},
        expected_version=1,
    )
    before = counts()
    with pytest.raises(StaleVersionError):
        services.finance_upsert(
            actor=actor,
            household_id=family.pk,
            year=2024,
            amounts={"prod_crops": "2"},
            expected_version=1,
        )
    assert counts() == before
    assert _money(HouseholdFinance.objects.get(household=family), "prod_crops") == Decimal("1.00")


def test_a_version_for_a_missing_year_is_stale(
    family: Household, actor: Any, counts: Counts
) -> None:
    error = _refused(
        counts, actor=actor, household_id=family.pk, year=2024, amounts={}, expected_version=3
    )
    assert error.code == "stale"


@pytest.mark.parametrize(
    ("amounts", "code", "message"),
    [
        ({"salary": "1"}, "unknown_field", "收支表没有字段“salary”"),
        ({"wage_local": "-1"}, "amount", "本地务工工资应在0至10,000,000元之间，实为-1元"),
        (
            {"wage_local": "10000000.01"},
            "amount",
            "本地务工工资应在0至10,000,000元之间，实为10000000.01元",
        ),
        ({"tr_dibao": "100.001"}, "amount", "低保金“100.001”最多保留两位小数"),
        ({"tr_dibao": "一百"}, "amount", "低保金“一百”不是有效金额"),
        ({"tr_dibao": "NaN"}, "amount", "低保金“NaN”最多保留两位小数"),
        ({"tr_dibao": 100.5}, "amount", "低保金应为数字（元），实为“100.5”"),
        ({"tr_dibao": True}, "amount", "低保金应为数字（元），实为“True”"),
    ],
)
def test_amount_refusals(
    family: Household,
    actor: Any,
    counts: Counts,
    amounts: dict[str, object],
    code: str,
    message: str,
) -> None:
    error = _refused(counts, actor=actor, household_id=family.pk, year=2024, amounts=amounts)
    assert (error.code, error.message) == (code, message)


def test_accepts_the_largest_amount(family: Household, actor: Any) -> None:
    finance = services.finance_upsert(
        actor=actor, household_id=family.pk, year=2024, amounts={"wage_local": "10000000"}
    )
    assert _money(finance, "wage_local") == Decimal("10000000.00")


@pytest.mark.parametrize("year", [2009, "next"])
def test_year_between_2010_and_this_year(
    family: Household, actor: Any, counts: Counts, year: int | str
) -> None:
    value = timezone.localdate().year + 1 if year == "next" else year
    error = _refused(counts, actor=actor, household_id=family.pk, year=value, amounts={})
    assert (error.code, error.field) == ("year", "year")


@pytest.mark.parametrize("size", [0, 100])
def test_household_size_between_1_and_99(
    family: Household, actor: Any, counts: Counts, size: int
) -> None:
    error = _refused(
        counts, actor=actor, household_id=family.pk, year=2024, amounts={}, household_size=size
    )
    assert error.code == "household_size"
