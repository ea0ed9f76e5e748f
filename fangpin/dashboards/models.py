"""Pre-aggregated figures for the dashboards, and the monthly reports (docs/dashboards.md).

A :class:`Tally` row is one number of one region: how many households of a village are
monitored as 边缘易致贫户, how many clues of a village are overdue, how many spells were
identified in a month. :func:`fangpin.dashboards.refresh.tallies_refresh` rebuilds a county's
rows in one transaction from the registry, casework, assistance and the ledger; the dashboard
selectors only ever sum tallies over a code range, so a page costs the same at 1M households
as at 1,000. Each refresh leaves a :class:`TallyRefresh` row: the page says 「数据截至…」.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from fangpin.core.models import Region

__all__ = ["MonthlyReport", "ReportSchedule", "Tally", "TallyRefresh"]


class Tally(models.Model):
    """One pre-aggregated number: ``metric`` / ``key`` (/ ``month``) of one region.

    ``region_code`` is a village for everything kept per household; a ledger problem is
    tallied at its own region, which may be a township or the county itself.
    """

    region_code = models.CharField("区划代码", max_length=12)
    metric = models.CharField("指标", max_length=24)
    key = models.CharField("分类", max_length=48, blank=True, default="")
    month = models.DateField("月份", null=True, blank=True)
    value = models.BigIntegerField("数值")

    class Meta:
        verbose_name = "看板汇总数"
        verbose_name_plural = "看板汇总数"
        # Pages filter a code range (``region_code BETWEEN '433124000000' AND '433124999999'``),
        # which a plain index serves on both databases (a LIKE prefix would not under
        # PostgreSQL's C.UTF-8 collation): the cost follows the region, not the table's size.
        indexes = [models.Index(fields=["region_code", "metric"], name="tally_region_metric")]
        constraints = [models.CheckConstraint(condition=Q(value__gte=0), name="tally_nonneg")]

    def __str__(self) -> str:
        return f"{self.region_code} {self.metric}/{self.key} = {self.value}"


class TallyRefresh(models.Model):
    """One rebuild of a county's tallies: when, as of which day, how many rows, how long."""

    county = models.ForeignKey(
        Region, verbose_name="县", on_delete=models.PROTECT, related_name="+"
    )
    as_of = models.DateField("统计日期")
    refreshed_at = models.DateTimeField("汇总时间", auto_now_add=True)
    rows = models.PositiveIntegerField("汇总行数", default=0)
    seconds = models.FloatField("耗时（秒）", default=0)
    refreshed_by_label = models.CharField("发起人", max_length=150)

    class Meta:
        verbose_name = "看板汇总记录"
        verbose_name_plural = "看板汇总记录"
        ordering = ["-refreshed_at", "-id"]
        indexes = [models.Index(fields=["county", "-refreshed_at"], name="tallyrefresh_county")]

    def __str__(self) -> str:
        return f"{self.county_id} {self.as_of}"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已生成"
    FAILED = "failed", "失败"


class MonthlyReport(models.Model):
    """One monthly report (工作月报) of a region: its PDF and Excel workbook, kept."""

    public_id = models.UUIDField("公开标识", default=uuid.uuid4, unique=True, editable=False)
    region = models.ForeignKey(
        Region, verbose_name="区划", on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField("报告月份")  # the first day of the month
    unit = models.CharField("编制单位", max_length=100)
    status = models.CharField(
        "状态", max_length=16, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    scheduled = models.BooleanField("定时生成", default=False)
    pdf = models.BinaryField("PDF", default=b"", editable=False)
    xlsx = models.BinaryField("Excel", default=b"", editable=False)
    error_message = models.CharField("错误", max_length=500, blank=True, default="")
    requested_by_label = models.CharField("发起人", max_length=150)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "工作月报"
        verbose_name_plural = "工作月报"
        ordering = ["-month", "-created_at", "-id"]
        indexes = [models.Index(fields=["region", "month"], name="monthlyreport_region_month")]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "month"],
                condition=Q(scheduled=True),
                name="monthlyreport_one_scheduled",
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.month:%Y-%m}"


class ReportSchedule(models.Model):
    """Generate a region's report of the previous month on ``day`` of each month."""

    region = models.OneToOneField(
        Region, verbose_name="区划", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.CharField("编制单位", max_length=100)
    day = models.PositiveSmallIntegerField("每月生成日", default=3)
    enabled = models.BooleanField("启用", default=True)
    created_by_label = models.CharField("设置人", max_length=150)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "月报定时任务"
        verbose_name_plural = "月报定时任务"
        constraints = [
            models.CheckConstraint(condition=Q(day__gte=1, day__lte=28), name="schedule_day_1_28")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} day {self.day}"
