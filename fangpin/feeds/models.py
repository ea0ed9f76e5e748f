"""Batches of department feeds (部门数据批次): one uploaded file for one feed and period.

The validated rows live in Parquet under ``VAR_DIR/feeds/<feed>/<batch id>/`` (never in the
database, never with a plaintext ID number); the batch row holds the counts, the error report
and the status. Per importer scope (the region prefix the importer covers: a county, a 州, the
whole country for the CLI), at most one batch of a feed and period is published, and the same
file (sha256) is imported at most once unless it was rejected (REL-IDEM-1).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from fangpin.contract.feeds import FEED_DEPARTMENTS


class FeedStatus(models.TextChoices):
    STAGED = "staged", "待发布"
    PUBLISHED = "published", "已发布"
    REJECTED = "rejected", "已驳回"
    SUPERSEDED = "superseded", "已被替代"


FEED_CHOICES = [(name, f"{dept}：{name}") for name, dept in FEED_DEPARTMENTS.items()]


class FeedBatch(models.Model):
    id = models.UUIDField("批次号", primary_key=True, default=uuid.uuid4, editable=False)
    feed = models.CharField("部门数据", max_length=40, choices=FEED_CHOICES)
    period = models.CharField("所属月份", max_length=7)  # YYYY-MM
    source_sha256 = models.CharField("文件摘要（SHA-256）", max_length=64)
    source_name = models.CharField("文件名", max_length=200, blank=True, default="")
    source_format = models.CharField("文件格式", max_length=16, blank=True, default="")
    source_encoding = models.CharField("文件编码", max_length=16, blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_by_label = models.CharField("上传人（登录名）", max_length=150)
    #: The importer's region-scope prefix ("" for the system): who may see this batch.
    scope_prefix = models.CharField("数据范围", max_length=12, blank=True, default="")
    status = models.CharField(
        "状态", max_length=16, choices=FeedStatus.choices, default=FeedStatus.STAGED
    )
    rows_total = models.PositiveIntegerField("总行数", default=0)
    rows_publishable = models.PositiveIntegerField("可发布行数", default=0)
    rows_matched = models.PositiveIntegerField("匹配在册人员", default=0)
    rows_unmatched = models.PositiveIntegerField("未匹配", default=0)
    rows_invalid = models.PositiveIntegerField("无效行", default=0)
    rows_duplicate = models.PositiveIntegerField("重复行", default=0)
    rows_out_of_scope = models.PositiveIntegerField("辖区外人员", default=0)
    report = models.JSONField("校验报告", default=dict, blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    decided_at = models.DateTimeField("发布或驳回时间", null=True, blank=True)
    decided_by_label = models.CharField("发布或驳回人", max_length=150, blank=True, default="")
    superseded_by = models.ForeignKey(
        "self",
        verbose_name="被替代为",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "部门数据批次"
        verbose_name_plural = "部门数据批次"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["feed", "period", "status"], name="feedbatch_feed_period")]
        constraints = [
            models.UniqueConstraint(
                fields=["feed", "period", "scope_prefix", "source_sha256"],
                condition=~Q(status="rejected"),
                name="feedbatch_file_imported_once",
                violation_error_message="该文件已导入",
            ),
            models.UniqueConstraint(
                fields=["feed", "period", "scope_prefix"],
                condition=Q(status="published"),
                name="feedbatch_one_published",
                violation_error_message="同一范围内同一部门数据同一月份只能有一个已发布批次",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["staged", "published", "rejected", "superseded"]),
                name="feedbatch_status_known",
            ),
            models.CheckConstraint(
                condition=Q(period__regex=r"^[0-9]{4}-(0[1-9]|1[0-2])$"),
                name="feedbatch_period_format",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.feed} {self.period} {self.id}"


class FeedJobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "导入中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "失败"


class FeedImportJob(models.Model):
    """A large file imported in the background (django-tasks): its progress and outcome.

    The uploaded file waits in ``VAR_DIR/feeds/spool/<job id>.part`` until the worker has
    imported it, and is deleted then, whatever the outcome.
    """

    id = models.UUIDField("任务号", primary_key=True, default=uuid.uuid4, editable=False)
    feed = models.CharField("部门数据", max_length=40, choices=FEED_CHOICES)
    period = models.CharField("所属月份", max_length=7)
    source_name = models.CharField("文件名", max_length=200, blank=True, default="")
    rows_estimated = models.PositiveIntegerField("估计行数", default=0)
    publish = models.BooleanField("校验后立即发布", default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_by_label = models.CharField("上传人（登录名）", max_length=150)
    status = models.CharField(
        "状态", max_length=16, choices=FeedJobStatus.choices, default=FeedJobStatus.QUEUED
    )
    stage = models.CharField("阶段", max_length=40, blank=True, default="")
    done = models.PositiveIntegerField("已处理", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    batch = models.ForeignKey(
        FeedBatch,
        verbose_name="批次",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    error_message = models.CharField("错误", max_length=500, blank=True, default="")
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "部门数据导入任务"
        verbose_name_plural = "部门数据导入任务"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "succeeded", "failed"]),
                name="feedimportjob_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.feed} {self.period} {self.id}"
