"""Households and who lives in them: templates, ages, sexes, relations, names, ID numbers.

Every household is built from a template (single elderly, elderly couple, couple with
children, three generations, grandparents with grandchildren whose parents work away …) as a
row of up to nine member slots, all households of a chunk at once:

    slot 0 head · 1 spouse · 2 father · 3 mother · 4 married son or sibling · 5 daughter-in-law
    · 6–8 children of the head, or grandchildren

Ages are drawn relative to the head (spouse close, children 20–31 years younger than their
mother, parents 22–36 years older), so relations are consistent with ages by construction.
"""

from __future__ import annotations

import numpy as np

from fangpin.synth._arrow import BoolArray, IntArray, choice_index, from_pool, ymd
from fangpin.synth.chunk import Chunk, StrArray
from fangpin.synth.ids import id_numbers
from fangpin.synth.names import person_names
from fangpin.synth.plan import Plan

__all__ = ["TEMPLATES", "build_members"]

SLOTS = 9
HEAD, SPOUSE, FATHER, MOTHER, SON, DAUGHTER_IN_LAW = 0, 1, 2, 3, 4, 5
KIDS = (6, 7, 8)

#: name, head age range, share of male heads, weight among formerly poor / ordinary households
TEMPLATES: tuple[tuple[str, tuple[int, int], float, float, float], ...] = (
    ("single_elderly", (60, 92), 0.45, 0.10, 0.05),
    ("elderly_couple", (60, 88), 0.93, 0.11, 0.10),
    ("single_adult", (22, 59), 0.85, 0.06, 0.035),
    ("couple_children_left", (40, 64), 0.93, 0.06, 0.085),
    ("couple_with_children", (24, 52), 0.92, 0.29, 0.33),
    ("three_generations", (50, 72), 0.92, 0.22, 0.22),
    ("with_head_parents", (28, 50), 0.92, 0.11, 0.14),
    ("grandparents_grandchildren", (52, 75), 0.80, 0.05, 0.04),
)
SINGLE_ELDERLY, ELDERLY_COUPLE, SINGLE_ADULT, EMPTY_NEST = 0, 1, 2, 3
NUCLEAR, THREE_GEN, WITH_PARENTS, SKIPPED = 4, 5, 6, 7

_SPOUSE_PRESENT = np.array([0.0, 1.0, 0.0, 1.0, 0.92, 0.85, 0.92, 0.70])
#: distribution of 1, 2, 3 children (or grandchildren) per template; zero rows have none
_KID_COUNTS = np.array(
    [
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
        [0.28, 0.50, 0.22],
        [0.35, 0.45, 0.20],
        [0.30, 0.50, 0.20],
        [0.50, 0.40, 0.10],
    ]
)


def _uniform_int(rng: np.random.Generator, low: int, high: int, size: int) -> IntArray:
    return rng.integers(low, high + 1, size).astype(np.int64)


def _kid_ages(
    rng: np.random.Generator, first: IntArray, count: IntArray
) -> tuple[IntArray, BoolArray]:
    """Ages of up to three children: the first at ``first``, then 1–5 years apart."""
    n = first.size
    ages = np.zeros((n, 3), dtype=np.int64)
    ages[:, 0] = first
    for j in (1, 2):
        ages[:, j] = ages[:, j - 1] - _uniform_int(rng, 1, 5, n)
    present = (np.arange(3)[None, :] < count[:, None]) & (ages >= 0)
    return ages, present


def _ethnicity_draw(rng: np.random.Generator, plan: Plan, size: int) -> StrArray:
    codes = np.array([c for c, _ in plan.config.ethnicity_mix])
    result: StrArray = codes[choice_index(rng, [w for _, w in plan.config.ethnicity_mix], size)]
    return result


def _child_ethnicity(father: StrArray, mother: StrArray) -> StrArray:
    # A Han father and a minority mother: the child is usually registered as the minority.
    result: StrArray = np.where((father == "01") & (mother != "01"), mother, father)
    return result


