"""Pages of assistance: the plan (一户一策) of a household, measure forms, visits, coverage.

Every page needs ``registry.view`` (403 otherwise, audited) and a household inside the scope
(404 exactly like a missing one); the forms need ``plan.edit`` (403 otherwise, audited). A
stale measure form answers 409 with nothing changed. Photos are streamed by
:func:`visit_photo` only to viewers whose scope covers the household, never as static files.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fangpin.assistance import selectors, services
from fangpin.assistance.errors import AssistanceError
from fangpin.assistance.forms import MeasureForm, StopForm, VisitForm
from fangpin.assistance.models import (
    MAX_PHOTO_BYTES,
    MAX_PHOTOS,
    Measure,
    MeasureStatus,
    VisitPhoto,
)
from fangpin.core.access import PLAN_EDIT, REGISTRY_VIEW, user_can
from fangpin.core.audit import audit_record
from fangpin.core.models import AuditResult
from fangpin.registry.models import Household

NOT_FOUND = "未找到该农户"


def _no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


def _require(request: HttpRequest, capability: str) -> None:
    """403 for a user without ``capability``, audited as ``authz.denied``."""
    if user_can(request.user, capability):
        return
    with transaction.atomic():
        audit_record(
            actor=request.user,
            action="authz.denied",
            object_type="page",
            object_id=request.path[:64],
            changes={"attempted": capability, "reason": "capability"},
            result=AuditResult.DENIED,
            request=request,
        )
    raise PermissionDenied


def _household_or_404(request: HttpRequest, household_id: UUID) -> Household:
    try:
        return selectors.household_for_plan(user=request.user, public_id=household_id)
    except Household.DoesNotExist:
        raise Http404(NOT_FOUND) from None


def _measure_form(
    view: selectors.PlanView,
    *args: Any,
    risks: list[tuple[str, str]] | None = None,
    **kwargs: Any,
) -> MeasureForm:
    return MeasureForm(
        *args,
        categories=view.categories,
        risks=view.risks if risks is None else risks,
        members=[(p.pk, p.name) for p in view.members],
        **kwargs,
    )


def _plan_page(
    request: HttpRequest,
    household: Household,
    *,
    form: MeasureForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    view = selectors.plan_view(user=request.user, household=household, on=today)
    context = {
        "household": household,
        "view": view,
        "form": form or _measure_form(view, initial={"start_date": today, "status": "in_progress"}),
        "stop_form": StopForm(initial={"stopped_on": today}),
        "visits": list(selectors.visit_list(user=request.user, household_id=household.pk)[:20]),
        "can_edit": user_can(request.user, PLAN_EDIT),
        "error": error,
        "status_labels": dict(MeasureStatus.choices),
    }
    return _no_store(render(request, "assistance/plan.html", context, status=status))


@require_GET
def plan_page(request: HttpRequest, household_id: UUID) -> HttpResponse:
    """The plan: check warnings on top, measures grouped by risk, visits, the add form."""
    _require(request, REGISTRY_VIEW)
    return _plan_page(request, _household_or_404(request, household_id))


def _error_status(exc: AssistanceError) -> int:
    if exc.code == "not_found":
        raise Http404(NOT_FOUND)
    return 409 if exc.is_conflict else 400


@require_POST
def measure_add(request: HttpRequest, household_id: UUID) -> HttpResponse:
    _require(request, REGISTRY_VIEW)
    _require(request, PLAN_EDIT)
    household = _household_or_404(request, household_id)
    view = selectors.plan_view(user=request.user, household=household, on=timezone.localdate())
    form = _measure_form(view, request.POST)
    if not form.is_valid():
        return _plan_page(request, household, form=form, error="请检查填写的内容", status=400)
    try:
        services.measure_create(
            actor=request.user,
            household_id=household.pk,
            values=form.measure_input(),
            request=request,
        )
    except AssistanceError as exc:
        return _plan_page(
            request, household, form=form, error=exc.message, status=_error_status(exc)
        )
    messages.success(request, "已添加帮扶措施")
    return redirect("assistance:plan", household_id=household.public_id)


def _measure_or_404(request: HttpRequest, household: Household, measure_id: UUID) -> Measure:
    try:
        return selectors.measure_get(user=request.user, household=household, public_id=measure_id)
    except Measure.DoesNotExist:
        raise Http404("未找到该帮扶措施") from None


@require_http_methods(["GET", "POST"])
def measure_edit(request: HttpRequest, household_id: UUID, measure_id: UUID) -> HttpResponse:
    """GET: the measure's form with its values; POST: save (409 when someone saved first)."""
    _require(request, REGISTRY_VIEW)
    _require(request, PLAN_EDIT)
    household = _household_or_404(request, household_id)
    measure = _measure_or_404(request, household, measure_id)
    view = selectors.plan_view(user=request.user, household=household, on=timezone.localdate())
    # The risks of the measure's own spell (an earlier spell's measure keeps its risks).
    risks = selectors.spell_risks(monitoring_id=measure.plan.monitoring_id)
    error = ""
    status = 200
    if request.method == "POST":
        form = _measure_form(view, request.POST, risks=risks)
        if form.is_valid():
            try:
                services.measure_update(
                    actor=request.user,
                    measure_id=measure.pk,
                    expected_version=form.cleaned_data["version"] or 0,
                    values=form.measure_input(),
                    request=request,
                )
            except AssistanceError as exc:
                error, status = exc.message, _error_status(exc)
            else:
                messages.success(request, "已保存帮扶措施")
                return redirect("assistance:plan", household_id=household.public_id)
        else:
            error, status = "请检查填写的内容", 400
    else:
        form = _measure_form(
            view,
            risks=risks,
            initial={
                "version": measure.version,
                "category": measure.category,
                "item": measure.item,
                "responsible_department": measure.responsible_department,
                "responsible_person": measure.responsible_person,
                "person": measure.person_id,
                "risk_types": measure.risk_types,
                "start_date": measure.start_date,
                "end_date": measure.end_date,
                "amount": measure.amount,
                "status": measure.status,
                "evidence": measure.evidence,
            },
        )
    context = {
        "household": household,
        "measure": measure,
        "form": form,
        "error": error,
        "stale": status == 409,
    }
    return _no_store(render(request, "assistance/measure_edit.html", context, status=status))


