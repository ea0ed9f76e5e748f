"""Reads of intake: the region scope of declarations per role, villages for the form."""

from __future__ import annotations

import pytest

from fangpin.core.models import Region
from fangpin.core.scope import SYSTEM
from fangpin.intake import selectors
from fangpin.intake.models import Declaration
from tests.intake.conftest import make_declaration
from tests.registry.conftest import DOUWANG, LUXI_VILLAGE, MINLE, TUDI, World

pytestmark = pytest.mark.django_db

#: viewer → the villages whose declarations it reads (written out, not computed)
READS = {
    "cadre_tudi": {TUDI},
    "township_longtan": {TUDI, DOUWANG},
    "county_huayuan": {TUDI, DOUWANG, MINLE},
    "inspector_luxi": {LUXI_VILLAGE},
    "officer_xiangxi": {TUDI, DOUWANG, MINLE, LUXI_VILLAGE},
    "auditor": set(),
    "sysadmin": set(),
    "secadmin": set(),
    "root": set(),
}


@pytest.mark.parametrize("viewer", sorted(READS))
def test_each_role_reads_exactly_its_scope(world: World, viewer: str) -> None:
    made = {
        code: make_declaration(village_code=code) for code in (TUDI, DOUWANG, MINLE, LUXI_VILLAGE)
    }
    user = world.viewers[viewer]

    listed = {d.village_id for d in selectors.declaration_list(user)}

    assert listed == READS[viewer]
    for code, declaration in made.items():
        if code in READS[viewer]:
            assert selectors.declaration_get(user, declaration.public_id) == declaration
        else:
            with pytest.raises(Declaration.DoesNotExist):
                selectors.declaration_get(user, declaration.public_id)


def test_the_system_reads_everything(world: World) -> None:
    for code in (TUDI, LUXI_VILLAGE):
        make_declaration(village_code=code)

    assert selectors.declaration_list(SYSTEM).count() == 2


@pytest.mark.parametrize("bad", ["not-a-uuid", "", "1"])
def test_a_malformed_id_is_does_not_exist(world: World, bad: str) -> None:
    with pytest.raises(Declaration.DoesNotExist):
        selectors.declaration_get(world.viewers["county_huayuan"], bad)


def test_the_form_offers_the_villages_of_counties_with_households(world: World) -> None:
    villages = selectors.public_villages()

    # By county code (泸溪县 433122 before 花垣县 433124), then by village code.
    assert villages == [
        (LUXI_VILLAGE, "泸溪县某村"),
        (TUDI, "土地村"),
        (DOUWANG, "豆旺村"),
        (MINLE, "民乐村"),
    ]


def test_the_form_offers_no_village_without_households(village: Region) -> None:
    assert selectors.public_villages() == []


def test_the_full_name_of_a_village(village: Region) -> None:
    assert selectors.village_full_name(TUDI) == "湖南省湘西土家族苗族自治州花垣县龙潭镇土地村"
    assert selectors.village_full_name("433124102299") == ""
