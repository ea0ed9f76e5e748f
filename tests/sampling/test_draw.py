"""Drawing the two-stage sample: reproducibility, probabilities, weights, per-village rules."""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from typing import Any

import pytest

from fangpin.sampling import (
    ANHUI_OUTSIDE,
    Domain,
    Sample,
    SamplingError,
    SecondStageRule,
    SelectionMethod,
    SizeMeasure,
    Village,
    draw_sample,
    draw_villages,
    first_stage_probabilities,
)
from tests.sampling.helpers import ALLOCATION, TOWNSHIPS, frame, household_lists

VILLAGES = frame(TOWNSHIPS)
REGISTER, OUTSIDE = household_lists(VILLAGES)


def draw(seed: int | str = 2017, **kwargs: Any) -> Sample:
    arguments: dict[str, Any] = {
        "villages_per_stratum": ALLOCATION,
        "register_households": REGISTER,
        "outside_households": OUTSIDE,
        **kwargs,
    }
    return draw_sample(VILLAGES, seed=seed, **arguments)


@pytest.mark.parametrize("method", list(SelectionMethod))
def test_same_seed_same_sample_whatever_the_input_order(method: SelectionMethod) -> None:
    first = draw(method=method)
    shuffler = random.Random(5)
    villages = VILLAGES[:]
    shuffler.shuffle(villages)
    register = {code: shuffler.sample(ids, len(ids)) for code, ids in REGISTER.items()}
    outside = {code: shuffler.sample(ids, len(ids)) for code, ids in OUTSIDE.items()}
    allocation = dict(reversed(ALLOCATION.items()))

    shuffled = draw_sample(
        villages,
        villages_per_stratum=allocation,
        register_households=register,
        outside_households=outside,
        seed=2017,
        method=method,
    )

    assert shuffled == first
    assert draw(method=method) == first


@pytest.mark.parametrize("method", list(SelectionMethod))
def test_a_different_seed_gives_a_different_sample(method: SelectionMethod) -> None:
    assert draw(2017, method=method) != draw(2018, method=method)


def test_adding_a_stratum_changes_no_other_stratum() -> None:
    extra = [*VILLAGES, Village("镇丁-01", "镇丁", 5, 10), Village("镇丁-02", "镇丁", 6, 12)]
    register, outside = household_lists(extra)

    bigger = draw_sample(
        extra,
        villages_per_stratum={**ALLOCATION, "镇丁": 1},
        register_households=register,
        outside_households=outside,
        seed=2017,
    )

    base = draw()
    assert [v for v in bigger.villages if v.stratum != "镇丁"] == list(base.villages)
    assert [h for h in bigger.households if h.stratum != "镇丁"] == list(base.households)


def test_draw_villages_is_the_first_stage_of_draw_sample() -> None:
    sample = draw(method=SelectionMethod.PPS)
    villages = draw_villages(
        VILLAGES, villages_per_stratum=ALLOCATION, seed=2017, method=SelectionMethod.PPS
    )

    assert [(v.code, v.first_stage_probability, v.is_certainty) for v in villages] == [
        (v.code, v.first_stage_probability, v.is_certainty) for v in sample.villages
    ]


def test_only_the_selected_villages_need_household_lists() -> None:
    chosen = {v.code for v in draw_villages(VILLAGES, villages_per_stratum=ALLOCATION, seed=9)}

    sample = draw_sample(
        VILLAGES,
        villages_per_stratum=ALLOCATION,
        register_households={c: REGISTER[c] for c in chosen},
        outside_households={c: OUTSIDE[c] for c in chosen},
        seed=9,
    )

    assert {v.code for v in sample.villages} == chosen


def test_srs_first_stage_probabilities_are_n_over_big_n() -> None:
    probabilities = first_stage_probabilities(VILLAGES, villages_per_stratum=ALLOCATION)

    assert {c: p for c, p in probabilities.items() if c.startswith("镇甲")} == {
        "镇甲-01": 0.5, "镇甲-02": 0.5, "镇甲-03": 0.5, "镇甲-04": 0.5,
    }  # fmt: skip
    assert probabilities["镇乙-02"] == pytest.approx(2 / 3, abs=1e-15)
    assert probabilities["镇丙-06"] == 0.5


