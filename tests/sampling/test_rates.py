"""三率一度 from household records: exact ratios, domain handling and record checks."""

from __future__ import annotations

import math
from typing import Any

import pytest

from fangpin.sampling import (
    HouseholdRecord,
    SamplingError,
    approval_rate,
    composite_incidence,
    omission_rate,
    ratio_estimate,
    wrong_exit_rate,
)


def register(hid: str, village: str, w: float, people: int, **counts: Any) -> HouseholdRecord:
    return HouseholdRecord(hid, village, "镇" + village[0], w, True, people, **counts)


def outside(hid: str, village: str, w: float, people: int, **counts: Any) -> HouseholdRecord:
    return HouseholdRecord(hid, village, "镇" + village[0], w, False, people, **counts)


# Two townships (甲, 乙), two villages each; register weights 2 and 3, outside 10 and 15.
RECORDS = [
    register("R1", "甲1", 2, 4, exited_people=4, wrongly_exited_people=1),
    register("R2", "甲1", 2, 3, exited_people=3, approves=True),
    outside("O1", "甲1", 10, 5, approves=True),
    outside("O2", "甲1", 10, 4, omitted_people=4, approves=False),
    register("R3", "甲2", 2, 5, exited_people=5, approves=True),
    register("R4", "甲2", 2, 2, remaining_poor_people=2),
    outside("O3", "甲2", 10, 3, approves=True),
    register("R5", "乙1", 3, 6, exited_people=6, approves=True),
    outside("O4", "乙1", 15, 4, approves=True),
    outside("O5", "乙1", 15, 2, approves=True),
    register("R6", "乙2", 3, 3, exited_people=3, wrongly_exited_people=3, approves=False),
    outside("O6", "乙2", 15, 5),
]


def test_wrong_exit_rate_by_hand() -> None:
    estimate = wrong_exit_rate(RECORDS)

    # wrongly exited: 2·1 + 3·3 = 11; exited: 2·(4+3+5) + 3·(6+3) = 51 → 11/51
    assert estimate.value == pytest.approx(11 / 51, abs=1e-15)
    # z = w·(y − 11x/51)/51, village totals in units of 1/2601: 甲1 −52, 甲2 −110 |
    # 乙1 −198, 乙2 +360. 甲: 2 · (29² + 29²) = 3364; 乙: 2 · (279² + 279²) = 311364.
    assert estimate.se == pytest.approx(math.sqrt(3364 + 311364) / 2601, abs=1e-15)
    assert (estimate.n_households, estimate.n_clusters, estimate.n_strata) == (12, 4, 2)


def test_omission_rate_by_hand() -> None:
    # omitted: 10·4 = 40; people outside the register: 10·(5+4+3) + 15·(4+2+5) = 285
    assert omission_rate(RECORDS).value == pytest.approx(40 / 285, abs=1e-15)


def test_approval_rate_counts_only_households_that_answered() -> None:
    # approving: 2+10+2+10+3+15+15 = 57; answered: 57 + 10 (O2) + 3 (R6) = 70
    assert approval_rate(RECORDS).value == pytest.approx(57 / 70, abs=1e-15)


def test_composite_incidence_by_hand() -> None:
    # (remaining 2·2 + omitted 10·4 + wrongly exited 2·1 + 3·3) = 55; people:
    # 甲1 104 + 甲2 44 + 乙1 108 + 乙2 84 = 340 → 55/340
    assert composite_incidence(RECORDS).value == pytest.approx(55 / 340, abs=1e-15)


def test_households_outside_the_domain_keep_their_village_in_the_variance() -> None:
    rows = sorted(RECORDS, key=lambda r: (r.stratum, r.village, r.household_id))
    domain_only = [r for r in rows if r.in_register]

    with_zeros = ratio_estimate(
        numerator=[r.wrongly_exited_people if r.in_register else 0 for r in rows],
        denominator=[r.exited_people if r.in_register else 0 for r in rows],
        weights=[r.weight for r in rows],
        strata=[r.stratum for r in rows],
        clusters=[r.village for r in rows],
    )

    assert wrong_exit_rate(RECORDS) == with_zeros
    assert wrong_exit_rate(domain_only).value == with_zeros.value
    assert wrong_exit_rate(reversed(RECORDS)) == with_zeros


def test_fpc_applies_through_the_rate_functions() -> None:
    with_fpc = wrong_exit_rate(RECORDS, stratum_psu_counts={"镇甲": 4, "镇乙": 2})

    # 镇甲: 1 − 2/4 = ½; 镇乙 was taken whole: 1 − 2/2 = 0
    assert with_fpc.se == pytest.approx(math.sqrt(3364 / 2) / 2601, abs=1e-15)


def test_no_records_is_an_error() -> None:
    with pytest.raises(SamplingError) as caught:
        omission_rate([])

    assert (caught.value.code, caught.value.message) == ("empty", "没有样本户记录，无法估计")


def test_a_rate_with_nobody_in_its_denominator_is_an_error() -> None:
    with pytest.raises(SamplingError) as caught:
        omission_rate([r for r in RECORDS if r.in_register])

    assert caught.value.code == "zero_denominator"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: register("X", "甲1", 2, 3, exited_people=2, wrongly_exited_people=3),
         "样本户“X”的错退人口多于退出人口"),
        (lambda: register("X", "甲1", 2, 3, exited_people=3, remaining_poor_people=1),
         "样本户“X”的退出人口与未脱贫人口之和多于家庭人口"),
        (lambda: register("X", "甲1", 2, 3, omitted_people=1),
         "样本户“X”是建档立卡户，不能有漏评人口"),
        (lambda: outside("X", "甲1", 2, 3, exited_people=1),
         "样本户“X”不是建档立卡户，不能有退出或未脱贫人口"),
        (lambda: outside("X", "甲1", 2, 3, omitted_people=4), "样本户“X”的漏评人口多于家庭人口"),
        (lambda: outside("X", "甲1", 0, 3), "样本户“X”的权数应大于 0，实为 0"),
        (lambda: outside("X", "甲1", 2, -1), "样本户“X”的人口应为非负整数，实为 -1"),
    ],
)  # fmt: skip
def test_contradictory_records_are_refused(make: Any, message: str) -> None:
    with pytest.raises(SamplingError) as caught:
        make()

    assert (caught.value.code, caught.value.message) == ("bad_record", message)
