"""Drawing a campaign's sample (campaign_create): the stored sample is exactly the sampling
core's draw on the registry's frame, reproducible from its seed, with the design and the frame
recorded and audited; rights and scope are enforced with nothing written on refusal."""

from __future__ import annotations

from typing import Any

import pytest

from fangpin import sampling
from fangpin.core.access import SYSTEM
from fangpin.core.models import AuditEvent
from fangpin.evaluation.campaigns import (
    DesignChoice,
    campaign_create,
)
from fangpin.evaluation.errors import EvaluationError
from fangpin.evaluation.models import Campaign
from fangpin.registry.models import Household
from tests.evaluation.conftest import (
    DOUWANG,
    HOUSEHOLDS,
    HUAYUAN,
    LONGMEN,
    LUXI,
    MINLE,
    XIANGSHUI,
    YEAR,
    World,
    table_state,
)


def create(actor: Any, **changes: Any) -> Campaign:
    values: dict[str, Any] = {
        "actor": actor,
        "name": "2024年度第三方评估",
        "county_code": HUAYUAN,
        "year": YEAR,
        "seed": "s1",
        "design": DesignChoice(ordinary_share=0.5),
    }
    values.update(changes)
    return campaign_create(**values)


def frame(world: World) -> tuple[list[sampling.Village], dict[str, dict[str, list[int]]]]:
    """The sampling frame of 花垣县, built from the fixture's own table (not the service)."""
    groups: dict[str, dict[str, list[int]]] = {}
    for key, (village, kind, _wage, monitoring) in HOUSEHOLDS.items():
        if not village.startswith("433124"):
            continue
        domain = "register" if kind == "1" or monitoring else "outside"
        groups.setdefault(village, {"register": [], "outside": []})[domain].append(
            world.households[key].pk
        )
    villages = [
        sampling.Village(
            code=code,
            stratum=code[:9],
            households_in_register=len(g["register"]),
            households_outside=len(g["outside"]),
        )
        for code, g in sorted(groups.items())
    ]
    return villages, groups


def stored(campaign: Campaign) -> list[tuple[str, int, str, float, float]]:
    return list(
        campaign.households.order_by("position").values_list(
            "village__village_id", "household_id", "domain", "probability", "weight"
        )
    )


def test_the_stored_sample_is_the_sampling_cores_draw(world: World) -> None:
    campaign = create(world.users["inspector_huayuan"])

    villages, groups = frame(world)
    drawn = sampling.draw_sample(
        villages,
        villages_per_stratum=2,
        register_households={c: g["register"] for c, g in groups.items()},
        outside_households={c: g["outside"] for c, g in groups.items()},
        seed="s1",
        register_rule=sampling.SecondStageRule(1.0, None),
        outside_rule=sampling.SecondStageRule(0.5, 200),
    )
    assert stored(campaign) == [
        (h.village, h.household_id, str(h.domain), h.inclusion_probability, h.weight)
        for h in drawn.households
    ]
    assert list(campaign.households.order_by("position").values_list("position", flat=True)) == (
        list(range(1, len(drawn.households) + 1))
    )
    assert list(
        campaign.villages.order_by("village_id").values_list(
            "village_id", "stratum", "probability", "stratum_villages", "stratum_sampled"
        )
    ) == sorted(
        (
            v.code,
            v.stratum,
            v.first_stage_probability,
            {"433124102": 3, "433124103": 2}[v.stratum],
            2,
        )
        for v in drawn.villages
    )
    # 龙潭镇 has three villages (two drawn, p = 2/3), 民乐镇 two (both drawn, p = 1).
    probabilities = {v.stratum: v.probability for v in campaign.villages.all()}
    assert probabilities == {"433124102": pytest.approx(2 / 3, abs=1e-15), "433124103": 1.0}
    assert set(campaign.villages.values_list("village_id", flat=True)) == {
        LONGMEN,
        DOUWANG,
        MINLE,
        XIANGSHUI,
    }
    assert campaign.households.filter(domain="register").count() == 9
    assert campaign.households.filter(domain="outside").count() == 4
    # 民乐镇: every register household (weight 1), one of two outside households (weight 2).
    assert set(
        campaign.households.filter(village__stratum="433124103").values_list("domain", "weight")
    ) == {("register", 1.0), ("outside", 2.0)}


def test_the_design_records_the_choice_and_the_frame(world: World) -> None:
    Household.objects.filter(pk=world.households["tudi_c"].pk).update(status="cancelled")

    campaign = create(world.users["inspector_huayuan"])

    assert (campaign.name, campaign.county_id, campaign.year, campaign.seed) == (
        "2024年度第三方评估",
        HUAYUAN,
        2024,
        "s1",
    )
    assert campaign.edition_id.startswith("2024/433124@")
    assert (campaign.status, campaign.version, campaign.created_by_label) == (
        "fieldwork",
        1,
        "inspector_huayuan",
    )
    assert campaign.design == {
        "villages_per_township": 2,
        "ordinary_share": 0.5,
        "ordinary_cap": 200,
        "register_all": True,
        "register_share": 1.0,
        "register_cap": 0,
        "parameters": {
            "method": "srs",
            "size_measure": "total",
            "villages_per_stratum": {"433124102": 2, "433124103": 2},
            "register_rule": {"fraction": 1.0, "cap": None},
            "outside_rule": {"fraction": 0.5, "cap": 200},
        },
        "precision": {},  # villages per township chosen, not sized from a precision
        "frame_villages": 5,
        "frame_households": 19,  # 20 of 花垣县 less the cancelled one; 泸溪县's is not counted
    }
    assert not campaign.households.filter(household_id=world.households["tudi_c"].pk).exists()
    assert not campaign.households.filter(household__village__code__startswith="433122").exists()


