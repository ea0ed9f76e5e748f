"""Assistance plans (一户一策、一人一策), their measures with full history, and visits (走访).

A household's **plan** belongs to one monitoring spell (a new spell after a return of risk gets
a new plan). A **measure** is one line of the plan (DOMAIN.md §4.2 [D] assistance record).
Measures are never deleted: they are stopped with a date, and every write keeps the values it
replaced as a :class:`MeasureRevision` with ``valid_from``/``valid_to``, so the plan in force on
any past date can be rebuilt (``selectors.plan_as_of``). A **visit** is an assisting cadre's
home visit with findings and up to six photos stored under ``VAR_DIR/uploads/visits/``.

Invariants are database constraints too: non-negative amounts, end not before start, known
statuses, a stop date iff stopped, one plan per spell, one revision sequence per measure.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from fangpin.registry.models import Household, Monitoring, Person

__all__ = [
    "AMOUNT_MAX",
    "MAX_PHOTOS",
    "MAX_PHOTO_BYTES",
    "Measure",
    "MeasureRevision",
    "MeasureStatus",
    "Plan",
    "Visit",
    "VisitPhoto",
]

AMOUNT_MAX = Decimal("99999999.99")
MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 8 * 1024 * 1024


def _public_id_field() -> Any:
    return models.UUIDField("公开标识", default=uuid.uuid4, unique=True, editable=False)


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", "计划中"
    IN_PROGRESS = "in_progress", "实施中"
    DONE = "done", "已完成"
    STOPPED = "stopped", "已终止"


class Plan(models.Model):
    """The assistance plan of one household for one monitoring spell (一户一策)."""

    household = models.ForeignKey(
        Household, verbose_name="农户", on_delete=models.PROTECT, related_name="assistance_plans"
    )
    monitoring = models.ForeignKey(
        Monitoring, verbose_name="监测对象记录", on_delete=models.PROTECT, related_name="plans"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "帮扶计划"
        verbose_name_plural = "帮扶计划"
        ordering = ["household", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["monitoring"], name="assistance_plan_one_per_spell")
        ]

    def __str__(self) -> str:
        return f"帮扶计划 {self.household_id}/{self.monitoring_id}"


def _measure_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(amount__gte=0) & Q(amount__lte=AMOUNT_MAX),
            name=f"{prefix}_amount_range",
        ),
        models.CheckConstraint(
            condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
            name=f"{prefix}_end_after_start",
        ),
        models.CheckConstraint(
            condition=Q(status__in=MeasureStatus.values), name=f"{prefix}_status_known"
        ),
        models.CheckConstraint(
            condition=Q(status=MeasureStatus.STOPPED, stopped_on__isnull=False)
            | (~Q(status=MeasureStatus.STOPPED) & Q(stopped_on__isnull=True)),
            name=f"{prefix}_stopped_iff_date",
        ),
    ]


class MeasureFields(models.Model):
    """The values of a measure, shared by the measure and each of its revisions."""

    category = models.CharField("措施类别", max_length=32)
    item = models.CharField("帮扶项目", max_length=200)
    responsible_department = models.CharField("责任单位", max_length=100)
    responsible_person = models.CharField("帮扶责任人", max_length=50)
    person = models.ForeignKey(
        Person,
        verbose_name="受益成员（一人一策）",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    risk_types = models.JSONField("针对风险", default=list)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)
    amount = models.DecimalField("金额（元）", max_digits=10, decimal_places=2, default=Decimal(0))
    status = models.CharField(
        "状态", max_length=16, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED
    )
    stopped_on = models.DateField("终止日期", null=True, blank=True)
    evidence = models.TextField("佐证材料", blank=True, default="")
    continues_after_elimination = models.BooleanField("风险消除后继续实施", default=False)

    class Meta:
        abstract = True


class Measure(MeasureFields):
    """One measure of a plan (帮扶措施): its current values; history in MeasureRevision."""

    public_id = _public_id_field()
    plan = models.ForeignKey(
        Plan, verbose_name="帮扶计划", on_delete=models.PROTECT, related_name="measures"
    )
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "帮扶措施"
        verbose_name_plural = "帮扶措施"
        ordering = ["plan", "start_date", "id"]
        constraints = _measure_constraints("assistance_measure")

    def __str__(self) -> str:
        return self.item


class MeasureRevision(MeasureFields):
    """The values a measure had from ``valid_from`` until ``valid_to`` (exclusive; None: now).

    Days are the days the change was recorded. Revisions of one measure do not overlap; a
    revision replaced on the day it was made has ``valid_from == valid_to`` and is never in force.
    """

    measure = models.ForeignKey(
        Measure, verbose_name="帮扶措施", on_delete=models.PROTECT, related_name="revisions"
    )
    seq = models.PositiveIntegerField("序号")
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("失效日期", null=True, blank=True)
    change = models.CharField("变更", max_length=16)
    reason = models.CharField("变更说明", max_length=200, blank=True, default="")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField("操作人", max_length=150)

    class Meta:
        verbose_name = "帮扶措施变更记录"
        verbose_name_plural = "帮扶措施变更记录"
        ordering = ["measure", "seq"]
        constraints = [
            *_measure_constraints("assistance_revision"),
            models.UniqueConstraint(fields=["measure", "seq"], name="assistance_revision_seq"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="assistance_revision_valid_range",
            ),
            models.UniqueConstraint(
                fields=["measure"],
                condition=Q(valid_to__isnull=True),
                name="assistance_revision_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.valid_from}–{self.valid_to or ''}"


class Visit(models.Model):
    """One home visit (走访) by an assisting cadre: when, who, what was found."""

    public_id = _public_id_field()
    household = models.ForeignKey(
        Household, verbose_name="农户", on_delete=models.PROTECT, related_name="visits"
    )
    visited_on = models.DateField("走访日期")
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="走访人账号",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    visitor_label = models.CharField("走访人", max_length=150)
    findings = models.TextField("走访情况")
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "走访记录"
        verbose_name_plural = "走访记录"
        ordering = ["household", "-visited_on", "-id"]
        indexes = [models.Index(fields=["household", "visited_on"], name="visit_household_day")]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.visitor_label}"


class VisitPhoto(models.Model):
    """A photo of a visit: the file is ``VAR_DIR/uploads/visits/<public_id>.<extension>``."""

    public_id = _public_id_field()
    visit = models.ForeignKey(
        Visit, verbose_name="走访记录", on_delete=models.PROTECT, related_name="photos"
    )
    extension = models.CharField("文件类型", max_length=4)
    size = models.PositiveIntegerField("字节数")
    sha256 = models.CharField("SHA-256", max_length=64)
    position = models.PositiveSmallIntegerField("序号")

    class Meta:
        verbose_name = "走访照片"
        verbose_name_plural = "走访照片"
        ordering = ["visit", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(extension__in=["jpg", "png"]), name="visit_photo_type_known"
            ),
            models.CheckConstraint(
                condition=Q(size__gt=0) & Q(size__lte=MAX_PHOTO_BYTES),
                name="visit_photo_size_range",
            ),
            models.UniqueConstraint(fields=["visit", "position"], name="visit_photo_position"),
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def filename(self) -> str:
        return f"{self.public_id}.{self.extension}"

    @property
    def content_type(self) -> str:
        return "image/jpeg" if self.extension == "jpg" else "image/png"
