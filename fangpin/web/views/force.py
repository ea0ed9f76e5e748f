"""The assistance force and the industries (帮扶力量与项目, issue #10, docs/force.md).

`/force/?region=` shows a region's work teams, assisting cadres and the coverage gaps, the
county's pairings, the projects with their funds, beneficiaries and assets, and consumption
assistance; the forms register each of them through :mod:`fangpin.force.services` (rights,
scope and the linkage rules live there). Read with ``registry.view``, write with
``registry.edit``, both inside the viewer's scope.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from fangpin.core.access import REGISTRY_EDIT, user_can
from fangpin.core.models import Region
from fangpin.core.selectors import region_children
from fangpin.force import selectors, services
from fangpin.force.benefits import benefit_record
from fangpin.force.errors import ForceError
from fangpin.force.models import AssistingCadre, FundSource, Project, WorkTeam
from fangpin.policy import PolicyError, resolve
from fangpin.regioncode import subtree_prefix
from fangpin.registry.models import Household
from fangpin.registry.selectors import household_list
from fangpin.web import forms_force as ff
from fangpin.web.views._common import pi_page, villages_in_scope

CADRE_LIMIT_FALLBACK = 5
ROWS_SHOWN = 30
"""Teams and cadres listed on the page; the Excel export lists them all."""


def _region(request: HttpRequest, code: str | None = None) -> Region:
    try:
        return selectors.region_in_scope(
            user=request.user, code=code if code is not None else str(request.GET.get("region", ""))
        )
    except Region.DoesNotExist:
        raise Http404("区划不存在或不在管辖范围内") from None


def _county_of(region: Region) -> str:
    if region.level < 3:
        return ""
    return region.code[:6] + "000000"


def cadre_limit(county_code: str, year: int) -> int:
    """Households one cadre may be responsible for: the policy edition's value."""
    try:
        return int(resolve(year, county_code[:6]).force.max_households_per_cadre)
    except (PolicyError, AttributeError):
        return CADRE_LIMIT_FALLBACK


def _household(user: Any, number: str) -> Household:
    """The household with that number inside the viewer's scope, or a form error."""
    found = household_list(user=user).filter(household_number=number.strip()).first()
    if found is None:
        raise ForceError("household", f"未找到户编号为“{number.strip()}”的农户（或不在管辖范围内）")
    return found


def _refused(form: forms.Form, exc: ForceError) -> None:
    if exc.code == "forbidden":
        raise PermissionDenied
    if exc.code == "version_required":  # the page's way to correct is the row's 「修改」 link
        form.add_error(None, gettext("这一项已登记，如需更正请在列表中该行点“修改”"))
        return
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


@pi_page
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """One region's force: teams, cadres, gaps, pairings, projects, assets, purchases."""
    user: Any = request.user
    region = _region(request)
    today = timezone.localdate()
    prefix = subtree_prefix(region.code)
    county = _county_of(region)
    limit = cadre_limit(county or region.code, today.year)
    without_cadre = selectors.households_without_cadre(user=user, prefix=prefix, on=today)
    teams = selectors.teams(user=user, prefix=prefix, on=today)
    cadres = selectors.cadre_rows(user=user, prefix=prefix, on=today, limit=limit)
    # A county has hundreds of teams and cadres: the page shows the first rows (cadres over the
    # limit first), the export has them all.
    cadres_ordered = sorted(cadres, key=lambda r: (not r.over_limit, r.cadre.name))
    context = {
        "region": region,
        "county": county,
        "prefix": prefix,
        "today": today,
        "limit": limit,
        "teams": teams[:ROWS_SHOWN],
        "teams_total": len(teams),
        "children": list(region_children(code=region.code, on=today)),
        "villages_without_team": selectors.villages_without_team(
            user=user, prefix=prefix, on=today
        ),
        "cadres": cadres_ordered[:ROWS_SHOWN],
        "cadres_total": len(cadres),
        "cadres_over": sum(1 for r in cadres if r.over_limit),
        "cadres_households": sum(r.households for r in cadres),
        "rows_shown": ROWS_SHOWN,
        "without_cadre_count": without_cadre.count(),
        "without_cadre": list(without_cadre.select_related("village")[:50]),
        "pairings": [
            (p, selectors.commitment_totals(p))
            for p in selectors.pairings(user=user, prefix=prefix)
        ],
        "projects": list(selectors.projects(user=user, prefix=prefix)[:200]),
        "funds": {
            FundSource(code).label if code in FundSource.values else code: amount
            for code, amount in selectors.funds_by_source(user=user, prefix=prefix).items()
        },
        "industry_share": selectors.linking_industry_share(user=user, prefix=prefix),
        "purchase_totals": selectors.purchase_totals(user=user, prefix=prefix),
        "can_edit": user_can(user, REGISTRY_EDIT),
        "query_string": f"region={prefix}",
    }
    return render(request, "web/force_overview.html", context)


