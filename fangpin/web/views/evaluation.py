"""Third-party evaluation (第三方评估, docs/evaluation.md): draw a campaign's sample, print
its visit list, record each household's survey from a phone, read the estimates of 三率一度
with their confidence intervals and verdicts, close the fieldwork and push the findings into
the ledger.

Open to ``findings.write`` (inspectors, evaluators) whose scope covers the county only: the
villages never see a sample before it visits them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fangpin.core.access import FINDINGS_WRITE, user_can
from fangpin.core.pdf import html_to_pdf
from fangpin.core.selectors import region_names
from fangpin.evaluation import selectors
from fangpin.evaluation.campaigns import (
    DesignChoice,
    SurveyAnswers,
    campaign_close,
    campaign_create,
    campaign_push_findings,
    suggested_adjudication,
    survey_record,
)
from fangpin.evaluation.errors import EvaluationError
from fangpin.evaluation.estimates import campaign_estimates
from fangpin.evaluation.models import Adjudication, Campaign, Domain, SampledHousehold
from fangpin.policy import resolve
from fangpin.web.views._common import pi_page

YES_NO = [("1", _("是")), ("0", _("否"))]


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("评估批次"), max_length=100)
    county = forms.ChoiceField(label=_("被评估县"))
    year = forms.IntegerField(label=_("评估年度"), min_value=2020, max_value=2100)
    villages_per_township = forms.IntegerField(
        label=_("每个乡镇抽取村数"), min_value=2, max_value=30, initial=2
    )
    ordinary_share = forms.DecimalField(
        label=_("一般农户抽样比例（%）"), min_value=1, max_value=100, initial=20, decimal_places=1
    )
    ordinary_cap = forms.IntegerField(
        label=_("每村一般农户最多抽取户数"), min_value=1, max_value=1000, initial=200
    )
    target_margin = forms.DecimalField(
        label=_("或按目标精度确定样本村数：95%置信区间半宽（百分点，如 1.5）"),
        min_value=Decimal("0.1"),
        max_value=20,
        decimal_places=2,
        required=False,
    )
    expected_rate = forms.DecimalField(
        label=_("预期错退率（%）"),
        min_value=Decimal("0.1"),
        max_value=50,
        initial=2,
        decimal_places=2,
    )
    icc = forms.DecimalField(
        label=_("村内相关系数"),
        min_value=0,
        max_value=1,
        initial=Decimal("0.05"),
        decimal_places=3,
    )
    seed = forms.CharField(label=_("抽样种子（留空自动生成）"), max_length=64, required=False)

    def __init__(self, *args: Any, counties: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["county"]
        field.choices = counties


def _require_evaluator(request: HttpRequest) -> None:
    if not user_can(request.user, FINDINGS_WRITE):
        raise PermissionDenied


def _counties(user: Any) -> list[tuple[str, str]]:
    prefix = selectors.campaign_scope_prefix(user)
    if prefix is None or len(prefix) > 6:
        return []
    return [(r.code, f"{r.name}（{r.code[:6]}）") for r in selectors.counties_in_scope(user=user)]


@require_http_methods(["GET", "POST"])
@pi_page
def campaign_list_view(request: HttpRequest) -> HttpResponse:
    """第三方评估: the campaigns of one's scope, and the form for a new one."""
    _require_evaluator(request)
    user: Any = request.user
    counties = _counties(user)
    today = timezone.localdate()
    form = CampaignForm(request.POST or None, counties=counties, initial={"year": today.year - 1})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = campaign_create(
                actor=user,
                name=data["name"],
                county_code=data["county"],
                year=data["year"],
                seed=data["seed"],
                design=DesignChoice(
                    villages_per_township=data["villages_per_township"],
                    ordinary_share=float(data["ordinary_share"]) / 100,
                    ordinary_cap=data["ordinary_cap"],
                    target_margin=(
                        float(data["target_margin"]) / 100
                        if data["target_margin"] is not None
                        else None
                    ),
                    expected_rate=float(data["expected_rate"]) / 100,
                    icc=float(data["icc"]),
                ),
                request=request,
            )
        except EvaluationError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("web:evaluation", campaign_id=campaign.public_id)
    status = 400 if request.method == "POST" else 200
    campaigns = selectors.campaign_list(user=user)[:100]
    return render(
        request,
        "web/evaluation_list.html",
        {"form": form, "campaigns": campaigns, "can_create": bool(counties)},
        status=status,
    )


