"""The audit log: append events in the caller's transaction, verify the hash chain, purge.

Every service calls ``audit_record`` inside the transaction of the write it records, so the
event and the write commit or roll back together. Events form a hash chain (SEC-AUD-4)::

    hash = sha256(prev_hash + canonical_json(content))

where ``prev_hash`` is the previous event's hash (the chain's anchor for the first event) and
the canonical JSON has sorted keys, ``ensure_ascii=False``, separators ``(",", ":")`` and ``at``
as ISO 8601 UTC with microseconds. Appends are serialised on the one-row ``AuditChain`` head
(``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's IMMEDIATE transactions already queue
writers), so concurrent transactions cannot fork the chain. docs/audit.md has the whole story.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from fangpin.core.audit_sink import ship_on_commit
from fangpin.core.errors import AuditError
from fangpin.core.models import GENESIS_HASH, AuditChain, AuditEvent, AuditResult
from fangpin.core.request_id import request_id_for

__all__ = [
    "RETENTION_DAYS",
    "AuditRequestMiddleware",
    "AuditVerifyReport",
    "actor_label",
    "audit_export",
    "audit_purge",
    "audit_record",
    "audit_reveal",
    "audit_verify",
    "denials_recorded",
    "event_content",
    "event_hash",
    "request_ip",
    "user_or_none",
]

RETENTION_DAYS = 180  # 网络安全法 Art. 21: network logs are kept at least six months
DENIED = "authz.denied"
_denials: ContextVar[int] = ContextVar("fangpin_audit_denials", default=0)
_bound_request: ContextVar[HttpRequest | None] = ContextVar("fangpin_audit_request", default=None)
_CHAIN_PK = 1
_OBJECT_ID_MAX = 64  # AuditEvent.object_id's width


def user_or_none(actor: Any) -> Any:
    """The actor as a user row for an ``actor``-like foreign key, or None for system actors
    (``"system:<what>"`` strings, :data:`fangpin.core.access.SYSTEM`)."""
    return actor if getattr(actor, "pk", None) is not None and hasattr(actor, "username") else None


def actor_label(actor: Any) -> str:
    """A stable label for who acted: the username, or ``system:<what>`` for jobs and the CLI."""
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    return str(getattr(actor, "username", actor))


# --- The canonical form ---------------------------------------------------------------------


def event_content(event: Any) -> dict[str, Any]:
    """The fields an event's hash covers, as plain JSON values.

    Works on ``AuditEvent`` and on the historical model of a migration. ``actor_id`` is covered
    as well as ``actor_label`` so re-pointing an event at another account is detected too.
    """
    return {
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "actor_role": event.actor_role,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "changes": event.changes,
        "ip": event.ip,
        "request_id": event.request_id,
        "result": event.result,
    }


def event_hash(prev_hash: str, content: dict[str, Any]) -> str:
    """sha256 hex of ``prev_hash`` followed by the canonical JSON of ``content``."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


# --- Where a request came from --------------------------------------------------------------


def _clean_ip(raw: str) -> str | None:
    try:
        address = ipaddress.ip_address(raw.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)  # one client, one spelling: ::ffff:1.2.3.4 → 1.2.3.4
    return str(address)


