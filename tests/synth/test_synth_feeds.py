"""Department feeds: contract, links to the registry, consistency and messiness rates."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from fangpin.contract import validate_table
from fangpin.contract.feeds import DISASTER_SUBTYPES, FEED_TABLES
from fangpin.idnumber import IdNumberError, normalise, parse
from fangpin.synth import MessinessRates
from tests.synth.conftest import REFERENCE, Dataset

PERIOD_START = REFERENCE - timedelta(days=364)
RATES = MessinessRates()
#: The event date checked for late records, per feed.
EVENT_DATE = {
    "medical_claims": "admission_date",
    "civil_affairs": "effective_date",
    "education_dropouts": "reported_on",
    "housing_assessments": "assessed_on",
    "disability_registrations": "issued_on",
    "disaster_losses": "occurred_on",
    "employment_insurance": "effective_date",
    "death_records": "death_date",
}
FULLWIDTH = re.compile("[０-９Ｘ]")


def _id_column(feed: str) -> str:
    return "head_id_number" if feed in ("housing_assessments", "disaster_losses") else "id_number"


def _expected(rate: float, rows: int, available: int | None = None) -> int:
    """What finish_feed picks: round(rate × rows), at least one, at most what is available."""
    if rows == 0:
        return 0
    k = max(1, round(rate * rows))
    return min(k, rows if available is None else available)


def _content_unique(table: pa.Table) -> list[dict[str, Any]]:
    """One row per distinct content (record id ignored): the rows before duplication."""
    seen: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in table.to_pylist():
        key = tuple(v for k, v in row.items() if k != table.column_names[0])
        seen.setdefault(key, row)
    return list(seen.values())


def _parse_error(number: str) -> str | None:
    try:
        parse(number, today=REFERENCE)
    except IdNumberError as exc:
        return exc.code
    return None


@pytest.fixture(scope="module")
def registry_ids(dataset: Dataset) -> dict[str, dict[str, Any]]:
    return {p["id_number"][:18]: p for p in dataset.registry["persons"].to_pylist()}


def test_every_feed_matches_its_contract(dataset: Dataset) -> None:
    for chunk in dataset.chunks:
        assert set(chunk.feeds) == set(FEED_TABLES)
        for name, schema in FEED_TABLES.items():
            table = chunk.feeds[name]
            assert table.schema.equals(schema, check_metadata=True)
            assert validate_table(table, schema).equals(table)
    for name, table in dataset.feeds.items():
        assert table.num_rows > 0, name


def test_no_nan_anywhere_and_nulls_are_real(dataset: Dataset) -> None:
    crops = dataset.feeds["disaster_losses"].column("crop_loss_mu")
    assert crops.type == pa.float64()
    assert not pc.any(pc.is_nan(crops)).as_py()
    assert crops.null_count > 0
    for table in dataset.feeds.values():
        for column in table.columns:
            if pa.types.is_floating(column.type):
                assert not pc.any(pc.is_nan(column)).as_py()


def test_almost_every_row_links_to_a_registered_person(
    dataset: Dataset, registry_ids: dict[str, dict[str, Any]]
) -> None:
    total = matched = 0
    for name, table in dataset.feeds.items():
        for row in table.to_pylist():
            total += 1
            person = registry_ids.get(normalise(row[_id_column(name)]))
            if person is not None:
                matched += 1
                if "name" in row:
                    assert row["name"].rstrip(" ") == person["name"]
    assert 0.97 <= matched / total < 1.0


@pytest.mark.parametrize("feed", sorted(FEED_TABLES))
def test_messiness_occurs_at_its_documented_rate(
    dataset: Dataset, registry_ids: dict[str, dict[str, Any]], feed: str
) -> None:
    column = _id_column(feed)
    for chunk in dataset.chunks:
        table = chunk.feeds[feed]
        record_ids = table.column(0).to_pylist()
        rows = _content_unique(table)
        n = len(rows)
        assert table.num_rows - len(set(record_ids)) == _expected(RATES.exact_duplicate, n)
        assert len(set(record_ids)) - n == _expected(RATES.near_duplicate, n)
        ids = [r[column] for r in rows]
        unmatched = [i for i in ids if normalise(i) not in registry_ids]
        assert len(unmatched) == _expected(RATES.unmatched_id, n)
        errors = Counter(_parse_error(number) for number in unmatched)
        assert set(errors) <= {None, "checksum"}
        assert errors["checksum"] == _expected(RATES.unmatched_wrong_check_share, len(unmatched))
        late = sum(r[EVENT_DATE[feed]] < PERIOD_START for r in rows)
        assert late == _expected(RATES.late_record, n)
        ends_x = sum(normalise(i).endswith("X") for i in ids)
        assert sum(i.endswith("x") for i in ids) == _expected(RATES.lowercase_x, n, ends_x)
        assert sum(bool(FULLWIDTH.search(i)) for i in ids) == _expected(RATES.fullwidth_digits, n)
        assert sum(i != i.strip() for i in ids) == _expected(RATES.padded_id, n)
        if "name" in table.column_names:
            trailing = sum(r["name"].endswith(" ") for r in rows)
            assert trailing == _expected(RATES.name_trailing_space, n)


def test_feed_dates_lie_in_the_period_apart_from_late_records(dataset: Dataset) -> None:
    for name, table in dataset.feeds.items():
        for row in table.to_pylist():
            for key, value in row.items():
                if isinstance(value, date):
                    assert value <= REFERENCE, (name, key)
            if row[EVENT_DATE[name]] >= PERIOD_START:
                continue
            assert row[EVENT_DATE[name]] >= PERIOD_START - timedelta(days=400)


def test_medical_claims_add_up_and_concentrate_on_the_ill(
    dataset: Dataset, registry_ids: dict[str, dict[str, Any]]
) -> None:
    claims = dataset.feeds["medical_claims"].to_pylist()
    for c in claims:
        assert c["fund_paid"] + c["compliant_oop"] + c["non_compliant_oop"] == c["total_cost"]
        assert c["admission_date"] <= c["discharge_date"] <= c["settled_on"]
        assert c["hospital_level"] in ("一级", "二级", "三级")
    serious = [c for c in claims if c["diagnosis_category"] == "大病"]
    assert any(c["total_cost"] > 50000 for c in serious)
    people = [registry_ids.get(normalise(c["id_number"])) for c in claims]
    ill = sum(p is not None and p["health"] != "10" for p in people) / len(people)
    population = dataset.registry["persons"].column("health").to_pylist()
    assert ill > 3 * sum(h != "10" for h in population) / len(population)
    # Large bills for people the registry still records as healthy: what screening must find.
    assert any(
        p is not None and p["health"] == "10" and c["total_cost"] > 20000
        for c, p in zip(claims, people, strict=True)
    )


def test_dropouts_are_school_age_children(
    dataset: Dataset, registry_ids: dict[str, dict[str, Any]]
) -> None:
    rows = dataset.feeds["education_dropouts"].to_pylist()
    statuses = Counter(r["status"] for r in rows)
    assert set(statuses) <= {"失学", "辍学", "休学", "送教上门"}
    assert statuses["辍学"] > 0
    for r in rows:
        assert (r["school_name"] is None) == (r["status"] == "失学") == (r["grade"] is None)
        person = registry_ids.get(normalise(r["id_number"]))
        if person is not None:
            born = person["birth_date"]
            age = REFERENCE.year - born.year  # the reference date is 31 December
            assert 6 <= age <= 15


def test_deaths_are_mostly_old_and_include_heads(
    dataset: Dataset, registry_ids: dict[str, dict[str, Any]]
) -> None:
    rows = dataset.feeds["death_records"].to_pylist()
    people = [registry_ids.get(normalise(r["id_number"])) for r in rows]
    ages = [REFERENCE.year - p["birth_date"].year for p in people if p is not None]
    assert statistics.median(ages) >= 65
    assert any(p is not None and p["relation"] == "01" and p["status"] == "active" for p in people)
    assert all(r["death_date"] <= r["reported_on"] for r in rows)
    persons = dataset.registry["persons"].num_rows
    assert 0.005 <= len(_content_unique(dataset.feeds["death_records"])) / persons <= 0.011


def test_disasters_cluster_on_a_few_dates_and_places(dataset: Dataset) -> None:
    rows = _content_unique(dataset.feeds["disaster_losses"])
    assert {r["disaster_code"] for r in rows} <= set(DISASTER_SUBTYPES)
    in_period = [r for r in rows if r["occurred_on"] >= PERIOD_START]
    events = Counter(r["disaster_code"] for r in in_period)
    dates = {(r["disaster_code"], r["occurred_on"]) for r in in_period}
    assert len(dates) <= 2 * 6  # six planned events, floods spread over two days
    floods = {r["village_code"][:9] for r in in_period if r["disaster_code"] == "0201"}
    assert len(floods) <= 2
    assert events["0201"] > 0
    assert {r["house_damage"] for r in rows} <= {"无", "部分损坏", "倒塌"}
    for r in rows:
        assert (r["crop_loss_mu"] is None) or r["crop_loss_mu"] > 0


def test_housing_feed_finds_a_few_dangerous_houses_the_registry_calls_safe(
    dataset: Dataset,
) -> None:
    heads = {
        p["id_number"][:18]: p["household_id"]
        for p in dataset.registry["persons"].to_pylist()
        if p["relation"] == "01"
    }
    grade = {
        c["household_id"]: c["housing_grade"] for c in dataset.registry["conditions"].to_pylist()
    }
    disagree = 0
    for r in _content_unique(dataset.feeds["housing_assessments"]):
        household = heads.get(normalise(r["head_id_number"]))
        if household is not None and r["grade"] in ("C", "D") and grade[household] in ("A", "B"):
            disagree += 1
            assert r["renovation_status"] == "已列入改造计划"
    expected = sum(round(0.003 * c.registry["households"].num_rows) for c in dataset.chunks)
    assert expected - len(dataset.chunks) <= disagree <= expected


def test_disability_certificates_and_new_severe_cases(
    dataset: Dataset, registry_ids: dict[str, dict[str, Any]]
) -> None:
    rows = dataset.feeds["disability_registrations"].to_pylist()
    new_severe = 0
    for r in rows:
        assert r["certificate_number"][:18] == normalise(r["id_number"])
        assert re.fullmatch(r"[1-7][1-4]", r["certificate_number"][18:])
        person = registry_ids.get(normalise(r["id_number"]))
        if r["event"] == "新办" and person is not None and person["health"] == "10":
            assert r["grade"] in ("一级", "二级")
            new_severe += 1
    assert new_severe > 0
    assert {r["event"] for r in rows} <= {"新办", "换证", "注销"}


def test_civil_affairs_pays_the_registered_and_starts_new_households(
    dataset: Dataset, registry_ids: dict[str, dict[str, Any]]
) -> None:
    rows = dataset.feeds["civil_affairs"].to_pylist()
    village = {
        h["household_id"]: h["village_code"] for h in dataset.registry["households"].to_pylist()
    }
    assert {r["benefit_type"] for r in rows} == {"低保", "特困", "临时救助"}
    assert {r["event"] for r in rows} == {"start", "stop", "payment"}
    starts = 0
    for r in rows:
        assert (r["amount"] is None) == (r["event"] == "stop")
        person = registry_ids.get(normalise(r["id_number"]))
        if person is None:
            continue
        assert r["village_code"] == village[person["household_id"]]
        if r["event"] == "start" and r["benefit_type"] == "低保":
            starts += 0 if person["is_dibao"] else 1
    assert starts > 0  # people newly on 低保 whom the registry does not flag yet


def test_employment_events_name_months_and_employers(dataset: Dataset) -> None:
    rows = dataset.feeds["employment_insurance"].to_pylist()
    assert {r["event"] for r in rows} == {"断缴", "恢复缴费", "失业登记"}
    for r in rows:
        assert re.fullmatch(r"20\d{2}(0[1-9]|1[0-2])", r["last_contribution_month"])
        assert r["employer"] is None or r["employer"].endswith("有限公司")
