"""Pages of intake: the public declaration form (no login), the village QR page, staff lists.

Public (``login_not_required``): ``/declare/`` and ``/declare/<village code>/`` (the form,
village preset by the QR code), ``/declare/thanks/`` (the reference number). Posts are
CSRF-protected, rate-limited per client IP and per ID number (HTTP 429, nothing stored) and
need the human check and the ticked consent. No page ever shows more personal information than
the form the visitor typed; none is cached.

Staff (login): ``/declare/qr/<village code>/`` and ``/declarations/`` need ``registry.view``
(403 otherwise) with the village or declaration inside the scope (404 exactly like a missing
one); rejecting or marking a duplicate needs ``clue.verify`` (403 otherwise, audited).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fangpin import codes
from fangpin.core.access import CLUE_VERIFY, REGISTRY_VIEW, user_can
from fangpin.core.audit import audit_record, request_ip
from fangpin.core.models import AuditResult, Region
from fangpin.core.selectors import region_villages_in_scope
from fangpin.intake import ratelimit, selectors, services
from fangpin.intake.consent import CONSENT_VERSION, consent_paragraphs
from fangpin.intake.errors import IntakeError
from fangpin.intake.forms import DecisionForm, DeclarationFilterForm, DeclarationForm
from fangpin.intake.humancheck import challenge_new
from fangpin.intake.models import Declaration
from fangpin.intake.validation import validate_village
from fangpin.registry import selectors as registry_selectors
from fangpin.registry.models import Household, identity_index

PAGE_SIZE = 50
THANKS_MAX_AGE_SECONDS = 24 * 3600
_THANKS_SALT = "fangpin.intake.thanks"
TOO_MANY_MESSAGE = "提交过于频繁，请一小时后再试；如有急事，请直接联系村委或拨打12317。"


def _no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


# --- Public ------------------------------------------------------------------------------------


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "intake/limited.html", {"message": TOO_MANY_MESSAGE}, status=429)
    response["Retry-After"] = "3600"
    return _no_store(response)


def _form_page(
    request: HttpRequest, form: DeclarationForm, preset: Region | None, *, status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "preset": preset,
        "preset_name": selectors.village_full_name(preset.code) if preset else "",
        "villages": [] if preset else selectors.public_villages(),
        "risk_types": [(v.code, v.zh) for v in codes.table("risk_type").values],
        "consent": consent_paragraphs(CONSENT_VERSION),
        "consent_version": CONSENT_VERSION,
        "challenge": challenge_new(),
    }
    return _no_store(render(request, "intake/declare.html", context, status=status))


@login_not_required
@require_http_methods(["GET", "POST"])
def declare(request: HttpRequest, village_code: str | None = None) -> HttpResponse:
    """The public form; with ``village_code`` (from the QR code) the village is preset."""
    preset = None
    if village_code is not None:
        try:
            preset = validate_village(village_code)
        except IntakeError:
            raise Http404("未找到该村") from None
    if request.method != "POST":
        initial = {"village": preset.code} if preset else {}
        return _form_page(request, DeclarationForm(initial=initial), preset)

    ip = request_ip(request)
    ip_hash = services.client_ip_hash(ip)
    if not ratelimit.attempt_allowed(ip_hash):
        return _too_many(request)
    data = request.POST.copy()
    if preset is not None:
        data["village"] = preset.code  # the QR page's village, whatever was posted
    form = DeclarationForm(data)
    if not form.is_valid():
        return _form_page(request, form, preset)
    clean = form.cleaned_data
    id_index = identity_index("1", clean["id_number"])
    if not ratelimit.submission_allowed(ip_hash=ip_hash, id_index=id_index):
        return _too_many(request)
    try:
        declaration = services.declaration_submit(
            actor=services.PUBLIC_ACTOR,
            village_code=clean["village"],
            name=clean["name"],
            phone=clean["phone"],
            id_number=clean["id_number"],
            risk_type=clean["risk_type"],
            difficulty=clean["difficulty"],
            consent_given=clean["consent"],
            consent_version=clean["consent_version"],
            client_ip=ip,
            request=request,
        )
    except IntakeError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _form_page(request, form, preset)
    ratelimit.submission_count(ip_hash=ip_hash, id_index=id_index)
    token = signing.dumps(declaration.reference, salt=_THANKS_SALT)
    return redirect(f"{reverse('intake:declare_thanks')}?t={token}")


@login_not_required
@require_GET
def declare_thanks(request: HttpRequest) -> HttpResponse:
    """The thank-you page with the reference number (signed in the link, so not forgeable)."""
    try:
        reference = signing.loads(
            request.GET.get("t", ""), salt=_THANKS_SALT, max_age=THANKS_MAX_AGE_SECONDS
        )
    except signing.BadSignature:
        raise Http404("未找到该申报") from None
    return _no_store(render(request, "intake/thanks.html", {"reference": str(reference)}))


# --- Staff -----------------------------------------------------------------------------------


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


@require_GET
def village_qr(request: HttpRequest, village_code: str) -> HttpResponse:
    """A printable page for one village: its full name, the form's URL and a QR code (SVG)."""
    _require(request, REGISTRY_VIEW)
    try:
        village = selectors.village_get_in_scope(request.user, village_code)
    except Region.DoesNotExist:
        raise Http404("未找到该村") from None
    url = request.build_absolute_uri(reverse("intake:declare_village", args=[village.code]))
    # Generated here from our own URL (no user input): safe to embed as markup.
    svg = segno.make(url, error="m").svg_inline(
        scale=6, border=2, omitsize=True, title=f"{village.name}申报二维码", desc=url
    )
    context = {
        "village": village,
        "full_name": selectors.village_full_name(village.code),
        "url": url,
        "qr_svg": mark_safe(svg),  # server-made SVG of our own URL: no user data in it
    }
    return _no_store(render(request, "intake/village_qr.html", context))


