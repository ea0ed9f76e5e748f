"""Home (region navigation), household list and search, household page."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fangpin import codes
from fangpin.assistance.policy import category_names
from fangpin.assistance.selectors import households_with_measure
from fangpin.casework import selectors as case_selectors
from fangpin.casework.cases import actor_for
from fangpin.casework.errors import CaseworkError
from fangpin.core.access import CASE_DECIDE, CLUE_VERIFY, PI_REVEAL, REGISTRY_EDIT, user_can
from fangpin.core.alerts import household_reads_record
from fangpin.core.models import Region
from fangpin.core.scope import scope_prefix
from fangpin.core.selectors import region_children, region_path
from fangpin.registry import selectors
from fangpin.registry.masking import mask_health
from fangpin.registry.models import NOT_MONITORED, Household
from fangpin.web.forms import HouseholdFilterForm, IdSearchForm, membership_forms
from fangpin.web.history import household_edits
from fangpin.web.views._common import pi_page, villages_in_scope

PAGE_SIZE = 50
MAX_PAGE = 200
"""Offset pages stop at 200 × 50 = 10,000 rows: past that, narrow the filters (docs/web.md)."""

_ID_LIKE = re.compile(r"^\s*(\d{15}|\d{17}[\dXx]|\d{17}[\dXx]\d{2})\s*$")
#: A mobile (1[3-9] + 9 digits) or a landline with its area code: personal, so POST only too.
_PHONE_LIKE = re.compile(r"^\s*(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})\s*$")

SORTS = {
    "number": ("household_number",),
    "-number": ("-household_number",),
    "head": ("head_name", "household_number"),
    "members": ("-member_count", "household_number"),
}
#: Sorts that compute a value for every row: offered only within one village (docs/web.md).
_NARROW_SORTS = {"head", "members"}


@require_GET
@pi_page
def home(request: HttpRequest) -> HttpResponse:
    """The home region, its children and the number of active households under each child."""
    user: Any = request.user
    prefix = scope_prefix(user) or ""
    region = user.home_region
    children: list[dict[str, Any]] = []
    path: list[Region] = []
    total = 0
    if region is not None:
        path = region_path(code=region.code)
        kids = list(region_children(code=region.code, on=timezone.localdate()))
        if kids:
            width = len(_prefix_of(kids[0].code))
            counts = selectors.active_household_counts(user=user, width=width)
            children = [
                {
                    "region": kid,
                    "prefix": _prefix_of(kid.code),
                    "count": counts.get(_prefix_of(kid.code), 0),
                }
                for kid in kids
            ]
            total = sum(counts.values())
        else:
            total = selectors.household_list(user=user).filter(status="active").order_by().count()
    todo = None
    if user_can(user, CASE_DECIDE):
        try:
            level = int(actor_for(user).level)
        except CaseworkError:
            level = 0
        if level:
            waiting, overdue = case_selectors.case_todo(user, level)
            todo = {"waiting": waiting, "overdue": overdue}
    return render(
        request,
        "web/home.html",
        {
            "region": region,
            "path": path,
            "children": children,
            "total": total,
            "prefix": prefix,
            "todo": todo,
        },
    )


def _prefix_of(code: str) -> str:
    from fangpin.regioncode import subtree_prefix

    return subtree_prefix(code)


def filtered_households(
    user: Any, data: dict[str, Any], query: str
) -> tuple[QuerySet[Household], str, bool]:
    """The household list's rows for the valid filter values ``data`` and the search
    ``query`` (not an ID number), unsorted; the sort to use; and whether the asked sort could
    be used (sorting by head or members needs one village or a search). Shared by the page and
    its export (``fangpin.web.export_lists``), so both list the same rows."""
    region = data.get("region") or ""
    # Household numbers are digits, names are Chinese: a digits-only query is a number prefix
    # and skips the selector's OR over name and ID (which cannot use the number's index).
    is_number = query.isascii() and query.isdigit()
    qs = selectors.household_list(
        user=user,
        village_prefix=region or None,
        household_type=data.get("household_type") or None,
        search=None if is_number else (query or None),
        monitoring_status=data.get("monitoring_status") or None,
        monitoring_type=data.get("monitoring_type") or None,
        risk_type=data.get("risk_type") or None,
        identified_month=data.get("identified"),
        eliminated_month=data.get("eliminated"),
    )
    if data.get("measure"):
        qs = households_with_measure(qs, data["measure"])
    if is_number:
        qs = qs.filter(household_number__startswith=query)
    status = data.get("status") or "active"
    if status != "all":
        qs = qs.filter(status=status)
    sort = data.get("sort") or "number"
    if sort in _NARROW_SORTS and not (len(region) == 12 or bool(query)):
        return qs, "number", False
    return qs, sort, True


def _list_context(request: HttpRequest) -> dict[str, Any]:
    user: Any = request.user
    villages = list(villages_in_scope(user))
    form = HouseholdFilterForm(request.GET or None, villages=villages)
    data = form.cleaned_data if form.is_valid() else {}
    query = (data.get("q") or "").strip()
    note = ""
    if _ID_LIKE.match(query):  # only on the POST page's empty form; GET redirects first
        query = ""
    qs, sort, narrowed = filtered_households(user, data, query)
    if not narrowed:
        note = _("按户主姓名或人口数排序时请先选择一个村。")
    page = data.get("page") or 1
    offset = (page - 1) * PAGE_SIZE
    rows = list(qs.order_by(*SORTS[sort])[offset : offset + PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE and page < MAX_PAGE
    params = request.GET.copy()
    params.pop("page", None)
    return {
        "form": form,
        "id_form": IdSearchForm(),
        "households": rows[:PAGE_SIZE],
        "page": page,
        "has_next": has_next,
        "has_previous": page > 1,
        "query_string": params.urlencode(),
        "note": note,
        "sort": sort,
        "type_labels": dict(codes.table("household_type").choices()),
        "can_edit": user_can(user, REGISTRY_EDIT),
        "measure_label": _measure_label(user, data.get("measure") or ""),
    }


def _measure_label(user: Any, category: str) -> str:
    """The Chinese name of a measure category filter (the dashboards link with its code)."""
    if not category:
        return ""
    region = (scope_prefix(user) or "").ljust(12, "0")
    names = category_names(region, timezone.localdate().year)
    return names.get(category, category)


@require_GET
@pi_page
def household_list_view(request: HttpRequest) -> HttpResponse:
    """The list; an htmx request (a filter changed) gets only the results table."""
    query = request.GET.get("q", "")
    if _ID_LIKE.match(query) or _PHONE_LIKE.match("".join(query.split())):
        # An ID or phone number must never travel in a URL (SEC-MSK-3): drop it, point to the
        # POST form.
        messages.info(
            request, _("证件号码或电话号码请在“按证件号码或电话查找”中输入（不会出现在网址中）。")
        )
        params = request.GET.copy()
        params.pop("q")
        params.pop("page", None)
        target = reverse("web:household_list") + (f"?{params.urlencode()}" if params else "")
        response = redirect(target)
        response["HX-Redirect"] = target
        return response
    context = _list_context(request)
    if (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Target") == "results"
    ):
        return render(request, "web/_results.html", context)
    return render(request, "web/household_list.html", context)


@require_POST
@pi_page
def household_find(request: HttpRequest) -> HttpResponse:
    """Find a household by a member's ID number or a phone number, by POST so the number stays
    out of URLs. One household found: its page; several (a shared phone): their list; none: the
    list with a message. The number is never echoed back."""
    form = IdSearchForm(request.POST)
    typed = form.cleaned_data["id_number"] if form.is_valid() else ""
    if _PHONE_LIKE.match("".join(typed.split())):
        found = list(
            selectors.household_list(user=request.user, search="".join(typed.split()))
            .order_by()
            .values_list("public_id", flat=True)[:51]
        )
        if len(found) == 1:
            return redirect("web:household", household_id=found[0])
        context = _list_context(request)
        context["id_form"] = IdSearchForm()
        if found:
            context["households"] = list(
                selectors.household_list(user=request.user).filter(public_id__in=found)[:50]
            )
            context["has_next"] = False
            context["id_error"] = _("该电话号码对应多户，见下表（仅查找本辖区）。")
        else:
            context["id_error"] = _("未找到使用该电话号码的农户或在册人员（仅查找本辖区）。")
        return render(request, "web/household_list.html", context, status=200)
    person = None
    if typed:
        person = selectors.person_find_by_id_number(user=request.user, id_number=typed)
    if person is not None:
        return redirect("web:household", household_id=person.household.public_id)
    context = _list_context(request)
    context["id_form"] = IdSearchForm()  # never echo the number back
    context["id_error"] = _("未找到持有该证件号码的在册人员（仅查找本辖区）。")
    return render(request, "web/household_list.html", context, status=200)


def _household_or_404(request: HttpRequest, household_id: UUID) -> Household:
    """The household whose public UUID is in the path (SEC-MSK-3), or 404 (missing and out of
    scope alike)."""
    try:
        household = selectors.household_get(user=request.user, public_id=household_id)
    except Household.DoesNotExist:
        raise Http404("未找到该农户") from None
    # Every page built on this shows one household in detail: count it (SEC-AUD-6).
    household_reads_record(user=request.user, household_ids=[household.pk], request=request)
    return household


def household_context(request: HttpRequest, household: Household) -> dict[str, Any]:
    """Everything the household page shows (also re-rendered with a form's errors)."""
    user: Any = request.user
    members = list(
        selectors.household_members(user=user, household_id=household.pk, include_inactive=True)
    )
    active = [p for p in members if p.status == "active"]
    finances = list(
        selectors.finance_list(user=user).filter(household_id=household.pk).order_by("-year")
    )
    checklist = selectors.household_checklist(
        user=user, household_id=household.pk, on=timezone.localdate()
    )
    timeline: list[tuple[Any, str, Any]] = [
        (e.on, "event", e)
        for e in selectors.household_timeline(user=user, household_id=household.pk)
    ]
    timeline += [(e.on, "edit", e) for e in household_edits(household=household)]
    timeline.sort(key=lambda item: item[0], reverse=True)  # stable: same-day order kept
    relation = codes.table("relation")
    health = _(mask_health())  # every member alike: health details are masked (masking.py)
    labour = codes.table("labour_ability")
    sex = codes.table("sex")
    status = codes.table("person_status")
    rows = [
        {
            "person": p,
            "relation": relation.label(p.relation),
            "health": health,
            "labour": labour.label(p.labour_ability),
            "sex": sex.label(p.sex),
            "status": status.label(p.status),
        }
        for p in members
    ]
    dimensions = [
        (_("不愁吃"), checklist.food),
        (_("不愁穿"), checklist.clothing),
        (_("义务教育有保障"), checklist.compulsory_education),
        (_("基本医疗有保障"), checklist.medical_insurance),
        (_("住房安全有保障"), checklist.housing),
        (_("饮水安全有保障"), checklist.water),
    ]
    cases = list(case_selectors.case_list(user).filter(household=household)[:20])
    return {
        "household": household,
        "type_label": codes.table("household_type").label(household.household_type),
        "status_label": codes.table("household_status").label(household.status),
        "members": rows,
        "active_members": active,
        "finances": finances,
        "checklist": checklist,
        "dimensions": dimensions,
        "timeline": timeline,
        "relation_labels": relation,
        "can_edit": user_can(user, REGISTRY_EDIT) and household.status == "active",
        "can_reveal": user_can(user, PI_REVEAL),
        "forms": membership_forms(active),
        "monitoring": monitoring_context(user=user, household=household),
        "cases": cases,
        "can_record_clue": user_can(user, CLUE_VERIFY) and household.status == "active",
        "can_propose_elimination": user_can(user, CASE_DECIDE)
        and household.monitoring_status == "open"
        and not any(c.kind == "elimination" and c.is_open for c in cases),
    }


def _month(value: Any) -> str:
    return f"{value:%Y}年{value:%m}月" if value else ""


def monitoring_context(*, user: object, household: Household) -> dict[str, Any] | None:
    """The 「监测帮扶」 block: the current spell and the earlier ones; ``None`` if never
    monitored. Months as the national system shows them (YYYY年MM月).

    A household whose status is "none" has no current spell, so no spells: no query then
    (the page of an unmonitored household costs what it did before).
    """
    if household.monitoring_status == NOT_MONITORED:
        return None
    spells = selectors.household_monitorings(user=user, household_id=household.pk)
    if not spells:
        return None
    kinds, modes = codes.table("monitoring_type"), codes.table("elimination_mode")
    risk_types, subtypes = codes.table("risk_type"), codes.table("disaster_subtype")
    views: list[dict[str, Any]] = [
        {
            "spell": s,
            "type": kinds.label(s.object_type),
            "status": codes.table("monitoring_status").label(s.status),
            "identified": _month(s.identified_month),
            "eliminated": _month(s.eliminated_month),
            "mode": modes.label(s.elimination_mode) if s.elimination_mode else "",
            "risks": [
                (
                    r.position,
                    risk_types.label(r.risk_type),
                    subtypes.label(r.disaster_subtype) if r.disaster_subtype else "",
                )
                for r in s.risks.all()
            ],
        }
        for s in spells
    ]
    current = next((v for v in views if v["spell"].is_current), None)
    return {"current": current, "earlier": [v for v in views if v is not current]}


@require_GET
@pi_page
def household_detail(request: HttpRequest, household_id: UUID) -> HttpResponse:
    household = _household_or_404(request, household_id)
    return render(request, "web/household_detail.html", household_context(request, household))