def test_pps_probabilities_take_large_villages_with_certainty() -> None:
    probabilities = first_stage_probabilities(
        VILLAGES, villages_per_stratum=ALLOCATION, method=SelectionMethod.PPS
    )

    # 镇甲: sizes 52, 33, 150, 20 (X = 255); 2 × 150/255 ≥ 1, so 镇甲-03 is certain and one
    # more is drawn from X = 105: 52/105, 33/105, 20/105.
    assert [probabilities[f"镇甲-0{i}"] for i in range(1, 5)] == pytest.approx(
        [52 / 105, 33 / 105, 1.0, 20 / 105], abs=1e-15
    )
    # 镇乙: 1,215 of 1,307 is certain; then 80/92 and 12/92.
    assert [probabilities[f"镇乙-0{i}"] for i in range(1, 4)] == pytest.approx(
        [80 / 92, 12 / 92, 1.0], abs=1e-15
    )
    # 镇丙: sizes 40, 41, 11, 105, 24, 9 (X = 230); 3 × 105/230 ≥ 1 → certain; then 2 of
    # X = 125: 80/125, 82/125, 22/125, 48/125, 18/125.
    assert [probabilities[f"镇丙-0{i}"] for i in range(1, 7)] == pytest.approx(
        [0.64, 0.656, 0.176, 1.0, 0.384, 0.144], abs=1e-15
    )


@pytest.mark.parametrize("method", list(SelectionMethod))
@pytest.mark.parametrize("measure", list(SizeMeasure))
def test_first_stage_probabilities_sum_to_the_allocation(
    method: SelectionMethod, measure: SizeMeasure
) -> None:
    probabilities = first_stage_probabilities(
        VILLAGES, villages_per_stratum=ALLOCATION, method=method, size_measure=measure
    )

    for stratum, n in ALLOCATION.items():
        total = sum(p for c, p in probabilities.items() if c.startswith(stratum))
        assert total == pytest.approx(n, abs=1e-12)


@pytest.mark.parametrize("method", list(SelectionMethod))
def test_second_stage_probabilities_sum_to_the_households_drawn(method: SelectionMethod) -> None:
    sample = draw(method=method)

    for village in sample.villages:
        for domain in Domain:
            frame_size = (
                village.households_in_register
                if domain is Domain.REGISTER
                else village.households_outside
            )
            drawn = (
                village.register_sampled if domain is Domain.REGISTER else (village.outside_sampled)
            )
            rows = [
                h for h in sample.households if h.village == village.code and h.domain is domain
            ]
            assert len(rows) == drawn
            # every household of the village's domain has π_j|i = m/M, so they sum to m
            assert {h.second_stage_probability for h in rows} <= {drawn / max(frame_size, 1)}
            assert frame_size * (drawn / max(frame_size, 1)) == pytest.approx(drawn, abs=1e-12)


def test_anhui_defaults_every_registered_household_and_a_fifth_of_the_others() -> None:
    sample = draw()

    counts = {
        v.code: (v.households_in_register, v.register_sampled,
                 v.households_outside, v.outside_sampled)
        for v in sample.villages
    }  # fmt: skip
    assert counts == {
        "镇丙-02": (10, 10, 31, 7),  # ceil(0.2 × 31) = ceil(6.2) = 7
        "镇丙-04": (25, 25, 80, 16),  # 0.2 × 80 = 16
        "镇丙-06": (9, 9, 0, 0),  # no ordinary household at all
        "镇乙-01": (20, 20, 60, 12),
        "镇乙-03": (15, 15, 1200, 200),  # 240, capped at 200
        "镇甲-01": (12, 12, 40, 8),
        "镇甲-02": (8, 8, 25, 5),
    }


@pytest.mark.parametrize(
    ("rule", "households", "drawn"),
    [(ANHUI_OUTSIDE, 15, 3), (ANHUI_OUTSIDE, 7, 2), (ANHUI_OUTSIDE, 1, 1),
     (ANHUI_OUTSIDE, 0, 0), (ANHUI_OUTSIDE, 1000, 200), (ANHUI_OUTSIDE, 1001, 200),
     (SecondStageRule(0.5, cap=3), 4, 2), (SecondStageRule(0.5, cap=3), 10, 3),
     (SecondStageRule(1.0), 37, 37), (SecondStageRule(0.3), 10, 3)],
)  # fmt: skip
def test_second_stage_rule_counts(rule: SecondStageRule, households: int, drawn: int) -> None:
    # 0.2 × 15 is 3 exactly (the decimal as written), not 3.0000000000000004 → 4
    assert rule.count(households) == drawn


