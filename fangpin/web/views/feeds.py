"""The department data officer's pages: batches, upload with a dry-run report, publish, reject.

Open to ``feeds.import`` (部门数据专员) and the county approver; anyone else gets 403, audited
as ``authz.denied``. Uploading stages the file and shows its report (nothing is published yet);
the 发布 button publishes. Batches are listed through the scoped selector, and a batch
outside the user's scope is a 404. Pages are never cached (ASVS 14.3.2) and show only masked
ID numbers. Writes go through :mod:`fangpin.feeds.services`, which audits them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from fangpin.contract.feeds import FEED_DEPARTMENTS
from fangpin.core.audit import audit_record
from fangpin.core.models import AuditResult
from fangpin.feeds.access import can_use_feeds
from fangpin.feeds.errors import FeedError
from fangpin.feeds.jobs import feed_import_start
from fangpin.feeds.models import FeedBatch, FeedImportJob, FeedJobStatus, FeedStatus
from fangpin.feeds.selectors import feed_batch_get, feed_batch_list, feed_job_get
from fangpin.feeds.services import feed_publish, feed_reject

View = Callable[..., HttpResponse]
_PAGE_SIZE = 50
_REPORT_PAGE_SIZE = 200
_KIND_LABELS = {
    "invalid": _("无效"),
    "duplicate": _("重复"),
    "unmatched": _("未匹配"),
    "out_of_scope": _("辖区外"),
}


def feeds_page(view: View) -> View:
    """Needs the feeds right (403 otherwise, audited); never cached."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_use_feeds(request.user):
            with transaction.atomic():
                audit_record(
                    actor=request.user,
                    action="authz.denied",
                    object_type="page",
                    object_id=request.path[:64],
                    changes={"attempted": "feeds.import", "reason": "capability"},
                    result=AuditResult.DENIED,
                    request=request,
                )
            raise PermissionDenied
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return wrapped


class FeedUploadForm(forms.Form):
    feed = forms.ChoiceField(
        label=_("部门数据"),
        choices=[(name, f"{dept} {name}") for name, dept in FEED_DEPARTMENTS.items()],
    )
    period = forms.RegexField(
        label=_("所属月份"),
        regex=r"^[0-9]{4}-(0[1-9]|1[0-2])$",
        max_length=7,
        help_text=_("YYYY-MM，如 2024-06"),
        error_messages={"invalid": _("所属月份应为YYYY-MM，如2024-06")},
    )
    file = forms.FileField(
        label=_("文件"),
        help_text=_("CSV（UTF-8 或 GBK）、Excel（.xlsx/.xls）或 Parquet；列名可用英文或中文"),
    )


def _batch(request: HttpRequest, batch_id: uuid.UUID) -> FeedBatch:
    try:
        return feed_batch_get(user=request.user, batch_id=batch_id)
    except FeedBatch.DoesNotExist:
        raise Http404 from None


@require_http_methods(["GET"])
@feeds_page
def feeds_list(request: HttpRequest) -> HttpResponse:
    """Batches in the user's scope with counts and status, newest first."""
    page = Paginator(feed_batch_list(user=request.user), _PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "web/feeds_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
@feeds_page
def feeds_upload(request: HttpRequest) -> HttpResponse:
    """Upload a file: it is validated and staged, then its report is shown with 发布.

    A file over the background threshold becomes a job; its page shows the progress.
    """
    form = FeedUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            outcome = feed_import_start(
                actor=request.user,
                feed=form.cleaned_data["feed"],
                period=form.cleaned_data["period"],
                source=upload,
                source_name=upload.name,
                request=request,
            )
        except FeedError as exc:
            form.add_error(None, exc.message)
            status = 409 if exc.code == "duplicate" else 400
            context = {"form": form, "existing": exc.batch_id}
            return render(request, "web/feeds_upload.html", context, status=status)
        if isinstance(outcome, FeedImportJob):
            return redirect("web:feeds_job", job_id=outcome.pk)
        return redirect("web:feeds_detail", batch_id=outcome.pk)
    return render(request, "web/feeds_upload.html", {"form": form})


@require_http_methods(["GET"])
@feeds_page
def feeds_job(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    """A background import's progress; the page reloads itself until the job has finished."""
    try:
        job = feed_job_get(user=request.user, job_id=job_id)
    except FeedImportJob.DoesNotExist:
        raise Http404 from None
    running = job.status in {FeedJobStatus.QUEUED, FeedJobStatus.RUNNING}
    percent = int(100 * job.done / job.total) if job.total else 0
    response = render(
        request, "web/feeds_job.html", {"job": job, "running": running, "percent": percent}
    )
    if running:
        response["Refresh"] = "2"
    return response


@require_http_methods(["GET"])
@feeds_page
def feeds_detail(request: HttpRequest, batch_id: uuid.UUID) -> HttpResponse:
    """One batch: counts, status and the error report (masked values only)."""
    batch = _batch(request, batch_id)
    issues = [
        {**issue, "kind_label": _KIND_LABELS.get(issue["kind"], issue["kind"])}
        for issue in batch.report.get("issues", [])
    ]
    page = Paginator(issues, _REPORT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/feeds_detail.html",
        {
            "batch": batch,
            "page": page,
            "file_error": batch.report.get("file_error"),
            "ignored_columns": batch.report.get("ignored_columns", []),
            "issues_total": batch.report.get("issues_total", len(issues)),
            "is_staged": batch.status == FeedStatus.STAGED,
        },
    )


@require_http_methods(["POST"])
@feeds_page
def feeds_publish(request: HttpRequest, batch_id: uuid.UUID) -> HttpResponse:
    batch = _batch(request, batch_id)
    try:
        feed_publish(actor=request.user, batch_id=batch.pk, request=request)
    except FeedError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已发布"))
    return redirect("web:feeds_detail", batch_id=batch.pk)


@require_http_methods(["POST"])
@feeds_page
def feeds_reject(request: HttpRequest, batch_id: uuid.UUID) -> HttpResponse:
    batch = _batch(request, batch_id)
    try:
        feed_reject(
            actor=request.user,
            batch_id=batch.pk,
            reason=request.POST.get("reason", "")[:200],
            request=request,
        )
    except FeedError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已驳回"))
    return redirect("web:feeds_detail", batch_id=batch.pk)


__all__ = [
    "feeds_detail",
    "feeds_job",
    "feeds_list",
    "feeds_publish",
    "feeds_reject",
    "feeds_upload",
]
