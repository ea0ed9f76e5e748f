"""Export approval (SEC-EXP-2): when an export may run at once, and the request workflow.

An export of at most ``FANGPIN_EXPORT_APPROVAL_ROWS`` rows (default 5,000) that is masked runs
at once. A larger one, or any unmasked one (only for holders of ``pi.reveal``, with a written
reason), needs an :class:`~fangpin.core.models.ExportRequest` approved by *another* user
holding ``export.approve`` whose region scope covers the requester's home region. The
requester may then download it once, within :data:`DOWNLOAD_HOURS` hours of the approval.

The workflow is a small state machine::

    pending ──approve──▶ approved ──download (≤ 24 h, once)──▶ used
       └──────deny─────▶ denied

Every transition is audited in its transaction (``export.request``, ``export.approve``,
``export.deny``); every download, direct or approved, is audited with
:func:`fangpin.core.audit.audit_export`. A refusal raises :class:`ExportError` before anything is
written, so a refused call changes nothing and records nothing.

This module knows nothing of the lists themselves (the core may not import the apps above it):
the caller (``fangpin.web.exports``) names the list, counts its rows in the user's scope and
passes the filters the list allows.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import timedelta
from typing import Any, Final
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from fangpin.core.access import (
    EXPORT_APPROVE,
    PI_REVEAL,
    REGISTRY_VIEW,
    is_system_actor,
    user_can,
)
from fangpin.core.alerts import export_rows_record
from fangpin.core.audit import audit_export, audit_record, user_or_none
from fangpin.core.errors import FangpinError
from fangpin.core.models import AuditEvent, ExportFormat, ExportRequest, ExportStatus
from fangpin.core.scope import scope_covers, scope_prefix

__all__ = [
    "DEFAULT_APPROVAL_ROWS",
    "DEFAULT_PER_HOUR",
    "DOWNLOAD_HOURS",
    "ExportError",
    "export_approval_rows",
    "export_direct_check",
    "export_download_record",
    "export_filters_clean",
    "export_needs_approval",
    "export_rate_limit",
    "export_request_approve",
    "export_request_create",
    "export_request_deny",
    "export_request_download",
    "export_request_get",
    "export_request_is_expired",
    "export_request_list",
]

DEFAULT_APPROVAL_ROWS: Final = 5000
"""Rows an export may hold without approval when ``FANGPIN_EXPORT_APPROVAL_ROWS`` is unset."""
DOWNLOAD_HOURS: Final = 24
"""An approved request may be downloaded this many hours after its approval, once."""
DEFAULT_PER_HOUR: Final = 100
"""Exports one account may download in any hour when ``FANGPIN_EXPORT_PER_HOUR`` is unset."""
REASON_MAX: Final = 500
FILTER_VALUE_MAX: Final = 100


class ExportError(FangpinError):
    """An export or export-request operation refused. ``str(exc)`` is the Chinese message.

    Codes: ``forbidden`` (no right to export this or to see numbers unmasked), ``approval``
    (approval needed first), ``reason`` (no reason given), ``filters`` (a filter the list does
    not have, or a malformed value), ``format``, ``not_found`` (no such request, or one the
    actor may not see), ``self`` (approving one's own request), ``scope`` (the requester's
    region lies outside the approver's scope), ``state`` (not pending / not approved / already
    downloaded), ``expired`` (approved more than 24 hours ago), ``rows`` (the list grew past the
    approved row count), ``rate_limited`` (the account's exports of the last hour reached
    ``FANGPIN_EXPORT_PER_HOUR``; HTTP 429).
    """


def export_approval_rows() -> int:
    """The row count above which an export needs approval (``FANGPIN_EXPORT_APPROVAL_ROWS``)."""
    return int(getattr(settings, "FANGPIN_EXPORT_APPROVAL_ROWS", DEFAULT_APPROVAL_ROWS))


def export_rate_limit() -> int:
    """Exports one account may download in any 60 minutes (``FANGPIN_EXPORT_PER_HOUR``)."""
    return int(getattr(settings, "FANGPIN_EXPORT_PER_HOUR", DEFAULT_PER_HOUR))


def _check_rate(actor: Any) -> None:
    """Refuse a user's export when their ``data.export`` events of the last 60 minutes reached
    the limit (ASVS 2.4.1: the 101st export in an hour is refused). The system is not limited."""
    user = user_or_none(actor)
    if user is None:
        return
    limit = export_rate_limit()
    since = timezone.now() - timedelta(hours=1)
    done = AuditEvent.objects.filter(actor=user, action="data.export", at__gte=since).count()
    if done >= limit:
        raise ExportError("rate_limited", f"导出过于频繁：每小时最多导出 {limit} 次，请稍后再试。")


def export_needs_approval(*, row_count: int, masked: bool) -> bool:
    """Whether an export of ``row_count`` rows (masked or not) needs an approved request."""
    return not masked or row_count > export_approval_rows()


def export_filters_clean(
    filters: Mapping[str, object], *, allowed: Collection[str]
) -> dict[str, str]:
    """``filters`` as a plain ``{name: text}`` dict without empty values, or ``ExportError``.

    Only the names in ``allowed`` (the list's own filters) are accepted; values are short
    single-line text. The list itself validates the values' meaning (its filter form).
    """
    clean: dict[str, str] = {}
    for name, value in filters.items():
        if name not in allowed:
            raise ExportError("filters", f"该列表没有筛选条件“{str(name)[:32]}”。")
        if not isinstance(value, str | int | bool) or isinstance(value, bool):
            raise ExportError("filters", f"筛选条件“{name}”的值格式不正确。")
        text = str(value).strip()
        if len(text) > FILTER_VALUE_MAX or "\n" in text or "\r" in text:
            raise ExportError("filters", f"筛选条件“{name}”的值格式不正确。")
        if text:
            clean[str(name)] = text
    return dict(sorted(clean.items()))


def _require_export(actor: Any, *, masked: bool, capability: str) -> None:
    if is_system_actor(actor):
        return
    if not user_can(actor, capability) or scope_prefix(actor, capability=capability) is None:
        raise ExportError("forbidden", "当前账号无权导出该列表。")
    if not masked and not user_can(actor, PI_REVEAL):
        raise ExportError("forbidden", "当前账号无权导出证件号码或联系电话明文。")


def _check_format(file_format: str) -> None:
    if file_format not in ExportFormat.values:
        raise ExportError("format", "导出格式只能是 xlsx 或 csv。")


def export_direct_check(
    *, actor: Any, row_count: int, masked: bool, capability: str = REGISTRY_VIEW
) -> None:
    """Refuse (``ExportError``) an export that may not run at once; return when it may.

    The system actor (the CLI without ``--as-user``) may always export: it acts for the
    operator of the server, who holds the database anyway; its exports are audited too.
    """
    _require_export(actor, masked=masked, capability=capability)
    if user_or_none(actor) is None:
        return
    _check_rate(actor)
    if export_needs_approval(row_count=row_count, masked=masked):
        limit = export_approval_rows()
        why = "明文导出" if not masked else f"超过 {limit} 行（共 {row_count} 行）的导出"
        raise ExportError("approval", f"{why}需要另一位有审批权限的人员批准，请先提交导出申请。")


def export_download_record(
    *,
    actor: Any,
    request: HttpRequest | None,
    list_name: str,
    row_count: int,
    masked: bool,
    reason: str = "",
) -> None:
    """Audit a direct export (``data.export``: what, rows, masked) before it is sent.

    An unmasked direct export is the system's only (the CLI without ``--as-user``, checked by
    :func:`export_direct_check`); it needs a reason, recorded as ``export.unmasked`` in the
    same transaction.
    """
    if masked:
        audit_export(actor=actor, request=request, what=list_name, row_count=row_count, masked=True)
        export_rows_record(user=actor, request=request)
        return
    text = _reason(reason, what="明文导出理由")
    with transaction.atomic():
        audit_export(
            actor=actor, request=request, what=list_name, row_count=row_count, masked=False
        )
        audit_record(
            actor=actor,
            action="export.unmasked",
            object_type="export",
            object_id=list_name,
            changes={"list": list_name, "rows": row_count, "reason": text},
            request=request,
        )


def _reason(text: str, *, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ExportError("reason", f"请填写{what}。")
    return text[:REASON_MAX]


def export_request_create(
    *,
    actor: Any,
    list_name: str,
    filters: Mapping[str, object],
    allowed_filters: Collection[str],
    file_format: str,
    masked: bool,
    reason: str,
    row_count: int,
    capability: str = REGISTRY_VIEW,
    request: HttpRequest | None = None,
) -> ExportRequest:
    """Ask for a large or unmasked export; audited as ``export.request``.

    ``row_count`` is the list's size in the actor's scope now (the caller counts it): the
    approval covers at most that many rows. A request that needs no approval is still
    accepted (a user may prefer a second look), but the page offers the download first.
    """
    if user_or_none(actor) is None:
        raise ExportError("forbidden", "系统账号无需提交导出申请。")
    _require_export(actor, masked=masked, capability=capability)
    _check_format(file_format)
    text = _reason(reason, what="导出理由")
    clean = export_filters_clean(filters, allowed=allowed_filters)
    if row_count < 0:
        raise ExportError("rows", f"导出行数不能为负数（收到 {row_count}）。")
    with transaction.atomic():
        export = ExportRequest.objects.create(
            list_name=list_name,
            filters=clean,
            file_format=file_format,
            is_masked=masked,
            reason=text,
            row_count=row_count,
            requested_by=actor,
            requested_at=timezone.now(),
            scope_region_id=actor.home_region_id,
        )
        audit_record(
            actor=actor,
            action="export.request",
            object_type="export_request",
            object_id=export.pk,
            changes={
                "list": list_name,
                "filters": clean,
                "format": file_format,
                "masked": masked,
                "rows": row_count,
                "reason": text,
            },
            request=request,
        )
    return export


def _locked(public_id: UUID | str) -> ExportRequest:
    found = ExportRequest.objects.select_for_update().filter(public_id=public_id).first()
    if found is None:
        raise ExportError("not_found", "未找到该导出申请。")
    return found


def _decide(
    *,
    actor: Any,
    public_id: UUID | str,
    reason: str,
    status: str,
    request: HttpRequest | None,
) -> ExportRequest:
    if user_or_none(actor) is None or not user_can(actor, EXPORT_APPROVE):
        raise ExportError("forbidden", "当前账号无权审批导出申请。")
    text = _reason(reason, what="审批意见")
    with transaction.atomic():
        export = _locked(public_id)
        if not scope_covers(actor, export.scope_region_id, capability=EXPORT_APPROVE):
            # Out of scope is refused like a missing request: the id tells nothing.
            raise ExportError("not_found", "未找到该导出申请。")
        if export.requested_by_id == actor.pk:
            raise ExportError("self", "不能审批自己提交的导出申请。")
        if export.status != ExportStatus.PENDING:
            raise ExportError("state", "该导出申请已处理，不能再次审批。")
        export.status = status
        export.decided_by = actor
        export.decided_at = timezone.now()
        export.decision_reason = text
        export.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        audit_record(
            actor=actor,
            action="export.approve" if status == ExportStatus.APPROVED else "export.deny",
            object_type="export_request",
            object_id=export.pk,
            changes={"from": ExportStatus.PENDING.value, "to": status, "reason": text},
            request=request,
        )
    return export


def export_request_approve(
    *, actor: Any, public_id: UUID | str, reason: str, request: HttpRequest | None = None
) -> ExportRequest:
    """Approve another user's pending request in one's scope; audited as ``export.approve``."""
    return _decide(
        actor=actor,
        public_id=public_id,
        reason=reason,
        status=ExportStatus.APPROVED,
        request=request,
    )


def export_request_deny(
    *, actor: Any, public_id: UUID | str, reason: str, request: HttpRequest | None = None
) -> ExportRequest:
    """Deny another user's pending request in one's scope; audited as ``export.deny``."""
    return _decide(
        actor=actor, public_id=public_id, reason=reason, status=ExportStatus.DENIED, request=request
    )


def export_request_is_expired(export: ExportRequest, *, now: Any = None) -> bool:
    """Whether an approved request's download window (24 hours from approval) has passed."""
    if export.status != ExportStatus.APPROVED or export.decided_at is None:
        return False
    now = now or timezone.now()
    return bool(now > export.decided_at + timedelta(hours=DOWNLOAD_HOURS))