def build_members(chunk: Chunk, plan: Plan, rng: np.random.Generator) -> None:
    """Fill the chunk's person-level identity arrays from its households."""
    n = chunk.households
    cfg = plan.config
    weights = np.array([[t[3], t[4]] for t in TEMPLATES])
    template = np.where(
        chunk.is_poor,
        choice_index(rng, weights[:, 0], n),
        choice_index(rng, weights[:, 1], n),
    )
    chunk.template = template
    low = np.array([t[1][0] for t in TEMPLATES])[template]
    high = np.array([t[1][1] for t in TEMPLATES])[template]
    head_age = np.floor(low + rng.random(n) * (high - low + 1)).astype(np.int64)
    head_male = rng.random(n) < np.array([t[2] for t in TEMPLATES])[template]

    present = np.zeros((n, SLOTS), dtype=bool)
    age = np.zeros((n, SLOTS), dtype=np.int64)
    male = np.zeros((n, SLOTS), dtype=bool)
    relation = np.full((n, SLOTS), "99", dtype="<U2")
    ethnicity = np.full((n, SLOTS), "01", dtype="<U2")
    region = np.zeros((n, SLOTS), dtype=np.int64)

    present[:, HEAD], age[:, HEAD], male[:, HEAD], relation[:, HEAD] = (
        True,
        head_age,
        head_male,
        "01",
    )
    ethnicity[:, HEAD] = _ethnicity_draw(rng, plan, n)

    def partner_ethnicity() -> StrArray:
        same = rng.random(n) < 0.75
        result: StrArray = np.where(same, ethnicity[:, HEAD], _ethnicity_draw(rng, plan, n))
        return result

    def married_in() -> IntArray:
        if not plan.neighbours:
            return np.zeros(n, dtype=np.int64)
        from_neighbour = rng.random(n) < cfg.spouse_from_neighbour_share
        return np.where(from_neighbour, rng.integers(1, len(plan.neighbours) + 1, n), 0)

    # Spouse: opposite sex, about two years younger if a wife, older if a husband.
    gap = np.rint(rng.normal(2.0, 3.0, n)).astype(np.int64)
    present[:, SPOUSE] = rng.random(n) < _SPOUSE_PRESENT[template]
    age[:, SPOUSE] = np.clip(np.where(head_male, head_age - gap, head_age + gap), 18, 99)
    male[:, SPOUSE] = ~head_male
    relation[:, SPOUSE] = "10"
    ethnicity[:, SPOUSE] = partner_ethnicity()
    region[:, SPOUSE] = married_in()

    # Parents of the head (households that keep them).
    u = rng.random(n)
    with_parents = template == WITH_PARENTS
    father_age = head_age + _uniform_int(rng, 22, 36, n)
    mother_age = father_age - np.rint(rng.normal(2.0, 3.0, n)).astype(np.int64)
    present[:, FATHER] = with_parents & (u < 0.70) & (father_age <= 98)
    present[:, MOTHER] = (
        (with_parents & ((u < 0.55) | (u >= 0.70))) | ((template == THREE_GEN) & (u < 0.05))
    ) & (mother_age <= 98)
    age[:, FATHER], age[:, MOTHER] = father_age, np.maximum(mother_age, head_age + 18)
    male[:, FATHER] = True
    relation[:, FATHER] = relation[:, MOTHER] = "50"
    ethnicity[:, FATHER] = ethnicity[:, HEAD]
    ethnicity[:, MOTHER] = partner_ethnicity()
    region[:, MOTHER] = married_in()

    # Married son and daughter-in-law (three generations), or a sibling of a single adult.
    three_gen = template == THREE_GEN
    sibling = (template == SINGLE_ADULT) & (rng.random(n) < 0.25)
    son_age = head_age - np.where(
        head_male, _uniform_int(rng, 22, 30, n), _uniform_int(rng, 20, 28, n)
    )
    sibling_age = np.maximum(head_age + _uniform_int(rng, -8, 8, n), 18)
    present[:, SON] = three_gen | sibling
    age[:, SON] = np.where(three_gen, son_age, sibling_age)
    male[:, SON] = np.where(three_gen, True, rng.random(n) < 0.6)
    relation[:, SON] = np.where(three_gen, "20", "70")
    head_father_eth = np.where(
        head_male | ~present[:, SPOUSE], ethnicity[:, HEAD], ethnicity[:, SPOUSE]
    )
    head_mother_eth = np.where(
        head_male & present[:, SPOUSE], ethnicity[:, SPOUSE], ethnicity[:, HEAD]
    )
    ethnicity[:, SON] = np.where(
        three_gen, _child_ethnicity(head_father_eth, head_mother_eth), ethnicity[:, HEAD]
    )
    present[:, DAUGHTER_IN_LAW] = three_gen & (rng.random(n) < 0.90)
    age[:, DAUGHTER_IN_LAW] = np.maximum(
        son_age - np.rint(rng.normal(2.0, 2.0, n)).astype(np.int64), 18
    )
    relation[:, DAUGHTER_IN_LAW] = "30"
    ethnicity[:, DAUGHTER_IN_LAW] = partner_ethnicity()
    region[:, DAUGHTER_IN_LAW] = married_in()

    # Children of the head, or grandchildren.
    counts = np.zeros(n, dtype=np.int64)
    draw = rng.random(n)
    cum = np.cumsum(_KID_COUNTS[template], axis=1)
    has_kids = cum[:, -1] > 0
    counts[has_kids] = 1 + (draw[has_kids, None] > cum[has_kids]).sum(axis=1)
    wife_age = np.where(head_male & present[:, SPOUSE], age[:, SPOUSE], head_age)
    dil_age = np.where(present[:, DAUGHTER_IN_LAW], age[:, DAUGHTER_IN_LAW], son_age)
    first = np.where(
        three_gen,
        dil_age - _uniform_int(rng, 20, 31, n),
        np.where(
            template == SKIPPED,
            np.minimum(_uniform_int(rng, 3, 15, n), head_age - 40),
            wife_age - _uniform_int(rng, 20, 31, n),
        ),
    )
    kid_age, kid_present = _kid_ages(rng, first, counts)
    grandchildren = three_gen | (template == SKIPPED)
    kid_male = rng.random((n, 3)) < 0.53
    son_line_eth = np.where(
        present[:, DAUGHTER_IN_LAW],
        _child_ethnicity(ethnicity[:, SON], ethnicity[:, DAUGHTER_IN_LAW]),
        ethnicity[:, SON],
    )
    kid_eth = np.where(
        three_gen,
        son_line_eth,
        np.where(
            template == SKIPPED,
            ethnicity[:, HEAD],
            _child_ethnicity(head_father_eth, head_mother_eth),
        ),
    )
    for j, s in enumerate(KIDS):
        present[:, s] = kid_present[:, j]
        age[:, s] = kid_age[:, j]
        male[:, s] = kid_male[:, j]
        relation[:, s] = np.where(grandchildren, "40", np.where(kid_male[:, j], "20", "30"))
        ethnicity[:, s] = kid_eth

    _flatten(chunk, plan, rng, present, age, male, relation, ethnicity, region)


