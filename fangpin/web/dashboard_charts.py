"""The ECharts options of the dashboards (看板), built from the tallies' :class:`Figures`.

Each option carries ``links`` for charts.js: a click on a bar, slice or tile named ``name`` (or
``"series|name"`` for one segment of a stacked bar) opens the region below or the list behind
the number — the household list with the same filters the tally counts, the clue, case or
problem list. Options go to the page through ``json_script`` (no inline script, CSP).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from fangpin import codes
from fangpin.assistance.policy import category_names
from fangpin.casework.models import CaseKind, ClueStatus
from fangpin.dashboards.reports import months_back
from fangpin.dashboards.selectors import MONITORING_TYPES, Figures
from fangpin.procedure import STEP_ZH
from fangpin.supervision.models import STATUS_CHOICES

__all__ = ["overview_charts", "results_charts", "with_empty_note", "work_charts"]

MONTHS_SHOWN = 36
_TITLE = {"textStyle": {"fontSize": 14}}
_PALETTE = ["#c23531", "#d48265", "#2f4554", "#61a0a8", "#91c7ae", "#749f83", "#ca8622"]


def _has_data(option: dict[str, Any]) -> bool:
    for series in option.get("series", []):
        for point in series.get("data", []):
            value = point.get("value") if isinstance(point, dict) else point
            if isinstance(value, list):
                value = value[0] if value else 0
            if value:
                return True
    return False


def with_empty_note(charts: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Charts without a single non-zero value say 「暂无数据」 in the middle."""
    for option in charts.values():
        if not _has_data(option):
            option["graphic"] = {
                "type": "text",
                "left": "center",
                "top": "middle",
                "style": {"text": _("暂无数据"), "fontSize": 14, "fill": "#999"},
            }
    return charts


def url(name: str, **params: str) -> str:
    """``reverse(name)`` with the non-empty ``params`` as a query string."""
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{reverse(name)}?{query}" if query else reverse(name)


def households_url(prefix: str, **params: str) -> str:
    return url("web:household_list", region=prefix, status="active", **params)


def dashboard_url(name: str, code: str) -> str:
    return url(name, region=code)


def step_zh(step: str) -> str:
    """The Chinese name of a procedure step (its code when unknown)."""
    return next((zh for s, zh in STEP_ZH.items() if s.value == step), step)


def _title(text: str) -> dict[str, Any]:
    return {"text": text, **_TITLE}


def _bar(
    title: str,
    names: list[str],
    values: Sequence[float],
    links: dict[str, str],
    *,
    series: str = "",
    horizontal: bool = False,
) -> dict[str, Any]:
    rotate = 30 if len(names) > 6 and not horizontal else 0
    category = {"type": "category", "data": names, "axisLabel": {"interval": 0, "rotate": rotate}}
    value = {"type": "value", "minInterval": 1}
    return {
        "title": _title(title),
        "color": _PALETTE,
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 120 if horizontal else 48, "right": 24, "bottom": 64, "top": 48},
        "xAxis": value if horizontal else category,
        "yAxis": category if horizontal else value,
        "series": [
            {"type": "bar", "name": series or _("户数"), "data": values, "label": {"show": True}}
        ],
        "links": links,
    }


