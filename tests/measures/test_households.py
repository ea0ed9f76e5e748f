"""household_achievements: the registry's tables to the achievement matrix, exactly."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest

from fangpin.conditions import (
    ChildSchooling,
    compulsory_education_secured,
    housing_safe,
    medical_insurance_secured,
)
from fangpin.income import all_amount_fields, derive
from fangpin.measures import (
    DEFAULT_INDICATOR_SET,
    MeasureError,
    household_achievements,
    load_indicator_set,
    mpi,
)
from tests.measures.helpers import AS_OF, conditions, finances, households, persons

OTHER_VILLAGE = "433124102202"


def registry() -> dict[str, pa.Table]:
    return {
        "households": households(
            {"household_id": 1},
            {"household_id": 2, "village_code": OTHER_VILLAGE},
            {"household_id": 3, "status": "cancelled"},
            {"household_id": 4},
            {"household_id": 5},
            {"household_id": 6},
        ),
        "persons": persons(
            {"household_id": 1},
            # Turns 6 on the day: compulsory age, non-student without an excuse.
            {"household_id": 1, "birth_date": date(2018, 12, 31), "relation": "20"},
            {"household_id": 1, "birth_date": date(2009, 1, 1), "student_status": "22"},
            {"household_id": 1, "status": "deceased", "has_resident_medical": False},
            {"household_id": 2, "has_resident_medical": False},
            {"household_id": 2, "status": "moved_out", "has_resident_medical": False},
            # Out of school for a physical reason (01): excused.
            {"household_id": 2, "birth_date": date(2012, 5, 1), "out_of_school_reason": "01"},
            {"household_id": 6, "has_resident_medical": False, "has_employee_medical": True},
            {"household_id": 6, "birth_date": date(2008, 12, 31)},  # 16 on the day: not counted
            {"household_id": 6, "birth_date": date(2019, 1, 1)},  # 5: not yet
        ),
        "finances": finances(
            {
                "household_id": 1,
                "household_size": 3,
                "wage_migrant": "10000.00",
                "prod_crops": "3000.50",
                "production_expenses": "1000.25",
                "compliant_oop_spending": "5000.00",  # memo: not part of net income
            },
            {
                "household_id": 2,
                "household_size": 2,
                "tr_dibao": "100",
                "production_expenses": "201.01",
            },
            {"household_id": 3, "household_size": 1, "wage_local": "99999"},
            {"household_id": 4, "year": 2023, "household_size": 1, "wage_local": "5000"},
            {"household_id": 5, "household_size": 1, "wage_local": "9000"},
            {"household_id": 6, "household_size": 2, "tr_pension": "20000"},
        ),
        "conditions": conditions(
            {"household_id": 1, "assessed_on": date(2024, 3, 1), "food_secure": False},
            {"household_id": 1, "assessed_on": date(2024, 9, 1), "housing_grade": "B"},
            {"household_id": 1, "assessed_on": date(2025, 1, 15), "housing_grade": "D"},
            {"household_id": 2, "housing_grade": "C", "water_reliability_ok": False},
            {"household_id": 3},
            {"household_id": 4},
            {"household_id": 5, "assessed_on": date(2025, 2, 1)},
            {"household_id": 6, "clothing_secure": False},
        ),
    }


def build(tables: dict[str, pa.Table] | None = None, **kwargs: object):  # type: ignore[no-untyped-def]
    t = tables or registry()
    arguments = {"year": 2024, "line": 7100, "as_of": AS_OF, **kwargs}
    return household_achievements(
        t["households"],
        t["persons"],
        t["finances"],
        t["conditions"],
        **arguments,  # type: ignore[arg-type]
    )


def test_rows_are_the_active_households_with_finance_and_checklist() -> None:
    built = build()

    assert built.household_ids.tolist() == [1, 2, 6]
    assert built.village_codes.tolist() == ["433124102201", OTHER_VILLAGE, "433124102201"]
    assert built.household_sizes.tolist() == [3, 2, 2]
    assert built.cutoffs.tolist() == [1, 1, 1, 1, 1, 1, 7100]


def test_missing_finance_or_checklist_is_counted_never_treated_as_secured() -> None:
    missing = build().missing

    assert missing.no_finance == (4,)  # only a 2023 row
    assert missing.no_conditions == (5,)  # assessed after as_of only
    assert missing.count == 2


def test_achievements_follow_the_checklist_and_income_definitions() -> None:
    built = build()

    # Columns: food, clothing, water, education, medical, housing, income.
    # 1: latest checklist by as_of is 2024-09-01 (food fine, grade B; the 2025 D is later);
    #    the 6-year-old out of school fails education; the deceased member's missing
    #    insurance does not count. Net = 10000 + 3000.50 − 1000.25 = 12000.25; ÷3 = 4000.08.
    # 2: water reliability fails, grade C, an uninsured active member (the moved-out one does
    #    not count), the child out of school for a physical reason is excused.
    #    Net = 100 − 201.01 = −101.01; ÷2 = −50.505 → −50.51 (half away from zero).
    # 6: clothing fails; employee insurance counts; ages 16 and 5 are outside 6–15.
    assert built.achievements.tolist() == [
        [1, 1, 1, 0, 1, 1, 4000.08],
        [1, 1, 0, 1, 0, 0, -50.51],
        [1, 0, 1, 1, 1, 1, 10000.0],
    ]


def test_per_capita_income_matches_fangpin_income_derive() -> None:
    tables = registry()
    built = build(tables)
    rows = tables["finances"].filter(pa.compute.equal(tables["finances"]["year"], 2024)).to_pylist()
    by_id = {r["household_id"]: r for r in rows}

    for household_id, income in zip(built.household_ids, built.achievements[:, 6], strict=True):
        row = by_id[int(household_id)]
        expected = derive(row, row["household_size"]).per_capita_net_income
        assert Decimal(str(income)) == expected


def test_an_indicator_set_chooses_and_orders_the_columns() -> None:
    chosen = load_indicator_set(weights={"income": 1})
    reordered = replace(chosen, indicators=(chosen.indicators[6], chosen.indicators[5]))

    built = build(indicators=reordered)

    assert built.achievements.tolist() == [[4000.08, 1], [-50.51, 0], [10000.0, 1]]
    assert built.cutoffs.tolist() == [7100, 1]


def test_the_default_mpi_of_the_three_households() -> None:
    built = build()
    s = DEFAULT_INDICATOR_SET

    result = mpi(
        built.achievements,
        built.cutoffs,
        s.weights(),
        s.k,
        k_is_share=True,
        person_weights=built.household_sizes,
        groups=built.village_codes,
        names=s.codes,
    )

    # Scores: 1: education 1/9 + income 1/3 = 4/9 (poor); 2: water, medical, housing 3/9 +
    # income 1/3 = 2/3 (poor); 6: clothing 1/9 (not poor). Persons 3 + 2 of 7.
    headcount, adjusted = result.H, result.M0
    assert (headcount, adjusted) == pytest.approx((5 / 7, (3 * 4 / 9 + 2 * 2 / 3) / 7), rel=1e-14)
    assert result.censored_headcounts["clothing"] == 0.0
    assert result.uncensored_headcounts["clothing"] == pytest.approx(2 / 7, rel=1e-15)


@pytest.mark.parametrize(
    ("edit", "code", "message"),
    [
        (
            lambda t: {
                **t,
                "finances": pa.concat_tables([t["finances"], t["finances"].slice(0, 1)]),
            },
            "data",
            "户 1 在 2024 年有不止一条收支记录",
        ),
        (
            lambda t: {**t, "finances": finances({"household_id": 1, "household_size": 0})},
            "data",
            "户 1 的收支记录家庭人口数小于 1，无法计算人均纯收入",
        ),
        (
            lambda t: {**t, "conditions": conditions({"household_id": 1, "housing_grade": "E"})},
            "data",
            "住房安全等级 E 不在码表中（A/B/C/D）",
        ),
        (
            lambda t: {**t, "persons": t["persons"].drop_columns(["student_status"])},
            "columns",
            "表 persons 缺少列：student_status",
        ),
    ],
)
def test_refuses_tables_it_cannot_use(edit: object, code: str, message: str) -> None:
    assert callable(edit)
    with pytest.raises(MeasureError) as raised:
        build(edit(registry()))

    assert (raised.value.code, raised.value.message) == (code, message)


def test_an_indicator_the_registry_cannot_fill_is_refused() -> None:
    from fangpin.measures import custom_indicator_set

    with pytest.raises(MeasureError) as raised:
        build(indicators=custom_indicator_set([("sanitation", 1, 1)]))

    assert raised.value.code == "indicators"
    assert raised.value.message == (
        "指标 sanitation 无法从登记库计算（可用：food、clothing、water、education、medical、"
        "housing、income）"
    )


def test_no_household_at_all_gives_an_empty_matrix() -> None:
    tables = {**registry(), "households": households({"household_id": 9, "status": "cancelled"})}

    built = build(tables)

    assert built.achievements.shape == (0, 7)
    assert built.missing.count == 0


def test_agrees_with_a_row_by_row_reference_on_a_synthetic_county() -> None:
    from fangpin.synth import SynthConfig, VillageSpec, generate

    villages = [
        VillageSpec("433124102201", "土地村", "433124102000", "龙潭镇"),
        VillageSpec("433124103201", "民乐村", "433124103000", "民乐镇"),
    ]
    chunks = list(generate(villages, "433124", SynthConfig(households=300, reference_date=AS_OF)))
    t = {
        n: pa.concat_tables(c.registry[n] for c in chunks)
        for n in ("households", "persons", "finances", "conditions")
    }
    # Make it harder: a child out of school, a member uninsured, a household cancelled.
    p = t["persons"].to_pylist()
    p[3].update(
        birth_date=date(2015, 3, 3), student_status="00", out_of_school_reason="13", status="active"
    )
    p[10].update(has_resident_medical=False, has_employee_medical=False, status="active")
    t["persons"] = pa.Table.from_pylist(p, schema=t["persons"].schema)
    h = t["households"].to_pylist()
    h[5]["status"] = "cancelled"
    t["households"] = pa.Table.from_pylist(h, schema=t["households"].schema)

    built = build(t)

    active = {r["household_id"] for r in t["households"].to_pylist() if r["status"] == "active"}
    fin = {r["household_id"]: r for r in t["finances"].to_pylist() if r["year"] == 2024}
    latest: dict[int, dict[str, object]] = {}
    for row in t["conditions"].to_pylist():
        if row["assessed_on"] <= AS_OF and (
            row["household_id"] not in latest
            or row["assessed_on"] >= latest[row["household_id"]]["assessed_on"]  # type: ignore[operator]
        ):
            latest[row["household_id"]] = row
    members: dict[int, list[dict[str, object]]] = {}
    for row in t["persons"].to_pylist():
        if row["status"] == "active":
            members.setdefault(row["household_id"], []).append(row)
    expected = []
    for household_id in sorted(active & fin.keys() & latest.keys()):
        c, f, people = latest[household_id], fin[household_id], members.get(household_id, [])
        children = [
            ChildSchooling(
                m["birth_date"],
                m["student_status"] != "00",  # type: ignore[arg-type]
                m["out_of_school_reason"] in ("01", "02", "03"),
            )
            for m in people
        ]
        water = all(
            c[k]
            for k in (
                "water_quantity_ok",
                "water_quality_ok",
                "water_convenience_ok",
                "water_reliability_ok",
            )
        )
        expected.append([
            float(c["food_secure"]), float(c["clothing_secure"]), float(water),
            float(compulsory_education_secured(children, AS_OF)),
            float(medical_insurance_secured(
                bool(m["has_resident_medical"] or m["has_employee_medical"]) for m in people)),
            float(housing_safe(c["housing_grade"])),  # type: ignore[arg-type]
            float(derive({k: f[k] for k in all_amount_fields()}, f["household_size"])
                  .per_capita_net_income),
        ])  # fmt: skip

    assert built.achievements.tolist() == expected
    assert len(expected) > 250
    assert (np.array(expected)[:, 3] == 0).any()
    assert (np.array(expected)[:, 4] == 0).any()