@require_POST
def measure_stop(request: HttpRequest, household_id: UUID, measure_id: UUID) -> HttpResponse:
    _require(request, REGISTRY_VIEW)
    _require(request, PLAN_EDIT)
    household = _household_or_404(request, household_id)
    measure = _measure_or_404(request, household, measure_id)
    form = StopForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, household, error="请填写终止日期和终止原因", status=400)
    try:
        services.measure_stop(
            actor=request.user,
            measure_id=measure.pk,
            expected_version=form.cleaned_data["version"],
            stopped_on=form.cleaned_data["stopped_on"],
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except AssistanceError as exc:
        return _plan_page(request, household, error=exc.message, status=_error_status(exc))
    messages.success(request, "已终止帮扶措施")
    return redirect("assistance:plan", household_id=household.public_id)


@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest, household_id: UUID) -> HttpResponse:
    """The visit form (for a phone): date, findings, up to six photos."""
    _require(request, REGISTRY_VIEW)
    _require(request, PLAN_EDIT)
    household = _household_or_404(request, household_id)
    error = ""
    status = 200
    if request.method == "POST":
        form = VisitForm(request.POST)
        files = request.FILES.getlist("photos")
        if form.is_valid():
            too_big = next((f for f in files if (f.size or 0) > MAX_PHOTO_BYTES), None)
            try:
                if too_big is not None:  # refuse before reading it into memory
                    raise AssistanceError("photos", f"照片“{too_big.name}”超过8MB", field="photos")
                if len(files) > MAX_PHOTOS:
                    raise AssistanceError(
                        "photos", f"每次走访最多上传{MAX_PHOTOS}张照片", field="photos"
                    )
                services.visit_record(
                    actor=request.user,
                    household_id=household.pk,
                    visited_on=form.cleaned_data["visited_on"],
                    findings=form.cleaned_data["findings"],
                    photos=[services.PhotoUpload(f.name or "", f.read()) for f in files],
                    request=request,
                )
            except AssistanceError as exc:
                error, status = exc.message, _error_status(exc)
            else:
                messages.success(request, "已保存走访记录")
                return redirect("assistance:plan", household_id=household.public_id)
        else:
            error, status = "请填写走访日期和走访情况", 400
    else:
        form = VisitForm(initial={"visited_on": timezone.localdate()})
    context = {"household": household, "form": form, "error": error, "max_photos": MAX_PHOTOS}
    return _no_store(render(request, "assistance/visit_form.html", context, status=status))


@require_GET
def visit_photo(request: HttpRequest, photo_id: UUID) -> FileResponse:
    """Stream one visit photo to a viewer whose scope covers the household (404 otherwise)."""
    _require(request, REGISTRY_VIEW)
    try:
        photo = selectors.photo_get(user=request.user, public_id=photo_id)
    except VisitPhoto.DoesNotExist:
        raise Http404("未找到该照片") from None
    path = services.photo_path(photo)
    if not path.is_file():
        raise Http404("未找到该照片")
    response = FileResponse(path.open("rb"), content_type=photo.content_type)
    response["Content-Disposition"] = f'inline; filename="{photo.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    """Monitored households in scope not visited within ``FANGPIN_VISIT_INTERVAL_DAYS``."""
    _require(request, REGISTRY_VIEW)
    today = timezone.localdate()
    interval = settings.FANGPIN_VISIT_INTERVAL_DAYS
    rows = selectors.coverage_list(user=request.user, on=today, interval_days=interval)
    context = {"rows": rows, "interval": interval, "today": today}
    return _no_store(render(request, "assistance/coverage.html", context))
