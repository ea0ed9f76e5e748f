"""A copy of every audit event outside the database (SEC-AUD-4, ASVS 16.4.3).

When a transaction that wrote audit events commits, each event goes, as one JSON line with its
chain hash, to the ``fangpin.audit`` logger. :class:`AuditSinkHandler` appends those lines to a
file (``FANGPIN_AUDIT_SINK``; by default ``$FANGPIN_VAR_DIR/log/audit.jsonl``; empty: off), and
an operator may add any other handler to that logger — syslog with ``FANGPIN_AUDIT_SYSLOG`` —
to ship them off the machine. Someone who can rewrite the database (and so could rebuild a
self-consistent hash chain) cannot reach the copies already shipped.

:func:`audit_sink_check` compares such a file with the database: every hash in the file must
still be in the log, unless the purge removed it (older than the purge cut-off). ``fangpin
audit verify --sink FILE`` runs it after the chain walk.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

__all__ = [
    "AuditSinkHandler",
    "SinkReport",
    "audit_sink_check",
    "audit_sink_path",
    "ship_on_commit",
]

logger = logging.getLogger("fangpin.audit")


def audit_sink_path() -> Path | None:
    """The sink file: ``FANGPIN_AUDIT_SINK``, else ``VAR_DIR/log/audit.jsonl``; None when off."""
    configured = getattr(settings, "FANGPIN_AUDIT_SINK", None)
    if configured == "":
        return None
    if configured:
        return Path(configured)
    return Path(settings.VAR_DIR) / "log" / "audit.jsonl"


class AuditSinkHandler(logging.Handler):
    """Append each record's message as one line to :func:`audit_sink_path`.

    The file is opened per event (events are few: a bulk load is one event), so the path
    follows the settings and an external log rotation needs no signal.
    """

    def emit(self, record: logging.LogRecord) -> None:
        path = audit_sink_path()
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as sink:
                sink.write(record.getMessage() + "\n")
        except OSError:
            self.handleError(record)


def _line(content: dict[str, Any], event_id: int, prev_hash: str, hash_: str) -> str:
    return json.dumps(
        {"id": event_id, **content, "prev_hash": prev_hash, "hash": hash_},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def ship_on_commit(content: dict[str, Any], event_id: int, prev_hash: str, hash_: str) -> None:
    """Send the event to the ``fangpin.audit`` logger once its transaction commits."""
    from django.db import transaction

    line = _line(content, event_id, prev_hash, hash_)
    transaction.on_commit(lambda: logger.info(line))


@dataclass(frozen=True, slots=True)
class SinkReport:
    """What a sink file says about the database's audit log."""

    lines: int
    purged: int
    missing: tuple[int, ...] = field(default=())  # event ids in the file, gone from the DB
    unreadable: tuple[int, ...] = field(default=())  # line numbers that are not events

    @property
    def is_consistent(self) -> bool:
        return not self.missing and not self.unreadable

    @property
    def message(self) -> str:
        if self.is_consistent:
            return f"外部审计副本与数据库一致：{self.lines} 条（其中 {self.purged} 条已按期清理）"
        parts = []
        if self.missing:
            shown = "、".join(f"#{i}" for i in self.missing[:10])
            more = f" 等 {len(self.missing)} 条" if len(self.missing) > 10 else ""
            parts.append(f"外部副本中的记录 {shown}{more} 在数据库中已不存在或被改写")
        if self.unreadable:
            parts.append(f"外部副本第 {self.unreadable[0]} 行无法解析")
        return "；".join(parts)


def _events(path: Path) -> Iterator[tuple[int, dict[str, Any] | None]]:
    with path.open(encoding="utf-8") as sink:
        for number, raw in enumerate(sink, start=1):
            if not raw.strip():
                continue
            try:
                item = json.loads(raw)
            except json.JSONDecodeError:
                yield number, None
                continue
            ok = isinstance(item, dict) and isinstance(item.get("hash"), str) and "at" in item
            yield number, item if ok else None


def audit_sink_check(path: Path, *, batch_size: int = 1000) -> SinkReport:
    """Check that every event in the sink file ``path`` is still in the database, unchanged.

    An event is matched by its hash, which covers its whole content; one the purge removed
    (recorded before the chain's ``purged_before`` date) is expected to be gone.
    """
    from fangpin.core.models import AuditChain, AuditEvent

    chain = AuditChain.objects.filter(pk=1).first()
    cutoff = None
    if chain is not None and chain.purged_before is not None:
        cutoff = datetime.combine(
            chain.purged_before, time.min, tzinfo=timezone.get_current_timezone()
        )
    lines = purged = 0
    missing: list[int] = []
    unreadable: list[int] = []
    batch: dict[str, int] = {}

    def flush() -> None:
        found = set(AuditEvent.objects.filter(hash__in=list(batch)).values_list("hash", flat=True))
        missing.extend(event_id for h, event_id in batch.items() if h not in found)
        batch.clear()

    for number, item in _events(path):
        if item is None:
            unreadable.append(number)
            continue
        lines += 1
        if cutoff is not None and datetime.fromisoformat(item["at"]) < cutoff:
            purged += 1
            continue
        batch[item["hash"]] = int(item.get("id", 0))
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return SinkReport(
        lines=lines, purged=purged, missing=tuple(sorted(missing)), unreadable=tuple(unreadable)
    )