def overview_charts(fig: Figures, dashboard: str) -> dict[str, dict[str, Any]]:
    """监测对象: by type, by child region (stacked, and as a tree-map), by risk type, per month."""
    type_label = codes.table("monitoring_type").label
    risk_label = codes.table("risk_type").label
    prefix = fig.prefix
    types = [(k, type_label(k)) for k in MONITORING_TYPES]
    children = fig.children
    charts: dict[str, dict[str, Any]] = {}
    charts["types"] = {
        "title": _title(_("监测对象类别（未消除风险）")),
        "color": _PALETTE,
        "tooltip": {"trigger": "item", "formatter": _("{b}：{c}户（{d}%）")},
        "legend": {"bottom": 0},
        "series": [
            {
                "type": "pie",
                "radius": ["35%", "65%"],
                "label": {"formatter": _("{b}\n{c}户")},
                "data": [
                    {"name": zh, "value": fig.total("mon", k)}
                    for k, zh in types
                    if fig.total("mon", k)
                ],
            }
        ],
        "links": {
            zh: households_url(prefix, monitoring_status="open", monitoring_type=k)
            for k, zh in types
        },
    }
    links: dict[str, str] = {}
    for child in children:
        links[child.name] = dashboard_url(dashboard, child.code)
        for k, zh in types:
            links[f"{zh}|{child.name}"] = households_url(
                fig.child_prefix[child.code], monitoring_status="open", monitoring_type=k
            )
    charts["regions"] = {
        "title": _title(_("分区划监测对象（未消除风险）")),
        "color": _PALETTE,
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"bottom": 0},
        "grid": {"left": 48, "right": 16, "bottom": 90, "top": 48},
        "xAxis": {
            "type": "category",
            "data": [c.name for c in children],
            "axisLabel": {"interval": 0, "rotate": 30 if len(children) > 6 else 0},
        },
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "type": "bar",
                "stack": "mon",
                "name": zh,
                "data": [fig.total("mon", k, fig.child_prefix[c.code]) for c in children],
            }
            for k, zh in types
        ],
        "links": links,
    }
    charts["treemap"] = {
        "title": _title(_("区划树图（面积为在册农户数，颜色深浅为监测对象占比）")),
        "tooltip": {"formatter": _("{b}：{c}户")},
        "series": [
            {
                "type": "treemap",
                "roam": False,
                "nodeClick": False,
                "breadcrumb": {"show": False},
                "levels": [
                    {
                        "visualDimension": 1,
                        "colorMappingBy": "value",
                        "color": ["#f6e3d6", "#e9a77f", "#c23531"],
                        "itemStyle": {"gapWidth": 2},
                    }
                ],
                "label": {"show": True, "formatter": "{b}", "color": "#222"},
                "data": [
                    {
                        "name": c.name,
                        "value": [
                            fig.total("hh", child=fig.child_prefix[c.code]),
                            round(
                                fig.total("mon", child=fig.child_prefix[c.code])
                                / max(fig.total("hh", child=fig.child_prefix[c.code]), 1)
                                * 100,
                                2,
                            ),
                        ],
                    }
                    for c in children
                    if fig.total("hh", child=fig.child_prefix[c.code])
                ],
            }
        ],
        "links": {c.name: dashboard_url(dashboard, c.code) for c in children},
    }
    risks = fig.keys("risk")
    ordered = sorted(risks, key=lambda r: -fig.total("risk", r))
    charts["risks"] = _bar(
        _("监测对象风险类型（户，一户可有多项）"),
        [risk_label(r) for r in ordered][::-1],
        [fig.total("risk", r) for r in ordered][::-1],
        {
            risk_label(r): households_url(prefix, monitoring_status="open", risk_type=r)
            for r in risks
        },
        horizontal=True,
    )
    months = months_back(fig.as_of, MONTHS_SHOWN)
    names = [f"{m.year}-{m.month:02d}" for m in months]
    ident, elim = fig.by_month("ident"), fig.by_month("elim_m")
    new, gone = _("新识别"), _("风险消除")
    month_links: dict[str, str] = {}
    for name in names:
        month_links[f"{new}|{name}"] = households_url(prefix, identified=name)
        month_links[f"{gone}|{name}"] = households_url(prefix, eliminated=name)
    charts["months"] = {
        "title": _title(_("近%(n)s个月识别监测与风险消除（户）") % {"n": MONTHS_SHOWN}),
        "color": ["#c23531", "#61a0a8"],
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 48, "right": 16, "bottom": 80, "top": 48},
        "xAxis": {"type": "category", "data": names, "axisLabel": {"rotate": 45}},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"type": "bar", "name": new, "data": [ident.get(m, 0) for m in months]},
            {"type": "bar", "name": gone, "data": [elim.get(m, 0) for m in months]},
        ],
        "links": month_links,
    }
    return charts


