"""Writes of third-party evaluation (第三方评估, docs/evaluation.md): draw a campaign's sample,
record a survey, close the campaign and push its findings into the ledger.

Who may do what: ``findings.write`` (inspectors and third-party evaluators) inside their
scope. The sample comes from :mod:`fangpin.sampling` (stratified by township, villages first,
then households inside and outside the register); the rows keep each unit's probability and
design weight so the estimates (:mod:`fangpin.evaluation.estimates`) are recomputed from them.
Every write is atomic and audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Final

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest

from fangpin import sampling
from fangpin.core.access import FINDINGS_WRITE, is_system_actor, user_can
from fangpin.core.audit import actor_label, audit_record, user_or_none
from fangpin.core.models import Region
from fangpin.core.scope import scope_covers
from fangpin.evaluation.errors import EvaluationError
from fangpin.evaluation.models import (
    Adjudication,
    Campaign,
    CampaignStatus,
    Domain,
    SampledHousehold,
    SampledVillage,
)
from fangpin.policy import PolicyError, resolve
from fangpin.registry.models import Household
from fangpin.supervision.errors import SupervisionError
from fangpin.supervision.services import NewProblem, problems_bulk_create

__all__ = [
    "DesignChoice",
    "SurveyAnswers",
    "campaign_close",
    "campaign_create",
    "campaign_push_findings",
    "survey_record",
]

PUSH_DEADLINE_DAYS: Final = 30
"""Days the county is given to rectify an evaluation finding (a design choice, docs)."""


def _require(actor: Any, region_code: str) -> None:
    if is_system_actor(actor):
        return
    if not user_can(actor, FINDINGS_WRITE):
        raise EvaluationError("forbidden", "当前账号无权开展第三方评估")
    if not scope_covers(actor, region_code, capability=FINDINGS_WRITE):
        raise EvaluationError("region", "被评估县不在您的辖区内")


@dataclass(frozen=True, slots=True)
class DesignChoice:
    """What the evaluator chooses; the rest follows from the frame and the edition."""

    villages_per_township: int = 2
    ordinary_share: float = 0.2  # 一般农户 sampled at 20%, at most 200 a village (Anhui 2017)
    ordinary_cap: int = 200
    register_all: bool = True  # every registered household of a sampled village
    register_share: float = 1.0  # used when not register_all
    register_cap: int = 0  # 0: no cap
    # Sized from a target precision instead (docs/sampling.md): the half-width of the 95%
    # interval wanted for a rate expected near ``expected_rate``, with the intra-village
    # correlation ``icc``; villages per township are then allocated by size (at least 2).
    target_margin: float | None = None
    expected_rate: float = 0.02
    icc: float = 0.05


def _villages_per_stratum(
    choice: DesignChoice, villages: list[sampling.Village]
) -> tuple[int | dict[str, int], dict[str, Any]]:
    """The first-stage sizes: the chosen number per township, or a plan from the precision."""
    if choice.target_margin is None:
        return choice.villages_per_township, {}
    strata: dict[str, int] = {}
    for village in villages:
        strata[village.stratum] = strata.get(village.stratum, 0) + 1
    register_share = 1.0 if choice.register_all else choice.register_share
    per_village = [
        min(v.households_in_register, choice.register_cap or v.households_in_register)
        * register_share
        + min(v.households_outside * choice.ordinary_share, choice.ordinary_cap)
        for v in villages
    ]
    households_per_village = max(1, round(sum(per_village) / len(per_village)))
    plan = sampling.plan_two_stage(
        strata=strata,
        expected=choice.expected_rate,
        margin=choice.target_margin,
        icc=choice.icc,
        households_per_village=households_per_village,
    )
    return plan.villages_per_stratum, {
        "target_margin": choice.target_margin,
        "expected_rate": choice.expected_rate,
        "icc": choice.icc,
        "households_per_village": households_per_village,
        "design_effect": plan.design_effect,
        "households_required": plan.households_required,
        "villages_required": plan.villages_required,
        "villages_planned": plan.villages_planned,
        "is_capped": plan.is_capped,
    }


def _frame(county: Region) -> tuple[list[sampling.Village], dict[str, dict[str, list[int]]]]:
    """The sampling frame: the county's villages with their households by domain."""
    prefix = county.code[:6]
    households: dict[str, dict[str, list[int]]] = {}
    for pk, village, kind, monitoring in (
        Household.objects.filter(village__code__startswith=prefix, status="active")
        .order_by("pk")
        .values_list("pk", "village_id", "household_type", "monitoring_status")
    ):
        domain = Domain.REGISTER if kind == "1" or monitoring != "none" else Domain.OUTSIDE
        households.setdefault(village, {Domain.REGISTER: [], Domain.OUTSIDE: []})[domain].append(pk)
    villages = [
        sampling.Village(
            code=code,
            stratum=code[:9],
            households_in_register=len(groups[Domain.REGISTER]),
            households_outside=len(groups[Domain.OUTSIDE]),
        )
        for code, groups in sorted(households.items())
    ]
    return villages, households


