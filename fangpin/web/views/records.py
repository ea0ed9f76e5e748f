"""Household records entered on their own pages: finances by year, conditions, cancel (注销).

Each page is a GET form (``registry.edit``) and a separate POST-only URL that calls one registry
service (``finance_upsert``, ``condition_record``, ``household_cancel``) with
``actor=request.user``; the service checks capability and scope again and writes the audit
events. The household is loaded through the scoped selector first, so one outside the scope is
the same 404 as a missing one. A service refusal is shown on the field it names (400); a stale
form (the record or the household changed since the page was drawn) answers 409 with a reload
link and writes nothing.

Split (分户) lives in :mod:`fangpin.web.views.split`.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fangpin import income
from fangpin.registry import selectors, services
from fangpin.registry.errors import RegistryError, StaleVersionError
from fangpin.registry.models import Household, HouseholdFinance, Person
from fangpin.web.forms_records import (
    ConditionForm,
    FinanceForm,
    HouseholdCancelForm,
    default_year,
    roster,
    year_choices,
)
from fangpin.web.views._common import pi_page, require_edit
from fangpin.web.views.edit import attach_error
from fangpin.web.views.households import _household_or_404

#: Service codes that mean "the form was drawn from a state that no longer holds".
_STALE_CODES = {"stale", "version_required"}


def is_stale(exc: RegistryError) -> bool:
    return isinstance(exc, StaleVersionError) or exc.code in _STALE_CODES


def active_members(request: HttpRequest, household: Household) -> list[Person]:
    return list(selectors.household_members(user=request.user, household_id=household.pk))


def posted_is_stale(request: HttpRequest, household: Household, members: list[Person]) -> bool:
    """Whether a cancel or split form was drawn from another household version or roster.

    Checked on the raw POST before the form is bound to today's members: a member who left
    meanwhile is no longer a valid choice, and that is a stale form, not a user mistake. The
    service runs later in its own transaction; this check narrows the window, it does not
    lock (the service re-checks membership, head and scope itself).
    """
    return request.POST.get("version", "") != str(household.version) or request.POST.get(
        "roster", ""
    ) != roster(members)


# --- 收支情况 --------------------------------------------------------------------------------


def _finance_context(
    request: HttpRequest, household: Household, year: int, form: FinanceForm | None = None
) -> dict[str, Any]:
    finance = selectors.household_finance(user=request.user, household_id=household.pk, year=year)
    if form is None:
        size = selectors.household_members(user=request.user, household_id=household.pk).count()
        form = FinanceForm(
            initial=FinanceForm.initial_for(year=year, finance=finance, active_members=size)
        )
    years = list(
        selectors.finance_list(user=request.user)
        .filter(household_id=household.pk)
        .order_by("-year")
    )
    return {
        "household": household,
        "form": form,
        "year": year,
        "years": year_choices(),
        "finance": finance,
        "totals": _totals(finance),
        "recorded_years": years,
    }


def _totals(finance: HouseholdFinance | None) -> list[tuple[str, object]]:
    """The database-generated totals of a stored record, labelled for the page."""
    if finance is None:
        return []
    # The money columns are built from fangpin.income, so the type checker does not see them.
    expenses = sum(getattr(finance, name) for name, _label in income.EXPENSE_FIELDS)
    labels = [
        (income.CATEGORY_LABELS[income.Category.WAGE], finance.wage_income),
        (income.CATEGORY_LABELS[income.Category.PRODUCTION], finance.production_income),
        (income.CATEGORY_LABELS[income.Category.PROPERTY], finance.property_income),
        (income.CATEGORY_LABELS[income.Category.TRANSFER], finance.transfer_income),
        (_("生产经营性支出"), expenses),
        (_("家庭纯收入"), finance.net_income),
        (_("家庭人口"), finance.household_size),
        (_("人均纯收入"), finance.per_capita_net_income),
    ]
    return [(str(label), value) for label, value in labels]


def _year_from(request: HttpRequest) -> int:
    valid = {y for y, _label in year_choices()}
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return default_year()
    return year if year in valid else default_year()


@require_GET
@pi_page
def finance_form(request: HttpRequest, household_id: UUID) -> HttpResponse:
    """The finance form of one year (``?year=``, default last year) and its stored totals."""
    require_edit(request)
    household = _household_or_404(request, household_id)
    context = _finance_context(request, household, _year_from(request))
    return render(request, "web/finance_form.html", context)


@require_POST
@pi_page
def finance_save(request: HttpRequest, household_id: UUID) -> HttpResponse:
    require_edit(request)
    household = _household_or_404(request, household_id)
    form = FinanceForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            finance = services.finance_upsert(
                actor=request.user,
                household_id=household.pk,
                year=data["year"],
                amounts=form.amounts(),
                household_size=data["household_size"],
                expected_version=data["version"],
            )
        except RegistryError as exc:
            if is_stale(exc):
                status = 409
            else:
                attach_error(form, exc)
        else:
            messages.success(
                request,
                _("已保存%(year)s年度收支：人均纯收入%(per_capita)s元")
                % {"year": finance.year, "per_capita": finance.per_capita_net_income},
            )
            url = reverse("web:finance", kwargs={"household_id": household.public_id})
            return redirect(f"{url}?year={finance.year}")
    year = form.cleaned_data.get("year") if hasattr(form, "cleaned_data") else None
    if not isinstance(year, int) or year not in {y for y, _label in year_choices()}:
        year = default_year()
    context = _finance_context(request, household, year, form)
    context["stale"] = status == 409
    return render(request, "web/finance_form.html", context, status=status)


# --- 两不愁三保障及饮水 ----------------------------------------------------------------------


def _condition_context(
    request: HttpRequest, household: Household, form: ConditionForm
) -> dict[str, Any]:
    latest = selectors.household_current_condition(user=request.user, household_id=household.pk)
    return {"household": household, "form": form, "latest": latest}


@require_GET
@pi_page
def condition_form(request: HttpRequest, household_id: UUID) -> HttpResponse:
    require_edit(request)
    household = _household_or_404(request, household_id)
    return render(
        request,
        "web/condition_form.html",
        _condition_context(request, household, ConditionForm()),
    )


@require_POST
@pi_page
def condition_save(request: HttpRequest, household_id: UUID) -> HttpResponse:
    """Append one assessment. Assessments are never overwritten, so there is no version: a
    second one for the same day is refused by the service (shown on 核查日期)."""
    require_edit(request)
    household = _household_or_404(request, household_id)
    form = ConditionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            condition = services.condition_record(
                actor=request.user,
                household_id=household.pk,
                assessed_on=data["assessed_on"],
                food_secure=data["food_secure"],
                clothing_secure=data["clothing_secure"],
                housing_grade=data["housing_grade"],
                housing_assessor=data["housing_assessor"],
                housing_assessed_on=data["housing_assessed_on"],
                water=form.water(),
                water_source=data["water_source"],
            )
        except RegistryError as exc:
            attach_error(form, exc)
        else:
            text = _("已记录%(date)s的核查") % {"date": condition.assessed_on.isoformat()}
            failed = [
                str(label)
                for ok, label in (
                    (condition.water_quantity_ok, _("水量")),
                    (condition.water_quality_ok, _("水质")),
                    (condition.water_convenience_ok, _("用水方便程度")),
                    (condition.water_reliability_ok, _("供水保证率")),
                )
                if not ok
            ]
            if failed:
                text += _("；饮水安全未达标：%(items)s") % {"items": "、".join(failed)}
            messages.success(request, text)
            return redirect("web:household", household_id=household.public_id)
    return render(
        request,
        "web/condition_form.html",
        _condition_context(request, household, form),
        status=400,
    )


# --- 注销 ------------------------------------------------------------------------------------


def _cancel_context(
    request: HttpRequest, household: Household, form: HouseholdCancelForm, *, confirming: bool
) -> dict[str, Any]:
    return {
        "household": household,
        "form": form,
        "confirming": confirming,
        "remaining": len(active_members(request, household)),
    }


@require_GET
@pi_page
def household_cancel_form(request: HttpRequest, household_id: UUID) -> HttpResponse:
    require_edit(request)
    household = _household_or_404(request, household_id)
    members = active_members(request, household)
    form = HouseholdCancelForm(initial={"version": household.version, "roster": roster(members)})
    return render(
        request,
        "web/household_cancel.html",
        _cancel_context(request, household, form, confirming=False),
    )


@require_POST
@pi_page
def household_cancel_save(request: HttpRequest, household_id: UUID) -> HttpResponse:
    """Step 1 (no ``confirm``) shows what will happen; step 2 (``confirm=1``) cancels."""
    require_edit(request)
    household = _household_or_404(request, household_id)
    members = active_members(request, household)
    form = HouseholdCancelForm(request.POST)
    status = 400
    confirming = False
    if posted_is_stale(request, household, members):
        status = 409
    elif form.is_valid():
        data = form.cleaned_data
        if not (data["reason"] or "").strip():
            # The service says the same; checked here too so the confirmation step never
            # shows an empty reason.
            form.add_error("reason", _("必须填写注销原因"))
        elif not data["confirm"] and not members:
            # With members left the service refuses at once; no point in confirming.
            confirming = True
            status = 200
        else:
            try:
                services.household_cancel(
                    actor=request.user,
                    household_id=household.pk,
                    reason=data["reason"],
                    effective_date=data["effective_date"],
                )
            except RegistryError as exc:
                if is_stale(exc):
                    status = 409
                else:
                    attach_error(form, exc)
            else:
                messages.success(
                    request, _("已注销农户%(number)s") % {"number": household.household_number}
                )
                return redirect("web:household", household_id=household.public_id)
    context = _cancel_context(request, household, form, confirming=confirming)
    context["stale"] = status == 409
    return render(request, "web/household_cancel.html", context, status=status)
