"""Household income and spending definitions (收支口径), defined once.

The detailed components of DOMAIN.md §2.3 roll up into the four income categories; net income
and per-capita net income are derived from them. This module is the single definition: the
registry builds its database-generated columns from :data:`COMPONENTS`, and the synthetic
generator and screening use :func:`derive`. A test checks the two agree.

    net income            = wage + production/business + property + transfer − production expenses
    per-capita net income = net income ÷ household size

Compliant out-of-pocket spending (合规自付支出) and insurance claim income (理赔收入) are recorded
beside the income but are not part of net income; "effective income" for the monitoring line
(net income less compliant out-of-pocket spending, DOMAIN.md §2.3 [D]) is a policy-edition
choice made by screening, so both numbers are kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

__all__ = [
    "CATEGORY_LABELS",
    "COMPONENTS",
    "EXPENSE_FIELDS",
    "MEMO_FIELDS",
    "Category",
    "Component",
    "Derived",
    "all_amount_fields",
    "derive",
    "fields_of",
]


class Category(StrEnum):
    WAGE = "wage"
    PRODUCTION = "production"
    PROPERTY = "property"
    TRANSFER = "transfer"


CATEGORY_LABELS: dict[Category, str] = {
    Category.WAGE: "工资性收入",
    Category.PRODUCTION: "生产经营性收入",
    Category.PROPERTY: "财产性收入",
    Category.TRANSFER: "转移性收入",
}


@dataclass(frozen=True, slots=True)
class Component:
    field: str
    category: Category
    zh: str


COMPONENTS: tuple[Component, ...] = (
    Component("wage_migrant", Category.WAGE, "外出务工工资"),
    Component("wage_local", Category.WAGE, "本地务工工资"),
    Component("wage_public_welfare_post", Category.WAGE, "公益岗位工资"),
    Component("prod_crops", Category.PRODUCTION, "种植业收入"),
    Component("prod_livestock", Category.PRODUCTION, "养殖业收入"),
    Component("prod_forestry_fruit", Category.PRODUCTION, "林果业收入"),
    Component("prod_other", Category.PRODUCTION, "其他生产经营收入"),
    Component("prop_asset_dividend", Category.PROPERTY, "资产收益扶贫分红"),
    Component("prop_land_rent", Category.PROPERTY, "土地流转租金"),
    Component("prop_other", Category.PROPERTY, "其他财产性收入"),
    Component("tr_family_planning", Category.TRANSFER, "计划生育金"),
    Component("tr_dibao", Category.TRANSFER, "低保金"),
    Component("tr_tekun", Category.TRANSFER, "特困供养金"),
    Component("tr_pension", Category.TRANSFER, "养老金或离退休金"),
    Component("tr_eco_compensation", Category.TRANSFER, "生态补偿金"),
    Component("tr_disability", Category.TRANSFER, "残疾人补贴"),
    Component("tr_education_aid", Category.TRANSFER, "教育补助"),
    Component("tr_disaster_relief", Category.TRANSFER, "灾害救助"),
    Component("tr_support_from_children", Category.TRANSFER, "赡养费"),
    Component("tr_anti_poverty_insurance", Category.TRANSFER, "防贫保险赔付"),
    Component("tr_other", Category.TRANSFER, "其他转移性收入"),
)

#: Subtracted from gross income.
EXPENSE_FIELDS: tuple[tuple[str, str], ...] = (("production_expenses", "生产经营性支出"),)

#: Recorded, not part of net income.
MEMO_FIELDS: tuple[tuple[str, str], ...] = (
    ("compliant_oop_spending", "合规自付支出"),
    ("insurance_claim_income", "理赔收入"),
)

_CENT = Decimal("0.01")


def fields_of(category: Category) -> tuple[str, ...]:
    return tuple(c.field for c in COMPONENTS if c.category == category)


def all_amount_fields() -> tuple[str, ...]:
    """Every stored money field of a yearly finance record, in display order."""
    return (
        tuple(c.field for c in COMPONENTS)
        + tuple(f for f, _ in EXPENSE_FIELDS)
        + tuple(f for f, _ in MEMO_FIELDS)
    )


@dataclass(frozen=True, slots=True)
class Derived:
    wage_income: Decimal
    production_income: Decimal
    property_income: Decimal
    transfer_income: Decimal
    net_income: Decimal
    per_capita_net_income: Decimal


def _money(value: object) -> Decimal:
    if value is None:
        return Decimal(0)
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))


def derive(amounts: Mapping[str, object], household_size: int) -> Derived:
    """Derive the category totals, net income and per-capita net income.

    Missing components count as zero. Per-capita is rounded half-up to the fen. A household
    size below 1 is a caller error: a household always has at least one member.
    """
    if household_size < 1:
        raise ValueError("household_size must be at least 1")
    totals = {
        cat: sum((_money(amounts.get(f)) for f in fields_of(cat)), Decimal(0)) for cat in Category
    }
    expenses = sum((_money(amounts.get(f)) for f, _ in EXPENSE_FIELDS), Decimal(0))
    net = sum(totals.values(), Decimal(0)) - expenses
    per_capita = (net / household_size).quantize(_CENT, rounding=ROUND_HALF_UP)
    return Derived(
        wage_income=totals[Category.WAGE],
        production_income=totals[Category.PRODUCTION],
        property_income=totals[Category.PROPERTY],
        transfer_income=totals[Category.TRANSFER],
        net_income=net,
        per_capita_net_income=per_capita,
    )