def test_a_sample_sized_from_a_target_precision_follows_the_plan(world: World) -> None:
    choice = DesignChoice(ordinary_share=0.5, target_margin=0.1, expected_rate=0.1, icc=0.05)

    campaign = create(world.users["inspector_huayuan"], design=choice)

    # Per village on average: the register households (all) and half the outside ones, capped:
    # 龙门村 2 + 1, 土地村 2 + 1, 豆旺村 3 + 0.5, 民乐村 2 + 1, 响水村 2 + 1 → 15.5 / 5 → 3.
    plan = sampling.plan_two_stage(
        strata={"433124102": 3, "433124103": 2},
        expected=0.1,
        margin=0.1,
        icc=0.05,
        households_per_village=3,
    )
    assert campaign.design["precision"] == {
        "target_margin": 0.1,
        "expected_rate": 0.1,
        "icc": 0.05,
        "households_per_village": 3,
        "design_effect": plan.design_effect,
        "households_required": plan.households_required,
        "villages_required": plan.villages_required,
        "villages_planned": plan.villages_planned,
        "is_capped": plan.is_capped,
    }
    assert campaign.design["parameters"]["villages_per_stratum"] == plan.villages_per_stratum
    assert campaign.villages.count() == plan.villages_planned


def test_the_same_seed_draws_the_same_sample_and_another_seed_another(world: World) -> None:
    inspector = world.users["inspector_huayuan"]

    first = create(inspector)
    again = create(inspector)
    other = create(inspector, seed="另一个种子")

    assert stored(first) == stored(again)
    assert stored(first) != stored(other)


def test_an_empty_seed_gets_a_random_one_that_is_stored(world: World) -> None:
    campaign = create(world.users["inspector_huayuan"], seed="  ")

    assert len(campaign.seed) == 12
    assert stored(create(world.users["inspector_huayuan"], seed=campaign.seed)) == stored(campaign)


def test_creating_is_audited(world: World) -> None:
    campaign = create(world.users["inspector_huayuan"])

    event = AuditEvent.objects.get(action="evaluation.campaign_create")
    assert (event.actor_label, event.object_type, event.object_id) == (
        "inspector_huayuan",
        "evaluation_campaign",
        str(campaign.public_id),
    )
    assert event.changes == {
        "county": HUAYUAN,
        "year": 2024,
        "seed": "s1",
        "villages": 4,
        "households": campaign.households.count(),
    }


def test_an_inspector_of_the_prefecture_and_the_system_may_draw(world: World) -> None:
    assert create(world.users["inspector_xiangxi"]).created_by_label == "inspector_xiangxi"
    system = create(SYSTEM)
    assert (system.created_by, system.created_by_label) == (None, "system")


#: account → the refusal of a draw for 花垣县
REFUSED_DRAW = {
    "township_longtan": ("forbidden", "当前账号无权开展第三方评估"),
    "cadre_tudi": ("forbidden", "当前账号无权开展第三方评估"),
    "county_huayuan": ("forbidden", "当前账号无权开展第三方评估"),  # no findings.write
    "auditor": ("forbidden", "当前账号无权开展第三方评估"),
    "inspector_luxi": ("region", "被评估县不在您的辖区内"),
}


def test_a_draw_is_refused_without_the_right_or_the_scope(world: World) -> None:
    before = table_state()
    refusals = {}

    for account in REFUSED_DRAW:
        with pytest.raises(EvaluationError) as refused:
            create(world.users[account])
        refusals[account] = (refused.value.code, refused.value.message)

    assert refusals == REFUSED_DRAW
    assert table_state() == before


def test_an_unknown_county_a_township_code_and_an_empty_name_are_refused(world: World) -> None:
    before = table_state()

    with pytest.raises(EvaluationError) as unknown:
        create(SYSTEM, county_code="433199000000")
    with pytest.raises(EvaluationError) as township:
        create(SYSTEM, county_code="433124102000")
    with pytest.raises(EvaluationError) as unnamed:
        create(world.users["inspector_huayuan"], name="   ")

    assert (unknown.value.code, unknown.value.message) == (
        "region",
        "“433199000000”不是已加载的县级区划",
    )
    assert (township.value.code, township.value.message) == (
        "region",
        "“433124102000”不是已加载的县级区划",
    )
    assert (unnamed.value.code, unnamed.value.message) == ("design", "请填写评估批次名称")
    assert table_state() == before


def test_a_county_without_households_cannot_be_sampled(world: World) -> None:
    Household.objects.filter(village__code__startswith="433122").update(status="cancelled")
    before = table_state()

    with pytest.raises(EvaluationError) as refused:
        create(world.users["inspector_luxi"], county_code=LUXI)

    assert (refused.value.code, refused.value.message) == ("frame", "泸溪县没有登记农户，无法抽样")
    assert table_state() == before


def test_a_monitored_ordinary_household_is_drawn_inside_the_register(world: World) -> None:
    campaign = create(world.users["inspector_huayuan"], design=DesignChoice(3, 1.0))

    assert campaign.villages.count() == 5
    domains = dict(campaign.households.values_list("household_id", "domain"))
    assert {k: domains[h.pk] for k, h in world.households.items() if k.startswith("douwang")} == {
        "douwang_a": "register",  # 脱贫户, risk eliminated
        "douwang_b": "register",  # 脱贫户
        "douwang_c": "outside",  # 一般农户
        "douwang_d": "register",  # 一般农户 under monitoring
    }
    assert len(domains) == 20  # every household of every village at a share of 100%