def campaign_create(
    *,
    actor: Any,
    name: str,
    county_code: str,
    year: int,
    seed: str = "",
    design: DesignChoice | None = None,
    request: HttpRequest | None = None,
) -> Campaign:
    """Draw a campaign's sample from the county's registry and store it, ready for fieldwork."""
    _require(actor, county_code)
    title = (name or "").strip()[:100]
    if not title:
        raise EvaluationError("design", "请填写评估批次名称")
    try:
        county = Region.objects.get(code=county_code, level=3)
    except Region.DoesNotExist:
        raise EvaluationError("region", f"“{county_code}”不是已加载的县级区划") from None
    try:
        edition = resolve(year, county.code[:6])
    except PolicyError as exc:
        raise EvaluationError("design", f"{year}年没有可用的政策版本：{exc}") from exc
    choice = design or DesignChoice()
    seed = (seed or "").strip()[:64] or uuid.uuid4().hex[:12]
    villages, households = _frame(county)
    if not villages:
        raise EvaluationError("frame", f"{county.name}没有登记农户，无法抽样")
    share = choice.register_share if not choice.register_all else 1.0
    try:
        per_stratum, precision = _villages_per_stratum(choice, villages)
        drawn = sampling.draw_sample(
            villages,
            villages_per_stratum=per_stratum,
            register_households={c: g[Domain.REGISTER] for c, g in households.items()},
            outside_households={c: g[Domain.OUTSIDE] for c, g in households.items()},
            seed=seed,
            register_rule=sampling.SecondStageRule(share, choice.register_cap or None),
            outside_rule=sampling.SecondStageRule(choice.ordinary_share, choice.ordinary_cap),
        )
    except sampling.SamplingError as exc:
        raise EvaluationError("design", exc.message) from exc
    strata = {s.stratum: s for s in drawn.strata}
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=title,
            county=county,
            year=year,
            edition_id=edition.edition_id,
            seed=seed,
            design={
                "villages_per_township": choice.villages_per_township,
                "ordinary_share": choice.ordinary_share,
                "ordinary_cap": choice.ordinary_cap,
                "register_all": choice.register_all,
                "register_share": share,
                "register_cap": choice.register_cap,
                "parameters": drawn.parameters.as_dict(),
                "precision": precision,
                "frame_villages": len(villages),
                "frame_households": sum(
                    v.households_in_register + v.households_outside for v in villages
                ),
            },
            created_by=user_or_none(actor),
            created_by_label=actor_label(actor),
        )
        stored = {}
        for unit in drawn.villages:
            stored[unit.code] = SampledVillage.objects.create(
                campaign=campaign,
                village_id=unit.code,
                stratum=unit.stratum,
                probability=unit.first_stage_probability,
                stratum_villages=strata[unit.stratum].villages_total,
                stratum_sampled=strata[unit.stratum].villages_sampled,
            )
        SampledHousehold.objects.bulk_create(
            [
                SampledHousehold(
                    campaign=campaign,
                    village=stored[unit.village],
                    household_id=int(unit.household_id),
                    domain=str(unit.domain),
                    probability=unit.inclusion_probability,
                    weight=unit.weight,
                    position=at,
                )
                for at, unit in enumerate(drawn.households, start=1)
            ],
            batch_size=1000,
        )
        audit_record(
            actor=actor,
            action="evaluation.campaign_create",
            object_type="evaluation_campaign",
            object_id=campaign.public_id,
            changes={
                "county": county.code,
                "year": year,
                "seed": seed,
                "villages": len(drawn.villages),
                "households": len(drawn.households),
            },
            request=request,
        )
    return campaign