def work_charts(fig: Figures, dashboard: str, *, year: int) -> dict[str, dict[str, Any]]:
    """工作进展: the clue and case pipeline, measures by category, visits, the ledger."""
    prefix = fig.prefix
    place = prefix if len(prefix) > 6 else ""
    charts: dict[str, dict[str, Any]] = {}
    late_name, on_time = _("逾期"), _("未逾期")
    children = fig.children
    clue_links: dict[str, str] = {}
    for child in children:
        code = fig.child_prefix[child.code]
        if len(code) >= 9:  # a township or village: the clue list filters by it
            clue_links[f"{late_name}|{child.name}"] = url(
                "web:clues", status="pending", overdue="yes", village=code
            )
            clue_links[f"{on_time}|{child.name}"] = url(
                "web:clues", status="pending", overdue="no", village=code
            )
        clue_links[child.name] = dashboard_url(dashboard, child.code)
    late = [fig.total("clue_late", child=fig.child_prefix[c.code]) for c in children]
    pending = [
        fig.total("clue", ClueStatus.PENDING.value, fig.child_prefix[c.code]) for c in children
    ]
    charts["clues"] = {
        "title": _title(_("待核实线索（按区划，含逾期）")),
        "color": ["#61a0a8", "#c23531"],
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"bottom": 0},
        "grid": {"left": 56, "right": 16, "bottom": 90, "top": 48},
        "xAxis": {
            "type": "category",
            "data": [c.name for c in children],
            "axisLabel": {"interval": 0, "rotate": 30 if len(children) > 6 else 0},
        },
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "type": "bar",
                "stack": "clues",
                "name": on_time,
                "data": [p - q for p, q in zip(pending, late, strict=True)],
            },
            {"type": "bar", "stack": "clues", "name": late_name, "data": late},
        ],
        "links": clue_links,
    }
    steps = sorted(fig.keys("case"), key=lambda k: (k.split(":")[0], -fig.total("case", k)))
    names: list[str] = []
    links: dict[str, str] = {}
    for key in steps:
        kind, step = key.split(":", 1)
        label = f"{CaseKind(kind).label}·{step_zh(step)}"
        names.append(label)
        links[f"{on_time}|{label}"] = url(
            "web:cases", kind=kind, state="open", overdue="no", village=place
        )
        links[f"{late_name}|{label}"] = url("web:cases", kind=kind, overdue="yes", village=place)
    charts["pipeline"] = {
        "title": _title(_("认定与消除案件所处环节（办理中，含逾期）")),
        "color": ["#61a0a8", "#c23531"],
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"bottom": 0},
        "grid": {"left": 170, "right": 24, "bottom": 48, "top": 48},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "data": names[::-1], "axisLabel": {"interval": 0}},
        "series": [
            {
                "type": "bar",
                "stack": "cases",
                "name": on_time,
                "data": [fig.total("case", k) - fig.total("case_late", k) for k in steps][::-1],
            },
            {
                "type": "bar",
                "stack": "cases",
                "name": late_name,
                "data": [fig.total("case_late", k) for k in steps][::-1],
            },
        ],
        "links": links,
    }
    category_zh = category_names(fig.region.code if len(fig.region.code) == 12 else "", year)
    categories = sorted(fig.keys("measure"), key=lambda c: -fig.total("measure", c))
    charts["measures"] = _bar(
        _("实施中的帮扶措施（按类别，户）"),
        [category_zh.get(c, c) for c in categories][::-1],
        [fig.total("measure", c) for c in categories][::-1],
        {
            category_zh.get(c, c): households_url(prefix, monitoring_status="open", measure=c)
            for c in categories
        },
        horizontal=True,
    )
    coverage: list[float] = []
    for c in children:
        mon = fig.total("mon", child=fig.child_prefix[c.code])
        visited = fig.total("visited", child=fig.child_prefix[c.code])
        coverage.append(round(visited / mon * 100, 1) if mon else 0.0)
    charts["coverage"] = {
        **_bar(
            _("走访覆盖率（走访周期内已走访的监测户占比，%）"),
            [c.name for c in children],
            coverage,
            {c.name: dashboard_url(dashboard, c.code) for c in children},
            series=_("覆盖率"),
        ),
        "yAxis": {"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}},
    }
    months = months_back(fig.as_of, MONTHS_SHOWN)
    visits = fig.by_month("visit_m")
    charts["visits"] = {
        "title": _title(_("每月走访次数")),
        "color": ["#2f4554"],
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 48, "right": 16, "bottom": 64, "top": 48},
        "xAxis": {
            "type": "category",
            "data": [f"{m.year}-{m.month:02d}" for m in months],
            "axisLabel": {"rotate": 45},
        },
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"type": "line", "name": _("走访次数"), "data": [visits.get(m, 0) for m in months]}
        ],
        "links": {},
    }
    status_zh = dict(STATUS_CHOICES)
    problem_links = {
        str(status_zh[s]): url("web:problems", status=s, region=place) for s in status_zh
    }
    charts["ledger"] = {
        "title": _title(_("整改台账问题状态（清零进度）")),
        "color": ["#c23531", "#d48265", "#ca8622", "#61a0a8", "#91c7ae", "#749f83"],
        "tooltip": {"trigger": "item", "formatter": _("{b}：{c}个（{d}%）")},
        "legend": {"bottom": 0},
        "series": [
            {
                "type": "pie",
                "radius": ["35%", "65%"],
                "data": [
                    {"name": str(status_zh[s]), "value": fig.total("problem", s)}
                    for s in status_zh
                    if fig.total("problem", s)
                ],
            }
        ],
        "links": problem_links,
    }
    return charts


