"""Import batches (one uploaded file, checked, then applied or discarded) and background jobs.

A batch is the record of one check of one file: what was uploaded (name and sha256, never the
file: it is deleted when the check ends), every problem found (``report``), and after apply
what was written (``counts``, ``object_ids``). The checked rows wait in
``VAR_DIR/imports/<batch id>/staged.parquet`` with personal information already encrypted.
docs/imports.md tells the whole story.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from fangpin.core.models import Region

__all__ = [
    "ENTITY_CHOICES",
    "LIVE_STATUSES",
    "BatchStatus",
    "ImportBatch",
    "ImportJob",
    "ImportMode",
    "JobStatus",
]

ENTITY_CHOICES = [
    ("households", "户籍与家庭成员"),
    ("members", "新增家庭成员"),
    ("finances", "家庭收支"),
    ("conditions", "两不愁三保障及饮水"),
]


class ImportMode(models.TextChoices):
    CREATE = "create", "仅新增"
    UPSERT = "upsert", "新增或更新"


class BatchStatus(models.TextChoices):
    CHECKED = "checked", "已校验（待导入）"
    REFUSED = "refused", "文件被拒绝"
    APPLIED = "applied", "已导入"
    DISCARDED = "discarded", "已放弃"
    FAILED = "failed", "校验失败"


#: The statuses of a file that counts as imported or about to be: a second upload of the same
#: file gets this batch back (pending) or 「已导入」 (applied) instead of a new batch.
LIVE_STATUSES = (BatchStatus.CHECKED, BatchStatus.APPLIED)


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "校验中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class ImportBatch(models.Model):
    """One uploaded file: its check result and, once applied, what it wrote."""

    id = models.UUIDField("批次号", primary_key=True, default=uuid.uuid4, editable=False)
    entity = models.CharField("导入内容", max_length=16, choices=ENTITY_CHOICES)
    mode = models.CharField(
        "导入方式", max_length=8, choices=ImportMode.choices, default=ImportMode.CREATE
    )
    file_name = models.CharField("文件名", max_length=200, blank=True, default="")
    sha256 = models.CharField("文件摘要", max_length=64)
    status = models.CharField("状态", max_length=16, choices=BatchStatus.choices)
    row_count = models.PositiveIntegerField("数据行数", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    #: {"file_error": {"code", "message"}?, "issues": [{row, column, header, value, reason}],
    #:  "issues_total": n, "failing_rows": [{"row": n, "values": {key: masked text}}]}
    report = models.JSONField("检查报告", default=dict, blank=True)
    #: After apply: {"households": n, "persons": n, "finances_created": n, …}.
    counts = models.JSONField("导入数量", default=dict, blank=True)
    #: After apply: {"households": [id, …], "persons": [...], "finances_updated": [...], …}.
    object_ids = models.JSONField("写入记录", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by_label = models.CharField("上传人（登录名）", max_length=150, default="")
    scope = models.ForeignKey(
        Region,
        verbose_name="上传人所辖区域",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_column="scope_code",
    )
    created_at = models.DateTimeField("检查时间", auto_now_add=True)
    applied_at = models.DateTimeField("导入时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["sha256", "entity", "mode"], name="import_batch_file"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=BatchStatus.values), name="import_batch_status_known"
            ),
            models.CheckConstraint(
                condition=Q(mode__in=ImportMode.values), name="import_batch_mode_known"
            ),
            models.CheckConstraint(
                condition=~Q(status=BatchStatus.APPLIED) | Q(error_count=0),
                name="import_batch_applied_without_errors",
            ),
            # REL-IDEM-1: one live batch (pending or applied) per file, entity, mode and scope,
            # even when two uploads of the same file are checked at the same moment; the
            # service answers with the other batch (services.import_check). A NULL scope
            # (system actors) would never clash in a unique index, hence the second one.
            models.UniqueConstraint(
                fields=["sha256", "entity", "mode", "scope"],
                condition=Q(status__in=LIVE_STATUSES, scope__isnull=False),
                name="import_batch_once_per_file",
            ),
            models.UniqueConstraint(
                fields=["sha256", "entity", "mode"],
                condition=Q(status__in=LIVE_STATUSES, scope__isnull=True),
                name="import_batch_once_per_file_system",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_entity_display()} {self.file_name}"


class ImportJob(models.Model):
    """A large file checked in the background (django-tasks): its progress and outcome.

    The upload waits in ``spool_path`` until the worker has checked it, and is deleted then,
    whatever the outcome.
    """

    id = models.UUIDField("任务号", primary_key=True, default=uuid.uuid4, editable=False)
    entity = models.CharField("导入内容", max_length=16, choices=ENTITY_CHOICES)
    mode = models.CharField(
        "导入方式", max_length=8, choices=ImportMode.choices, default=ImportMode.CREATE
    )
    file_name = models.CharField("文件名", max_length=200, blank=True, default="")
    spool_path = models.CharField("暂存文件", max_length=500, blank=True, default="")
    status = models.CharField(
        "状态", max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    stage = models.CharField("阶段", max_length=40, blank=True, default="")
    done = models.PositiveIntegerField("已处理", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    error = models.CharField("错误", max_length=500, blank=True, default="")
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name="批次",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_by_label = models.CharField("上传人（登录名）", max_length=150, default="")
    scope = models.ForeignKey(
        Region,
        verbose_name="上传人所辖区域",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_column="scope_code",
    )
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    updated_at = models.DateTimeField("最近进展", auto_now=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入检查任务"
        verbose_name_plural = "导入检查任务"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=JobStatus.values), name="import_job_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_entity_display()} {self.file_name}"
