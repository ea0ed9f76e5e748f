"""Edits of a household's own fields, for its history timeline.

``household_timeline`` (registry selectors) covers membership events and status changes; an
edit of the address or type lives only in the audit log (``household.update``, with masked
``[old, new]`` values). This reads those rows for **one household the caller has already
fetched through the scoped selector** — call it only after ``household_get`` succeeded.

TODO(registry): this belongs in ``fangpin.registry.selectors`` next to ``household_timeline``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from fangpin.core.models import AuditEvent
from fangpin.registry.models import Household

#: The fields whose edits are shown, with their Chinese labels.
_SHOWN = {
    "household_type": "户类型",
    "natural_village": "自然村",
    "address": "住址",
    "phone": "联系电话",
    "is_relocated": "易地扶贫搬迁户",
    "relocation_mode": "安置方式",
    "relocation_site": "安置点",
}
MAX_EDITS = 50


@dataclass(frozen=True, slots=True)
class FieldEdit:
    on: date
    label: str
    changes: list[tuple[str, str, str]]  # (field label, old, new), masked as audited


def _text(value: object) -> str:
    if value is True:
        return "是"
    if value is False:
        return "否"
    return "" if value is None else str(value)


def household_edits(*, household: Household) -> list[FieldEdit]:
    """The latest ``household.update`` events of ``household``, newest first (one query)."""
    rows = AuditEvent.objects.filter(
        object_type="household", object_id=str(household.pk), action="household.update"
    ).order_by("-at", "-pk")[:MAX_EDITS]
    edits = []
    for row in rows:
        changes = [
            (_SHOWN[name], _text(pair[0]), _text(pair[1]))
            for name, pair in (row.changes or {}).items()
            if name in _SHOWN and isinstance(pair, list) and len(pair) == 2
        ]
        if changes:
            edits.append(
                FieldEdit(on=timezone.localdate(row.at), label="信息修改", changes=changes)
            )
    return edits
