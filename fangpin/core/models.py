"""Regions (统计用区划代码), users, the audit log and export requests."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, "省级"
    PREFECTURE = 2, "地级"
    COUNTY = 3, "县级"
    TOWNSHIP = 4, "乡级"
    VILLAGE = 5, "村级"


class Region(models.Model):
    """One statistical division, keyed by its real 12-digit NBS code.

    Codes change yearly: an abolished code keeps its row with ``valid_to`` set, so old records
    and ID numbers issued under it still resolve. ``valid_from`` is empty when the code was
    already in force before the first edition we loaded.
    """

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=100)
    level = models.PositiveSmallIntegerField("级别", choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级区划",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        db_index=True,
    )
    urban_rural_class = models.CharField("城乡分类代码", max_length=3, blank=True, default="")
    valid_from = models.DateField("启用日期", null=True, blank=True)
    valid_to = models.DateField("撤销日期", null=True, blank=True)
    edition = models.CharField("代码版本", max_length=10, default="")

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="region_level_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True, level=1) | Q(parent__isnull=False, level__gt=1),
                name="region_only_provinces_lack_parent",
            ),
            models.CheckConstraint(
                condition=Q(urban_rural_class="")
                | Q(urban_rural_class__in=["111", "112", "121", "122", "123", "210", "220"]),
                name="region_urban_rural_class_known",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="region_valid_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_abolished(self) -> bool:
        return self.valid_to is not None


class AuditResult(models.TextChoices):
    SUCCESS = "success", "成功"
    FAILURE = "failure", "失败"
    DENIED = "denied", "拒绝"


GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    """One event, recorded in the same transaction as the action itself. Append-only.

    Rows form a hash chain: ``hash = sha256(prev_hash + canonical JSON of the content)``, with
    ``prev_hash`` the previous row's hash (``fangpin.core.audit`` writes and verifies it; see
    docs/audit.md). Database triggers refuse UPDATE and DELETE (DELETE only during a purge), so
    there is deliberately no logic here: ``at`` is set explicitly by ``audit_record`` so the hash
    covers exactly the stored value.
    """

    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField("操作人标识", max_length=150, default="")
    actor_role = models.CharField("操作人角色", max_length=32, blank=True, default="")
    action = models.CharField("动作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64)
    object_id = models.CharField("对象标识", max_length=64, db_index=True)
    changes = models.JSONField("变更内容", default=dict)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    request_id = models.CharField("请求标识", max_length=64, blank=True, default="")
    result = models.CharField(
        "结果", max_length=16, choices=AuditResult.choices, default=AuditResult.SUCCESS
    )
    prev_hash = models.CharField("前序哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(result__in=["success", "failure", "denied"]),
                name="auditevent_result_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}"


class AuditChain(models.Model):
    """The single row (pk 1) that serialises appends to the audit chain and anchors it.

    ``head_*`` is the last appended event; appenders lock this row (SELECT … FOR UPDATE) so two
    transactions cannot both chain onto the same head. ``anchor_*`` is the last event removed
    by a purge: the first remaining event's ``prev_hash`` must equal ``anchor_hash``
    (``GENESIS_HASH`` before any purge). ``is_purging`` is the SQLite purge guard read by the
    delete trigger; it is only ever true inside the purge transaction.
    """

    head_id = models.BigIntegerField("链头记录", null=True, blank=True)
    head_hash = models.CharField("链头哈希", max_length=64, default=GENESIS_HASH)
    anchor_id = models.BigIntegerField("锚点记录", null=True, blank=True)
    anchor_hash = models.CharField("锚点哈希", max_length=64, default=GENESIS_HASH)
    purged_before = models.DateField("已清理至", null=True, blank=True)
    is_purging = models.BooleanField("清理中", default=False)

    class Meta:
        verbose_name = "审计链状态"
        verbose_name_plural = "审计链状态"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="auditchain_single_row")]

    def __str__(self) -> str:
        return f"audit chain head {self.head_id}"


class Role(models.TextChoices):
    """What a user does. One role per account (三员 separation: no account is both a system
    administrator and an auditor). Permissions and region scope follow from role and home
    region; see docs/access.md once the access work lands."""

    VILLAGE_CADRE = "village_cadre", "帮扶责任人/村委"
    TOWNSHIP_REVIEWER = "township_reviewer", "乡镇审核"
    COUNTY_APPROVER = "county_approver", "县级审定"
    DEPARTMENT_OFFICER = "department_officer", "部门数据专员"
    INSPECTOR = "inspector", "督查评估"
    AUDITOR = "auditor", "审计员"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"


class User(AbstractUser):
    """A fangpin account: Django's user plus a role and a home region."""

    role = models.CharField("角色", max_length=32, choices=Role.choices, blank=True, default="")
    home_region = models.ForeignKey(
        Region,
        verbose_name="所属区划",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    # Null: the password was set by an administrator (a new account, a reset) and must be
    # changed at the next login (fangpin.core.password_policy). Accounts made any other way
    # (create_user, the demo) count as changed when created; docs/access.md.
    password_changed_at = models.DateTimeField(
        "密码修改时间", null=True, blank=True, default=timezone.now
    )

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        swappable = "AUTH_USER_MODEL"


class PasswordHistory(models.Model):
    """One password an account has had, as its hash: new passwords may not repeat the last
    FANGPIN_PASSWORD_HISTORY (SEC-AUTH-3). Written and trimmed only by
    ``fangpin.core.account_lifecycle``; never shown, never audited."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="password_history",
        verbose_name="账号",
    )
    hash = models.CharField("密码哈希", max_length=256)
    at = models.DateTimeField("设置时间")

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"], name="password_history_user_at")]

    def __str__(self) -> str:
        return f"password of user {self.user_id} set {self.at:%Y-%m-%d %H:%M}"


class HouseholdRead(models.Model):
    """Which households an account opened, per hour: the counter behind the bulk-read alert
    (SEC-AUD-6). Not the audit log (no chain, no retention promise): one row per account, hour
    and household, written with ``ignore_conflicts``; ``fangpin.core.alerts`` reads it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="账号"
    )
    hour = models.DateTimeField("小时")
    household_id = models.BigIntegerField("农户")

    class Meta:
        verbose_name = "农户查看记录"
        verbose_name_plural = "农户查看记录"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "hour", "household_id"], name="household_read_once_per_hour"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.hour:%Y-%m-%d %H}:00 #{self.household_id}"


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", "Excel (.xlsx)"
    CSV = "csv", "CSV"


class ExportStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    DENIED = "denied", "已驳回"
    USED = "used", "已下载"


class ExportRequest(models.Model):
    """A request to export a list that needs a second person's approval (SEC-EXP-2).

    Written only by :mod:`fangpin.core.exports`: an export above
    ``FANGPIN_EXPORT_APPROVAL_ROWS`` rows, or any unmasked one, is requested here, approved or
    denied by another holder of ``export.approve`` whose scope covers ``scope_region``, and
    downloaded once by its requester within a day of the approval (then ``used``). ``filters``
    are the list's own filters, validated when requested, so the download is the list the
    requester saw. A processing-activity record (PIPL Art. 56): never deleted.
    """

    public_id = models.UUIDField("公开标识", default=uuid.uuid4, unique=True, editable=False)
    list_name = models.CharField("列表", max_length=32)
    filters = models.JSONField("筛选条件", default=dict)
    file_format = models.CharField("格式", max_length=4, choices=ExportFormat.choices)
    is_masked = models.BooleanField("脱敏", default=True)
    reason = models.CharField("申请理由", max_length=500)
    row_count = models.PositiveIntegerField("申请时行数")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField("申请时间")
    scope_region = models.ForeignKey(
        Region, verbose_name="申请人辖区", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "状态", max_length=16, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_reason = models.CharField("审批意见", max_length=500, blank=True, default="")
    downloaded_at = models.DateTimeField("下载时间", null=True, blank=True)

    class Meta:
        verbose_name = "导出申请"
        verbose_name_plural = "导出申请"
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["status", "scope_region"], name="export_request_status_region"),
            models.Index(fields=["requested_by", "-requested_at"], name="export_request_by_user"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "denied", "used"]),
                name="export_request_status_known",
            ),
            models.CheckConstraint(
                condition=Q(file_format__in=["xlsx", "csv"]), name="export_request_format_known"
            ),
            # Nobody approves their own export (a second person, SEC-EXP-2).
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("requested_by")),
                name="export_request_not_self_decided",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_by__isnull=True, decided_at__isnull=True)
                | (
                    Q(status__in=["approved", "denied", "used"])
                    & Q(decided_by__isnull=False, decided_at__isnull=False)
                ),
                name="export_request_decision_recorded",
            ),
            models.CheckConstraint(
                condition=Q(status="used", downloaded_at__isnull=False)
                | (~Q(status="used") & Q(downloaded_at__isnull=True)),
                name="export_request_download_once",
            ),
        ]

    def __str__(self) -> str:
        return f"export {self.list_name} by {self.requested_by_id} ({self.status})"
