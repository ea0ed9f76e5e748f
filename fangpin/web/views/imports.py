"""Excel imports of the registry (户籍与家庭成员, 新增家庭成员, 家庭收支, 两不愁三保障及饮水).

The pages of :mod:`fangpin.imports`: download a template for one's own scope, upload a file
(checked at once, or as a background job when it is large), read every error at once (and
download them as an error workbook with the failing cells marked), then 导入 — all rows in one
transaction — or 放弃. Open to ``registry.edit`` (village, township and county staff); anyone
else gets 403. Pages are never cached and show masked ID numbers only. The services check
the scope again and audit every write.
"""

from __future__ import annotations

import io
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from fangpin.core.access import REGISTRY_EDIT
from fangpin.core.errors import FangpinError
from fangpin.imports import jobs as import_jobs
from fangpin.imports.errors import ImportAlreadyAppliedError
from fangpin.imports.models import ImportBatch, ImportJob
from fangpin.imports.selectors import import_batch_get, import_batch_list, import_job_get
from fangpin.imports.services import (
    import_apply,
    import_check,
    import_discard,
    import_error_workbook,
    import_template,
)
from fangpin.imports.specs import ENTITIES, ENTITY_LABELS, count_lines
from fangpin.web.uploads import UploadError, import_max_bytes, spool_upload
from fangpin.web.views._common import capability_page

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_PAGE_SIZE = 50
_REPORT_PAGE_SIZE = 200
_MODES = [
    ("create", _("新增（已有的记录报错）")),
    ("upsert", _("新增或更新（收支、两不愁三保障：同户同年度或同核查日期的记录更新为文件中的值）")),
]

imports_page = capability_page(REGISTRY_EDIT)


class ImportUploadForm(forms.Form):
    entity = forms.ChoiceField(
        label=_("导入内容"), choices=[(e, ENTITY_LABELS[e]) for e in ENTITIES]
    )
    mode = forms.ChoiceField(label=_("方式"), choices=_MODES, initial="create")
    file = forms.FileField(
        label=_("文件"),
        help_text=_("用本页下载的模板填写；Excel（.xlsx/.xls）或 CSV；不超过 10 MB、2 万行"),
    )


def _batch(request: HttpRequest, batch_id: uuid.UUID) -> ImportBatch:
    try:
        return import_batch_get(user=request.user, batch_id=batch_id)
    except ImportBatch.DoesNotExist:
        raise Http404 from None


def _download_name(label: str, suffix: str) -> str:
    name = f"{label}_{timezone.localdate():%Y%m%d}{suffix}"
    return content_disposition_header(True, name) or "attachment"


@require_http_methods(["GET"])
@imports_page
def imports_list(request: HttpRequest) -> HttpResponse:
    """My scope's imports, newest first, with the templates to download."""
    page = Paginator(import_batch_list(user=request.user), _PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    entities = [(e, ENTITY_LABELS[e]) for e in ENTITIES]
    return render(request, "web/imports_list.html", {"page": page, "entities": entities})


@require_http_methods(["GET"])
@imports_page
def imports_template(request: HttpRequest, entity: str) -> HttpResponse:
    """The template of ``entity`` for the user's scope (village drop-down, instructions)."""
    if entity not in ENTITIES:
        raise Http404
    buffer = io.BytesIO()
    import_template(actor=request.user, entity=entity, target=buffer)
    response = HttpResponse(buffer.getvalue(), content_type=_XLSX)
    response["Content-Disposition"] = _download_name(f"{ENTITY_LABELS[entity]}模板", ".xlsx")
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "POST"])
@imports_page
def imports_upload(request: HttpRequest) -> HttpResponse:
    """Upload a file: checked at once (small) or in the background (large); nothing is
    written to the registry until 导入 on the report."""
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return render(request, "web/imports_upload.html", {"form": form})
    upload = form.cleaned_data["file"]
    entity = form.cleaned_data["entity"]
    mode = form.cleaned_data["mode"]
    try:
        path = spool_upload(upload, max_bytes=import_max_bytes())
    except UploadError as exc:
        form.add_error("file", exc.message)
        status = 413 if exc.code == "too_large" else 400
        return render(request, "web/imports_upload.html", {"form": form}, status=status)
    try:
        if import_jobs.needs_background(path):
            job = import_jobs.import_check_start(
                actor=request.user, entity=entity, path=path, file_name=upload.name, mode=mode
            )
            return redirect("web:imports_job", job_id=job.pk)
        batch = import_check(
            actor=request.user, entity=entity, path=path, file_name=upload.name, mode=mode
        )
    except FangpinError as exc:
        form.add_error(None, exc.message)
        existing = getattr(exc, "batch_id", "") or ""
        status = 409 if isinstance(exc, ImportAlreadyAppliedError) else 400
        context = {"form": form, "existing": existing}
        return render(request, "web/imports_upload.html", context, status=status)
    finally:
        path.unlink(missing_ok=True)
    return redirect("web:imports_detail", batch_id=batch.pk)