def _campaign(request: HttpRequest, campaign_id: UUID) -> Campaign:
    _require_evaluator(request)
    try:
        return selectors.campaign_get(user=request.user, public_id=campaign_id)
    except Campaign.DoesNotExist:
        raise Http404 from None


@require_GET
@pi_page
def campaign_detail_view(request: HttpRequest, campaign_id: UUID) -> HttpResponse:
    """One campaign: the design, the progress, and the estimates with their verdicts."""
    campaign = _campaign(request, campaign_id)
    estimates = campaign_estimates(campaign)
    villages = list(campaign.villages.select_related("village").order_by("stratum", "village_id"))
    names = region_names({v.stratum + "000" for v in villages})
    units = list(selectors.visit_list(campaign))
    findings = [
        u for u in units if u.adjudication in (Adjudication.WRONGLY_EXITED, Adjudication.MISSED)
    ]
    return render(
        request,
        "web/evaluation_detail.html",
        {
            "campaign": campaign,
            "estimates": estimates,
            "villages": [
                {"row": v, "township": names.get(v.stratum + "000", v.stratum)} for v in villages
            ],
            "findings": findings,
            "units": units,
        },
    )


def _visit_context(campaign: Campaign) -> dict[str, Any]:
    units = list(selectors.visit_list(campaign))
    groups: dict[str, dict[str, Any]] = {}
    for unit in units:
        village: Any = unit.village.village
        group = groups.setdefault(
            village.code, {"code": village.code, "name": village.name, "units": []}
        )
        group["units"].append(unit)
    return {"campaign": campaign, "villages": list(groups.values()), "today": date.today()}


@require_GET
@pi_page
def campaign_visits_view(request: HttpRequest, campaign_id: UUID) -> HttpResponse:
    """The printable visit list (走访清单), by village, or as a PDF with ``?format=pdf``."""
    campaign = _campaign(request, campaign_id)
    context = _visit_context(campaign)
    if request.GET.get("format") == "pdf":
        html = render_to_string("web/evaluation_visits_print.html", context, request=request)
        response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="evaluation-{campaign.county_id[:6]}-{campaign.year}.pdf"'
        )
        return response
    return render(request, "web/evaluation_visits.html", context)


class SurveyForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    surveyed_on = forms.DateField(
        label=_("核查日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    people = forms.IntegerField(label=_("家庭人口"), min_value=1, max_value=30)
    per_capita_income = forms.DecimalField(
        label=_("核实人均纯收入（元）"), min_value=0, max_digits=10, decimal_places=2
    )
    food_ok = forms.TypedChoiceField(
        label=_("不愁吃"), choices=YES_NO, coerce=lambda v: v == "1", widget=forms.RadioSelect
    )
    clothing_ok = forms.TypedChoiceField(
        label=_("不愁穿"), choices=YES_NO, coerce=lambda v: v == "1", widget=forms.RadioSelect
    )
    education_ok = forms.TypedChoiceField(
        label=_("义务教育有保障"),
        choices=YES_NO,
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    medical_ok = forms.TypedChoiceField(
        label=_("基本医疗有保障"),
        choices=YES_NO,
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    housing_ok = forms.TypedChoiceField(
        label=_("住房安全有保障"),
        choices=YES_NO,
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    water_ok = forms.TypedChoiceField(
        label=_("饮水安全有保障"),
        choices=YES_NO,
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    is_satisfied = forms.TypedChoiceField(
        label=_("对帮扶工作是否认可"),
        choices=YES_NO,
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    adjudication = forms.ChoiceField(label=_("评估认定"), widget=forms.RadioSelect)
    notes = forms.CharField(
        label=_("核查说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, domain: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        verdict = Adjudication.WRONGLY_EXITED if domain == Domain.REGISTER else Adjudication.MISSED
        field: Any = self.fields["adjudication"]
        field.choices = [
            (Adjudication.CORRECT.value, Adjudication.CORRECT.label),
            (verdict.value, verdict.label),
        ]


def _bool_initial(value: bool | None) -> str | None:
    return None if value is None else ("1" if value else "0")


@require_http_methods(["GET", "POST"])
@pi_page
def survey_view(request: HttpRequest, unit_id: UUID) -> HttpResponse:
    """入户核查: one sampled household's survey, made for a phone."""
    _require_evaluator(request)
    try:
        unit: SampledHousehold = selectors.sampled_household_get(
            user=request.user, public_id=unit_id
        )
    except SampledHousehold.DoesNotExist:
        raise Http404 from None
    initial = {
        "version": unit.version,
        "surveyed_on": unit.surveyed_on or timezone.localdate(),
        "people": unit.people,
        "per_capita_income": unit.per_capita_income,
        "adjudication": unit.adjudication or None,
        "notes": unit.notes,
        **{
            name: _bool_initial(getattr(unit, name))
            for name in (
                "food_ok",
                "clothing_ok",
                "education_ok",
                "medical_ok",
                "housing_ok",
                "water_ok",
                "is_satisfied",
            )
        },
    }
    form = SurveyForm(request.POST or None, initial=initial, domain=unit.domain)
    line = Decimal(resolve(unit.campaign.year, unit.campaign.county_id[:6]).poverty_line)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            answers = SurveyAnswers(
                surveyed_on=data["surveyed_on"],
                people=data["people"],
                per_capita_income=data["per_capita_income"],
                food_ok=data["food_ok"],
                clothing_ok=data["clothing_ok"],
                education_ok=data["education_ok"],
                medical_ok=data["medical_ok"],
                housing_ok=data["housing_ok"],
                water_ok=data["water_ok"],
                adjudication=data["adjudication"],
                is_satisfied=data["is_satisfied"],
                notes=data["notes"],
            )
            suggested = suggested_adjudication(unit, answers, line)
            if suggested != answers.adjudication and not answers.notes.strip():
                form.add_error(
                    "notes",
                    gettext("核查结果提示应认定为“%(s)s”；如认定不同，请在核查说明中写明理由。")
                    % {"s": Adjudication(suggested).label},
                )
            else:
                try:
                    survey_record(
                        actor=request.user,
                        unit=unit,
                        answers=answers,
                        version=data["version"],
                        request=request,
                    )
                except EvaluationError as exc:
                    form.add_error(None, exc.message)
                    status = 409 if exc.conflict else 400
                else:
                    return redirect("web:evaluation_next", campaign_id=unit.campaign.public_id)
    return render(
        request,
        "web/evaluation_survey.html",
        {"unit": unit, "form": form, "line": line},
        status=status,
    )


@require_GET
@pi_page
def campaign_next_view(request: HttpRequest, campaign_id: UUID) -> HttpResponse:
    """After a survey: the next household not yet surveyed, or the campaign when all are."""
    campaign = _campaign(request, campaign_id)
    following = campaign.households.filter(surveyed_on__isnull=True).order_by("position").first()
    if following is None:
        return redirect("web:evaluation", campaign_id=campaign.public_id)
    return redirect("web:evaluation_survey", unit_id=following.public_id)


@require_POST
@pi_page
def campaign_close_view(request: HttpRequest, campaign_id: UUID) -> HttpResponse:
    """结束实地核查: no more surveys."""
    campaign = _campaign(request, campaign_id)
    try:
        version = int(request.POST.get("version", "0"))
        campaign_close(actor=request.user, campaign=campaign, version=version, request=request)
    except (ValueError, EvaluationError) as exc:
        message = exc.message if isinstance(exc, EvaluationError) else str(_("请求无效"))
        return render(
            request,
            "web/evaluation_error.html",
            {"campaign": campaign, "message": message},
            status=409,
        )
    return redirect("web:evaluation", campaign_id=campaign.public_id)


@require_POST
@pi_page
def campaign_push_view(request: HttpRequest, campaign_id: UUID) -> HttpResponse:
    """推送整改台账: each wrong exit and missed household becomes a ledger problem."""
    campaign = _campaign(request, campaign_id)
    try:
        created = campaign_push_findings(
            actor=request.user, campaign=campaign, today=timezone.localdate(), request=request
        )
    except EvaluationError as exc:
        return render(
            request,
            "web/evaluation_error.html",
            {"campaign": campaign, "message": exc.message},
            status=400,
        )
    url = reverse("web:evaluation", kwargs={"campaign_id": campaign.public_id})
    return redirect(f"{url}?pushed={created}")
