"""⑫ of ``fangpin demo``: the rectification ledger with realistic findings.

The county's inspector records four problems found by an unannounced visit and a complaint in
the demo village (the first village cadre's): one the cadre fixes and the inspector closes,
one returned because the check found it not fixed, one in progress, and one already past its
deadline, so the list shows every status, an overdue escalation and the 清零 view a village not
yet zeroed. The inspector then plans the next unannounced visit to the village, and lists it for
supervision (挂牌督战) with three target items, one already done.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from fangpin.core.models import Role, User
from fangpin.registry.models import Household
from fangpin.supervision.services import (
    listing_create,
    listing_target_done,
    plan_create,
    problem_create,
    problem_decide,
)

__all__ = ["demo_problems"]


def demo_problems(*, county: str) -> dict[str, int]:
    """Record and work the demo problems; return counts by status (empty when the demo has
    no inspector or village cadre of ``county``)."""
    inspector = User.objects.filter(username=f"inspector_{county}").first()
    cadre = (
        User.objects.filter(role=Role.VILLAGE_CADRE, home_region__code__startswith=county)
        .select_related("home_region")
        .order_by("username")
        .first()
    )
    if inspector is None or cadre is None or cadre.home_region is None:
        return {}
    village = cadre.home_region
    today = timezone.localdate()
    homes = list(
        Household.objects.filter(village=village, status="active")
        .order_by("household_number")
        .values_list("pk", flat=True)[:4]
    )
    common: dict[str, Any] = {
        "actor": inspector,
        "source_batch": f"{today:%Y}年第1轮暗访",
        "region_code": village.code,
        "lead_unit": "龙潭镇人民政府" if village.code.startswith("433124102") else "乡镇人民政府",
    }
    found = today - timedelta(days=40)
    housing = problem_create(
        source="unannounced_visit",
        found_on=found,
        dimension="housing",
        description="住房鉴定为C级，仍在居住，未纳入危房改造",
        deadline=found + timedelta(days=20),
        responsible_units=["县住房和城乡建设局"],
        responsible_person="村第一书记",
        measures="申报危房改造，改造期间安排周转住房",
        evidence=["暗访照片 3 张"],
        household_ids=homes[:1],
        **common,
    )
    water = problem_create(
        source="unannounced_visit",
        found_on=found,
        dimension="water",
        description="自来水季节性断水超过 30 天，未落实应急供水",
        deadline=found + timedelta(days=20),
        responsible_units=["县水利局"],
        measures="维修供水管网，枯水期送水",
        household_ids=homes[1:2],
        **common,
    )
    files = problem_create(
        source="complaint",
        found_on=today - timedelta(days=10),
        dimension="files",
        description="12317 反映：帮扶手册收入记录与实际不符",
        deadline=today + timedelta(days=10),
        responsible_person="帮扶责任人",
        measures="入户重新核算收入，更正帮扶手册",
        household_ids=homes[2:3],
        **common,
    )
    problem_create(
        source="unannounced_visit",
        found_on=found,
        dimension="measures",
        description="因病风险户尚未落实健康帮扶措施",
        deadline=found + timedelta(days=15),
        responsible_units=["县卫生健康局", "县医疗保障局"],
        household_ids=homes[3:4],
        **common,
    )

    def step(problem: Any, actor: Any, action: str, days_ago: int, **kwargs: Any) -> Any:
        problem.refresh_from_db()
        return problem_decide(
            actor=actor,
            public_id=problem.public_id,
            action=action,
            on=today - timedelta(days=days_ago),
            expected_version=problem.version,
            **kwargs,
        )

    step(housing, cadre, "start", 35, note="已联系住建局鉴定，申报改造")
    step(housing, cadre, "report_fixed", 12, note="危房改造完成并验收", evidence=["验收单", "照片"])
    step(housing, inspector, "close", 5, note="入户核实：改造后鉴定为A级，与验收单一致")
    step(water, cadre, "report_fixed", 15, note="已维修管网", evidence=["维修记录"])
    step(water, inspector, "return", 8, note="回访时仍有断水，枯水期送水未落实")
    step(files, cadre, "start", 3, note="已入户重新核算")
    plan = plan_create(
        actor=inspector,
        name=f"{today:%Y}年第2轮暗访",
        village_codes=[village.code],
        seed=f"demo-{village.code}",
    )
    listing = listing_create(
        actor=inspector,
        region_code=village.code,
        title=f"{today:%Y}年挂牌督战村",
        listed_on=today - timedelta(days=60),
        deadline=today + timedelta(days=120),
        targets=[
            ("适龄儿童全部入学，无失学辍学", "education", today - timedelta(days=10)),
            ("C、D级危房全部改造或安置", "housing", today + timedelta(days=60)),
            ("监测户帮扶措施全部落实", "measures", today + timedelta(days=90)),
        ],
    )
    first = listing.targets.order_by("deadline").first()
    if first is not None:
        listing_target_done(
            actor=cadre, target_id=first.pk, on=today - timedelta(days=12), note="已逐户核实入学"
        )
    return {
        "recorded": 4,
        "closed": 1,
        "returned": 1,
        "in_progress": 1,
        "open": 1,
        "plan_households": plan.stops.count(),
        "listing_targets": 3,
        "listing_done": 1,
    }