@require_http_methods(["GET"])
@imports_page
def imports_job(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    """A background check's progress; the page reloads itself until the job has finished."""
    try:
        job = import_job_get(user=request.user, job_id=job_id)
    except ImportJob.DoesNotExist:
        raise Http404 from None
    running = job.status in {"queued", "running"}
    percent = int(100 * job.done / job.total) if job.total else 0
    response = render(
        request, "web/imports_job.html", {"job": job, "running": running, "percent": percent}
    )
    if running:
        response["Refresh"] = "2"
    return response


@require_http_methods(["GET"])
@imports_page
def imports_detail(request: HttpRequest, batch_id: uuid.UUID) -> HttpResponse:
    """One import: counts, status, every error (masked values), and 导入 / 放弃."""
    batch = _batch(request, batch_id)
    report: dict[str, Any] = batch.report or {}
    issues = report.get("issues", [])
    page = Paginator(issues, _REPORT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/imports_detail.html",
        {
            "batch": batch,
            "entity_label": ENTITY_LABELS.get(batch.entity, batch.entity),
            "page": page,
            "file_error": report.get("file_error"),
            "issues_total": batch.error_count,
            "can_apply": batch.status == "checked" and batch.error_count == 0,
            "is_checked": batch.status == "checked",
            "counts": count_lines(batch.counts or {}),
        },
    )


@require_http_methods(["POST"])
@imports_page
def imports_apply(request: HttpRequest, batch_id: uuid.UUID) -> HttpResponse:
    batch = _batch(request, batch_id)
    version = request.POST.get("version", "")
    try:
        import_apply(
            actor=request.user,
            batch_id=batch.pk,
            expected_version=int(version) if version.isdigit() else None,
        )
    except FangpinError as exc:
        messages.error(request, exc.message)
        return redirect("web:imports_detail", batch_id=batch.pk)
    messages.success(request, _("已导入"))
    return redirect("web:imports_detail", batch_id=batch.pk)


@require_http_methods(["POST"])
@imports_page
def imports_discard(request: HttpRequest, batch_id: uuid.UUID) -> HttpResponse:
    batch = _batch(request, batch_id)
    try:
        import_discard(actor=request.user, batch_id=batch.pk)
    except FangpinError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已放弃，本次上传的数据未写入"))
    return redirect("web:imports_detail", batch_id=batch.pk)


@require_http_methods(["GET"])
@imports_page
def imports_errors(request: HttpRequest, batch_id: uuid.UUID) -> HttpResponse:
    """The error workbook: every problem, and the failing rows with their cells marked red."""
    batch = _batch(request, batch_id)
    buffer = io.BytesIO()
    import_error_workbook(actor=request.user, batch_id=batch.pk, target=buffer)
    response = HttpResponse(buffer.getvalue(), content_type=_XLSX)
    response["Content-Disposition"] = _download_name("导入错误清单", ".xlsx")
    add_never_cache_headers(response)
    return response


__all__ = [
    "imports_apply",
    "imports_detail",
    "imports_discard",
    "imports_errors",
    "imports_job",
    "imports_list",
    "imports_template",
    "imports_upload",
]