def export_request_download(
    *,
    actor: Any,
    public_id: UUID | str,
    row_count: int,
    capability: str = REGISTRY_VIEW,
    request: HttpRequest | None = None,
) -> ExportRequest:
    """Use an approved request: mark it ``used`` and audit the export (``data.export``).

    Only the requester, once, within 24 hours of the approval, and only while the list (counted
    again now by the caller as ``row_count``) holds no more rows than were approved. The
    caller then writes the file; a failure while writing does not give the download back.
    """
    if user_or_none(actor) is None:
        raise ExportError("forbidden", "系统账号请直接导出。")
    with transaction.atomic():
        export = _locked(public_id)
        if export.requested_by_id != actor.pk:
            raise ExportError("not_found", "未找到该导出申请。")
        _require_export(actor, masked=export.is_masked, capability=capability)
        if export.status == ExportStatus.USED:
            raise ExportError("state", "该导出申请已下载过，每次批准只能下载一次。")
        if export.status != ExportStatus.APPROVED:
            raise ExportError("state", "该导出申请尚未批准或已被驳回，不能下载。")
        if export_request_is_expired(export):
            raise ExportError(
                "expired", f"批准后 {DOWNLOAD_HOURS} 小时内未下载，已过期，请重新申请。"
            )
        _check_rate(actor)
        if row_count > export.row_count:
            raise ExportError(
                "rows",
                f"列表现有 {row_count} 行，多于批准的 {export.row_count} 行，请重新申请。",
            )
        export.status = ExportStatus.USED
        export.downloaded_at = timezone.now()
        export.save(update_fields=["status", "downloaded_at"])
        audit_export(
            actor=actor,
            request=request,
            what=f"{export.list_name}/request/{export.pk}",
            row_count=row_count,
            masked=export.is_masked,
        )
    export_rows_record(user=actor, request=request)
    return export


# --- Selectors ------------------------------------------------------------------------------


def export_request_list(*, user: Any) -> QuerySet[ExportRequest]:
    """The requests ``user`` may see: their own, and those they may decide (in their scope).

    Newest first, with requester, approver and region (one query).
    """
    if user_or_none(user) is None:
        return ExportRequest.objects.none()
    visible = Q(requested_by=user)
    prefix = scope_prefix(user, capability=EXPORT_APPROVE)
    if prefix is not None:
        visible |= Q(scope_region__code__startswith=prefix)
    return (
        ExportRequest.objects.filter(visible)
        .select_related("requested_by", "decided_by", "scope_region")
        .order_by("-requested_at", "-id")
    )


def export_request_get(*, user: Any, public_id: UUID | str) -> ExportRequest:
    """One visible request; ``ExportError("not_found")`` otherwise (also when out of scope)."""
    found = export_request_list(user=user).filter(public_id=public_id).first()
    if found is None:
        raise ExportError("not_found", "未找到该导出申请。")
    return found