def _form_page(
    request: HttpRequest,
    *,
    title: str,
    form: forms.Form,
    save: Callable[[dict[str, Any]], str],
    back: str,
) -> HttpResponse:
    """GET shows ``form``; a valid POST calls ``save`` (a service) and goes where it says."""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                return redirect(save(form.cleaned_data))
            except ForceError as exc:
                _refused(form, exc)
        status = 400
    context = {"title": title, "form": form, "back": back}
    return render(request, "web/force_form.html", context, status=status)


def _need_edit(request: HttpRequest) -> Any:
    if not user_can(request.user, REGISTRY_EDIT):
        raise PermissionDenied
    return request.user


def _back(region: Region) -> str:
    return f"{reverse('web:force')}?region={region.code}"


@pi_page
@require_http_methods(["GET", "POST"])
def team_new(request: HttpRequest) -> HttpResponse:
    user = _need_edit(request)
    region = _region(request)
    prefix = subtree_prefix(region.code)
    form = ff.TeamForm(request.POST or None)
    field: Any = form.fields["village"]
    field.choices = [(v.code, v.name) for v in villages_in_scope(user) if v.code.startswith(prefix)]

    def save(data: dict[str, Any]) -> str:
        services.team_create(
            actor=user,
            village_code=data["village"],
            dispatching_unit=data["dispatching_unit"],
            start_date=data["start_date"],
            request=request,
        )
        return _back(region)

    return _form_page(
        request, title=gettext("登记驻村工作队"), form=form, save=save, back=_back(region)
    )


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ForceError("end_date", "请填写结束日期（年-月-日）") from None


@pi_page
@require_http_methods(["GET", "POST"])
def team_page(request: HttpRequest, team_id: UUID) -> HttpResponse:
    """A work team: its members past and present; add a member, end a term, end the team."""
    user: Any = request.user
    team = _team(request, team_id)
    action = str(request.POST.get("action", "")) if request.method == "POST" else ""
    form = ff.MemberForm(request.POST if action == "member_add" else None)
    error, status = "", 200
    if action:
        _need_edit(request)
        here = reverse("web:force_team", args=[team.public_id])
        try:
            if action == "member_add":
                if form.is_valid():
                    services.member_add(
                        actor=user, team_id=team.public_id, request=request, **form.cleaned_data
                    )
                    return redirect(here)
            elif action == "member_end":
                member = team.members.filter(pk=str(request.POST.get("member", "0"))).first()
                if member is None:
                    raise Http404("未找到该成员")
                end = _date(str(request.POST.get("end_date", "")))
                services.member_end(actor=user, member_id=member.pk, end_date=end, request=request)
                return redirect(here)
            elif action == "team_end":
                end = _date(str(request.POST.get("end_date", "")))
                services.team_end(actor=user, team_id=team.public_id, end_date=end, request=request)
                return redirect(here)
        except ForceError as exc:
            if exc.code == "forbidden":
                raise PermissionDenied from None
            error = exc.message
        except ValueError:
            error = gettext("请选择要结束任期的成员")
        status = 400
    team.refresh_from_db()
    context = {
        "team": team,
        "members": list(team.members.order_by("role", "-start_date", "id")),
        "form": form,
        "error": error,
        "can_edit": user_can(user, REGISTRY_EDIT),
        "back": _back(team.village),
    }
    return render(request, "web/force_team.html", context, status=status)


def _team(request: HttpRequest, team_id: UUID) -> WorkTeam:
    found = next((t for t in selectors.team_history(user=request.user, team_id=team_id)), None)
    if found is None:
        raise Http404("未找到该工作队")
    return found


def _county_region(request: HttpRequest) -> Region:
    region = _region(request)
    county = _county_of(region)
    if not county:
        raise Http404("请选择一个县")
    return _region(request, county)


@pi_page
@require_http_methods(["GET", "POST"])
def cadre_new(request: HttpRequest) -> HttpResponse:
    user = _need_edit(request)
    county = _county_region(request)
    form = ff.CadreForm(request.POST or None)

    def save(data: dict[str, Any]) -> str:
        services.cadre_create(actor=user, county_code=county.code, request=request, **data)
        return _back(county)

    return _form_page(
        request, title=gettext("登记帮扶责任人"), form=form, save=save, back=_back(county)
    )


