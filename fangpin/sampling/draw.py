"""Draw a stratified two-stage cluster sample, reproducibly from a seed.

First stage: villages within each stratum (township), by simple random sampling without
replacement or by systematic PPS. Second stage: households within each selected village,
drawn separately inside the register (the domain of 错退率) and outside it (漏评率).

**Reproducibility.** Every random stream is ``numpy.random.default_rng`` seeded with a
``SeedSequence`` of the seed and a SHA-256 of the stratum's (or village's and domain's) name,
and every list is sorted by id before it is drawn from. So the same seed gives the same sample
whatever the order of the inputs, and a village's households do not change when another
village or stratum is added to the frame.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

import numpy as np

from fangpin.sampling.errors import SamplingError
from fangpin.sampling.frame import (
    ANHUI_OUTSIDE,
    ANHUI_REGISTER,
    Domain,
    SecondStageRule,
    SelectionMethod,
    SizeMeasure,
    Village,
)
from fangpin.sampling.sample import (
    Sample,
    SampledHousehold,
    SampledVillage,
    SampleParameters,
    SelectedVillage,
    StratumCount,
)

__all__ = ["draw_sample", "draw_villages", "first_stage_probabilities"]


Seed = int | str
HouseholdId = int | str


def _check_seed(seed: Seed) -> None:
    if isinstance(seed, str):
        if not seed.strip():
            raise SamplingError("bad_parameter", "随机种子不能为空")
        return
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise SamplingError("bad_parameter", f"随机种子应为非负整数或文本，实为 {seed!r}")


def _word(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _rng(seed: Seed, *parts: str) -> np.random.Generator:
    # A text seed enters through its SHA-256 (so "5" and 5 are different seeds).
    head = [_word(f"seed:{seed}")] if isinstance(seed, str) else [seed]
    return np.random.default_rng(np.random.SeedSequence([*head, *(_word(p) for p in parts)]))


def _allocation(
    villages_per_stratum: Mapping[str, int] | int, frame: Mapping[str, Sequence[Village]]
) -> dict[str, int]:
    """A mapping as given; an int means that many villages in every stratum (all, if fewer)."""
    if isinstance(villages_per_stratum, Mapping):
        return dict(villages_per_stratum)
    n = villages_per_stratum
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise SamplingError("bad_frame", f"每层样本村数应为正整数，实为 {n!r}")
    return {stratum: min(n, len(units)) for stratum, units in frame.items()}


def _frame(
    villages: Iterable[Village], villages_per_stratum: Mapping[str, int] | int
) -> tuple[dict[str, list[Village]], dict[str, int]]:
    """Villages by stratum, each list sorted by code, and the allocation checked against them."""
    by_stratum: dict[str, list[Village]] = {}
    seen: set[str] = set()
    for village in villages:
        if village.code in seen:
            raise SamplingError("bad_frame", f"村“{village.code}”在抽样框中重复出现")
        seen.add(village.code)
        by_stratum.setdefault(village.stratum, []).append(village)
    if not by_stratum:
        raise SamplingError("bad_frame", "抽样框中没有村")
    frame = {h: sorted(by_stratum[h], key=lambda v: v.code) for h in sorted(by_stratum)}
    villages_per_stratum = _allocation(villages_per_stratum, frame)
    unknown = sorted(set(villages_per_stratum) - set(by_stratum))
    if unknown:
        raise SamplingError("bad_frame", f"抽样框中没有层“{unknown[0]}”，却为它分配了样本村")
    for stratum in sorted(by_stratum):
        if stratum not in villages_per_stratum:
            raise SamplingError("bad_frame", f"层“{stratum}”没有分配样本村数")
        n, size = villages_per_stratum[stratum], len(by_stratum[stratum])
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= size:
            raise SamplingError(
                "bad_frame", f"层“{stratum}”应抽 1 至 {size} 个村（共 {size} 个），实为 {n!r}"
            )
    return frame, villages_per_stratum


def _pps_probabilities(stratum: str, sizes: Sequence[int], n: int) -> tuple[list[Fraction], int]:
    """π_i of systematic PPS with certainty units; also how many are drawn systematically.

    A village whose ``k · x_i / X`` reaches 1 (k villages still to draw, X the size of those
    not yet taken) is taken with certainty and the rest recomputed, until none reaches 1.
    """
    if n >= len(sizes):
        return [Fraction(1)] * len(sizes), 0
    certain: set[int] = set()
    while True:
        rest = [i for i in range(len(sizes)) if i not in certain]
        k = n - len(certain)
        total = sum(sizes[i] for i in rest)
        positive = sum(1 for i in rest if sizes[i] > 0)
        if positive < k:
            raise SamplingError(
                "zero_size",
                f"层“{stratum}”规模大于 0 的村只有 {positive + len(certain)} 个，"
                f"少于按规模抽取的 {n} 个",
            )
        new = {i for i in rest if k * sizes[i] >= total}
        if not new:
            break
        certain |= new  # at most k join: their sizes sum to at least len(new) · X / k
        if len(certain) == n:
            k = 0
            break
    probs = [
        Fraction(1) if i in certain else Fraction(k * sizes[i], total) if k else Fraction(0)
        for i in range(len(sizes))
    ]
    return probs, k


def _select(
    stratum: str,
    units: Sequence[Village],
    n: int,
    method: SelectionMethod,
    measure: SizeMeasure,
    rng: np.random.Generator | None,
) -> tuple[list[Fraction], list[int]]:
    """The probabilities of every unit and the indices selected (None rng: no draw)."""
    count = len(units)
    if method is SelectionMethod.SRS:
        probs = [Fraction(n, count)] * count
        if rng is None:
            return probs, []
        return probs, sorted(int(i) for i in rng.choice(count, size=n, replace=False))
    sizes = [u.size(measure) for u in units]
    probs, k = _pps_probabilities(stratum, sizes, n)
    if rng is None:
        return probs, []
    chosen = [i for i, p in enumerate(probs) if p == 1]
    if k:
        # Systematic selection on integers: the k-fold cumulative sizes of the units not
        # taken with certainty tile [0, k·X); points r, r + X, …, r + (k−1)·X with an integer
        # start r uniform on [0, X) hit unit i with probability k·x_i / X exactly.
        rest = [i for i, p in enumerate(probs) if p != 1]
        total = sum(sizes[i] for i in rest)
        bounds: list[int] = []
        running = 0
        for i in rest:
            running += k * sizes[i]
            bounds.append(running)
        start = int(rng.integers(0, total))
        chosen += [rest[bisect.bisect_right(bounds, start + j * total)] for j in range(k)]
    return probs, sorted(chosen)


def first_stage_probabilities(
    villages: Iterable[Village],
    *,
    villages_per_stratum: Mapping[str, int] | int,
    method: SelectionMethod = SelectionMethod.SRS,
    size_measure: SizeMeasure = SizeMeasure.TOTAL,
) -> dict[str, float]:
    """π_i of every village of the frame (not only the selected ones), by village code.

    They sum to n_h within each stratum (exactly, up to float rounding).
    """
    frame, allocation = _frame(villages, villages_per_stratum)
    out: dict[str, float] = {}
    for stratum, units in frame.items():
        probs, _ = _select(stratum, units, allocation[stratum], method, size_measure, None)
        out.update((u.code, float(p)) for u, p in zip(units, probs, strict=True))
    return out


def draw_villages(
    villages: Iterable[Village],
    *,
    villages_per_stratum: Mapping[str, int] | int,
    seed: Seed,
    method: SelectionMethod = SelectionMethod.SRS,
    size_measure: SizeMeasure = SizeMeasure.TOTAL,
) -> tuple[SelectedVillage, ...]:
    """The first stage alone: the villages ``draw_sample`` selects with the same arguments.

    An app can call this first, then load the household lists of these villages only.
    """
    _check_seed(seed)
    frame, allocation = _frame(villages, villages_per_stratum)
    drawn = _draw_villages(frame, allocation, seed, method, size_measure)
    return tuple(village for village, _ in drawn)


def _draw_villages(
    frame: Mapping[str, Sequence[Village]],
    villages_per_stratum: Mapping[str, int],
    seed: Seed,
    method: SelectionMethod,
    measure: SizeMeasure,
) -> list[tuple[SelectedVillage, Fraction]]:
    """The selected villages in stratum then code order, each with its exact π_i."""
    selected: list[tuple[SelectedVillage, Fraction]] = []
    for stratum, units in frame.items():
        rng = _rng(seed, "village", stratum)
        n = villages_per_stratum[stratum]
        probs, chosen = _select(stratum, units, n, method, measure, rng)
        selected += [
            (
                SelectedVillage(
                    code=units[i].code,
                    stratum=stratum,
                    first_stage_probability=float(probs[i]),
                    is_certainty=probs[i] == 1,
                ),
                probs[i],
            )
            for i in chosen
        ]
    return selected


def _household_ids(
    village: Village, domain: Domain, lists: Mapping[str, Iterable[HouseholdId]]
) -> list[HouseholdId]:
    expected = village.households(domain)
    ids = list(lists.get(village.code, ()))
    if len(ids) != expected or len(set(ids)) != len(ids):
        raise SamplingError(
            "bad_frame",
            f"村“{village.code}”的{domain.zh}名单有 {len(ids)} 户（去重后 {len(set(ids))} 户），"
            f"与抽样框中的 {expected} 户不符",
        )
    if all(isinstance(i, str) for i in ids):
        return sorted(ids, key=str)
    if all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        return sorted(ids, key=int)
    raise SamplingError("bad_frame", f"村“{village.code}”的户编号应全为整数或全为字符串")


def draw_sample(
    villages: Iterable[Village],
    *,
    villages_per_stratum: Mapping[str, int] | int,
    register_households: Mapping[str, Iterable[HouseholdId]],
    outside_households: Mapping[str, Iterable[HouseholdId]],
    seed: Seed,
    method: SelectionMethod = SelectionMethod.SRS,
    size_measure: SizeMeasure = SizeMeasure.TOTAL,
    register_rule: SecondStageRule = ANHUI_REGISTER,
    outside_rule: SecondStageRule = ANHUI_OUTSIDE,
) -> Sample:
    """Draw villages per stratum, then households per village and domain.

    ``villages_per_stratum`` must name every stratum of the frame (1 ≤ n_h ≤ N_h; see
    ``plan_two_stage``), or be one number for every stratum (all its villages when it has
    fewer). ``register_households`` and ``outside_households`` map a village code to its
    household ids in that domain (all integers or all strings); only selected villages are
    needed, and their lists must match the counts of the frame. ``seed``: a non-negative
    integer or a non-empty text. Defaults follow the Anhui 2017 practice
    (DOMAIN.md §6.2): every registered/exited household, ordinary households at 20%, at most
    200 a village.
    """
    _check_seed(seed)
    frame, villages_per_stratum = _frame(villages, villages_per_stratum)
    by_code = {v.code: v for units in frame.values() for v in units}
    selected = _draw_villages(frame, villages_per_stratum, seed, method, size_measure)
    rules = {Domain.REGISTER: register_rule, Domain.OUTSIDE: outside_rule}
    lists = {Domain.REGISTER: register_households, Domain.OUTSIDE: outside_households}
    sampled_villages: list[SampledVillage] = []
    households: list[SampledHousehold] = []
    for chosen, first in selected:
        village = by_code[chosen.code]
        drawn: dict[Domain, int] = {}
        for domain in Domain:
            ids = _household_ids(village, domain, lists[domain])
            m = rules[domain].count(len(ids))
            drawn[domain] = m
            if m == 0:
                continue
            rng = _rng(seed, "household", village.code, str(domain))
            picks = sorted(int(i) for i in rng.choice(len(ids), size=m, replace=False))
            second = Fraction(m, len(ids))
            inclusion = first * second  # exact, so the weight is 1/π to the last bit
            second_float, inclusion_float, weight = (
                float(second),
                float(inclusion),
                float(1 / inclusion),
            )
            households += [
                SampledHousehold(
                    household_id=ids[i],
                    village=village.code,
                    stratum=village.stratum,
                    domain=domain,
                    first_stage_probability=chosen.first_stage_probability,
                    second_stage_probability=second_float,
                    inclusion_probability=inclusion_float,
                    weight=weight,
                )
                for i in picks
            ]
        sampled_villages.append(
            SampledVillage(
                code=village.code,
                stratum=village.stratum,
                first_stage_probability=chosen.first_stage_probability,
                is_certainty=chosen.is_certainty,
                households_in_register=village.households_in_register,
                households_outside=village.households_outside,
                register_sampled=drawn[Domain.REGISTER],
                outside_sampled=drawn[Domain.OUTSIDE],
            )
        )
    strata = tuple(
        StratumCount(
            stratum=stratum,
            villages_total=len(units),
            villages_sampled=villages_per_stratum[stratum],
            households_in_register=sum(v.households_in_register for v in units),
            households_outside=sum(v.households_outside for v in units),
        )
        for stratum, units in frame.items()
    )
    parameters = SampleParameters(
        method=method,
        size_measure=size_measure,
        villages_per_stratum=tuple(sorted(villages_per_stratum.items())),
        register_rule=register_rule,
        outside_rule=outside_rule,
    )
    return Sample(
        seed=seed,
        parameters=parameters,
        strata=strata,
        villages=tuple(sampled_villages),
        households=tuple(households),
    )