def test_household_weight_is_the_inverse_of_both_probabilities() -> None:
    sample = draw(method=SelectionMethod.PPS)

    rows = {h.household_id: h for h in sample.households}
    # 镇甲-01 drawn with π = 52/105; its ordinary households 8 of 40 (π = 1/5).
    ordinary = [h for h in rows.values() if h.village == "镇甲-01" and h.domain is Domain.OUTSIDE]
    assert len(ordinary) == 8
    assert {(h.first_stage_probability, h.second_stage_probability) for h in ordinary} == {
        (52 / 105, 0.2)
    }
    assert {h.weight for h in ordinary} == {525 / 52}  # 1 / (52/105 × 1/5)
    assert {h.inclusion_probability for h in ordinary} == {52 / 525}
    certain = [h for h in rows.values() if h.village == "镇甲-03" and h.domain is Domain.REGISTER]
    assert {h.weight for h in certain} == {1.0}
    assert sample.stratum_psu_counts == {"镇丙": 6, "镇乙": 3, "镇甲": 4}


SMALL = frame({"镇甲": [(6, 20), (3, 9), (10, 35), (2, 5)], "镇乙": [(8, 24), (4, 11), (5, 0)]})
SMALL_REGISTER, SMALL_OUTSIDE = household_lists(SMALL)
SMALL_ALLOCATION = {"镇甲": 2, "镇乙": 2}


@pytest.mark.parametrize("method", list(SelectionMethod))
def test_weights_sum_to_the_population_in_expectation(method: SelectionMethod) -> None:
    """Monte Carlo over seeds 0–1499 (fixed, so the test is deterministic).

    Tolerance: each mean must lie within 4 Monte-Carlo standard errors of the frame's count
    (and those errors are below 1.5% of the count, so the check has teeth); village
    selection frequencies within 0.04 of π_i (4 binomial standard errors at π = 0.5).
    """
    runs = 1500
    totals: dict[str, list[float]] = {"villages": [], "register": [], "outside": []}
    hits: Counter[str] = Counter()
    for seed in range(runs):
        sample = draw_sample(
            SMALL,
            villages_per_stratum=SMALL_ALLOCATION,
            register_households=SMALL_REGISTER,
            outside_households=SMALL_OUTSIDE,
            seed=seed,
            method=method,
        )
        hits.update(v.code for v in sample.villages)
        totals["villages"].append(sum(1 / v.first_stage_probability for v in sample.villages))
        for domain in Domain:
            totals[str(domain)].append(
                sum(h.weight for h in sample.households if h.domain is domain)
            )

    expected = {"villages": 7, "register": 38, "outside": 104}
    for name, values in totals.items():
        mean = sum(values) / runs
        sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (runs - 1))
        error = sd / math.sqrt(runs)
        assert error < 0.015 * expected[name]
        assert abs(mean - expected[name]) < 4 * error + 1e-9, (name, mean, error)
    probabilities = first_stage_probabilities(
        SMALL, villages_per_stratum=SMALL_ALLOCATION, method=method
    )
    for code, probability in probabilities.items():
        assert abs(hits[code] / runs - probability) < 0.04, code


def test_the_sample_is_json_for_storage() -> None:
    sample = draw(method=SelectionMethod.PPS)

    data = json.loads(json.dumps(sample.as_dict(), ensure_ascii=False))

    assert data["seed"] == 2017
    assert data["parameters"] == {
        "method": "pps",
        "size_measure": "total",
        "villages_per_stratum": {"镇丙": 3, "镇乙": 2, "镇甲": 2},
        "register_rule": {"fraction": 1.0, "cap": None},
        "outside_rule": {"fraction": 0.2, "cap": 200},
    }
    assert data["strata"][1] == {
        "stratum": "镇乙", "villages_total": 3, "villages_sampled": 2,
        "households_in_register": 38, "households_outside": 1269,
    }  # fmt: skip
    assert len(data["households"]) == len(sample.households)
    assert set(data["households"][0]) == {
        "household_id", "village", "stratum", "domain", "first_stage_probability",
        "second_stage_probability", "inclusion_probability", "weight",
    }  # fmt: skip
    first = sample.villages[0].code
    assert str(sample.households_of(first, Domain.REGISTER)[0]).startswith(f"{first}/r")


def refused(**changes: object) -> tuple[str, str]:
    arguments: dict[str, object] = {
        "villages_per_stratum": ALLOCATION,
        "register_households": REGISTER,
        "outside_households": OUTSIDE,
        "seed": 1,
    }
    villages = changes.pop("villages", VILLAGES)
    arguments.update(changes)
    with pytest.raises(SamplingError) as caught:
        draw_sample(villages, **arguments)  # type: ignore[arg-type]  # the values are the test
    return caught.value.code, caught.value.message


def test_refuses_a_duplicate_village() -> None:
    assert refused(villages=[*VILLAGES, VILLAGES[0]]) == (
        "bad_frame", "村“镇甲-01”在抽样框中重复出现",
    )  # fmt: skip


