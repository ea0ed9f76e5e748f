"""The exportable lists: for each, its columns, its scoped and filtered rows, and each row's cells.

Every list reads through the selector its page uses, with the page's own filter form, so an
export holds exactly the rows the page would show for the same filters (all pages of them),
in the page's order. The region scope is the selector's (SEC-AC-2). Invalid filters are refused
(``ExportError("filters")``) where the page would silently ignore them: an export should never
be wider than the user asked for.

Cells are masked unless ``unmasked`` is true: ID numbers and phone numbers come from the stored
masked columns; names are shown as the pages show them (household heads in clear, declarants
masked). ``unmasked`` is only ever passed for an approved unmasked request or the system: the
cells are then decrypted here, in bulk, and never logged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from django.db.models import CharField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.forms import Form
from django.utils import timezone

from fangpin import codes
from fangpin.casework import selectors as case_selectors
from fangpin.core.access import REGISTRY_VIEW
from fangpin.core.exports import ExportError
from fangpin.core.pi import pi_decrypt
from fangpin.core.selectors import region_villages_in_scope
from fangpin.fieldcrypto import CryptoError
from fangpin.registry.models import (
    ACTIVE,
    HEAD,
    HOUSEHOLD_PHONE_CONTEXT,
    ID_NUMBER_CONTEXT,
    Person,
)
from fangpin.sheets.writer import Column
from fangpin.web.forms import STATUS_CHOICES, HouseholdFilterForm
from fangpin.web.views._common import region_filter_choices
from fangpin.web.views.cases import LEVEL_ZH, CaseFilterForm, step_label
from fangpin.web.views.clues import ClueFilterForm

# The household page's own rules (fangpin/web/views/households.py), kept in step with it.
from fangpin.web.views.households import _ID_LIKE, _PHONE_LIKE, SORTS, filtered_households

__all__ = ["CASES", "CLUES", "HOUSEHOLDS", "ExportList", "Rows", "as_iterable", "row_count"]

UNREADABLE = "（无法解密）"
"""A cell whose stored token fails authentication: the export goes on, the cell says so."""

Rows = QuerySet[Any] | list[Any]


@dataclass(frozen=True, slots=True)
class ExportList:
    """One exportable list.

    ``rows(user, filters)`` is the scoped, filtered, ordered queryset (or list);
    ``cells(row, unmasked)`` one row's values in column order. ``may_export(user)`` is an extra
    check beyond ``capability`` (the feed pages' right). ``has_pi``: the list holds ID or phone
    numbers, so an unmasked export of it means something.
    """

    name: str
    title: str
    page_url: str
    columns: tuple[Column, ...]
    filters: tuple[str, ...]
    rows: Callable[[Any, dict[str, str]], Rows]
    cells: Callable[[Any, bool], Sequence[object]]
    has_pi: bool = False
    capability: str = REGISTRY_VIEW
    may_export: Callable[[Any], bool] = lambda user: True


def _open(token: str, context: str) -> str:
    try:
        return pi_decrypt(token, context=context)
    except CryptoError:
        return UNREADABLE


@cache
def _labels(table: str) -> dict[str, str]:
    return {v.code: v.zh for v in codes.table(table).values}


def _label(table: str, code: str) -> str:
    return _labels(table).get(code, code) if code else ""


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _form_data(form_class: type[Form], filters: dict[str, str], **kwargs: Any) -> dict[str, Any]:
    """The page's filter form's cleaned data, or ``ExportError`` naming the first bad field."""
    if not filters:
        return {}
    form = form_class(filters, **kwargs)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        label = form.fields[field].label if field in form.fields else field
        raise ExportError("filters", f"筛选条件“{label}”不正确：{errors[0]}")
    return dict(form.cleaned_data)


def _village_pairs(user: Any) -> list[tuple[str, str]]:
    return [(r.code, r.name) for r in region_villages_in_scope(user=user)]


# --- 农户 ---------------------------------------------------------------------------------------


_HOUSEHOLD_STATUS = dict(STATUS_CHOICES)


def _household_rows(user: Any, filters: dict[str, str]) -> QuerySet[Any]:
    villages = list(region_villages_in_scope(user=user))
    data = _form_data(HouseholdFilterForm, filters, villages=villages)
    query = (data.get("q") or "").strip()
    if _ID_LIKE.match(query) or _PHONE_LIKE.match("".join(query.split())):
        raise ExportError("filters", "证件号码或电话号码不能作为导出的筛选条件。")
    qs, sort, _narrowed = filtered_households(user, data, query)  # the page's rows and sort
    head = Person.objects.filter(household=OuterRef("pk"), relation=HEAD, status=ACTIVE)
    return qs.annotate(
        head_id_masked=Coalesce(
            Subquery(head.values("id_number_masked")[:1]), Value(""), output_field=CharField()
        ),
        head_id_encrypted=Coalesce(
            Subquery(head.values("id_number_encrypted")[:1]), Value(""), output_field=CharField()
        ),
    ).order_by(*SORTS[sort])


def _household_cells(h: Any, unmasked: bool) -> list[object]:
    return [
        h.household_number,
        h.head_name,
        _open(h.head_id_encrypted, ID_NUMBER_CONTEXT) if unmasked else h.head_id_masked,
        _open(h.phone_encrypted, HOUSEHOLD_PHONE_CONTEXT) if unmasked else h.phone_masked,
        h.member_count,
        h.village.name,
        h.natural_village,
        _label("household_type", h.household_type),
        _HOUSEHOLD_STATUS.get(h.status, h.status),
        "" if h.monitoring_status == "none" else _label("monitoring_status", h.monitoring_status),
        _label("monitoring_type", h.monitoring_type) if h.monitoring_status != "none" else "",
    ]


HOUSEHOLDS = ExportList(
    name="households",
    title="农户列表",
    page_url="web:household_list",
    columns=(
        Column("household_number", "户编号", width=22),
        Column("head_name", "户主"),
        Column("head_id", "户主证件号码", width=22),
        Column("phone", "联系电话", width=16),
        Column("members", "人口", "int"),
        Column("village", "所在村", width=14),
        Column("natural_village", "自然村"),
        Column("household_type", "户类型", width=14),
        Column("status", "户状态"),
        Column("monitoring_status", "监测状态"),
        Column("monitoring_type", "监测对象类别", width=16),
    ),
    filters=(
        "q",
        "region",
        "household_type",
        "status",
        "monitoring_status",
        "monitoring_type",
        "risk_type",
        "identified",
        "eliminated",
        "measure",
        "sort",
    ),
    rows=_household_rows,
    cells=_household_cells,
    has_pi=True,
)


# --- 认定与消除案件 ------------------------------------------------------------------------------


def _case_rows(user: Any, filters: dict[str, str]) -> QuerySet[Any]:
    data = _form_data(CaseFilterForm, filters, regions=region_filter_choices(user))
    level: int | None = None
    if data.get("mine"):
        from fangpin.casework.cases import actor_for
        from fangpin.casework.errors import CaseworkError

        try:
            level = int(actor_for(user).level)
        except CaseworkError:
            level = None
    cases = case_selectors.case_list(
        user,
        kind=data.get("kind") or None,
        is_open={"open": True, "closed": False}.get(data.get("state") or ""),
        overdue={"yes": True, "no": False}.get(data.get("overdue") or ""),
        pending_level=level,
        village_code=data.get("village") or None,
    )
    return cases.select_related("household__village")


def _case_cells(c: Any, unmasked: bool) -> list[object]:
    del unmasked  # no number in this list
    return [
        c.household.household_number,
        c.head_name,
        c.household.village.name,
        c.get_kind_display(),
        step_label(c.step),
        LEVEL_ZH.get(c.pending_level or 0, "") if c.is_open else "",
        c.opened_on,
        c.due_on,
        "是" if c.is_overdue else "否",
    ]


CASES = ExportList(
    name="cases",
    title="认定与消除案件",
    page_url="web:cases",
    columns=(
        Column("household_number", "户编号", width=22),
        Column("head_name", "户主"),
        Column("village", "所在村", width=14),
        Column("kind", "类别"),
        Column("step", "当前环节", width=18),
        Column("pending", "待办层级"),
        Column("opened_on", "受理日期", "date", width=12),
        Column("due_on", "办结期限", "date", width=12),
        Column("overdue", "是否逾期"),
    ),
    filters=("kind", "state", "overdue", "mine", "village"),
    rows=_case_rows,
    cells=_case_cells,
)


# --- 预警线索 ------------------------------------------------------------------------------------


def _clue_rows(user: Any, filters: dict[str, str]) -> QuerySet[Any]:
    data = _form_data(ClueFilterForm, filters, regions=region_filter_choices(user))
    clues = case_selectors.clue_list(
        user,
        status=data.get("status") or None,
        overdue={"yes": True, "no": False}.get(data.get("overdue") or ""),
        rule_code=data.get("rule") or None,
        village_code=data.get("village") or None,
        month=data.get("month"),
    )
    return clues.select_related("household__village")


def _clue_cells(c: Any, unmasked: bool) -> list[object]:
    del unmasked  # no number in this list
    result = c.get_outcome_display() if c.status == "verified" else c.get_status_display()
    return [
        c.household.household_number,
        c.head_name,
        c.household.village.name,
        c.get_channel_display(),
        c.received_on,
        c.verify_deadline,
        c.first_reason,
        c.warning_count,
        result,
        "是" if c.is_overdue else "否",
        c.note,
    ]


CLUES = ExportList(
    name="clues",
    title="预警线索",
    page_url="web:clues",
    columns=(
        Column("household_number", "户编号", width=22),
        Column("head_name", "户主"),
        Column("village", "所在村", width=14),
        Column("channel", "来源"),
        Column("received_on", "接收日期", "date", width=12),
        Column("verify_deadline", "核实期限", "date", width=12),
        Column("reason", "预警原因", width=40),
        Column("warnings", "预警条数", "int"),
        Column("result", "核实结果", width=14),
        Column("overdue", "是否逾期"),
        Column("note", "核实说明", width=40),
    ),
    filters=("status", "overdue", "rule", "village", "month"),
    rows=_clue_rows,
    cells=_clue_cells,
)


def as_iterable(rows: Rows) -> Iterable[Any]:
    """Rows for writing: a queryset is streamed from the database in chunks of 2,000."""
    return rows if isinstance(rows, list) else rows.iterator(chunk_size=2000)


def row_count(rows: Rows) -> int:
    return len(rows) if isinstance(rows, list) else rows.order_by().count()
