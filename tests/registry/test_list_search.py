"""household_list search: the UNION of index lookups and the row-by-row form agree exactly.

The list searches through ``_search_matches`` (one UNION of index lookups) except on SQLite
within one village, where it tests each household (``_search_in_rows``). Both must return the
same households for every kind of text; the PostgreSQL head-name grams are checked there.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from fangpin.registry import selectors
from fangpin.registry.models import Household
from tests.registry.conftest import DOUWANG, TUDI, World, member, plain_id

SEARCHES = [
    "张三",  # a head's full name
    "三",  # one character of it
    "张小",  # a member's name, not a head's: no match
    "4331241022",  # a household-number prefix
    "13812345678",  # a household phone
    "13987654321",  # a member's phone
    "  ",
    "%",  # LIKE wildcards are literal
    "_",
]


def _numbers(qs: Any) -> list[str]:
    return [h.household_number for h in qs]


def _both_shapes(world: World, text: str, village_prefix: str) -> tuple[list[str], list[str]]:
    base = Household.objects.filter(village_id=village_prefix).order_by("household_number")
    union = base.filter(pk__in=selectors._search_matches(text)) if text.strip() else base
    in_rows = (
        selectors.household_list(user=world.viewers["county_huayuan"])
        .filter(village_id=village_prefix)
        .filter(selectors._search_in_rows(text))
        if text.strip()
        else base
    )
    return _numbers(union), _numbers(in_rows)


@pytest.mark.parametrize("text", SEARCHES)
@pytest.mark.parametrize("village_prefix", [TUDI, DOUWANG])
def test_the_union_and_the_row_by_row_search_agree(
    world: World, text: str, village_prefix: str
) -> None:
    union, in_rows = _both_shapes(world, text, village_prefix)

    assert union == in_rows


def test_a_member_id_number_finds_the_household_in_both_shapes(world: World) -> None:
    number = plain_id(member(world.households["tudi"], "李梅"))

    assert _both_shapes(world, number, TUDI) == (["4331241022010001"], ["4331241022010001"])


def test_search_within_a_village_gives_the_county_wide_result_cut_to_it(world: World) -> None:
    county = world.viewers["county_huayuan"]
    for text in SEARCHES:
        wide = _numbers(selectors.household_list(user=county, search=text))
        narrow = _numbers(selectors.household_list(user=county, search=text, village_prefix=TUDI))

        assert narrow == [n for n in wide if n.startswith(TUDI)], text


def test_head_name_grams_need_every_two_character_piece() -> None:
    if connection.vendor != "postgresql":
        assert selectors._name_grams_match("张三") is None
        pytest.skip("the grams condition exists on PostgreSQL only")
    grams = selectors._name_grams_match("张小明")
    one = selectors._name_grams_match("三")
    assert grams is not None
    assert one is not None
    assert [e.value for e in grams.source_expressions[1:]] == [["小明", "张小"]]  # type: ignore[attr-defined]
    assert [e.value for e in one.source_expressions[1:]] == [["三"]]  # type: ignore[attr-defined]
