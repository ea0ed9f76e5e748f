"""Monitoring spells and risks of the synthetic county (fangpin.synth.monitoring)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from fangpin.codes import table as code_table
from fangpin.contract import MONITORING_RISKS, MONITORINGS
from fangpin.income import derive
from fangpin.synth import MessinessRates, SynthConfig, VillageSpec
from tests.synth.conftest import HOUSEHOLDS, REFERENCE, Dataset, build

SHOCK_HEALTH = ("30", "40")


def _months(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


@pytest.fixture(scope="module")
def clean(huayuan: list[VillageSpec]) -> Dataset:
    """The shared county's configuration without the injected monitoring faults."""
    rates = MessinessRates(monitoring_early_elimination=0.0, monitoring_backstop_eliminated=0.0)
    return build(
        SynthConfig(households=HOUSEHOLDS, reference_date=REFERENCE, messiness=rates), huayuan
    )


def _spells(dataset: Dataset) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = dataset.registry["monitorings"].to_pylist()
    return rows


def _risks(dataset: Dataset) -> dict[tuple[str, date], list[dict[str, Any]]]:
    out: dict[tuple[str, date], list[dict[str, Any]]] = defaultdict(list)
    for row in dataset.registry["monitoring_risks"].to_pylist():
        out[(row["household_number"], row["identified_month"])].append(row)
    return out


def _households(dataset: Dataset) -> dict[str, dict[str, Any]]:
    return {h["household_number"]: h for h in dataset.registry["households"].to_pylist()}


def test_tables_follow_the_contract(dataset: Dataset) -> None:
    assert dataset.registry["monitorings"].schema.equals(MONITORINGS)
    assert dataset.registry["monitoring_risks"].schema.equals(MONITORING_RISKS)


def test_shares_are_within_tolerance(dataset: Dataset) -> None:
    spells = _spells(dataset)
    current = [s for s in spells if s["is_current"]]
    households = dataset.registry["households"].num_rows
    assert 0.03 <= len(current) / households <= 0.05
    sudden = sum(s["object_type"] == "SUDDEN" for s in spells) / len(spells)
    assert 0.08 <= sudden <= 0.22
    eliminated = sum(s["eliminated_month"] is not None for s in spells) / len(spells)
    assert 0.55 <= eliminated <= 0.72
    modes = Counter(s["elimination_mode"] for s in spells if s["eliminated_month"])
    assert modes["assisted"] > 3 * modes["natural"] > 0
    assert 0 < len(spells) - len(current) <= 0.12 * len(current)


def test_same_seed_gives_identical_spells_and_another_seed_other_ones(
    huayuan: list[VillageSpec],
) -> None:
    first = build(SynthConfig(households=600, seed=5), huayuan, chunk=250)
    second = build(SynthConfig(households=600, seed=5), huayuan, chunk=250)
    other = build(SynthConfig(households=600, seed=6), huayuan, chunk=250)
    for name in ("monitorings", "monitoring_risks"):
        assert first.registry[name].equals(second.registry[name])
        assert not first.registry[name].equals(other.registry[name])


def test_monitoring_leaves_the_other_tables_unchanged(dataset: Dataset, clean: Dataset) -> None:
    """Its own random stream: changing only monitoring rates changes no other table."""
    for name in ("households", "persons", "finances", "conditions"):
        assert dataset.registry[name].equals(clean.registry[name])
    for name, table in dataset.feeds.items():
        assert table.equals(clean.feeds[name]), name


def test_type_matches_the_household_type(dataset: Dataset) -> None:
    households = _households(dataset)
    seen: Counter[Any] = Counter()
    for spell in _spells(dataset):
        kind = households[spell["household_number"]]["household_type"]
        seen[(spell["object_type"], kind)] += 1
    assert seen[("UNSTABLE", "2")] == 0
    assert seen[("MARGINAL", "1")] == 0
    assert seen[("UNSTABLE", "1")] > 0
    assert seen[("MARGINAL", "2")] > 0
    assert seen[("SUDDEN", "1")] + seen[("SUDDEN", "2")] > 0


def test_exactly_one_current_spell_and_at_most_one_open(dataset: Dataset) -> None:
    by_household: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for spell in _spells(dataset):
        by_household[spell["household_number"]].append(spell)
    for spells in by_household.values():
        assert sum(s["is_current"] for s in spells) == 1
        assert sum(s["eliminated_month"] is None for s in spells) <= 1
        latest = max(spells, key=lambda s: s["identified_month"])
        assert latest["is_current"]
        earlier = [s for s in spells if s is not latest]
        for spell in earlier:  # eliminated before the household was identified again
            assert spell["eliminated_month"] < latest["identified_month"]


def test_months_are_first_days_within_the_mechanism_and_the_finance_years(
    dataset: Dataset,
) -> None:
    last = date(dataset.config.year, 12, 1)
    for spell in _spells(dataset):
        identified, eliminated = spell["identified_month"], spell["eliminated_month"]
        assert identified.day == 1
        assert date(2021, 3, 1) <= identified <= last
        if eliminated is None:
            assert spell["elimination_mode"] == ""
        else:
            assert eliminated.day == 1
            assert identified <= eliminated <= last
            assert spell["elimination_mode"] in ("assisted", "natural")