def _trusted_proxies() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network] | None:
    """Networks of the reverse proxies whose X-Forwarded-For we believe; None: believe none.

    ``FANGPIN_TRUSTED_PROXY`` is a comma-separated string or a list of addresses or CIDRs
    (``True`` means "any peer", for a proxy on the same host that hides its address).
    """
    configured = getattr(settings, "FANGPIN_TRUSTED_PROXY", None)
    if not configured:
        return None
    if configured is True:
        return [ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")]
    items = configured.split(",") if isinstance(configured, str) else list(configured)
    try:
        return [ipaddress.ip_network(str(item).strip(), strict=False) for item in items]
    except ValueError as exc:
        raise ImproperlyConfigured(f"FANGPIN_TRUSTED_PROXY is malformed: {exc}") from exc


def request_ip(request: HttpRequest) -> str | None:
    """The client's IP: REMOTE_ADDR, or X-Forwarded-For only when it came from a trusted proxy.

    Walks X-Forwarded-For from the right (the entries our proxies appended) and returns the
    first address that is not itself a trusted proxy; the left end is whatever the client sent
    and is never believed (ASVS 4.1.3).
    """
    remote = _clean_ip(request.META.get("REMOTE_ADDR", ""))
    proxies = _trusted_proxies()
    if remote is None or proxies is None:
        return remote

    def trusted(ip: str) -> bool:
        address = ipaddress.ip_address(ip)
        return any(address.version == net.version and address in net for net in proxies)

    if not trusted(remote):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed([part for part in forwarded.split(",") if part.strip()]):
        ip = _clean_ip(entry)
        if ip is None:
            return remote
        if not trusted(ip):
            return ip
    return remote


# --- Appending --------------------------------------------------------------------------------


def _chain_locked() -> AuditChain:
    """The chain row, locked until the end of the caller's transaction (created if missing)."""
    chain, _created = AuditChain.objects.select_for_update().get_or_create(pk=_CHAIN_PK)
    return chain


def audit_record(
    *,
    actor: Any,
    action: str,
    object_type: str,
    object_id: object,
    changes: dict[str, Any] | None = None,
    result: str = AuditResult.SUCCESS,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one audit event. Must run inside the transaction of the write it records.

    Costs one locked read and one update of the chain head on top of the insert; bulk loads
    call it once per load, never per row.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the write's transaction")
    if result not in AuditResult.values:
        raise ValueError(f"unknown audit result {result!r}")
    if len(str(object_id)) > _OBJECT_ID_MAX:  # SQLite would store it, PostgreSQL would fail
        raise ValueError(f"audit object_id longer than {_OBJECT_ID_MAX}: {str(object_id)!r}")
    if request is None:  # a service not handed the request, called while serving one
        request = _bound_request.get()
    user = actor if getattr(actor, "pk", None) is not None and hasattr(actor, "username") else None
    # The JSON round trip stores exactly what is hashed (tuples become lists, keys strings).
    content_changes = json.loads(json.dumps(changes or {}, ensure_ascii=False))
    chain = _chain_locked()
    event = AuditEvent(
        at=timezone.now(),  # taken under the lock, so time order follows chain order
        actor=user,
        actor_label=actor_label(actor),
        actor_role=str(getattr(user, "role", "") or ""),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        changes=content_changes,
        ip=request_ip(request) if request is not None else None,
        request_id=request_id_for(request) if request is not None else "",
        result=result,
        prev_hash=chain.head_hash,
    )
    content = event_content(event)
    event.hash = event_hash(event.prev_hash, content)
    event.save(force_insert=True)
    AuditChain.objects.filter(pk=_CHAIN_PK).update(head_id=event.pk, head_hash=event.hash)
    ship_on_commit(content, event.pk, event.prev_hash, event.hash)  # the copy outside the DB
    if action == DENIED:
        _denials.set(_denials.get() + 1)
    return event


class AuditRequestMiddleware:
    """Bind the request being served, so that every event appended while serving it records
    its IP and request ID (SEC-AUD-2), also from a service that is not handed the request
    (the registry and import services take ``actor=`` only)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _bound_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _bound_request.reset(token)


def denials_recorded() -> int:
    """How many ``authz.denied`` events this thread (or task) has appended so far.

    A marker that costs nothing: a caller compares it before and after a request to tell
    whether a service already recorded the refusal (fangpin.web.denials).
    """
    return _denials.get()


def audit_reveal(
    *,
    actor: Any,
    request: HttpRequest | None,
    object_type: str,
    object_id: object,
    field: str,
    reason: str,
    fields: tuple[str, ...] = (),
) -> AuditEvent:
    """Record that ``actor`` viewed ``field`` of an object unmasked, and why (SEC-MSK-2).

    ``fields`` names the stored columns shown when one reveal shows several (health status,
    disability grade and category); it is recorded as ``"fields"`` when given.
    """
    reason = reason.strip()
    if not reason:
        raise AuditError("reason", "查看敏感信息明文必须填写理由。")
    changes: dict[str, Any] = {"field": field, "reason": reason[:500]}
    if fields:
        changes["fields"] = list(fields)
    with transaction.atomic():
        return audit_record(
            actor=actor,
            action="data.reveal",
            object_type=object_type,
            object_id=object_id,
            changes=changes,
            request=request,
        )


def audit_export(
    *, actor: Any, request: HttpRequest | None, what: str, row_count: int, masked: bool
) -> AuditEvent:
    """Record an export: what was exported, how many rows, masked or not (SEC-EXP)."""
    if row_count < 0:
        raise AuditError("row_count", f"导出行数不能为负数（收到 {row_count}）。")
    with transaction.atomic():
        return audit_record(
            actor=actor,
            action="data.export",
            object_type="export",
            object_id=what,
            changes={"what": what, "rows": row_count, "masked": masked},
            request=request,
        )


# --- Verifying --------------------------------------------------------------------------------

BREAK_KINDS = {
    "altered": "内容被篡改（哈希不符）",
    "deleted": "之前的记录被删除或改写（前序哈希与上一条记录不符）",
    "reordered": "顺序被改动（前序哈希指向其他位置的记录）",
    "head": "链头与最后一条记录不符（末尾记录被删除或链头被改动）",
}


@dataclass(frozen=True, slots=True)
class AuditVerifyReport:
    """What ``audit_verify`` found: records checked, and the first break if any."""

    checked: int
    broken_id: int | None = None
    kind: str | None = None  # a key of BREAK_KINDS

    @property
    def is_intact(self) -> bool:
        return self.kind is None

    @property
    def message(self) -> str:
        if self.kind is None:
            return f"审计链完整：{self.checked} 条记录"
        where = "链头记录缺失" if self.broken_id is None else f"记录 #{self.broken_id}"
        return f"审计链断裂：{where} {BREAK_KINDS[self.kind]}"


def audit_verify(*, batch_size: int = 2000) -> AuditVerifyReport:
    """Walk the chain in id order and report the first break.

    The head is read first and only events up to it are checked, so appends that commit
    during the walk are not mistaken for a break. A purge running at the same time can make a
    clean chain look broken; run it again.
    """
    chain = AuditChain.objects.filter(pk=_CHAIN_PK).first()
    head_id = chain.head_id if chain else None
    head_hash = chain.head_hash if chain else GENESIS_HASH
    anchor_id = chain.anchor_id if chain else None
    expected = chain.anchor_hash if chain else GENESIS_HASH
    events = AuditEvent.objects.order_by("id")
    if head_id is not None:
        events = events.filter(id__lte=head_id)
    checked = 0
    last_id = anchor_id
    for event in events.iterator(chunk_size=batch_size):
        if event_hash(event.prev_hash, event_content(event)) != event.hash:
            return AuditVerifyReport(checked=checked, broken_id=event.pk, kind="altered")
        if event.prev_hash != expected:
            moved = AuditEvent.objects.filter(hash=event.prev_hash).exclude(pk=event.pk).exists()
            kind = "reordered" if moved else "deleted"
            return AuditVerifyReport(checked=checked, broken_id=event.pk, kind=kind)
        expected = event.hash
        last_id = event.pk
        checked += 1
    if last_id != head_id or expected != head_hash:
        missing_tail = head_id is not None and (last_id is None or last_id < head_id)
        return AuditVerifyReport(
            checked=checked, broken_id=head_id, kind="deleted" if missing_tail else "head"
        )
    return AuditVerifyReport(checked=checked)


# --- Purging ----------------------------------------------------------------------------------


def _set_purge_guard(chain: AuditChain, *, on: bool) -> None:
    """Open or close the delete trigger's guard, for this transaction only."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('fangpin.audit_purge', %s, true)", ["on" if on else ""]
            )
    AuditChain.objects.filter(pk=chain.pk).update(is_purging=on)


def audit_purge(*, actor: Any, before: date) -> int:
    """Delete the events older than ``before`` (local midnight); return how many.

    Refuses a cut-off less than 180 days ago (网络安全法 Art. 21). Deletes a prefix of the
    chain only: nothing at or after the first event recorded on or after the cut-off, so clock
    skew can keep an old event but never loses a young one. The last deleted event's hash
    becomes the anchor the first remaining event must chain onto. Audited as ``audit.purge``.
    """
    latest_allowed = timezone.localdate() - timedelta(days=RETENTION_DAYS)
    if before > latest_allowed:
        raise AuditError(
            "retention",
            f"审计记录至少在线保存 {RETENTION_DAYS} 天：清理截止日期不得晚于 "
            f"{latest_allowed:%Y-%m-%d}（收到 {before:%Y-%m-%d}）。",
        )
    cutoff = datetime.combine(before, time.min, tzinfo=timezone.get_current_timezone())
    with transaction.atomic():
        chain = _chain_locked()
        first_kept = (
            AuditEvent.objects.filter(at__gte=cutoff).order_by("id").values_list("id", flat=True)
        ).first()
        doomed = AuditEvent.objects.filter(at__lt=cutoff)
        if first_kept is not None:
            doomed = doomed.filter(id__lt=first_kept)
        last = doomed.order_by("-id").values("id", "hash").first()
        deleted = 0
        if last is not None:
            _set_purge_guard(chain, on=True)
            deleted, _by_model = AuditEvent.objects.filter(id__lte=last["id"]).delete()
            _set_purge_guard(chain, on=False)
            AuditChain.objects.filter(pk=chain.pk).update(
                anchor_id=last["id"], anchor_hash=last["hash"], purged_before=before
            )
        audit_record(
            actor=actor,
            action="audit.purge",
            object_type="audit_log",
            object_id=before.isoformat(),
            changes={
                "before": before.isoformat(),
                "deleted": deleted,
                "anchor_id": last["id"] if last else chain.anchor_id,
            },
        )
    return deleted