def exit_rows(result: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    """The exit-qualification rows a region shows: a county its townships, a township its
    villages, a village itself."""
    if len(prefix) <= 6:
        return [r for r in result["exit"]["townships"] if r["code"].startswith(prefix)]
    return [r for r in result["exit"]["villages"] if r["code"].startswith(prefix)]


def _region_prefix(code: str) -> str:
    return code[:9] if code.endswith("000") else code


def results_charts(
    *,
    result: dict[str, Any] | None,
    prefix: str,
    whole_county: bool,
    integrity_counts: list[tuple[str, str, int]],
    integrity_link: str,
) -> dict[str, dict[str, Any]]:
    """成效: headcount by township, MPI contributions, exit qualification, integrity flags."""
    charts: dict[str, dict[str, Any]] = {}
    if result:
        rows = [
            r
            for r in result["profile"]["monitoring"]
            if r["group"] and (r["group"].startswith(prefix) or prefix.startswith(r["group"]))
        ]
        charts["headcount"] = _bar(
            _("各乡镇监测线下人口占比（%）"),
            [r["name"] for r in rows],
            [round(r["headcount"] * 100, 2) for r in rows],
            {r["name"]: households_url(r["group"]) for r in rows},
            series=_("占比"),
        )
        if whole_county:
            charts["mpi"] = {
                "title": _title(_("多维贫困指数各指标贡献（%）")),
                "color": _PALETTE,
                "tooltip": {"trigger": "item", "formatter": "{b}：{c}%"},
                "series": [
                    {
                        "type": "pie",
                        "radius": ["30%", "55%"],
                        "label": {"width": 90, "overflow": "break"},
                        "minShowLabelAngle": 6,
                        "data": [
                            {"name": i["label"], "value": round(i["contribution"], 2)}
                            for i in result["mpi"]["indicators"]
                        ],
                    }
                ],
                "links": {},
            }
        exits = exit_rows(result, prefix)
        charts["exit"] = {
            "title": _title(_("贫困发生率与退出标准（%）")),
            "color": ["#61a0a8", "#c23531"],
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 48, "right": 16, "bottom": 80, "top": 48},
            "xAxis": {
                "type": "category",
                "data": [r["name"] for r in exits],
                "axisLabel": {"interval": 0, "rotate": 30 if len(exits) > 6 else 0},
            },
            "yAxis": {"type": "value", "axisLabel": {"formatter": "{value}%"}},
            "series": [
                {
                    "type": "bar",
                    "name": _("贫困发生率"),
                    "data": [round(r["incidence"] * 100, 2) for r in exits],
                },
                {
                    "type": "line",
                    "name": _("退出标准"),
                    "data": [round(r["threshold"] * 100, 2) for r in exits],
                },
            ],
            "links": {r["name"]: households_url(_region_prefix(r["code"])) for r in exits},
        }
    charts["integrity"] = _bar(
        _("数据真实性检测疑点（按检测项）"),
        [zh for _, zh, _ in integrity_counts][::-1],
        [n for _, _, n in integrity_counts][::-1],
        {zh: f"{integrity_link}&detector={code}" for code, zh, _ in integrity_counts},
        series=_("疑点数"),
        horizontal=True,
    )
    return charts