@dataclass(frozen=True, slots=True)
class SurveyAnswers:
    """One household's survey as entered on the phone form."""

    surveyed_on: date
    people: int
    per_capita_income: Decimal
    food_ok: bool
    clothing_ok: bool
    education_ok: bool
    medical_ok: bool
    housing_ok: bool
    water_ok: bool
    adjudication: str
    is_satisfied: bool
    notes: str = ""


def suggested_adjudication(unit: SampledHousehold, answers: SurveyAnswers, line: Decimal) -> str:
    """What the answers imply (the surveyor confirms or overrides, with a note).

    Inside the register, an exited household (脱贫户 or risk eliminated) whose verified
    per-capita income is below the line or that lacks any of 两不愁三保障 and safe water is a
    wrong exit; outside it, such a household is a missed one (DOMAIN.md §6.2). A registered
    household still under monitoring with its risk not eliminated is correctly recorded as at
    risk, whatever it lacks. Otherwise the record is correct.
    """
    household: Any = unit.household
    if unit.domain == Domain.REGISTER and household.monitoring_status == "open":
        return Adjudication.CORRECT
    short = answers.per_capita_income < line or not all(
        (
            answers.food_ok,
            answers.clothing_ok,
            answers.education_ok,
            answers.medical_ok,
            answers.housing_ok,
            answers.water_ok,
        )
    )
    if not short:
        return Adjudication.CORRECT
    return Adjudication.WRONGLY_EXITED if unit.domain == Domain.REGISTER else Adjudication.MISSED


def survey_record(
    *,
    actor: Any,
    unit: SampledHousehold,
    answers: SurveyAnswers,
    version: int,
    request: HttpRequest | None = None,
) -> SampledHousehold:
    """Record (or correct) one sampled household's survey; conditional on ``version``."""
    campaign = unit.campaign
    _require(actor, unit.village.village_id)
    if campaign.status != CampaignStatus.FIELDWORK:
        raise EvaluationError("closed", "本次评估已结束，不能再录入核查结果")
    if answers.adjudication not in (
        Adjudication.CORRECT,
        Adjudication.WRONGLY_EXITED,
        Adjudication.MISSED,
    ):
        raise EvaluationError("survey", "请选择评估认定结果")
    if answers.adjudication == Adjudication.WRONGLY_EXITED and unit.domain != Domain.REGISTER:
        raise EvaluationError("survey", "“错退”只适用于建档立卡户和监测户（库内样本）")
    if answers.adjudication == Adjudication.MISSED and unit.domain != Domain.OUTSIDE:
        raise EvaluationError("survey", "“漏评”只适用于一般农户（库外样本）")
    if answers.people < 1 or answers.people > 30:
        raise EvaluationError("survey", "家庭人口应在1至30人之间")
    if answers.per_capita_income < 0:
        raise EvaluationError("survey", "人均纯收入不能为负数")
    if answers.surveyed_on > date.today() or answers.surveyed_on.year < campaign.year:
        raise EvaluationError("survey", "核查日期应在评估年度内且不晚于今天")
    fields: Mapping[str, Any] = {
        "surveyed_on": answers.surveyed_on,
        "surveyor_label": actor_label(actor),
        "people": answers.people,
        "per_capita_income": answers.per_capita_income,
        "food_ok": answers.food_ok,
        "clothing_ok": answers.clothing_ok,
        "education_ok": answers.education_ok,
        "medical_ok": answers.medical_ok,
        "housing_ok": answers.housing_ok,
        "water_ok": answers.water_ok,
        "adjudication": answers.adjudication,
        "is_satisfied": answers.is_satisfied,
        "notes": answers.notes.strip()[:2000],
    }
    with transaction.atomic():
        updated = SampledHousehold.objects.filter(pk=unit.pk, version=version).update(
            **fields, version=F("version") + 1
        )
        if not updated:
            raise EvaluationError("stale", "该户的核查结果已被他人修改，请刷新后重新录入")
        audit_record(
            actor=actor,
            action="evaluation.survey_record",
            object_type="sampled_household",
            object_id=unit.public_id,
            changes={
                "campaign": str(campaign.public_id),
                "adjudication": answers.adjudication,
                "is_satisfied": answers.is_satisfied,
                "corrected": unit.surveyed_on is not None,
            },
            request=request,
        )
    unit.refresh_from_db()
    return unit


