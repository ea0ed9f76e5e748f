"""Evaluation campaigns (第三方评估) with their sample and surveys, and integrity runs.

A :class:`Campaign` is one county's evaluation for a year: the sample drawn by
:mod:`fangpin.sampling` (villages, then households inside and outside the register) is stored
with each unit's inclusion probability and design weight, so the estimates can be recomputed at
any time from the rows. A :class:`SampledHousehold` carries its one survey (入户核查): the income
check, 两不愁三保障 and drinking water, and the adjudication (错退 / 漏评 / 认可). ``version`` is
the optimistic-concurrency token of the survey. An :class:`IntegrityRun` keeps the findings of
:mod:`fangpin.integrity` for a county and year; each finding may be pushed to the ledger once.
Written only by :mod:`fangpin.evaluation.services` and :mod:`fangpin.evaluation.integrity`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from fangpin.core.models import Region
from fangpin.registry.models import Household


class CampaignStatus(models.TextChoices):
    FIELDWORK = "fieldwork", "实地核查中"
    CLOSED = "closed", "已结束"


class Domain(models.TextChoices):
    """The two halves of the sample (DOMAIN.md §6.2): the register and the rest."""

    REGISTER = "register", "建档立卡户和监测户（库内）"
    OUTSIDE = "outside", "一般农户（库外）"


class Campaign(models.Model):
    """One third-party evaluation of a county for a year (评估批次)."""

    public_id = models.UUIDField("公开标识", default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField("评估批次", max_length=100)
    county = models.ForeignKey(
        Region, verbose_name="被评估县", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("评估年度")
    edition_id = models.CharField("政策版本", max_length=80)
    seed = models.CharField("抽样种子", max_length=64)
    design = models.JSONField("抽样方案", default=dict)
    status = models.CharField(
        "状态", max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.FIELDWORK
    )
    pushed_on = models.DateField("问题推送日期", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="制定人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by_label = models.CharField("制定人（登录名）", max_length=150)
    created_at = models.DateTimeField("制定时间", auto_now_add=True)

    class Meta:
        verbose_name = "第三方评估批次"
        verbose_name_plural = "第三方评估批次"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[c for c, _zh in CampaignStatus.choices]),
                name="campaign_status_known",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="campaign_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.county_id}, {self.year})"


class SampledVillage(models.Model):
    """A village drawn at the first stage, with its stratum (township) and probability."""

    campaign = models.ForeignKey(
        Campaign, verbose_name="评估批次", on_delete=models.PROTECT, related_name="villages"
    )
    village = models.ForeignKey(
        Region, verbose_name="样本村", on_delete=models.PROTECT, related_name="+"
    )
    stratum = models.CharField("层（乡镇）", max_length=12)
    probability = models.FloatField("入样概率")
    stratum_villages = models.PositiveIntegerField("层内村数")
    stratum_sampled = models.PositiveIntegerField("层内样本村数")

    class Meta:
        verbose_name = "样本村"
        verbose_name_plural = "样本村"
        ordering = ["stratum", "village_id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "village"], name="sampled_village_once"),
            models.CheckConstraint(
                condition=Q(probability__gt=0) & Q(probability__lte=1),
                name="sampled_village_probability",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village_id} ({self.stratum})"


class Adjudication(models.TextChoices):
    """What the survey concluded for the household (评估认定)."""

    NONE = "", "未认定"
    CORRECT = "correct", "认定准确"
    WRONGLY_EXITED = "wrongly_exited", "错退"
    MISSED = "missed", "漏评"


class SampledHousehold(models.Model):
    """A household drawn at the second stage, and its survey (入户核查)."""

    public_id = models.UUIDField("公开标识", default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey(
        Campaign, verbose_name="评估批次", on_delete=models.PROTECT, related_name="households"
    )
    village = models.ForeignKey(
        SampledVillage, verbose_name="样本村", on_delete=models.PROTECT, related_name="households"
    )
    household = models.ForeignKey(
        Household, verbose_name="农户", on_delete=models.PROTECT, related_name="+"
    )
    domain = models.CharField("样本类型", max_length=16, choices=Domain.choices)
    probability = models.FloatField("户入样概率（总）")
    weight = models.FloatField("设计权数")
    position = models.PositiveIntegerField("走访顺序")
    # The survey. Null until surveyed.
    surveyed_on = models.DateField("核查日期", null=True, blank=True)
    surveyor_label = models.CharField("核查人", max_length=150, blank=True, default="")
    people = models.PositiveSmallIntegerField("家庭人口", null=True, blank=True)
    per_capita_income = models.DecimalField(
        "核实人均纯收入（元）", max_digits=10, decimal_places=2, null=True, blank=True
    )
    food_ok = models.BooleanField("不愁吃", null=True, blank=True)
    clothing_ok = models.BooleanField("不愁穿", null=True, blank=True)
    education_ok = models.BooleanField("义务教育有保障", null=True, blank=True)
    medical_ok = models.BooleanField("基本医疗有保障", null=True, blank=True)
    housing_ok = models.BooleanField("住房安全有保障", null=True, blank=True)
    water_ok = models.BooleanField("饮水安全有保障", null=True, blank=True)
    adjudication = models.CharField(
        "评估认定", max_length=16, choices=Adjudication.choices, blank=True, default=""
    )
    is_satisfied = models.BooleanField("认可帮扶工作", null=True, blank=True)
    notes = models.TextField("核查说明", blank=True, default="")
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "样本户"
        verbose_name_plural = "样本户"
        ordering = ["campaign", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "household"], name="sampled_household_once"
            ),
            models.CheckConstraint(
                condition=Q(domain__in=[c for c, _zh in Domain.choices]),
                name="sampled_household_domain",
            ),
            # 错退 only inside the register, 漏评 only outside it.
            models.CheckConstraint(
                condition=~Q(adjudication="wrongly_exited") | Q(domain="register"),
                name="wrong_exit_in_register",
            ),
            models.CheckConstraint(
                condition=~Q(adjudication="missed") | Q(domain="outside"),
                name="missed_outside_register",
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=1), name="sampled_household_weight_at_least_one"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} ({self.domain})"


class IntegrityRun(models.Model):
    """One run of the integrity detectors over a county's registry for a year."""

    public_id = models.UUIDField("公开标识", default=uuid.uuid4, unique=True, editable=False)
    county = models.ForeignKey(
        Region, verbose_name="县", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    edition_id = models.CharField("政策版本", max_length=80)
    settings_used = models.JSONField("参数", default=dict)
    summary = models.JSONField("各项检测结果数", default=dict)
    households = models.PositiveIntegerField("检测户数", default=0)
    started_by_label = models.CharField("发起人", max_length=150)
    created_at = models.DateTimeField("检测时间", auto_now_add=True)

    class Meta:
        verbose_name = "数据真实性检测"
        verbose_name_plural = "数据真实性检测"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.county_id} {self.year}"