@require_GET
def declaration_list_view(request: HttpRequest) -> HttpResponse:
    """Declarations in scope, newest first, masked; filters by status and village."""
    _require(request, REGISTRY_VIEW)
    user: Any = request.user
    villages = [(r.code, r.name) for r in region_villages_in_scope(user=user)]
    form = DeclarationFilterForm(request.GET or None, villages=villages)
    data = form.cleaned_data if form.is_valid() else {}
    rows_qs = selectors.declaration_list(
        user, status=data.get("status") or None, village_code=data.get("village") or None
    )
    page = data.get("page") or 1
    offset = (page - 1) * PAGE_SIZE
    rows = list(rows_qs[offset : offset + PAGE_SIZE + 1])
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "declarations": rows[:PAGE_SIZE],
        "risk_labels": {v.code: v.zh for v in codes.table("risk_type").values},
        "page": page,
        "has_next": len(rows) > PAGE_SIZE,
        "has_previous": page > 1,
        "query_string": params.urlencode(),
        "can_print_qr": True,
        "villages": villages,
    }
    return _no_store(render(request, "intake/declaration_list.html", context))


def _declaration_or_404(request: HttpRequest, declaration_id: UUID) -> Declaration:
    try:
        return selectors.declaration_get(request.user, declaration_id)
    except Declaration.DoesNotExist:
        raise Http404("未找到该申报") from None


def _detail_page(
    request: HttpRequest,
    declaration: Declaration,
    *,
    form: DecisionForm | None = None,
    error: str = "",
    error_code: str = "",
    status: int = 200,
) -> HttpResponse:
    household: Household | None = None
    if declaration.household_id is not None:
        try:
            household = registry_selectors.household_get(
                user=request.user, household_id=declaration.household_id
            )
        except Household.DoesNotExist:
            household = None
    context = {
        "declaration": declaration,
        "difficulty": selectors.declaration_difficulty(declaration),
        "risk_label": codes.table("risk_type").label(declaration.risk_type)
        if declaration.risk_type in codes.table("risk_type")
        else declaration.risk_type,
        "village_name": selectors.village_full_name(declaration.village_id),
        "household": household,
        "household_elsewhere": declaration.household_id is not None and household is None,
        "can_decide": user_can(request.user, CLUE_VERIFY) and declaration.status == "new",
        "form": form or DecisionForm(initial={"version": declaration.version}),
        "error": error,
        "error_code": error_code,
    }
    return _no_store(render(request, "intake/declaration_detail.html", context, status=status))


@require_GET
def declaration_detail(request: HttpRequest, declaration_id: UUID) -> HttpResponse:
    _require(request, REGISTRY_VIEW)
    return _detail_page(request, _declaration_or_404(request, declaration_id))


def _decide(request: HttpRequest, declaration_id: UUID, *, duplicate: bool) -> HttpResponse:
    _require(request, REGISTRY_VIEW)
    _require(request, CLUE_VERIFY)
    declaration = _declaration_or_404(request, declaration_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, declaration, form=form, status=400)
    data = form.cleaned_data
    try:
        if duplicate:
            original = None
            if data["duplicate_of"]:
                try:
                    original = selectors.declaration_get_by_reference(
                        request.user, data["duplicate_of"]
                    )
                except Declaration.DoesNotExist:
                    raise IntakeError(
                        "duplicate_of", "重复于的申报编号不存在或不在您的辖区内"
                    ) from None
            services.declaration_mark_duplicate(
                actor=request.user,
                declaration=declaration,
                note=data["note"],
                expected_version=data["version"],
                duplicate_of=original,
                request=request,
            )
            messages.success(request, "已标记为重复申报")
        else:
            services.declaration_reject(
                actor=request.user,
                declaration=declaration,
                note=data["note"],
                expected_version=data["version"],
                request=request,
            )
            messages.success(request, "已标记为不予受理")
    except IntakeError as exc:
        if exc.code == "not_found":
            raise Http404("未找到该申报") from None
        declaration.refresh_from_db()
        return _detail_page(
            request,
            declaration,
            form=form,
            error=exc.message,
            error_code=exc.code,
            status=409 if exc.is_conflict else 400,
        )
    return redirect("intake:declaration", declaration_id=declaration.public_id)


@require_POST
def declaration_reject_view(request: HttpRequest, declaration_id: UUID) -> HttpResponse:
    return _decide(request, declaration_id, duplicate=False)


@require_POST
def declaration_duplicate_view(request: HttpRequest, declaration_id: UUID) -> HttpResponse:
    return _decide(request, declaration_id, duplicate=True)
