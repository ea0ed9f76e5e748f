"""挂牌督战 (listed supervision, docs/ledger.md): regions listed with their target items and a
deadline, their progress (items done, problems open and overdue, 清零), items marked done by
the region's staff, and 摘牌 only when everything is done and the region is zeroed.

Reading needs ``registry.view`` in scope (a village sees that its township is listed);
listing and delisting need ``findings.write``; marking an item done ``findings.write`` or
``registry.edit`` in scope. The services check again.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fangpin.core.access import FINDINGS_WRITE, REGISTRY_EDIT, user_can
from fangpin.supervision import selectors
from fangpin.supervision.errors import SupervisionError
from fangpin.supervision.models import DIMENSION_CHOICES, ListedRegion
from fangpin.supervision.services import listing_create, listing_delist, listing_target_done
from fangpin.web.views._common import pi_page, villages_in_scope

TARGET_ROWS = 5


class ListingForm(forms.Form):
    title = forms.CharField(label=_("督战名称"), max_length=100)
    region = forms.ChoiceField(label=_("督战区划"))
    listed_on = forms.DateField(label=_("挂牌日期"), widget=forms.DateInput(attrs={"type": "date"}))
    deadline = forms.DateField(label=_("督战期限"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region: Any = self.fields["region"]
        region.choices = regions
        for n in range(1, TARGET_ROWS + 1):
            self.fields[f"item_{n}"] = forms.CharField(
                label=_("督战事项 %(n)s") % {"n": n}, max_length=200, required=n == 1
            )
            self.fields[f"dimension_{n}"] = forms.ChoiceField(
                label=_("问题类别"), choices=DIMENSION_CHOICES, required=False
            )
            self.fields[f"target_deadline_{n}"] = forms.DateField(
                label=_("完成期限"),
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )

    def targets(self) -> list[tuple[str, str, Any]]:
        data = self.cleaned_data
        rows = []
        for n in range(1, TARGET_ROWS + 1):
            item = (data.get(f"item_{n}") or "").strip()
            if item:
                rows.append(
                    (
                        item,
                        data.get(f"dimension_{n}") or "procedure",
                        data.get(f"target_deadline_{n}") or data["deadline"],
                    )
                )
        return rows


def _regions(user: Any) -> list[tuple[str, str]]:
    home = getattr(user, "home_region", None)
    own = [(home.code, home.name)] if home is not None and home.level < 5 else []
    return [*own, *((r.code, r.name) for r in villages_in_scope(user))]


@require_http_methods(["GET", "POST"])
@pi_page
def listing_list_view(request: HttpRequest) -> HttpResponse:
    """挂牌督战: the listed regions one may see, and (for supervisors) the form to list one."""
    user: Any = request.user
    can_list = user_can(user, FINDINGS_WRITE)
    if request.method == "POST" and not can_list:
        raise PermissionDenied
    form = ListingForm(request.POST or None, regions=_regions(user)) if can_list else None
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            listing = listing_create(
                actor=user,
                region_code=data["region"],
                title=data["title"],
                listed_on=data["listed_on"],
                deadline=data["deadline"],
                targets=form.targets(),
                request=request,
            )
        except SupervisionError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("web:listing", listing_id=listing.public_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "web/listing_list.html",
        {"listings": selectors.listing_list(user=user)[:200], "form": form},
        status=status,
    )


def _listing_or_404(request: HttpRequest, listing_id: UUID) -> ListedRegion:
    try:
        return selectors.listing_get(user=request.user, public_id=listing_id)
    except ListedRegion.DoesNotExist:
        raise Http404 from None


def _detail(
    request: HttpRequest, listing: ListedRegion, *, error: str = "", status: int = 200
) -> HttpResponse:
    user: Any = request.user
    today = timezone.localdate()
    return render(
        request,
        "web/listing_detail.html",
        {
            "listing": listing,
            "targets": listing.targets.order_by("deadline", "id"),
            "progress": selectors.listing_progress(listing, today),
            "can_mark": user_can(user, FINDINGS_WRITE) or user_can(user, REGISTRY_EDIT),
            "can_delist": user_can(user, FINDINGS_WRITE),
            "today": today,
            "error": error,
        },
        status=status,
    )


@require_GET
@pi_page
def listing_detail_view(request: HttpRequest, listing_id: UUID) -> HttpResponse:
    return _detail(request, _listing_or_404(request, listing_id))


def _status(exc: SupervisionError) -> int:
    if exc.conflict:
        return 409
    return {"not_found": 404, "forbidden": 403}.get(exc.code, 400)


@require_POST
@pi_page
def listing_target_done_view(
    request: HttpRequest, listing_id: UUID, target_id: int
) -> HttpResponse:
    listing = _listing_or_404(request, listing_id)
    if not listing.targets.filter(pk=target_id).exists():
        raise Http404
    try:
        listing_target_done(
            actor=request.user,
            target_id=target_id,
            on=timezone.localdate(),
            note=request.POST.get("note", ""),
            request=request,
        )
    except SupervisionError as exc:
        return _detail(request, listing, error=exc.message, status=_status(exc))
    messages.success(request, _("已确认完成。"))
    return redirect("web:listing", listing_id=listing.public_id)


@require_POST
@pi_page
def listing_delist_view(request: HttpRequest, listing_id: UUID) -> HttpResponse:
    listing = _listing_or_404(request, listing_id)
    try:
        listing_delist(
            actor=request.user,
            public_id=listing.public_id,
            on=timezone.localdate(),
            request=request,
        )
    except SupervisionError as exc:
        return _detail(request, listing, error=exc.message, status=_status(exc))
    messages.success(request, _("已摘牌。"))
    return redirect("web:listing", listing_id=listing.public_id)
