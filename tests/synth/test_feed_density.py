"""The feed-density knob (``SynthConfig.routine_claims_per_person``) of the screening benchmark."""

from __future__ import annotations

from dataclasses import replace

import pyarrow.compute as pc
import pytest

from fangpin.contract.feeds import FEED_TABLES
from fangpin.synth import SynthConfig, VillageSpec
from tests.synth.conftest import REFERENCE, Dataset, build

HOUSEHOLDS = 400


@pytest.fixture(scope="module")
def pair(huayuan: list[VillageSpec]) -> tuple[Dataset, Dataset]:
    config = SynthConfig(households=HOUSEHOLDS, reference_date=REFERENCE)
    dense = replace(config, routine_claims_per_person=3.3)
    return build(config, huayuan, chunk=200), build(dense, huayuan, chunk=200)


def test_default_adds_no_routine_claims() -> None:
    assert SynthConfig().routine_claims_per_person == 0.0


def test_knob_brings_about_four_feed_rows_a_person(pair: tuple[Dataset, Dataset]) -> None:
    plain, dense = pair
    persons = dense.registry["persons"].num_rows
    rows = {name: dense.feeds[name].num_rows for name in FEED_TABLES}
    plain_rows = sum(plain.feeds[name].num_rows for name in FEED_TABLES)
    assert persons == plain.registry["persons"].num_rows == 1412
    assert (plain_rows, sum(rows.values()), rows["medical_claims"]) == (966, 5691, 4980)
    assert round(sum(rows.values()) / persons, 1) == 4.0


def test_knob_leaves_the_registry_unchanged(pair: tuple[Dataset, Dataset]) -> None:
    plain, dense = pair
    for name, table in plain.registry.items():
        assert dense.registry[name].equals(table), name


def test_routine_claims_are_small_ordinary_stays_that_add_up(pair: tuple[Dataset, Dataset]) -> None:
    plain, dense = pair
    claims = dense.feeds["medical_claims"]
    added = claims.num_rows - plain.feeds["medical_claims"].num_rows
    ordinary = pc.sum(pc.equal(claims.column("diagnosis_category"), "普通")).as_py()
    assert added == 4719
    assert ordinary >= added
    paid = pc.add(
        pc.add(claims.column("fund_paid"), claims.column("compliant_oop")),
        claims.column("non_compliant_oop"),
    )
    assert pc.all(pc.equal(paid, claims.column("total_cost"))).as_py()
    stay = pc.days_between(claims.column("admission_date"), claims.column("discharge_date"))
    assert pc.min(stay).as_py() >= 0


@pytest.mark.parametrize("value", [-0.1, 50.5])
def test_knob_refuses_values_out_of_range(value: float) -> None:
    with pytest.raises(ValueError, match="routine_claims_per_person"):
        SynthConfig(routine_claims_per_person=value)
