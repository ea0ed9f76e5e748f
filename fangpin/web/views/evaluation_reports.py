"""Measuring the truth: the poverty measures and exit qualification of a county
(贫困测度与退出评估) and its integrity report (数据真实性检测), docs/evaluation.md.

Read with ``registry.view``; the rows shown are cut to the reader's scope (a township sees its
township and villages, not the county's total). Computing the measures needs a scope covering
the county; running the detectors ``findings.write`` or ``screening.run``; pushing findings into
the ledger ``findings.write``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from fangpin.core.access import FINDINGS_WRITE, SCREENING_RUN, user_can
from fangpin.evaluation import selectors
from fangpin.evaluation.errors import EvaluationError
from fangpin.evaluation.integrity import integrity_push, integrity_run
from fangpin.evaluation.registry_measures import measures_compute
from fangpin.integrity import CODE_ZH, Code
from fangpin.web.views._common import pi_page

FINDINGS_SHOWN = 200


def _choice(request: HttpRequest) -> tuple[list[Any], str, int]:
    """The counties the reader may pick, the chosen one and the year (GET or POST).

    A page falls back to the first county; a POST naming a county outside the scope is a 404.
    """
    counties = list(selectors.counties_in_scope(user=request.user))
    if not counties:
        raise PermissionDenied
    data = request.POST if request.method == "POST" else request.GET
    wanted = str(data.get("county", ""))
    chosen = next((c.code for c in counties if c.code == wanted), None)
    if chosen is None:
        if request.method == "POST":  # never act on another county than the one named
            raise Http404
        chosen = counties[0].code
    try:
        year = int(str(data.get("year", "")))
    except ValueError:
        year = timezone.localdate().year - 1
    if not 2020 <= year <= 2100:
        year = timezone.localdate().year - 1
    return counties, chosen, year


def _refused(exc: EvaluationError) -> int:
    """403 for a step outside one's rights or scope, 400 for anything else."""
    return 403 if exc.code in ("forbidden", "region") else 400


def _in_scope(rows: list[dict[str, Any]], prefix: str, key: str) -> list[dict[str, Any]]:
    return [r for r in rows if str(r.get(key, "")).startswith(prefix)]


def _chart(option: dict[str, Any]) -> dict[str, Any]:
    """An ECharts option, given to the page with ``json_script`` (escaped, no inline script)."""
    return option


def _measure_charts(
    result: dict[str, Any], township_rows: list[dict[str, Any]], whole_county: bool
) -> dict[str, dict[str, Any]]:
    """The headcount by township (the reader's townships); the MPI contributions and the
    Lorenz curve are the county's, so only for a reader of the whole county."""
    names = [r["name"] for r in township_rows]
    mpi = result["mpi"]
    charts = {
        "headcount": _chart(
            {
                "title": {"text": "各乡镇监测线下人口占比", "textStyle": {"fontSize": 14}},
                "tooltip": {"trigger": "axis"},
                "grid": {"left": 48, "right": 16, "bottom": 80},
                "xAxis": {"type": "category", "data": names, "axisLabel": {"rotate": 40}},
                "yAxis": {"type": "value", "axisLabel": {"formatter": "{value}%"}},
                "series": [
                    {
                        "type": "bar",
                        "name": "H",
                        "data": [round(r["headcount"] * 100, 2) for r in township_rows],
                    }
                ],
                # A click on a township's bar opens its households (charts.js follows links).
                "links": {
                    r["name"]: f"{reverse('web:household_list')}?region={r['group']}"
                    for r in township_rows
                },
            }
        ),
        "contributions": _chart(
            {
                "title": {"text": "多维贫困指数各指标贡献（%）", "textStyle": {"fontSize": 14}},
                "tooltip": {"trigger": "item", "formatter": "{b}：{c}%"},
                "series": [
                    {
                        "type": "pie",
                        "radius": ["35%", "65%"],
                        "data": [
                            {"name": i["label"], "value": round(i["contribution"], 2)}
                            for i in mpi["indicators"]
                        ],
                    }
                ],
            }
        ),
        "lorenz": _chart(
            {
                "title": {"text": "洛伦兹曲线（人均纯收入）", "textStyle": {"fontSize": 14}},
                "tooltip": {"trigger": "axis"},
                "xAxis": {"type": "value", "min": 0, "max": 1, "name": "人口累计占比"},
                "yAxis": {"type": "value", "min": 0, "max": 1, "name": "收入累计占比"},
                "series": [
                    {
                        "type": "line",
                        "name": "洛伦兹曲线",
                        "showSymbol": False,
                        "data": result["lorenz"],
                    },
                    {
                        "type": "line",
                        "name": "绝对平均线",
                        "showSymbol": False,
                        "lineStyle": {"type": "dashed"},
                        "data": [[0, 0], [1, 1]],
                    },
                ],
            }
        ),
    }
    return charts if whole_county else {"headcount": charts["headcount"]}


