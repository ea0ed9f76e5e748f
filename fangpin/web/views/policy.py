"""政策版本: the policy edition in force for a year in the viewer's county (or a region they
choose), every value with where it came from; values no source confirmed are marked 未证实.

Policy editions are public rules, not household data: every logged-in account may read them.
The page defaults to the viewer's home region cut to its county (an edition has no township or
village level) and to last year; an account without a home region is asked for a region code.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from fangpin.policy import PolicyError, PolicyValidationError, resolve


class PolicyForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)
    region = forms.RegexField(
        label=_("区划代码"),
        regex=r"^\d{6}(\d{6})?$",
        required=False,
        error_messages={"invalid": _("区划代码应为 6 位或 12 位数字")},
    )


def _home_county(user: Any) -> str:
    region = getattr(user, "home_region", None)
    return region.code[:6] if region is not None else ""


@require_GET
def policy_view(request: HttpRequest) -> HttpResponse:
    form = PolicyForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    year = data.get("year") or timezone.localdate().year - 1
    region = (data.get("region") or _home_county(request.user))[:6]
    edition = None
    error = ""
    if not region:  # an account without a home region (the administrators) picks one
        error = "请输入要查看的区划代码（如县代码 433124）"
    else:
        try:
            edition = resolve(year, region)
        except PolicyError as exc:
            error = exc.message
        except PolicyValidationError as exc:
            error = (
                f"政策版本文件有误（共 {len(exc.errors)} 处），请管理员运行 fangpin policy check"
            )
    return render(
        request,
        "web/policy.html",
        {
            "form": form,
            "year": year,
            "region": region,
            "edition": edition,
            "rows": edition.explain() if edition else (),
            "error": error,
        },
        status=200 if edition or not region else 400,
    )
