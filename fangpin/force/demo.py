"""The demo's assistance force (`fangpin demo` step ⑮): work teams in most villages, assisting
cadres paired with the registered and monitored households (a few gaps and one cadre over the
limit left for the coverage views to show), the east–west pairing with 济南市, four projects
with their funding, linked households, assets, returns and benefits, and consumption
assistance. Written through the services as the demo county account; deterministic for a seed.
The people and units other than the real pairing of 湘西州 with 济南市 are invented."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any

from fangpin.core.models import Region, Role, User
from fangpin.force import services
from fangpin.force.benefits import benefit_record
from fangpin.regioncode import subtree_prefix
from fangpin.registry.models import ACTIVE, NOT_MONITORED, Household

__all__ = ["demo_force"]

_UNITS = (
    "县农业农村局",
    "县教育局",
    "县卫生健康局",
    "县人力资源和社会保障局",
    "县住房和城乡建设局",
    "县水利局",
    "县财政局",
    "县供销合作社",
    "州烟草专卖局",
    "县农商银行",
)
_SURNAMES = "龙石麻吴杨田彭向张李"
_GIVEN = (
    "建华",
    "秀英",
    "志强",
    "海燕",
    "光明",
    "春兰",
    "国庆",
    "红梅",
    "卫东",
    "丽君",
    "文斌",
    "小芳",
)


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN)


def demo_force(*, county: str, seed: int, year: int) -> dict[str, Any]:
    """Write the demo county's force; teams, projects and benefits belong to ``year`` (the
    demo's data year, so the benefits add to the finances the registry already has). Returns
    the counts shown by ``fangpin demo``."""
    code = county[:6] + "000000"
    actor = User.objects.filter(role=Role.COUNTY_APPROVER, username=f"county_{county[:6]}").first()
    if actor is None:
        return {}
    rng = random.Random(seed)
    villages = list(
        Region.objects.filter(code__startswith=county[:6], level=5, valid_to__isnull=True).order_by(
            "code"
        )
    )
    counts = {"teams": 0, "members": 0, "cadres": 0, "assigned": 0, "projects": 0}
    start = date(year, 5, 1)
    for village in villages:
        if rng.random() < 0.08:  # a few villages are waiting for their next team
            continue
        team = services.team_create(
            actor=actor,
            village_code=village.code,
            dispatching_unit=rng.choice(_UNITS),
            start_date=start,
        )
        counts["teams"] += 1
        for role in ("first_secretary", "member", "member"):
            services.member_add(
                actor=actor,
                team_id=team.public_id,
                name=_name(rng),
                role=role,
                unit=team.dispatching_unit,
                start_date=start,
            )
            counts["members"] += 1
    registered = list(
        Household.objects.filter(village__code__startswith=county[:6], status=ACTIVE)
        .exclude(household_type="2", monitoring_status=NOT_MONITORED)
        .order_by("village_id", "household_number")
        .values_list("pk", "village_id")
    )
    # One cadre for about every four registered households; 3% of households left without one
    # and the first cadre given seven, so the coverage views have something to show.
    cadres = []
    village_account = User.objects.filter(
        role=Role.VILLAGE_CADRE, home_region__code__startswith=county[:6]
    ).first()
    for index in range(max(1, len(registered) // 4)):
        cadres.append(
            services.cadre_create(
                actor=actor,
                county_code=code,
                name=_name(rng),
                unit=rng.choice(_UNITS),
                username=actor.username if index == 0 else "",
            )
        )
    if village_account is not None:
        cadres.append(
            services.cadre_create(
                actor=actor,
                county_code=code,
                name="龙建华",
                unit="龙门村村民委员会",
                username=village_account.username,
            )
        )
    counts["cadres"] = len(cadres)
    for index, (household_id, _village) in enumerate(registered):
        if rng.random() < 0.03:
            continue
        # The first cadre (the county account's) takes seven: over the edition's limit of 5.
        cadre = cadres[0 if index < 7 else min(1 + (index - 7) // 4, len(cadres) - 1)]
        services.cadre_assign(
            actor=actor, cadre_id=cadre.public_id, household_id=household_id, start_date=start
        )
        counts["assigned"] += 1
    pairing = services.pairing_create(
        actor=actor, kind="east_west", partner="山东省济南市", county_code=code, start_year=2021
    )
    for commitment_year, items in (
        (
            year,
            {
                "funds": (32_000_000, 32_000_000),
                "jobs": (600, 688),
                "purchases": (45_000_000, 51_200_000),
            },
        ),
        (
            year + 1,
            {
                "funds": (35_000_000, 28_500_000),
                "jobs": (600, 540),
                "purchases": (50_000_000, 39_800_000),
            },
        ),
    ):
        for item, (committed, delivered) in items.items():
            services.commitment_set(
                actor=actor,
                pairing_id=pairing.public_id,
                year=commitment_year,
                item=item,
                committed=Decimal(committed),
                delivered=Decimal(delivered),
            )
    plans = (
        (
            "猕猴桃产业园扩建",
            "industry",
            code,
            False,
            True,
            "猕猴桃",
            {"central_linking": "4800000", "east_west": "2000000", "loan": "1200000"},
            "dividend",
            60,
        ),
        (
            "黄牛养殖专业合作社",
            "industry",
            villages[0].code if villages else code,
            True,
            False,
            "湘西黄牛",
            {"central_linking": "900000", "self": "150000"},
            "dividend",
            25,
        ),
        (
            "帮扶车间（服装加工）",
            "employment",
            villages[1].code if len(villages) > 1 else code,
            False,
            False,
            "",
            {"provincial_linking": "600000", "east_west": "400000"},
            "wage",
            30,
        ),
        (
            "村组道路硬化",
            "infrastructure",
            villages[2].code if len(villages) > 2 else code,
            False,
            False,
            "",
            {"central_linking": "1500000", "local": "300000"},
            "",
            0,
        ),
    )
    monitored_or_poor = [pk for pk, _v in registered]
    for name, kind, region, one_village, one_county, product, funding, link, linked in plans:
        project = services.project_create(
            actor=actor,
            name=name,
            kind=kind,
            region_code=region,
            start_date=date(year, 3, 1),
            end_date=date(year, 11, 30),
            status="completed",
            one_village_one_product=one_village,
            one_county_one_industry=one_county,
            product=product,
            funding={k: Decimal(v) for k, v in funding.items()},
        )
        counts["projects"] += 1
        candidates = list(
            Household.objects.filter(
                pk__in=monitored_or_poor, village__code__startswith=subtree_prefix(region)
            ).values_list("pk", flat=True)[:linked]
        )
        for household_id in candidates:
            services.beneficiary_link(
                actor=actor,
                project_id=project.public_id,
                household_id=household_id,
                link_type=link,
                since=date(year, 12, 1),
            )
            amount = (
                Decimal(rng.choice((600, 800, 1000, 1200)))
                if link == "dividend"
                else Decimal(rng.choice((8000, 12000, 15000)))
            )
            benefit_record(
                actor=actor,
                project_id=project.public_id,
                household_id=household_id,
                year=year,
                link_type=link,
                amount=amount,
            )
        if kind in ("industry", "employment"):
            asset = services.asset_add(
                actor=actor,
                project_id=project.public_id,
                name=f"{name}（厂房及设施）" if kind == "employment" else f"{name}（基地设施）",
                kind="operating",
                owner="村股份经济合作社",
                manager="县城投农业开发有限公司" if one_county else "村专业合作社",
                value=sum((Decimal(v) for v in funding.values()), Decimal(0)),
            )
            services.asset_return_set(
                actor=actor,
                asset_id=asset.public_id,
                year=year,
                amount=asset.value * Decimal("0.06"),
            )
    sellers = monitored_or_poor[:20]
    for index in range(40):
        services.purchase_record(
            actor=actor,
            county_code=code,
            buyer=rng.choice(("济南市历下区机关事务服务中心", "济南市教育局食堂", "州总工会")),
            year=year,
            bought_on=date(year, rng.randint(9, 12), rng.randint(1, 28)),
            product=rng.choice(("猕猴桃", "湘西黄牛肉", "腊肉", "茶叶")),
            amount=Decimal(rng.choice((3000, 5000, 8000, 12000))),
            household_id=sellers[index % len(sellers)] if index % 2 == 0 and sellers else None,
            cooperative="" if index % 2 == 0 and sellers else "花垣县猕猴桃专业合作社",
            pairing_id=pairing.public_id,
        )
    return counts