@require_GET
@pi_page
def measures_view(request: HttpRequest) -> HttpResponse:
    """贫困测度与退出评估 of a county and year, from the latest stored computation."""
    counties, county, year = _choice(request)
    found = selectors.measure_result_latest(user=request.user, county_code=county, year=year)
    prefix = selectors.reader_prefix(request.user) or ""
    whole_county = len(prefix) <= 6
    context: dict[str, Any] = {
        "counties": counties,
        "county": county,
        "year": year,
        "measure": found,
        "whole_county": whole_county,
    }
    if found is not None:
        result = found.result
        townships = {
            line: _in_scope([r for r in rows if r["group"]], prefix, "group")
            for line, rows in result["profile"].items()
        }
        totals = {
            line: next((r for r in rows if not r["group"]), None)
            for line, rows in result["profile"].items()
        }
        villages = _in_scope(result["exit"]["villages"], prefix, "code")
        context.update(
            result=result,
            profiles=[
                {
                    "line": line,
                    "rows": townships[line],
                    "total": totals[line] if whole_county else None,
                }
                for line in ("monitoring", "poverty")
            ],
            mpi_groups=_in_scope(result["mpi"]["groups"], prefix, "group"),
            exit_villages=sorted(villages, key=lambda r: (r["qualified"], -r["incidence"])),
            exit_townships=_in_scope(result["exit"]["townships"], prefix, "code"),
            exit_county=result["exit"]["county"] if whole_county else None,
            charts=_measure_charts(result, townships["monitoring"], whole_county),
        )
    return render(request, "web/measures.html", context)


@require_POST
@pi_page
def measures_compute_view(request: HttpRequest) -> HttpResponse:
    """重新计算: the county's measures from the registry as it is now."""
    counties, county, year = _choice(request)
    try:
        measures_compute(actor=request.user, county_code=county, year=year, request=request)
    except EvaluationError as exc:
        return render(
            request,
            "web/measures.html",
            {"counties": counties, "county": county, "year": year, "error": exc.message},
            status=_refused(exc),
        )
    return redirect(f"{reverse('web:measures')}?county={county}&year={year}")


def _integrity_chart(summary: list[dict[str, Any]]) -> dict[str, Any]:
    rows = [(v["title"], v["findings"]) for v in summary if v["ran"]]
    return _chart(
        {
            "title": {"text": "各项检测发现的疑点数", "textStyle": {"fontSize": 14}},
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 140, "right": 24},
            "xAxis": {"type": "value"},
            "yAxis": {"type": "category", "data": [t for t, _n in rows], "inverse": True},
            "series": [{"type": "bar", "data": [n for _t, n in rows]}],
        }
    )


@require_GET
@pi_page
def integrity_view(request: HttpRequest) -> HttpResponse:
    """数据真实性检测: the latest run's summary and findings, optionally of one detector."""
    counties, county, year = _choice(request)
    run = selectors.integrity_run_latest(user=request.user, county_code=county, year=year)
    detector = str(request.GET.get("detector", ""))
    if detector not in Code.__members__:
        detector = ""
    context: dict[str, Any] = {
        "counties": counties,
        "county": county,
        "year": year,
        "run": run,
        "detector": detector,
        "detectors": [(c.value, CODE_ZH[c]) for c in Code],
        "can_run": user_can(request.user, FINDINGS_WRITE) or user_can(request.user, SCREENING_RUN),
        "can_push": user_can(request.user, FINDINGS_WRITE),
        "export_query": urlencode(
            {"county": county, "year": year, **({"detector": detector} if detector else {})}
        ),
        "pushed": request.GET.get("pushed"),
    }
    if run is not None:
        findings = selectors.integrity_findings(
            user=request.user, run=run, detector=detector or None
        )
        shown = list(findings[:FINDINGS_SHOWN])
        for finding in shown:
            finding.title = CODE_ZH.get(Code(finding.detector), finding.detector)  # type: ignore[attr-defined]
        summary = [{"code": code, **values} for code, values in run.summary.items()]
        if len(selectors.reader_prefix(request.user) or "") > 6:
            # A township or village reader: the counts of their own findings, not the county's.
            counts = dict(
                selectors.integrity_findings(user=request.user, run=run)
                .order_by()
                .values_list("detector")
                .annotate(n=Count("id"))
            )
            summary = [{**row, "findings": counts.get(row["code"], 0)} for row in summary]
        context.update(
            findings=shown,
            findings_total=findings.count(),
            shown=FINDINGS_SHOWN,
            chart=_integrity_chart(summary),
            summary=summary,
        )
    return render(request, "web/integrity.html", context)


def _integrity_url(county: str, year: int, extra: str = "") -> str:
    return f"{reverse('web:integrity')}?county={county}&year={year}{extra}"


@require_POST
@pi_page
def integrity_run_view(request: HttpRequest) -> HttpResponse:
    """开始检测: run every detector over the county now."""
    counties, county, year = _choice(request)
    try:
        integrity_run(actor=request.user, county_code=county, year=year, request=request)
    except EvaluationError as exc:
        return render(
            request,
            "web/integrity.html",
            {"counties": counties, "county": county, "year": year, "error": exc.message},
            status=_refused(exc),
        )
    return redirect(_integrity_url(county, year))


@require_POST
@pi_page
def integrity_push_view(request: HttpRequest) -> HttpResponse:
    """推送整改台账: the latest run's warnings (of one detector, or all) into the ledger."""
    counties, county, year = _choice(request)
    run = selectors.integrity_run_latest(user=request.user, county_code=county, year=year)
    detector = str(request.POST.get("detector", ""))
    status = 400
    if run is None:
        error = gettext("还没有检测结果，请先开始检测")
    else:
        try:
            created = integrity_push(
                actor=request.user,
                run=run,
                today=timezone.localdate(),
                detectors=[detector] if detector in Code.__members__ else [],
                request=request,
            )
        except EvaluationError as exc:
            error, status = exc.message, _refused(exc)
        else:
            return redirect(_integrity_url(county, year, f"&pushed={created}"))
    return render(
        request,
        "web/integrity.html",
        {"counties": counties, "county": county, "year": year, "error": error},
        status=status,
    )
