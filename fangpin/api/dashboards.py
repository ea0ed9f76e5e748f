"""The dashboard figures as JSON (``GET /api/v1/dashboard?region=CODE``): the headline numbers
of a region and of each region below it, from the same tallies and selectors as the web pages
(docs/dashboards.md). Read with ``registry.view``; a region outside the scope is a 404."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Query, Router, Schema

from fangpin.api.auth import require
from fangpin.api.errors import ApiError
from fangpin.api.schemas import responses
from fangpin.core.access import REGISTRY_VIEW
from fangpin.core.models import Region
from fangpin.dashboards.selectors import dashboard_figures, dashboard_region, headline

router = Router(tags=["看板 dashboards"])

Figures = dict[str, float | None]


class ChildOut(Schema):
    code: str
    name: str
    figures: Figures


class DashboardOut(Schema):
    code: str
    name: str
    level: int
    as_of: date | None
    refreshed_at: datetime | None
    figures: Figures
    children: list[ChildOut]


@router.get("", response=responses(200, DashboardOut), url_name="dashboard")
def dashboard(
    request: HttpRequest,
    region: Annotated[str, Query(description="区划代码（12位）；不填为本账号所属区划")] = "",
) -> DashboardOut:
    """看板主要指标：本区划及各下级区划的监测对象、线索、案件、措施、走访和整改数。"""
    user = require(request, REGISTRY_VIEW)
    try:
        place = dashboard_region(user=user, code=region or None)
    except Region.DoesNotExist:
        raise ApiError(404, "not_found", "区划不存在或不在管辖范围内") from None
    fig = dashboard_figures(user=user, region=place)
    return DashboardOut(
        code=place.code,
        name=place.name,
        level=place.level,
        as_of=fig.freshness.as_of,
        refreshed_at=fig.freshness.refreshed_at,
        figures=headline(fig),
        children=[
            ChildOut(code=c.code, name=c.name, figures=headline(fig, fig.child_prefix[c.code]))
            for c in fig.children
        ],
    )
