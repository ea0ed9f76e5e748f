"""The generated registry: contract, ID numbers, households and members."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import numpy as np
import pyarrow.compute as pc

from fangpin.codes import table as code_table
from fangpin.contract import REGISTRY_TABLES, validate_table
from fangpin.idnumber import parse
from tests.synth.conftest import COUNTY, NEIGHBOURS, PREFIX, REFERENCE, Dataset


def _column(dataset: Dataset, table: str, column: str) -> list:  # type: ignore[type-arg]
    return dataset.registry[table].column(column).to_pylist()


def _age(born: date, on: date = REFERENCE) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def test_every_chunk_table_matches_its_contract_exactly(dataset: Dataset) -> None:
    for chunk in dataset.chunks:
        assert set(chunk.registry) == set(REGISTRY_TABLES)
        for name, schema in REGISTRY_TABLES.items():
            table = chunk.registry[name]
            assert table.schema.equals(schema, check_metadata=True)
            assert validate_table(table, schema).equals(table)


def test_resident_id_numbers_parse_and_agree_with_birth_date_and_sex(dataset: Dataset) -> None:
    persons = dataset.registry["persons"].to_pylist()
    regions = {COUNTY, *NEIGHBOURS}
    for person in persons:
        number = person["id_number"]
        if person["id_type"] == "2":
            assert len(number) == 20
            assert person["health"] == "40"
            assert number[18:] == person["disability_category"] + person["disability_grade"]
            number = number[:18]
        else:
            assert person["id_type"] == "1"
            assert len(number) == 18
        parsed = parse(number, today=REFERENCE)
        assert parsed.birth_date == person["birth_date"]
        assert parsed.sex == person["sex"]
        assert parsed.region_code in regions


def test_id_numbers_are_unique_across_chunks(dataset: Dataset) -> None:
    numbers = [n[:18] for n in _column(dataset, "persons", "id_number")]
    assert len(numbers) == len(set(numbers)) == dataset.registry["persons"].num_rows


def test_most_people_are_registered_in_the_county_and_some_spouses_married_in(
    dataset: Dataset,
) -> None:
    persons = dataset.registry["persons"].to_pylist()
    local = sum(p["id_number"].startswith(COUNTY) for p in persons) / len(persons)
    spouses = [p for p in persons if p["relation"] == "10"]
    married_in = sum(not p["id_number"].startswith(COUNTY) for p in spouses) / len(spouses)
    assert local > 0.9
    assert 0.05 <= married_in <= 0.15


def test_each_household_has_exactly_one_active_head(dataset: Dataset) -> None:
    persons = dataset.registry["persons"].to_pylist()
    heads = Counter(p["household_id"] for p in persons if p["relation"] == "01")
    active_heads = Counter(
        p["household_id"] for p in persons if p["relation"] == "01" and p["status"] == "active"
    )
    households = _column(dataset, "households", "household_id")
    assert heads == active_heads
    assert set(heads) == set(households)
    assert set(heads.values()) == {1}


def test_relations_are_consistent_with_ages(dataset: Dataset) -> None:
    persons = dataset.registry["persons"].to_pylist()
    head_born = {p["household_id"]: p["birth_date"] for p in persons if p["relation"] == "01"}
    checked = Counter()
    for p in persons:
        gap = _age(head_born[p["household_id"]]) - _age(p["birth_date"])
        if p["relation"] in ("20", "30"):  # children and children-in-law
            assert gap >= 13, p
        elif p["relation"] == "40":  # grandchildren
            assert gap >= 36, p
        elif p["relation"] in ("50", "60"):  # parents, grandparents
            assert gap <= -18, p
        elif p["relation"] == "10":
            assert abs(gap) <= 15, p
        checked[p["relation"]] += 1
    assert {"01", "10", "20", "30", "40", "50"} <= set(checked)


def test_household_sizes_run_from_one_to_eight(dataset: Dataset) -> None:
    sizes = Counter(Counter(_column(dataset, "persons", "household_id")).values())
    assert min(sizes) == 1
    assert max(sizes) <= 8
    assert sizes[1] > 0
    assert sizes[5] > 0


def test_coded_values_are_in_their_code_tables(dataset: Dataset) -> None:
    persons = dataset.registry["persons"]
    for column, table_name in (
        ("sex", "sex"),
        ("id_type", "id_type"),
        ("relation", "relation"),
        ("ethnicity", "ethnicity"),
        ("education", "education"),
        ("student_status", "student_status"),
        ("health", "health"),
        ("labour_ability", "labour_ability"),
    ):
        assert set(persons.column(column).to_pylist()) <= set(code_table(table_name).codes())
    optional = {
        "out_of_school_reason": "out_of_school_reason",
        "disability_grade": "disability_grade",
        "disability_category": "disability_category",
    }
    for column, table_name in optional.items():
        values = set(persons.column(column).to_pylist()) - {""}
        assert values <= set(code_table(table_name).codes())
    households = dataset.registry["households"]
    assert set(households.column("household_type").to_pylist()) == {"1", "2"}
    assert set(households.column("relocation_mode").to_pylist()) == {"", "1", "2"}


def test_disability_grade_and_category_are_set_exactly_for_the_disabled(dataset: Dataset) -> None:
    for p in dataset.registry["persons"].to_pylist():
        disabled = p["health"] == "40"
        assert (p["disability_grade"] != "") == disabled
        assert (p["disability_category"] != "") == disabled


def test_household_numbers_addresses_and_phones_look_real(dataset: Dataset) -> None:
    villages = {v.code: v for v in dataset.villages}
    numbers = set()
    for h in dataset.registry["households"].to_pylist():
        village = villages[h["village_code"]]
        assert re.fullmatch(re.escape(h["village_code"]) + r"\d{4}", h["household_number"])
        numbers.add(h["household_number"])
        assert h["address"].startswith(PREFIX + village.township_name + village.short_name)
        assert re.search(r"[一二三四五六七八九十]+组\d+号$", h["address"])
        assert h["natural_village"]
        assert h["phone"] == "" or re.fullmatch(r"1[3-9]\d{9}", h["phone"])
        assert h["is_relocated"] == (h["relocation_mode"] != "") == (h["relocation_site"] != "")
        assert h["status"] == "active"
    assert len(numbers) == dataset.registry["households"].num_rows
    phones = _column(dataset, "persons", "phone")
    assert all(p == "" or re.fullmatch(r"1[3-9]\d{9}", p) for p in phones)


def test_relocation_sites_are_named_and_mostly_concentrated(dataset: Dataset) -> None:
    relocated = [h for h in dataset.registry["households"].to_pylist() if h["is_relocated"]]
    assert all(h["household_type"] == "1" for h in relocated)
    concentrated = [h for h in relocated if h["relocation_mode"] == "1"]
    assert all("易地扶贫搬迁集中安置" in h["relocation_site"] for h in concentrated)
    assert 0.55 <= len(concentrated) / len(relocated) <= 0.85


def test_names_are_chinese_and_children_mostly_carry_the_fathers_surname(
    dataset: Dataset,
) -> None:
    persons = dataset.registry["persons"].to_pylist()
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,3}", p["name"]) for p in persons)
    heads = {p["household_id"]: p for p in persons if p["relation"] == "01"}
    children = [
        p
        for p in persons
        if p["relation"] in ("20", "30") and heads[p["household_id"]]["sex"] == "1"
        and _age(p["birth_date"]) < 18
    ]  # fmt: skip
    same = sum(p["name"][0] == heads[p["household_id"]]["name"][0] for p in children)
    assert same / len(children) >= 0.9


def test_schooling_follows_age_and_out_of_school_children_have_reasons(
    dataset: Dataset,
) -> None:
    unexcused = 0
    for p in dataset.registry["persons"].to_pylist():
        age = _age(p["birth_date"])
        reason = p["out_of_school_reason"]
        if 6 <= age <= 11 and not reason:
            assert p["student_status"] == "21"
        if 12 <= age <= 14 and not reason:
            assert p["student_status"] == "22"
        if reason:
            assert 6 <= age <= 15
            assert p["student_status"] == "00"
            if reason in ("01", "02"):
                assert p["health"] in ("30", "40")
            unexcused += reason in ("11", "12", "13", "99")
        if age < 16 or p["student_status"] != "00":
            assert p["labour_ability"] == "50"
    assert unexcused >= 1


def test_both_medical_insurances_is_injected_at_its_rate(dataset: Dataset) -> None:
    persons = dataset.registry["persons"]
    both = pc.sum(pc.and_(persons["has_resident_medical"], persons["has_employee_medical"])).as_py()
    expected = sum(max(1, round(0.0005 * c.registry["persons"].num_rows)) for c in dataset.chunks)
    assert both == expected
    critical = persons["has_critical_illness"].to_pylist()
    assert critical == persons["has_resident_medical"].to_pylist()


def test_only_non_heads_are_recorded_deceased_and_dates_agree(dataset: Dataset) -> None:
    deceased = 0
    for p in dataset.registry["persons"].to_pylist():
        assert p["status"] in ("active", "deceased")
        assert (p["status"] == "deceased") == (p["death_date"] is not None)
        if p["status"] == "deceased":
            deceased += 1
            assert p["relation"] != "01"
            assert p["birth_date"] < p["death_date"] <= REFERENCE
    assert deceased >= 1


def test_dibao_and_tekun_never_overlap_and_tekun_live_alone(dataset: Dataset) -> None:
    persons = dataset.registry["persons"].to_pylist()
    members = Counter(p["household_id"] for p in persons if p["status"] == "active")
    tekun = [p for p in persons if p["is_tekun"]]
    assert tekun
    assert not any(p["is_dibao"] and p["is_tekun"] for p in persons)
    assert all(members[p["household_id"]] == 1 for p in tekun)


def test_ethnicity_mix_follows_the_county(dataset: Dataset) -> None:
    shares = Counter(_column(dataset, "persons", "ethnicity"))
    total = sum(shares.values())
    assert shares["06"] / total > 0.6  # 苗族
    assert shares["15"] > 0
    assert shares["01"] > 0
    assert np.isclose(sum(shares.values()), dataset.registry["persons"].num_rows)
