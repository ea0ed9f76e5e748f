"""Demo plans: measures matched to each monitored household's risks, and some visits.

Called by ``fangpin demo`` after the registry and the demo accounts exist. Everything is
written through the services as the demo village's account (``village_<code>``), so the audit
log shows what a cadre would have done. Deterministic for a seed. A few households are left
with a gap (a risk without a measure, a measure past its end still in progress, no visit for
months) so the plan checks and the coverage list have something to show.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from django.utils import timezone

from fangpin.assistance import selectors
from fangpin.assistance.models import MeasureStatus
from fangpin.assistance.services import MeasureInput, measure_create, visit_record
from fangpin.core.models import Role, User
from fangpin.registry.models import ACTIVE, Household, Monitoring, Person

__all__ = ["demo_plans", "demo_plans_county"]

#: risk code → (category, item, department, typical amounts in yuan, person-level?)
_OPTIONS: Final[dict[str, list[tuple[str, str, str, tuple[int, ...], bool]]]] = {
    "01": [
        ("HEALTH", "大病保险倾斜报销及医疗救助", "县医疗保障局", (3000, 5000, 8000), True),
        ("SOCIAL_SECURITY", "纳入农村低保", "县民政局", (3600, 4320), False),
    ],
    "02": [
        ("HOUSING_SAFETY", "因灾受损房屋维修加固补助", "县住房和城乡建设局", (8000, 15000), False),
        ("SOCIAL_SECURITY", "受灾群众临时救助", "县民政局", (1000, 2000), False),
    ],
    "03": [
        ("SOCIAL_SECURITY", "残疾人两项补贴", "县残疾人联合会", (1080, 1440), True),
        ("HEALTH", "家庭医生签约服务及康复救助", "县卫生健康局", (0, 500), True),
    ],
    "04": [
        ("PUBLIC_WELFARE_POST", "村级保洁公益岗位", "县人力资源和社会保障局", (6000, 7200), True),
        ("SOCIAL_SECURITY", "纳入农村低保", "县民政局", (3600, 4320), False),
    ],
    "05": [
        ("SOCIAL_SECURITY", "意外事故临时救助", "县民政局", (2000, 3000), False),
        ("HEALTH", "医疗救助", "县医疗保障局", (2000, 4000), True),
    ],
    "06": [
        ("FINANCE", "脱贫人口小额信贷", "县农村商业银行", (30000, 50000), False),
        ("INDUSTRY", "特色种养产业奖补", "县农业农村局", (2000, 3000), False),
    ],
    "07": [
        ("EMPLOYMENT", "外出务工一次性交通补贴", "县人力资源和社会保障局", (500, 800), True),
        ("PUBLIC_WELFARE_POST", "护林员公益岗位", "县林业局", (6000,), True),
    ],
    "09": [
        (
            "COMPULSORY_EDUCATION",
            "义务教育阶段家庭经济困难学生生活补助",
            "县教育局",
            (1000, 1250),
            True,
        ),
        ("OTHER_EDUCATION", "雨露计划职业教育补助", "县乡村振兴局", (3000,), True),
    ],
    "10": [("HOUSING_SAFETY", "农村危房改造", "县住房和城乡建设局", (20000, 35000), False)],
    "11": [("WATER_SAFETY", "饮水工程入户改造", "县水利局", (800, 1500), False)],
    "99": [("SOCIAL", "结对帮扶单位走访慰问", "县直结对帮扶单位", (500, 1000), False)],
}
_DEVELOPMENT: Final = ("INDUSTRY", "发展特色种养产业（黄牛养殖）奖补", "县农业农村局", (3000, 5000))
_CADRES: Final = ("龙建华", "石秀英", "麻志强", "吴海燕", "杨光明")
_FINDINGS: Final = (
    "户主在家，了解近期收入和就医情况，帮扶措施已落实。",
    "孩子按时上学，教育补助已到账；提醒按时缴纳医保。",
    "查看住房和饮水情况，房屋安全，自来水正常。",
    "家中务工人员已返岗，宣传就业补贴政策。",
    "了解产业发展情况，黄牛存栏3头，长势良好。",
)
#: Shares of households left with a gap, for the checks and coverage list to show.
_SKIP_RISK_SHARE: Final = 0.15
_OVERDUE_SHARE: Final = 0.15
_UNVISITED_SHARE: Final = 0.25


def _village_account(county: str) -> User | None:
    return (
        User.objects.filter(
            role=Role.VILLAGE_CADRE,
            username__startswith="village_",
            home_region__code__startswith=county,
        )
        .order_by("username")
        .first()
    )


def _start(rng: random.Random, spell: Monitoring, today: date) -> date:
    return min(spell.identified_month + timedelta(days=rng.randint(3, 60)), today)


def _plan_households(
    cadre: User, households: list[Household], rng: random.Random, day: date
) -> dict[str, int]:
    """Plans and visits for ``households`` as ``cadre`` (the counts of :func:`demo_plans`)."""
    counts = {"households": 0, "measures": 0, "visits": 0, "warnings": 0}
    # At least one household of each kind of gap, whatever the village's size.
    indices = range(len(households))

    def pick(share: float) -> set[int]:
        return set(
            rng.sample(indices, min(len(households), max(1, round(len(households) * share))))
        )

    skipping, overdue_ones, unvisited = (
        pick(_SKIP_RISK_SHARE),
        pick(_OVERDUE_SHARE),
        pick(_UNVISITED_SHARE),
    )
    for index, household in enumerate(households):
        spell = Monitoring.objects.prefetch_related("risks").get(
            household=household, is_current=True
        )
        members = list(
            Person.objects.filter(household=household, status=ACTIVE).order_by("birth_date")
        )
        youngest = members[-1].pk if members else None
        eldest = members[0].pk if members else None
        risks = [r.risk_type for r in spell.risks.all()]
        skip = risks[-1] if risks and index in skipping else None
        overdue = index in overdue_ones
        values: list[MeasureInput] = []
        for code in risks:
            if code == skip:
                continue
            options = _OPTIONS.get(code, _OPTIONS["99"])
            chosen = options[:1] + [o for o in options[1:] if rng.random() < 0.5]
            for category, item, department, amounts, personal in chosen:
                start = _start(rng, spell, day)
                person = (youngest if code == "09" else eldest) if personal else None
                values.append(
                    MeasureInput(
                        category=category,
                        item=item,
                        responsible_department=department,
                        responsible_person=rng.choice(_CADRES),
                        start_date=start,
                        end_date=start + timedelta(days=365) if code in ("06", "09") else None,
                        amount=Decimal(rng.choice(amounts)),
                        status=rng.choice(
                            (
                                MeasureStatus.IN_PROGRESS,
                                MeasureStatus.IN_PROGRESS,
                                MeasureStatus.DONE,
                            )
                        ),
                        risk_types=(code,),
                        person_id=person,
                        evidence=f"{department}审批表、发放记录",
                    )
                )
        if selectors.household_has_labour(household.pk) and rng.random() < 0.7:
            category, item, department, amounts = _DEVELOPMENT
            start = _start(rng, spell, day)
            values.append(
                MeasureInput(
                    category=category,
                    item=item,
                    responsible_department=department,
                    responsible_person=rng.choice(_CADRES),
                    start_date=start,
                    amount=Decimal(rng.choice(amounts)),
                    status=MeasureStatus.IN_PROGRESS,
                    evidence="产业奖补申请表、验收照片",
                )
            )
        if overdue and values:
            first = values[0]
            start = min(first.start_date, day - timedelta(days=40))
            values[0] = MeasureInput(
                **{
                    **{k: getattr(first, k) for k in MeasureInput.__dataclass_fields__},
                    "start_date": start,
                    "end_date": day - timedelta(days=10),
                    "status": MeasureStatus.IN_PROGRESS,
                }
            )
        for value in values:
            measure_create(actor=cadre, household_id=household.pk, values=value, today=day)
        counts["measures"] += len(values)
        if index not in unvisited:
            for _ in range(rng.randint(1, 3)):
                visit_record(
                    actor=cadre,
                    household_id=household.pk,
                    visited_on=day - timedelta(days=rng.randint(0, 80)),
                    findings=rng.choice(_FINDINGS),
                    today=day,
                )
                counts["visits"] += 1
        view = selectors.plan_view(user=cadre, household=household, on=day)
        counts["warnings"] += len(view.warnings)
        counts["households"] += 1
    return counts


def demo_plans(*, county: str, seed: int, today: date | None = None) -> dict[str, int]:
    """Give every monitored household of the demo village a plan and some visits.

    Returns counts: ``households``, ``measures``, ``visits`` and ``warnings`` (plan check
    warnings left visible). Nothing happens (all zero) without the demo village account.
    """
    day = today or timezone.localdate()
    cadre = _village_account(county)
    if cadre is None or cadre.home_region_id is None:
        return {"households": 0, "measures": 0, "visits": 0, "warnings": 0}
    rng = random.Random(seed)
    households = list(
        Household.objects.filter(
            village_id=cadre.home_region_id, status=ACTIVE, monitorings__is_current=True
        ).order_by("household_number")
    )
    return _plan_households(cadre, households, rng, day)


def demo_plans_county(*, county: str, seed: int, today: date | None = None) -> dict[str, int]:
    """Plans and visits for the monitored households of every other village of the county,
    written as the demo county account (``county_<code>``), so the dashboards' measures by
    category and visit coverage show a whole county. Deterministic for a seed; all zero
    without the county account."""
    day = today or timezone.localdate()
    actor = (
        User.objects.filter(role=Role.COUNTY_APPROVER, username=f"county_{county[:6]}")
        .order_by("username")
        .first()
    )
    if actor is None:
        return {"households": 0, "measures": 0, "visits": 0, "warnings": 0}
    village = _village_account(county)
    households = Household.objects.filter(
        village__code__startswith=county[:6],
        status=ACTIVE,
        monitorings__is_current=True,
        monitorings__eliminated_month__isnull=True,
        assistance_plans__isnull=True,
    )
    if village is not None and village.home_region_id:
        households = households.exclude(village_id=village.home_region_id)
    chosen = list(households.order_by("household_number"))
    return _plan_households(actor, chosen, random.Random(seed + 1), day)