@pi_page
@require_http_methods(["GET", "POST"])
def cadre_assign(request: HttpRequest) -> HttpResponse:
    user = _need_edit(request)
    county = _county_region(request)
    form = ff.AssignForm(request.POST or None)
    field: Any = form.fields["cadre"]
    field.choices = [
        (str(c.public_id), f"{c.name}（{c.unit}）")
        for c in AssistingCadre.objects.filter(county=county).order_by("name")
    ]

    def save(data: dict[str, Any]) -> str:
        household = _household(user, data["household_number"])
        services.cadre_assign(
            actor=user,
            cadre_id=UUID(data["cadre"]),
            household_id=household.pk,
            start_date=data["start_date"],
            request=request,
        )
        return _back(county)

    return _form_page(
        request, title=gettext("结对帮扶到户"), form=form, save=save, back=_back(county)
    )


@pi_page
@require_http_methods(["GET", "POST"])
def pairing_new(request: HttpRequest) -> HttpResponse:
    user = _need_edit(request)
    county = _county_region(request)
    form = ff.PairingForm(request.POST or None)

    def save(data: dict[str, Any]) -> str:
        services.pairing_create(actor=user, county_code=county.code, request=request, **data)
        return _back(county)

    return _form_page(
        request, title=gettext("登记结对帮扶关系"), form=form, save=save, back=_back(county)
    )


@pi_page
@require_http_methods(["GET", "POST"])
def commitment(request: HttpRequest, pairing_id: UUID) -> HttpResponse:
    user = _need_edit(request)
    pairing = next(
        (p for p in selectors.pairings(user=user, prefix="") if p.public_id == pairing_id), None
    )
    if pairing is None:
        raise Http404("未找到该结对关系")
    year_text = str(request.GET.get("year", ""))  # a row's 「修改」 link names year and item
    existing = (
        pairing.commitments.filter(
            year=int(year_text), item=str(request.GET.get("item", ""))
        ).first()
        if year_text.isdigit() and len(year_text) == 4
        else None
    )
    initial = (
        {
            "year": existing.year,
            "item": existing.item,
            "committed": existing.committed,
            "delivered": existing.delivered,
            "version": existing.version,
        }
        if existing is not None
        else {}
    )
    form = ff.CommitmentForm(request.POST or None, initial=initial)

    def save(data: dict[str, Any]) -> str:
        services.commitment_set(
            actor=user,
            pairing_id=pairing.public_id,
            year=data["year"],
            item=data["item"],
            committed=data["committed"],
            delivered=data["delivered"],
            expected_version=data.get("version"),
            request=request,
        )
        return _back(pairing.county)

    title = gettext("协议事项与完成情况：%(partner)s") % {"partner": pairing.partner}
    return _form_page(request, title=title, form=form, save=save, back=_back(pairing.county))


def _project_regions(user: Any, region: Region) -> list[tuple[str, str]]:
    prefix = subtree_prefix(region.code)
    rows = Region.objects.filter(
        code__startswith=prefix, level__in=[3, 4, 5], valid_to__isnull=True
    ).order_by("code")
    indent = {3: "", 4: "　", 5: "　　"}
    return [(r.code, indent[r.level] + r.name) for r in rows[:2000]]


