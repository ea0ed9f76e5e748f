"""Home (region navigation), household list and search, household page."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.db.models import Count, F
from django.db.models.functions import Substr
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fangpin import codes
from fangpin.core.access import PI_REVEAL, REGISTRY_EDIT, user_can
from fangpin.core.models import Region
from fangpin.core.scope import scope_prefix
from fangpin.core.selectors import region_children, region_path
from fangpin.registry import selectors
from fangpin.registry.models import Household
from fangpin.web.forms import HouseholdFilterForm, IdSearchForm, membership_forms
from fangpin.web.history import household_edits
from fangpin.web.views._common import pi_page, villages_in_scope

PAGE_SIZE = 50
MAX_PAGE = 200
"""Offset pages stop at 200 × 50 = 10,000 rows: past that, narrow the filters (docs/web.md)."""

_ID_LIKE = re.compile(r"^\s*(\d{15}|\d{17}[\dXx]|\d{17}[\dXx]\d{2})\s*$")

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
            grouped = (
                selectors.household_list(user=user)
                .filter(status="active")
                .order_by()
                .annotate(child=Substr(F("village_id"), 1, width))
                .values("child")
                .annotate(n=Count("pk"))
            )
            counts = {row["child"]: row["n"] for row in grouped}  # one grouped query
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
    return render(
        request,
        "web/home.html",
        {"region": region, "path": path, "children": children, "total": total, "prefix": prefix},
    )


def _prefix_of(code: str) -> str:
    from fangpin.regioncode import subtree_prefix

    return subtree_prefix(code)


def _list_context(request: HttpRequest) -> dict[str, Any]:
    user: Any = request.user
    villages = list(villages_in_scope(user))
    form = HouseholdFilterForm(request.GET or None, villages=villages)
    data = form.cleaned_data if form.is_valid() else {}
    query = (data.get("q") or "").strip()
    note = ""
    if _ID_LIKE.match(query):  # only on the POST page's empty form; GET redirects first
        query = ""
    region = data.get("region") or ""
    # Household numbers are digits, names are Chinese: a digits-only query is a number prefix
    # and skips the selector's OR over name and ID (which cannot use the number's index).
    is_number = query.isascii() and query.isdigit()
    qs = selectors.household_list(
        user=user,
        village_prefix=region or None,
        household_type=data.get("household_type") or None,
        search=None if is_number else (query or None),
    )
    if is_number:
        qs = qs.filter(household_number__startswith=query)
    status = data.get("status") or "active"
    if status != "all":
        qs = qs.filter(status=status)
    sort = data.get("sort") or "number"
    narrow = len(region) == 12 or bool(query)
    if sort in _NARROW_SORTS and not narrow:
        note = note or _("按户主姓名或人口数排序时请先选择一个村。")
        sort = "number"
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
    }


@require_GET
@pi_page
def household_list_view(request: HttpRequest) -> HttpResponse:
    """The list; an htmx request (a filter changed) gets only the results table."""
    query = request.GET.get("q", "")
    if _ID_LIKE.match(query):
        # An ID number must never travel in a URL (SEC-MSK-3): drop it, point to the POST form.
        messages.info(request, _("证件号码请在“按证件号码查找”中输入（不会出现在网址中）。"))
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
    """Find a household by a member's ID number, by POST so the number stays out of URLs."""
    form = IdSearchForm(request.POST)
    person = None
    if form.is_valid():
        person = selectors.person_find_by_id_number(
            user=request.user, id_number=form.cleaned_data["id_number"]
        )
    if person is not None:
        return redirect("web:household", household_id=person.household_id)
    context = _list_context(request)
    context["id_form"] = IdSearchForm()  # never echo the number back
    context["id_error"] = _("未找到持有该证件号码的在册人员（仅查找本辖区）。")
    return render(request, "web/household_list.html", context, status=200)


def _household_or_404(request: HttpRequest, household_id: int) -> Household:
    try:
        return selectors.household_get(user=request.user, household_id=household_id)
    except Household.DoesNotExist:
        raise Http404("未找到该农户") from None


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
    health = codes.table("health")
    labour = codes.table("labour_ability")
    sex = codes.table("sex")
    status = codes.table("person_status")
    rows = [
        {
            "person": p,
            "relation": relation.label(p.relation),
            "health": health.label(p.health),
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
    }


@require_GET
@pi_page
def household_detail(request: HttpRequest, household_id: int) -> HttpResponse:
    household = _household_or_404(request, household_id)
    return render(request, "web/household_detail.html", household_context(request, household))
