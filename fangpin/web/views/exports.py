"""导出 (exports): a list as Excel or CSV, the export requests and their approval (SEC-EXP).

``GET /exports/<list>/?format=xlsx|csv&<the list's filters>`` shows what would be exported
(rows in the scope, masked or not, whether approval is needed) with a POST form: the file is
only ever produced by a POST with a CSRF token (SECURITY.md ASVS 3.5: export is POST only), so
a link or an image on another site cannot make anyone export anything. A masked export of at
most ``FANGPIN_EXPORT_APPROVAL_ROWS`` rows downloads at once; otherwise the same page files an
export request. ``/exports/`` lists one's own requests and those one may decide; approving,
denying and the one download of an approved request are POSTs too.

The views only parse and render: the rules are in :mod:`fangpin.core.exports`, the lists in
:mod:`fangpin.web.export_lists`. Every page is ``no-store``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fangpin.core.access import EXPORT_APPROVE, PI_REVEAL, REGISTRY_VIEW, user_can
from fangpin.core.exports import (
    DOWNLOAD_HOURS,
    ExportError,
    export_approval_rows,
    export_direct_check,
    export_download_record,
    export_needs_approval,
    export_request_approve,
    export_request_create,
    export_request_deny,
    export_request_download,
    export_request_get,
    export_request_is_expired,
    export_request_list,
)
from fangpin.core.models import ExportRequest, ExportStatus
from fangpin.web.exports import (
    LISTS,
    ExportList,
    PreparedExport,
    export_list_get,
    export_prepare,
    export_response,
)

#: ExportError codes → HTTP status of the page that shows them.
STATUS = {
    "forbidden": 403,
    "self": 403,
    "scope": 403,
    "not_found": 404,
    "state": 409,
    "expired": 409,
    "rows": 409,
    "approval": 409,
    "rate_limited": 429,
}
REQUESTS_SHOWN = 200

View = Callable[..., HttpResponseBase]


def pi_page(view: View) -> View:
    """Like ``fangpin.web.views._common.pi_page`` (``registry.view``, never cached), typed for
    file responses too (``FileResponse`` and ``StreamingHttpResponse`` are not ``HttpResponse``).
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not user_can(request.user, REGISTRY_VIEW):
            raise PermissionDenied
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return wrapped


class RequestForm(forms.Form):
    reason = forms.CharField(label=_("导出理由"), max_length=500)
    unmasked = forms.BooleanField(label=_("导出证件号码和联系电话明文"), required=False)


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("审批意见"), max_length=500)


def _format(value: str | None) -> str:
    fmt = value or "xlsx"
    if fmt not in ("xlsx", "csv"):
        raise ExportError("format", "导出格式只能是 xlsx 或 csv。")
    return fmt


def _list_or_refuse(request: HttpRequest, name: str) -> ExportList:
    try:
        return export_list_get(name, user=request.user)
    except ExportError as exc:
        if exc.code == "not_found":
            raise Http404(exc.message) from None
        raise PermissionDenied(exc.message) from None