def test_refuses_an_allocation_that_does_not_fit_the_frame() -> None:
    assert refused(villages_per_stratum={**ALLOCATION, "镇丁": 1}) == (
        "bad_frame", "抽样框中没有层“镇丁”，却为它分配了样本村",
    )  # fmt: skip
    assert refused(villages_per_stratum={"镇甲": 2, "镇乙": 2}) == (
        "bad_frame", "层“镇丙”没有分配样本村数",
    )  # fmt: skip
    assert refused(villages_per_stratum={**ALLOCATION, "镇乙": 4}) == (
        "bad_frame", "层“镇乙”应抽 1 至 3 个村（共 3 个），实为 4",
    )  # fmt: skip


def test_refuses_a_household_list_that_contradicts_the_frame() -> None:
    chosen = draw(1).villages[0].code  # refused() uses seed 1
    short = {**REGISTER, chosen: REGISTER[chosen][1:]}

    assert refused(register_households=short) == (
        "bad_frame",
        f"村“{chosen}”的建档立卡户（含已退出户）名单有 9 户（去重后 9 户），与抽样框中的 10 户不符",
    )
    missing = {c: ids for c, ids in OUTSIDE.items() if c != chosen}
    assert refused(outside_households=missing)[0] == "bad_frame"


@pytest.mark.parametrize("seed", [-1, 1.5, True])
def test_refuses_a_bad_seed(seed: object) -> None:
    assert refused(seed=seed) == (
        "bad_parameter", f"随机种子应为非负整数或文本，实为 {seed!r}",
    )  # fmt: skip
    assert refused(seed="  ") == ("bad_parameter", "随机种子不能为空")


def test_a_text_seed_is_reproducible_and_differs_from_the_number() -> None:
    assert draw("2017-湘西-评估") == draw("2017-湘西-评估")
    assert draw("2017-湘西-评估") != draw("2017-湘西-评估2")
    assert draw("2017").villages != draw(2017).villages
    assert draw("2017").seed == "2017"


def test_integer_household_ids_are_drawn_in_numeric_order() -> None:
    numbered = {
        code: [1000 * n + j for j in range(len(ids))]
        for n, (code, ids) in enumerate(sorted(OUTSIDE.items()))
    }
    shuffled = {code: list(reversed(ids)) for code, ids in numbered.items()}

    first = draw(outside_households=numbered)
    again = draw(outside_households=shuffled)

    assert first == again
    ids = [h.household_id for h in first.households if h.domain is Domain.OUTSIDE]
    assert all(isinstance(i, int) for i in ids)


def test_mixed_household_ids_are_refused() -> None:
    mixed = {code: [*ids[:-1], 7] if ids else ids for code, ids in OUTSIDE.items()}

    code, message = refused(outside_households=mixed)
    assert code == "bad_frame"
    assert message.endswith("的户编号应全为整数或全为字符串")


def test_one_number_of_villages_for_every_stratum() -> None:
    per_stratum = draw(villages_per_stratum=3)

    # 镇乙 has only 3 villages: all are taken, with certainty
    assert dict(per_stratum.parameters.villages_per_stratum) == {"镇丙": 3, "镇乙": 3, "镇甲": 3}
    assert {v.code for v in per_stratum.villages if v.is_certainty} == {
        "镇乙-01", "镇乙-02", "镇乙-03",
    }  # fmt: skip
    assert refused(villages_per_stratum=0) == ("bad_frame", "每层样本村数应为正整数，实为 0")


def test_pps_refuses_a_stratum_with_too_few_villages_of_positive_size() -> None:
    villages = [
        Village("甲-1", "甲", 0, 10),
        Village("甲-2", "甲", 0, 0),
        Village("甲-3", "甲", 0, 0),
    ]

    with pytest.raises(SamplingError) as caught:
        first_stage_probabilities(
            villages,
            villages_per_stratum={"甲": 2},
            method=SelectionMethod.PPS,
            size_measure=SizeMeasure.REGISTER,
        )

    assert (caught.value.code, caught.value.message) == (
        "zero_size", "层“甲”规模大于 0 的村只有 0 个，少于按规模抽取的 2 个",
    )  # fmt: skip


def test_a_village_refuses_negative_counts() -> None:
    with pytest.raises(SamplingError) as caught:
        Village("甲-1", "甲", -1, 10)

    assert (caught.value.code, caught.value.message) == (
        "bad_frame", "村“甲-1”的户数应为非负整数，实为 -1",
    )  # fmt: skip