def campaign_close(
    *, actor: Any, campaign: Campaign, version: int, request: HttpRequest | None = None
) -> Campaign:
    """End the fieldwork: no more surveys; the estimates are final."""
    _require(actor, campaign.county_id)
    with transaction.atomic():
        updated = Campaign.objects.filter(
            pk=campaign.pk, version=version, status=CampaignStatus.FIELDWORK
        ).update(status=CampaignStatus.CLOSED, version=F("version") + 1)
        if not updated:
            raise EvaluationError("stale", "评估批次已被他人修改或已经结束，请刷新")
        audit_record(
            actor=actor,
            action="evaluation.campaign_close",
            object_type="evaluation_campaign",
            object_id=campaign.public_id,
            changes={"status": CampaignStatus.CLOSED},
            request=request,
        )
    campaign.refresh_from_db()
    return campaign


def _finding_text(unit: SampledHousehold, line: Decimal) -> tuple[str, str]:
    """The ledger dimension and description of an adjudicated household."""
    gaps = [
        label
        for ok, label in (
            (unit.food_ok, "不愁吃"),
            (unit.clothing_ok, "不愁穿"),
            (unit.education_ok, "义务教育"),
            (unit.medical_ok, "基本医疗"),
            (unit.housing_ok, "住房安全"),
            (unit.water_ok, "饮水安全"),
        )
        if ok is False
    ]
    income = unit.per_capita_income or Decimal(0)
    parts = [f"核实人均纯收入{income:,.0f}元"]
    if income < line:
        parts.append(f"低于{line:,.0f}元标准")
    if gaps:
        parts.append("未保障：" + "、".join(gaps))
    kind = "错退" if unit.adjudication == Adjudication.WRONGLY_EXITED else "漏评"
    dimension = "income" if income < line or not gaps else _dimension_for_gap(gaps[0])
    return dimension, f"第三方评估认定{kind}：" + "，".join(parts) + "。"


def _dimension_for_gap(label: str) -> str:
    """The ledger dimension of the first failed item; 不愁吃 and 不愁穿 have none of their own
    in the ledger (DOMAIN.md §8.3 lists income, education, medical, housing, water …) and are
    filed under income, the means of food and clothing."""
    return {
        "义务教育": "education",
        "基本医疗": "medical",
        "住房安全": "housing",
        "饮水安全": "water",
    }.get(label, "income")


def campaign_push_findings(
    *, actor: Any, campaign: Campaign, today: date, request: HttpRequest | None = None
) -> int:
    """Put each wrongly exited and missed household into the ledger (source 第三方评估).

    Keyed by campaign and household, so pushing again adds nothing; returns how many problems
    were created.
    """
    _require(actor, campaign.county_id)
    line = Decimal(resolve(campaign.year, campaign.county_id[:6]).poverty_line)
    units = list(
        campaign.households.filter(
            adjudication__in=[Adjudication.WRONGLY_EXITED, Adjudication.MISSED]
        ).select_related("household")
    )
    items = []
    for unit in units:
        dimension, text = _finding_text(unit, line)
        items.append(
            NewProblem(
                origin_key=f"evaluation:{campaign.public_id}:{unit.household_id}",
                origin_rule=f"evaluation.{unit.adjudication}",
                region_code=unit.household.village_id,
                household_id=unit.household_id,
                description=text,
                dimension=dimension,
                lead_unit="县乡村振兴局",
            )
        )
    with transaction.atomic():
        try:
            created = problems_bulk_create(
                actor=actor,
                items=items,
                source="evaluation",
                source_batch=campaign.name[:100],
                found_on=today,
                deadline=today + timedelta(days=PUSH_DEADLINE_DAYS),
                request=request,
            )
        except SupervisionError as exc:
            raise EvaluationError(exc.code, exc.message) from exc
        if created:  # the push's audit event is problems_bulk_create's, in this transaction
            Campaign.objects.filter(pk=campaign.pk).update(pushed_on=today)
    return len(created)
