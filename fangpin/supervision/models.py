"""The rectification ledger stored (整改台账): problems and their insert-only history.

A :class:`Problem` is the pure core's :class:`fangpin.ledger.Problem` as a row; ``version`` is
the number of decisions plus one, the optimistic-concurrency token a decision names. A problem
pushed from screening or found by 举一反三 keeps the rule behind it (``origin_rule``), a key
unique among such problems (``origin_key``: a re-run adds no duplicate) and, for 举一反三, the
problem it was found from (``parent``). Each
accepted decision appends one :class:`ProblemEntry` (unique per problem and sequence, so of two
concurrent decisions on the same version exactly one is stored); entries are never changed.
Written only by :mod:`fangpin.supervision.services`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from fangpin.core.models import Region
from fangpin.ledger import DIMENSION_ZH, SOURCE_ZH, STATUS_ZH
from fangpin.registry.models import Household, Person

SOURCE_CHOICES = [(code.value, zh) for code, zh in SOURCE_ZH.items()]
DIMENSION_CHOICES = [(code.value, zh) for code, zh in DIMENSION_ZH.items()]
STATUS_CHOICES = [(code.value, zh) for code, zh in STATUS_ZH.items()]
ESCALATION_CHOICES = [
    ("township", "乡镇督办"),
    ("county", "县级督办"),
    ("discipline", "移交纪检监察"),
]


class Problem(models.Model):
    """One problem found, tracked until an independent check closes it (对账销号)."""

    public_id = models.UUIDField("公开标识", default=uuid.uuid4, unique=True, editable=False)
    source = models.CharField("问题来源", max_length=24, choices=SOURCE_CHOICES)
    source_batch = models.CharField("批次", max_length=100, blank=True, default="")
    found_on = models.DateField("发现日期")
    region = models.ForeignKey(
        Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+"
    )
    households = models.ManyToManyField(
        Household, verbose_name="涉及农户", blank=True, related_name="problems"
    )
    persons = models.ManyToManyField(
        Person, verbose_name="涉及人员", blank=True, related_name="problems"
    )
    dimension = models.CharField("问题类别", max_length=16, choices=DIMENSION_CHOICES)
    description = models.TextField("问题描述")
    evidence = models.JSONField("发现佐证", default=list, blank=True)
    lead_unit = models.CharField("牵头单位", max_length=100)
    responsible_units = models.JSONField("责任单位", default=list, blank=True)
    responsible_person = models.CharField("责任人", max_length=50, blank=True, default="")
    measures = models.TextField("整改措施", blank=True, default="")
    deadline = models.DateField("整改期限")
    status = models.CharField("状态", max_length=16, choices=STATUS_CHOICES, default="open")
    fixed_by = models.CharField("整改报告人", max_length=150, blank=True, default="")
    closure_evidence = models.JSONField("整改佐证", default=list, blank=True)
    closed_by = models.CharField("销号人", max_length=150, blank=True, default="")
    closed_on = models.DateField("销号日期", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    escalation = models.CharField(
        "督办级别", max_length=16, choices=ESCALATION_CHOICES, blank=True, default=""
    )
    origin_rule = models.CharField("筛查规则", max_length=64, blank=True, default="")
    origin_key = models.CharField("来源标识", max_length=120, blank=True, default="")
    parent = models.ForeignKey(
        "self",
        verbose_name="举一反三来源问题",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replicas",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by_label = models.CharField("登记人（登录名）", max_length=150)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "整改问题"
        verbose_name_plural = "整改问题"
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="problem_status_deadline"),
            models.Index(fields=["region", "status"], name="problem_region_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[c for c, _zh in STATUS_CHOICES]),
                name="problem_status_known",
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("found_on")), name="problem_deadline_after_found"
            ),
            # 对账销号: a closed problem names its verifier, who is not who reported the fix.
            models.CheckConstraint(
                condition=~Q(status="closed")
                | (
                    Q(closed_on__isnull=False)
                    & ~Q(closed_by="")
                    & ~Q(closed_by=models.F("fixed_by"))
                ),
                name="problem_closed_by_another",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="problem_version_positive"),
            # A problem pushed from screening (or found by 举一反三) once per key: a re-run adds
            # no duplicate.
            models.UniqueConstraint(
                fields=["origin_key"],
                condition=~Q(origin_key=""),
                name="problem_origin_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_dimension_display()} {self.region_id} ({self.status})"


class ProblemEntry(models.Model):
    """One accepted decision on a problem (the core's ``Entry``), never changed."""

    problem = models.ForeignKey(
        Problem, verbose_name="问题", on_delete=models.PROTECT, related_name="entries"
    )
    seq = models.PositiveIntegerField("序号")
    action = models.CharField("操作", max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办理人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField("办理人（登录名）", max_length=150)
    on = models.DateField("办理日期")
    from_status = models.CharField("原状态", max_length=16)
    to_status = models.CharField("新状态", max_length=16)
    note = models.TextField("办理情况", blank=True, default="")
    evidence = models.JSONField("佐证", default=list, blank=True)
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "整改办理记录"
        verbose_name_plural = "整改办理记录"
        ordering = ["problem", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["problem", "seq"], name="problem_entry_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.seq}. {self.from_status} → {self.to_status}"


class InspectionPlan(models.Model):
    """An unannounced visit (暗访): the villages a team visits and the households drawn in each
    by the county's rules (``fangpin.ledger.sample_visits``), never one visited by an earlier
    plan of the county; reproducible from ``seed``."""

    public_id = models.UUIDField("公开标识", default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField("暗访批次", max_length=100)
    county = models.ForeignKey(
        Region, verbose_name="所在县", on_delete=models.PROTECT, related_name="+"
    )
    seed = models.CharField("抽样种子", max_length=64)
    registered_per_village = models.PositiveSmallIntegerField("每村抽取建档立卡/监测户", default=20)
    others_per_village = models.PositiveSmallIntegerField("每村抽取一般农户", default=5)
    shortfall = models.JSONField("户数不足的村", default=dict, blank=True)
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
        verbose_name = "暗访计划"
        verbose_name_plural = "暗访计划"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class PlanHousehold(models.Model):
    """One household of a visit plan, in the order it was drawn (registered ones first)."""

    plan = models.ForeignKey(
        InspectionPlan, verbose_name="暗访计划", on_delete=models.PROTECT, related_name="stops"
    )
    household = models.ForeignKey(
        Household, verbose_name="农户", on_delete=models.PROTECT, related_name="+"
    )
    village_code = models.CharField("所在村", max_length=12)
    registered = models.BooleanField("建档立卡/监测户")
    position = models.PositiveIntegerField("顺序")

    class Meta:
        verbose_name = "暗访农户"
        verbose_name_plural = "暗访农户"
        ordering = ["plan", "village_code", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "household"], name="plan_household_once"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.household_id}"


class ListingStatus(models.TextChoices):
    ACTIVE = "active", "督战中"
    DELISTED = "delisted", "已摘牌"


class ListedRegion(models.Model):
    """挂牌督战 (DOMAIN.md §8.1): a region listed for supervision with its target items and a
    deadline; delisted (摘牌) only when every item is done and the region is zeroed (清零)."""

    public_id = models.UUIDField("公开标识", default=uuid.uuid4, unique=True, editable=False)
    region = models.ForeignKey(
        Region, verbose_name="督战区划", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("督战名称", max_length=100)
    listed_on = models.DateField("挂牌日期")
    deadline = models.DateField("督战期限")
    status = models.CharField(
        "状态", max_length=16, choices=ListingStatus.choices, default=ListingStatus.ACTIVE
    )
    delisted_on = models.DateField("摘牌日期", null=True, blank=True)
    delisted_by = models.CharField("摘牌人", max_length=150, blank=True, default="")
    created_by_label = models.CharField("挂牌人（登录名）", max_length=150)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "挂牌督战"
        verbose_name_plural = "挂牌督战"
        ordering = ["status", "deadline", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("listed_on")), name="listing_deadline_after"
            ),
            models.CheckConstraint(
                condition=Q(status="active", delisted_on__isnull=True)
                | Q(status="delisted", delisted_on__isnull=False),
                name="listing_delisted_dated",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ListingTarget(models.Model):
    """One target item of a listed region (e.g. 义务教育保障, 动态监测帮扶), done on a date."""

    listing = models.ForeignKey(
        ListedRegion, verbose_name="挂牌督战", on_delete=models.PROTECT, related_name="targets"
    )
    item = models.CharField("督战事项", max_length=200)
    dimension = models.CharField("问题类别", max_length=16, choices=DIMENSION_CHOICES)
    deadline = models.DateField("完成期限")
    done_on = models.DateField("完成日期", null=True, blank=True)
    done_by = models.CharField("确认人", max_length=150, blank=True, default="")
    note = models.CharField("完成情况", max_length=500, blank=True, default="")

    class Meta:
        verbose_name = "督战事项"
        verbose_name_plural = "督战事项"
        ordering = ["listing", "deadline", "id"]

    def __str__(self) -> str:
        return self.item