@pi_page
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest) -> HttpResponse:
    user = _need_edit(request)
    region = _region(request)
    form: ff.ProjectForm = ff.ProjectForm(request.POST or None)
    field: Any = form.fields["region"]
    field.choices = _project_regions(user, region)

    def save(data: dict[str, Any]) -> str:
        project = services.project_create(
            actor=user,
            name=data["name"],
            kind=data["kind"],
            region_code=data["region"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            status=data["status"],
            one_village_one_product=data["one_village_one_product"],
            one_county_one_industry=data["one_county_one_industry"],
            product=data["product"],
            funding=form.funding(),
            request=request,
        )
        return reverse("web:force_project", args=[project.public_id])

    return _form_page(request, title=gettext("项目入库"), form=form, save=save, back=_back(region))


@pi_page
@require_http_methods(["GET", "POST"])
def project_detail(request: HttpRequest, project_id: UUID) -> HttpResponse:
    """A project: funding, beneficiaries, assets and returns, benefits; forms to add them."""
    user: Any = request.user
    try:
        project = selectors.project_get(user=user, public_id=project_id)
    except Project.DoesNotExist:
        raise Http404("未找到该项目") from None
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms_ = {
        "link": ff.LinkForm(request.POST if action == "link" else None, prefix="link"),
        "asset": ff.AssetForm(request.POST if action == "asset" else None, prefix="asset"),
        "return": ff.ReturnForm(request.POST if action == "return" else None, prefix="return"),
        "benefit": ff.BenefitForm(
            request.POST if action == "benefit" else None,
            prefix="benefit",
            initial=_benefit_initial(project, str(request.GET.get("benefit", ""))),
        ),
        "status": ff.ProjectStatusForm(
            request.POST if action == "status" else None,
            prefix="status",
            initial={
                "status": project.status,
                "end_date": project.end_date,
                "version": project.version,
            },
        ),
    }
    assets = list(project.assets.order_by("name"))
    choice: Any = forms_["return"].fields["asset"]
    choice.choices = [(str(a.public_id), a.name) for a in assets]
    status = 200
    if action in forms_:
        _need_edit(request)
        form = forms_[action]
        if form.is_valid():
            try:
                _project_action(request, project, action, form)
                return redirect(reverse("web:force_project", args=[project.public_id]))
            except ForceError as exc:
                _refused(form, exc)
        status = 400
    context = {
        "project": project,
        "funding": list(project.funding.order_by("source")),
        "beneficiaries": list(
            project.beneficiaries.select_related("household__village").order_by(
                "household__household_number", "link_type"
            )
        ),
        "assets": selectors.assets(user=user, prefix="").filter(project=project),
        "benefits": list(
            project.benefits.select_related("household").order_by(
                "-year", "household__household_number"
            )
        ),
        "forms": forms_,
        "can_edit": user_can(user, REGISTRY_EDIT),
        "back": _back(project.region),
    }
    return render(request, "web/force_project.html", context, status=status)


def _benefit_initial(project: Project, public_id: str) -> dict[str, Any]:
    """The benefit form filled with one recorded benefit (its 「修改」 link), version included."""
    try:
        wanted = UUID(public_id)
    except ValueError:
        return {}
    row = project.benefits.select_related("household").filter(public_id=wanted).first()
    if row is None:
        return {}
    return {
        "household_number": row.household.household_number,
        "link_type": row.link_type,
        "year": row.year,
        "amount": row.amount,
        "version": row.version,
    }


def _project_action(request: HttpRequest, project: Project, action: str, form: forms.Form) -> None:
    user: Any = request.user
    data = form.cleaned_data
    if action == "link":
        numbers = form.numbers()  # type: ignore[attr-defined]
        households = [_household(user, n) for n in numbers]  # every number checked first
        with transaction.atomic():  # all the households or none
            for household in households:
                services.beneficiary_link(
                    actor=user,
                    project_id=project.public_id,
                    household_id=household.pk,
                    link_type=data["link_type"],
                    since=data["since"],
                    request=request,
                )
    elif action == "asset":
        services.asset_add(actor=user, project_id=project.public_id, request=request, **data)
    elif action == "return":
        services.asset_return_set(
            actor=user,
            asset_id=UUID(data["asset"]),
            year=data["year"],
            amount=data["amount"],
            request=request,
        )
    elif action == "status":
        services.project_update(
            actor=user,
            project_id=project.public_id,
            expected_version=data["version"],
            status=data["status"],
            end_date=data["end_date"],
            request=request,
        )
    elif action == "benefit":
        household = _household(user, data["household_number"])
        benefit_record(
            actor=user,
            project_id=project.public_id,
            household_id=household.pk,
            year=data["year"],
            link_type=data["link_type"],
            amount=data["amount"],
            expected_version=data.get("version"),
            request=request,
        )


@pi_page
@require_http_methods(["GET", "POST"])
def purchase_new(request: HttpRequest) -> HttpResponse:
    user = _need_edit(request)
    county = _county_region(request)
    form = ff.PurchaseForm(request.POST or None)

    def save(data: dict[str, Any]) -> str:
        household = _household(user, data["household_number"]) if data["household_number"] else None
        services.purchase_record(
            actor=user,
            county_code=county.code,
            buyer=data["buyer"],
            year=data["bought_on"].year,
            bought_on=data["bought_on"],
            product=data["product"],
            amount=data["amount"],
            household_id=household.pk if household else None,
            cooperative=data["cooperative"],
            request=request,
        )
        return _back(county)

    return _form_page(
        request, title=gettext("登记消费帮扶"), form=form, save=save, back=_back(county)
    )


__all__ = [
    "cadre_assign",
    "cadre_new",
    "commitment",
    "overview",
    "pairing_new",
    "project_detail",
    "project_new",
    "purchase_new",
    "team_new",
    "team_page",
]