def _surnames(
    rng: np.random.Generator, plan: Plan, chunk: Chunk, present: BoolArray, male: BoolArray
) -> IntArray:
    """Surname index per slot: children take the father's line (mostly), partners their own."""
    n = present.shape[0]
    weights = [w for _, w in plan.config.surnames]
    own = choice_index(rng, weights, n * SLOTS).reshape(n, SLOTS)
    head_male = male[:, HEAD]
    # The family line: the head's surname if a man, otherwise the husband's (own draw slot 1).
    family = np.where(head_male, own[:, HEAD], own[:, SPOUSE])
    surname = own.copy()
    surname[:, SPOUSE] = np.where(head_male, own[:, SPOUSE], family)
    surname[:, FATHER] = own[:, HEAD]
    surname[:, SON] = np.where(chunk.template == THREE_GEN, family, own[:, HEAD])
    takes_father = rng.random((n, 3)) < plan.config.child_takes_father_surname
    mother_line = np.where(
        (chunk.template == THREE_GEN) | (chunk.template == SKIPPED),
        own[:, DAUGHTER_IN_LAW],
        np.where(head_male, own[:, SPOUSE], own[:, HEAD]),
    )
    for j, s in enumerate(KIDS):
        surname[:, s] = np.where(takes_father[:, j], family, mother_line)
    return surname


def _flatten(
    chunk: Chunk,
    plan: Plan,
    rng: np.random.Generator,
    present: BoolArray,
    age: IntArray,
    male: BoolArray,
    relation: StrArray,
    ethnicity: StrArray,
    region: IntArray,
) -> None:
    surname_matrix = _surnames(rng, plan, chunk, present, male)
    rows, slots = np.nonzero(present)
    m = rows.size
    chunk.household = rows.astype(np.int64)
    chunk.slot = slots.astype(np.int64)
    chunk.person_id = np.arange(plan.next_person_id, plan.next_person_id + m, dtype=np.int64)
    plan.next_person_id += m
    chunk.relation = relation[rows, slots]
    chunk.is_male = male[rows, slots]
    chunk.ethnicity = ethnicity[rows, slots]
    chunk.region = region[rows, slots]
    target_age = age[rows, slots]
    birth = (
        plan.reference_day
        - np.rint(target_age * 365.2425).astype(np.int64)
        - rng.integers(0, 365, m)
    )
    chunk.birth_day, chunk.sequence_code = plan.allocator.allocate(
        chunk.region, birth, chunk.is_male
    )
    chunk.age = ages_on(
        chunk.birth_day,
        plan.config.reference_date.year,
        plan.config.reference_date.month,
        plan.config.reference_date.day,
    )
    chunk.id_number = id_numbers(
        plan.allocator.region_codes(chunk.region), chunk.birth_day, chunk.sequence_code
    )
    chunk.surname = from_pool([s for s, _ in plan.config.surnames], surname_matrix[rows, slots])
    birth_year, _, _ = ymd(chunk.birth_day)
    chunk.name = person_names(rng, chunk.surname, chunk.is_male, birth_year)


def ages_on(birth_day: IntArray, year: int, month: int, day: int) -> IntArray:
    """Completed years on the given date."""
    by, bm, bd = ymd(birth_day)
    before_birthday = (bm > month) | ((bm == month) & (bd > day))
    result: IntArray = year - by - before_birthday.astype(np.int64)
    return result
