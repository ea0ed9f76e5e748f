"""Dead members still counted in the household size, or still registered as active."""

from __future__ import annotations

from datetime import date

from fangpin.integrity import deceased_counted, deceased_still_active
from tests.integrity.builders import (
    SETTINGS,
    VILLAGE,
    YEAR,
    finance,
    finances,
    households,
    person,
    persons,
)

PEOPLE = [
    person(11, 1),
    person(12, 1),
    person(13, 1, status="deceased", death=date(2023, 5, 3)),  # died last year: counted in 3
    person(21, 2),
    person(22, 2, status="deceased", death=date(2024, 3, 1)),  # died this year: may count
    person(31, 3),
    person(32, 3),
    person(33, 3, status="deceased", death=date(2022, 1, 9)),  # not counted: size 2
    person(41, 4),
    person(42, 4, status="deceased"),  # no date
    person(51, 5, death=date(2023, 1, 1)),  # a death date, status still active
    person(52, 5),
]
SIZES = {1: 3, 2: 2, 3: 2, 4: 2, 5: 1}


def _run_counted() -> list:
    return deceased_counted(
        households([1, 2, 3, 4, 5]),
        persons(PEOPLE),
        finances([finance(h, size=s, wage_local=30000) for h, s in SIZES.items()]),
        settings=SETTINGS,
        year=YEAR,
    )


def test_a_member_dead_before_the_year_still_in_the_household_size_is_flagged() -> None:
    found = _run_counted()

    assert [(f.code, f.subject_id, f.region_code, f.severity) for f in found] == [
        ("DECEASED_COUNTED", "1", VILLAGE, "warning"),
        ("DECEASED_COUNTED", "4", VILLAGE, "info"),
    ]
    assert found[0].figures() == {
        "deceased": [{"death_date": "2023-05-03", "person_id": 13}],
        "household_size": 3,
        "living_members": 2,
    }
    assert found[0].threshold is None
    assert found[0].explanation == (
        "成员（人员编号13，2023-05-03死亡）已死亡，2024年收支登记的家庭人口仍为3人，在册存活成员2人"
    )
    assert found[1].explanation == (
        "成员（人员编号42，已标注死亡、未登记死亡日期）已死亡，2024年收支登记的家庭人口仍为2人，"
        "在册存活成员1人"
    )


def test_an_active_member_with_a_death_date_is_flagged() -> None:
    found = deceased_still_active(households([1, 5]), persons(PEOPLE), settings=SETTINGS, year=YEAR)

    assert [(f.code, f.subject_id, f.region_code, f.severity) for f in found] == [
        ("DECEASED_STILL_ACTIVE", "5", VILLAGE, "warning")
    ]
    assert found[0].figures() == {"persons": [{"death_date": "2023-01-01", "person_id": 51}]}
    assert found[0].explanation == (
        "成员（人员编号51，死亡日期2023-01-01）已登记死亡日期，人员状态却仍为在册"
    )