class IntegrityFinding(models.Model):
    """One signal for a person to review (never a verdict), as the detector explained it."""

    run = models.ForeignKey(
        IntegrityRun, verbose_name="检测", on_delete=models.CASCADE, related_name="findings"
    )
    detector = models.CharField("检测项", max_length=32)
    subject_kind = models.CharField("对象类别", max_length=16)
    subject_id = models.CharField("对象", max_length=150)
    region = models.ForeignKey(
        Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        Household,
        verbose_name="农户",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    severity = models.CharField("级别", max_length=16)
    observed = models.JSONField("观测值", default=dict)
    threshold = models.CharField("阈值", max_length=100, blank=True, default="")
    explanation = models.TextField("说明")
    problem_key = models.CharField("推送标识", max_length=120, blank=True, default="")

    class Meta:
        verbose_name = "数据真实性疑点"
        verbose_name_plural = "数据真实性疑点"
        ordering = ["run", "detector", "region_id", "id"]
        indexes = [models.Index(fields=["run", "detector"], name="integrity_run_detector")]

    def __str__(self) -> str:
        return f"{self.detector} {self.subject_kind}:{self.subject_id}"


class MeasureResult(models.Model):
    """The poverty measures, MPI and exit qualification of a county for a year, as computed
    from the registry at ``computed_at`` (a page reads the latest; recomputing adds a row)."""

    county = models.ForeignKey(
        Region, verbose_name="县", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    edition_id = models.CharField("政策版本", max_length=80)
    result = models.JSONField("结果", default=dict)
    computed_by_label = models.CharField("计算人", max_length=150)
    computed_at = models.DateTimeField("计算时间", auto_now_add=True)

    class Meta:
        verbose_name = "贫困测度结果"
        verbose_name_plural = "贫困测度结果"
        ordering = ["-computed_at", "-id"]
        indexes = [models.Index(fields=["county", "year"], name="measure_county_year")]

    def __str__(self) -> str:
        return f"{self.county_id} {self.year}"