def test_risks_are_one_to_five_known_codes_without_duplicates(dataset: Dataset) -> None:
    risks = _risks(dataset)
    known = set(code_table("risk_type").codes())
    subtypes = set(code_table("disaster_subtype").codes())
    spells = _spells(dataset)
    assert set(risks) == {(s["household_number"], s["identified_month"]) for s in spells}
    sizes: Counter[int] = Counter()
    for rows in risks.values():
        positions = [r["position"] for r in rows]
        codes = [r["risk_type"] for r in rows]
        assert positions == list(range(1, len(rows) + 1))
        assert 1 <= len(rows) <= 5
        assert len(set(codes)) == len(codes)
        assert set(codes) <= known
        for r in rows:
            if r["risk_type"] == "02":
                assert r["disaster_subtype"] in subtypes
            else:
                assert r["disaster_subtype"] == ""
        sizes[len(rows)] += 1
    assert sum(sizes[k] for k in (1, 2, 3)) >= 0.95 * len(risks)


def test_risks_are_consistent_with_the_household(dataset: Dataset) -> None:
    """因病 needs an ill member, 因残 a disabled one, 缺劳动力 nobody able to work, 因学 a
    student in costly schooling."""
    members: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for p in dataset.registry["persons"].to_pylist():
        if p["status"] == "active":
            members[p["household_id"]].append(p)
    households = _households(dataset)
    drops = _sudden_drop_households(dataset)
    seen: Counter[Any] = Counter()
    for (number, _), rows in _risks(dataset).items():
        people = members[households[number]["household_id"]]
        for code in (r["risk_type"] for r in rows):
            seen[code] += 1
            if code == "01":
                assert (
                    any(p["health"] in ("20", "30") for p in people)
                    or households[number]["household_id"] in drops
                )
            elif code == "03":
                assert any(p["health"] == "40" for p in people)
            elif code == "04":
                assert all(p["labour_ability"] in ("40", "50") for p in people)
            elif code == "09":
                assert any(p["student_status"] in ("31", "32", "41", "42") for p in people)
    assert seen["01"] == max(seen.values())
    assert all(seen[code] > 0 for code in ("01", "02", "03", "04", "07", "09"))


def _sudden_drop_households(dataset: Dataset) -> set[int]:
    income: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for row in dataset.registry["finances"].to_pylist():
        income[row["household_id"]][row["year"]] = derive(
            row, row["household_size"]
        ).per_capita_net_income
    year = dataset.config.year
    return {h for h, v in income.items() if v[year] <= Decimal("0.7") * v[year - 1]}


def test_clean_spells_keep_every_elimination_rule(clean: Dataset) -> None:
    """Without injected faults: six months before elimination; backstop households stay open."""
    spells = _spells(clean)
    assert spells
    for spell in spells:
        if spell["eliminated_month"] is not None:
            assert _months(spell["identified_month"], spell["eliminated_month"]) >= 6
            assert not spell["no_labour_backstop"]
    backstop = [s for s in spells if s["no_labour_backstop"]]
    assert backstop
    assert all(s["eliminated_month"] is None for s in backstop)


def test_backstop_means_nobody_in_the_household_can_work(dataset: Dataset) -> None:
    able: dict[int, bool] = defaultdict(bool)
    for p in dataset.registry["persons"].to_pylist():
        if p["status"] == "active" and p["labour_ability"] in ("10", "20", "30"):
            able[p["household_id"]] = True
    households = _households(dataset)
    for spell in _spells(dataset):
        household_id = households[spell["household_number"]]["household_id"]
        assert spell["no_labour_backstop"] == (not able[household_id])


def test_eliminated_households_have_income_above_the_line_now(clean: Dataset) -> None:
    households = _households(clean)
    income = {}
    for row in clean.registry["finances"].to_pylist():
        if row["year"] == clean.config.year:
            income[row["household_id"]] = derive(row, row["household_size"]).per_capita_net_income
    for spell in _spells(clean):
        if spell["is_current"] and spell["eliminated_month"] is not None:
            household_id = households[spell["household_number"]]["household_id"]
            assert income[household_id] >= clean.config.monitoring_line


def test_injected_faults_have_exact_counts(dataset: Dataset, clean: Dataset) -> None:
    """Per chunk: round(rate × spells) early eliminations and eliminated backstop spells."""
    rates = dataset.config.messiness
    early = wrong_backstop = expected_early = expected_backstop = 0
    for chunk in dataset.chunks:
        spells = chunk.registry["monitorings"].to_pylist()
        current = sum(s["is_current"] for s in spells)
        expected_early += max(1, round(rates.monitoring_early_elimination * current))
        expected_backstop += max(1, round(rates.monitoring_backstop_eliminated * current))
        for s in spells:
            if s["eliminated_month"] is None:
                continue
            if _months(s["identified_month"], s["eliminated_month"]) < 6:
                early += 1
            if s["no_labour_backstop"]:
                wrong_backstop += 1
    assert early == expected_early
    assert wrong_backstop == expected_backstop
    assert len(_spells(dataset)) == len(_spells(clean))


def test_a_larger_line_identifies_more_households(huayuan: list[VillageSpec]) -> None:
    base = SynthConfig(households=800, seed=3)
    low = build(base, huayuan, chunk=800)
    high = build(replace(base, monitoring_identify_below_line=0.9), huayuan, chunk=800)
    assert high.registry["monitorings"].num_rows > low.registry["monitorings"].num_rows
