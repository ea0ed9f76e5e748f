"""Households of an unannounced visit (fangpin.ledger.sampling)."""

from __future__ import annotations

import pytest

from fangpin.ledger import Candidate, SamplingRules, sample_visits

TUDI, DOUWANG = "433124102201", "433124102202"


def village(first_id: int, registered: int, others: int) -> list[Candidate]:
    return [Candidate(first_id + i, True) for i in range(registered)] + [
        Candidate(first_id + registered + i, False) for i in range(others)
    ]


def test_twenty_registered_and_five_others_a_village_reproducibly() -> None:
    candidates = {DOUWANG: village(1000, 60, 30), TUDI: village(1, 50, 40)}

    first = sample_visits(candidates, seed="2026-Q1")
    again = sample_visits(candidates, seed="2026-Q1")
    other = sample_visits(candidates, seed="2026-Q2")

    assert first == again
    assert first != other
    assert [s.village_code for s in first] == [TUDI, DOUWANG]
    tudi = first[0]
    assert len(tudi.household_ids) == 25
    assert len(set(tudi.household_ids)) == 25
    assert all(1 <= h <= 50 for h in tudi.household_ids[:20])  # registered first
    assert all(51 <= h <= 90 for h in tudi.household_ids[20:])
    assert (tudi.registered_short, tudi.others_short) == (0, 0)


def test_a_village_list_does_not_change_when_another_village_is_added() -> None:
    alone = sample_visits({TUDI: village(1, 50, 40)}, seed="s")
    together = sample_visits({TUDI: village(1, 50, 40), DOUWANG: village(1000, 60, 30)}, seed="s")

    assert together[0] == alone[0]


def test_households_visited_before_are_never_drawn_and_shortfalls_are_reported() -> None:
    candidates = {TUDI: village(1, 22, 6)}
    visited = [1, 2, 3, 23]  # three registered, one other

    (sample,) = sample_visits(candidates, seed="s", visited=visited)

    assert set(sample.household_ids) == set(range(4, 23)) | set(range(24, 29))
    assert not set(sample.household_ids) & set(visited)
    assert (len(sample.household_ids), sample.registered_short, sample.others_short) == (24, 1, 0)


def test_rules_are_data() -> None:
    (sample,) = sample_visits(
        {TUDI: village(1, 50, 40)},
        seed="s",
        rules=SamplingRules(registered_per_village=3, others_per_village=1),
    )
    assert len(sample.household_ids) == 4
    with pytest.raises(ValueError, match="不能为负数"):
        SamplingRules(registered_per_village=-1)
