"""Screening runs, warnings (预警) and clues (线索): what the monthly screening sends to villages.

A :class:`ScreeningRun` snapshots the database, runs :mod:`fangpin.screening` and writes its
findings back as :class:`Warning` rows, one per (month, household, rule) — the idempotency
key: re-running a month updates the same rows. Every trigger, classification or elimination
warning hangs on a pending screening :class:`Clue` of its household, which the village
verifies by a deadline in working days. Quality warnings have no clue (they go to the
rectification ledger, issue #7). docs/casework.md has the whole story.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from fangpin.registry.models import Household


def _public_id_field() -> Any:
    """The opaque address of a row in web and API paths (SEC-MSK-3): a random UUID."""
    return models.UUIDField("公开标识", default=uuid.uuid4, unique=True, editable=False)


class RunStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "运行中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "失败"


ACTIVE_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class Outcome(models.TextChoices):
    """The verification outcome of a warning or a clue (DOMAIN.md §9.4)."""

    CONFIRMED = "confirmed", "属实"
    UNFOUNDED = "unfounded", "不属实"
    ALREADY_MONITORED = "already_monitored", "已在监测"
    CIVIL_AFFAIRS = "civil_affairs", "转民政"


class ClueChannel(models.TextChoices):
    """How a clue came in (DOMAIN.md §3.1); only screening clues are created so far."""

    SCREENING = "screening", "部门筛查预警"
    SELF_DECLARED = "self_declared", "农户自主申报"
    HOTLINE = "hotline", "12317热线"
    SWEEP = "sweep", "基层干部排查"


class ClueStatus(models.TextChoices):
    PENDING = "pending", "待核实"
    VERIFIED = "verified", "已核实"


class ScreeningRun(models.Model):
    """One screening of one month for one region, from the database (queued → running → done)."""

    public_id = _public_id_field()
    month = models.DateField("筛查月份")  # the first day of the month
    year = models.PositiveSmallIntegerField("收入年度")
    region_code = models.CharField("区划代码", max_length=12)
    engine = models.CharField("计算引擎", max_length=16, default="duckdb")
    status = models.CharField(
        "状态", max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    stage = models.CharField("阶段", max_length=40, blank=True, default="")
    progress_done = models.PositiveIntegerField("已完成", default=0)
    progress_total = models.PositiveIntegerField("总数", default=0)
    run_id = models.CharField("结果编号", max_length=64, blank=True, default="")
    edition_id = models.CharField("政策版本", max_length=80, blank=True, default="")
    findings_total = models.PositiveIntegerField("发现总数", default=0)
    warnings_created = models.PositiveIntegerField("新增预警", default=0)
    warnings_updated = models.PositiveIntegerField("更新预警", default=0)
    clues_created = models.PositiveIntegerField("新增线索", default=0)
    error_message = models.CharField("错误", max_length=500, blank=True, default="")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_by_label = models.CharField("发起人（登录名）", max_length=150, default="system")
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    output_dir = models.CharField("结果目录", max_length=500, blank=True, default="")
    rule_counts = models.JSONField(
        "各规则发现数", default=dict, blank=True
    )  # rule code -> findings of the whole run (every rule that ran, zeros included)
    heartbeat_at = models.DateTimeField("最近进度时间", null=True, blank=True)

    class Meta:
        verbose_name = "筛查运行"
        verbose_name_plural = "筛查运行"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["region_code", "month"], name="screeningrun_region_month")]
        constraints = [
            # Two concurrent requests for the same month and region make one run.
            models.UniqueConstraint(
                fields=["month", "region_code"],
                condition=Q(status__in=["queued", "running"]),
                name="screeningrun_one_active",
                violation_error_message="该地区该月份已有正在进行的筛查",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "succeeded", "failed"]),
                name="screeningrun_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.month:%Y-%m} {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_RUN_STATUSES


class Clue(models.Model):
    """A risk clue (线索) for one household, to be verified by its village by a deadline.

    ``version`` guards concurrent edits (optimistic concurrency: a write names the version it
    read). ``outcome`` is blank until verified; then it is derived from the warnings' outcomes
    (:func:`fangpin.casework.services.clue_outcome`).
    """

    public_id = _public_id_field()
    household = models.ForeignKey(
        Household, verbose_name="农户", on_delete=models.PROTECT, related_name="clues"
    )
    village_code = models.CharField("所在村", max_length=12)
    channel = models.CharField(
        "来源", max_length=16, choices=ClueChannel.choices, default=ClueChannel.SCREENING
    )
    received_on = models.DateField("接收日期")
    verify_deadline = models.DateField("核实期限")
    status = models.CharField(
        "状态", max_length=16, choices=ClueStatus.choices, default=ClueStatus.PENDING
    )
    outcome = models.CharField(
        "核实结果", max_length=20, choices=Outcome.choices, blank=True, default=""
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核实人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField("核实时间", null=True, blank=True)
    note = models.CharField("核实说明", max_length=500, blank=True, default="")
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    # The identification case a confirmed clue merged into (clues of one household: one case).
    case = models.ForeignKey(
        "Case",
        verbose_name="认定案件",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clues",
    )

    class Meta:
        verbose_name = "线索"
        verbose_name_plural = "线索"
        ordering = ["verify_deadline", "id"]
        indexes = [
            models.Index(fields=["village_code", "status"], name="clue_village_status"),
            models.Index(fields=["household", "status"], name="clue_household_status"),
        ]
        constraints = [
            # At most one pending clue of a channel per household: new warnings merge into it.
            models.UniqueConstraint(
                fields=["household", "channel"],
                condition=Q(status="pending"),
                name="clue_one_pending_per_channel",
                violation_error_message="该户已有待核实的同来源线索",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", outcome="")
                | Q(
                    status="verified",
                    outcome__in=["confirmed", "unfounded", "already_monitored", "civil_affairs"],
                ),
                name="clue_outcome_when_verified",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=["screening", "self_declared", "hotline", "sweep"]),
                name="clue_channel_known",
            ),
            models.CheckConstraint(
                condition=Q(verify_deadline__gte=models.F("received_on")),
                name="clue_deadline_after_received",
            ),
        ]

    def __str__(self) -> str:
        return f"线索 {self.public_id}"


class Warning(models.Model):  # the domain's name (预警); shadows the builtin only here
    """One screening finding for one household, rule and month (预警, DOMAIN.md §9.4).

    ``observed``, ``threshold`` and ``sources`` keep the artifact's JSON text as it is.
    ``first_run`` is the run that created the row; ``last_run`` the latest run that found it
    again, and ``run`` the run whose texts the row shows (the same as ``last_run``).
    """

    public_id = _public_id_field()
    run = models.ForeignKey(
        ScreeningRun, verbose_name="筛查运行", on_delete=models.PROTECT, related_name="+"
    )
    first_run = models.ForeignKey(
        ScreeningRun, verbose_name="首次发现于", on_delete=models.PROTECT, related_name="+"
    )
    last_run = models.ForeignKey(
        ScreeningRun, verbose_name="最近发现于", on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField("筛查月份")
    rule_code = models.CharField("规则代码", max_length=64)
    family = models.CharField("类别", max_length=16)
    severity = models.CharField("严重程度", max_length=8)
    household = models.ForeignKey(
        Household, verbose_name="农户", on_delete=models.PROTECT, related_name="warnings"
    )
    village_code = models.CharField("所在村", max_length=12)
    observed = models.TextField("观测值", default="{}")
    threshold = models.TextField("阈值", default="{}")
    sources = models.TextField("数据来源", default="[]")
    reason_zh = models.TextField("预警原因")
    edition_id = models.CharField("政策版本", max_length=80)
    clue = models.ForeignKey(
        Clue,
        verbose_name="线索",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="warnings",
    )
    verify_deadline = models.DateField("核实期限", null=True, blank=True)
    outcome = models.CharField(
        "核实结果", max_length=20, choices=Outcome.choices, blank=True, default=""
    )
    outcome_note = models.CharField("核实说明", max_length=500, blank=True, default="")
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核实人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField("核实时间", null=True, blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "预警"
        verbose_name_plural = "预警"
        ordering = ["-month", "rule_code", "id"]
        indexes = [
            models.Index(fields=["village_code", "month"], name="warning_village_month"),
            models.Index(fields=["rule_code", "outcome"], name="warning_rule_outcome"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "household", "rule_code"],
                name="warning_once_per_month_rule",
                violation_error_message="同一户同一规则同一月份只有一条预警",
            ),
            models.CheckConstraint(
                condition=Q(
                    outcome__in=["", "confirmed", "unfounded", "already_monitored", "civil_affairs"]
                ),
                name="warning_outcome_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_code} {self.month:%Y-%m} {self.household_id}"


class CaseKind(models.TextChoices):
    IDENTIFICATION = "identification", "识别认定"
    ELIMINATION = "elimination", "风险消除"


class Case(models.Model):
    """An identification (识别认定) or risk-elimination (风险消除) case of one household.

    The state of :class:`fangpin.procedure.Case`, stored: ``step`` is the state after the last
    accepted step, ``version`` the number of transitions (the optimistic-concurrency token:
    a decision names the version it read). Each decision appends exactly one
    :class:`CaseTransition` and one audit row (:mod:`fangpin.casework.cases`). ``is_open`` is
    False once the case reached a closed step; a household has at most one open case of
    each kind.
    """

    public_id = _public_id_field()
    household = models.ForeignKey(
        Household, verbose_name="农户", on_delete=models.PROTECT, related_name="cases"
    )
    village_code = models.CharField("所在村", max_length=12)
    kind = models.CharField("类别", max_length=16, choices=CaseKind.choices)
    step = models.CharField("当前环节", max_length=40)
    is_open = models.BooleanField("办理中", default=True)
    opened_on = models.DateField("受理日期")
    edition_id = models.CharField("政策版本", max_length=80)
    version = models.PositiveIntegerField("版本", default=1)
    notice_start = models.DateField("公示开始", null=True, blank=True)
    notice_end = models.DateField("公示结束", null=True, blank=True)
    returned_to = models.PositiveSmallIntegerField("退回至层级", null=True, blank=True)
    # Whose turn it is (3 county, 4 township, 5 village; None when closed) and the time
    # limits counted at opening (procedure.verification_days / identification_days or
    # elimination_days, in the edition's days): the lists filter on them.
    pending_level = models.PositiveSmallIntegerField("待办层级", null=True, blank=True)
    verify_due = models.DateField("入户核实期限", null=True, blank=True)
    due_on = models.DateField("办结期限")
    fast_tracked_on = models.DateField("先帮后认日期", null=True, blank=True)
    object_type = models.CharField("监测对象类别", max_length=16, blank=True, default="")
    risk_types = models.JSONField("风险类型", default=list, blank=True)
    identified_month = models.DateField("识别监测时间", null=True, blank=True)
    method = models.CharField("风险消除方式", max_length=16, blank=True, default="")
    reopens = models.ForeignKey(
        "self",
        verbose_name="重新识别自",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    identification = models.ForeignKey(
        "self",
        verbose_name="所属识别案件",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="eliminations",
    )  # an elimination case: the identification case whose spell it ends
    monitoring = models.ForeignKey(
        "registry.Monitoring",
        verbose_name="监测记录",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="受理人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "认定/消除案件"
        verbose_name_plural = "认定/消除案件"
        ordering = ["-opened_on", "-id"]
        indexes = [
            models.Index(fields=["village_code", "is_open"], name="case_village_open"),
            models.Index(fields=["is_open", "due_on"], name="case_open_due"),
            models.Index(fields=["household", "kind"], name="case_household_kind"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "kind"],
                condition=Q(is_open=True),
                name="case_one_open_per_kind",
                violation_error_message="该户已有办理中的同类案件",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["identification", "elimination"]), name="case_kind_known"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="case_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.public_id}"


class CaseTransition(models.Model):
    """One accepted decision of a case (the procedure's ``Transition``), never changed."""

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="transitions"
    )
    seq = models.PositiveIntegerField("序号")
    from_step = models.CharField("原环节", max_length=40, blank=True, default="")
    to_step = models.CharField("新环节", max_length=40)
    action = models.CharField("操作", max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办理人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField("办理人（登录名）", max_length=150)
    actor_level = models.PositiveSmallIntegerField("办理层级")
    on = models.DateField("办理日期")
    summary = models.TextField("摘要", blank=True, default="")
    details = models.JSONField("登记内容", default=dict, blank=True)
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "案件办理记录"
        verbose_name_plural = "案件办理记录"
        ordering = ["case", "seq"]
        constraints = [
            # Two concurrent decisions on the same version: exactly one transition is stored.
            models.UniqueConstraint(fields=["case", "seq"], name="case_transition_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.seq}. {self.from_step or '—'} → {self.to_step}"


class CaseObjection(models.Model):
    """An objection raised during the village notice (异议) and its re-check (复核)."""

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="objections"
    )
    number = models.PositiveSmallIntegerField("序号")
    text = models.TextField("异议内容")
    raised_on = models.DateField("提出日期")
    result = models.TextField("复核结果", blank=True, default="")
    resolved_on = models.DateField("复核日期", null=True, blank=True)

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="case_objection_unique"),
        ]

    def __str__(self) -> str:
        return f"异议 {self.number}"


class CaseDocument(models.Model):
    """A file uploaded with a step: the signed commitment and authorisation (承诺授权书), minutes,
    a photo of the posted notice. The file lives at ``VAR_DIR/uploads/cases/<uuid>.<ext>``
    (PDF, JPEG or PNG by its first bytes); the row keeps its size and SHA-256."""

    public_id = _public_id_field()
    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="documents"
    )
    seq = models.PositiveIntegerField("所属办理记录序号")
    name = models.CharField("文件名", max_length=200)
    extension = models.CharField("类型", max_length=4)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_by_label = models.CharField("上传人（登录名）", max_length=150)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "案件材料"
        verbose_name_plural = "案件材料"
        ordering = ["case", "seq", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(extension__in=["pdf", "jpg", "png"]), name="case_document_type_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def filename(self) -> str:
        return f"{self.public_id}.{self.extension}"

    @property
    def content_type(self) -> str:
        return {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}[self.extension]