def _confirm_page(
    request: HttpRequest,
    export_list: ExportList,
    prepared: PreparedExport | None,
    fmt: str,
    *,
    form: RequestForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user: Any = request.user
    count = prepared.row_count if prepared else 0
    query = request.GET.copy()
    query.pop("format", None)
    context = {
        "export_list": export_list,
        "prepared": prepared,
        "format": fmt,
        "row_count": count,
        "limit": export_approval_rows(),
        "needs_approval": export_needs_approval(row_count=count, masked=True),
        "can_unmask": export_list.has_pi and user_can(user, PI_REVEAL),
        "form": form or RequestForm(),
        "error": error,
        "page_query": query.urlencode(),
        "action_query": request.GET.urlencode(),
    }
    return render(request, "web/exports/confirm.html", context, status=status)


@require_http_methods(["GET", "POST"])
@pi_page
def export_list_view(request: HttpRequest, list_name: str) -> HttpResponseBase:
    """GET: what would be exported, with 下载 or 申请导出. POST: download or file a request."""
    export_list = _list_or_refuse(request, list_name)
    try:
        fmt = _format(request.GET.get("format"))
        prepared = export_prepare(export_list, user=request.user, filters=request.GET)
    except ExportError as exc:
        return _confirm_page(request, export_list, None, "xlsx", error=exc.message, status=400)
    if request.method == "GET":
        return _confirm_page(request, export_list, prepared, fmt)
    if request.POST.get("action") == "request":
        return _file_request(request, export_list, prepared, fmt)
    try:
        export_direct_check(
            actor=request.user,
            row_count=prepared.row_count,
            masked=True,
            capability=export_list.capability,
        )
    except ExportError as exc:
        return _confirm_page(
            request, export_list, prepared, fmt, error=exc.message, status=STATUS[exc.code]
        )
    export_download_record(
        actor=request.user,
        request=request,
        list_name=export_list.name,
        row_count=prepared.row_count,
        masked=True,
    )
    return export_response(prepared, user=request.user, file_format=fmt, unmasked=False)


def _file_request(
    request: HttpRequest, export_list: ExportList, prepared: PreparedExport, fmt: str
) -> HttpResponse:
    form = RequestForm(request.POST)
    if not form.is_valid():
        return _confirm_page(
            request, export_list, prepared, fmt, form=form, error="请填写导出理由", status=400
        )
    unmasked = bool(form.cleaned_data["unmasked"])
    if unmasked and not export_list.has_pi:
        return _confirm_page(
            request,
            export_list,
            prepared,
            fmt,
            form=form,
            error="该列表没有证件号码或联系电话，无需明文导出。",
            status=400,
        )
    try:
        export_request_create(
            actor=request.user,
            list_name=export_list.name,
            filters=prepared.filters,
            allowed_filters=export_list.filters,
            file_format=fmt,
            masked=not unmasked,
            reason=form.cleaned_data["reason"],
            row_count=prepared.row_count,
            capability=export_list.capability,
            request=request,
        )
    except ExportError as exc:
        return _confirm_page(
            request,
            export_list,
            prepared,
            fmt,
            form=form,
            error=exc.message,
            status=STATUS.get(exc.code, 400),
        )
    messages.success(request, "导出申请已提交，请等待另一位有审批权限的人员审批。")
    return redirect("web:exports")


def _rows_for_page(user: Any) -> list[dict[str, Any]]:
    may_decide = user_can(user, EXPORT_APPROVE)
    out = []
    for export in export_request_list(user=user)[:REQUESTS_SHOWN]:
        mine = export.requested_by_id == user.pk
        expired = export_request_is_expired(export)
        listed = LISTS.get(export.list_name)
        out.append(
            {
                "export": export,
                "title": listed.title if listed else export.list_name,
                "mine": mine,
                "expired": expired,
                "can_decide": may_decide and not mine and export.status == ExportStatus.PENDING,
                "can_download": mine and export.status == ExportStatus.APPROVED and not expired,
            }
        )
    return out


def _home(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    context = {
        "rows": _rows_for_page(request.user),
        "limit": export_approval_rows(),
        "hours": DOWNLOAD_HOURS,
        "decision_form": DecisionForm(),
        "error": error,
    }
    return render(request, "web/exports/home.html", context, status=status)


@require_GET
@pi_page
def exports_home(request: HttpRequest) -> HttpResponse:
    """My export requests, and the requests of my scope I may approve or deny."""
    return _home(request)


def _decide(request: HttpRequest, request_id: UUID, *, approve: bool) -> HttpResponse:
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _home(request, error="请填写审批意见", status=400)
    service = export_request_approve if approve else export_request_deny
    try:
        service(
            actor=request.user,
            public_id=request_id,
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except ExportError as exc:
        return _home(request, error=exc.message, status=STATUS.get(exc.code, 400))
    messages.success(request, "已批准该导出申请。" if approve else "已驳回该导出申请。")
    return redirect("web:exports")


@require_POST
@pi_page
def export_approve(request: HttpRequest, request_id: UUID) -> HttpResponse:
    return _decide(request, request_id, approve=True)


@require_POST
@pi_page
def export_deny(request: HttpRequest, request_id: UUID) -> HttpResponse:
    return _decide(request, request_id, approve=False)


@require_POST
@pi_page
def export_download(request: HttpRequest, request_id: UUID) -> HttpResponseBase:
    """The one download of an approved request: the list as it is now, with the stored
    filters, format and masking."""
    try:
        export: ExportRequest = export_request_get(user=request.user, public_id=request_id)
        export_list = export_list_get(export.list_name, user=request.user)
        prepared = export_prepare(export_list, user=request.user, filters=export.filters)
        export_request_download(
            actor=request.user,
            public_id=request_id,
            row_count=prepared.row_count,
            capability=export_list.capability,
            request=request,
        )
    except ExportError as exc:
        return _home(request, error=exc.message, status=STATUS.get(exc.code, 400))
    return export_response(
        prepared,
        user=request.user,
        file_format=export.file_format,
        unmasked=not export.is_masked,
    )
