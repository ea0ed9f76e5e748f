"""Projects (项目库): funding, beneficiaries (利益联结), assets and their returns."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from fangpin.core.audit import actor_label
from fangpin.core.models import Region, RegionLevel
from fangpin.force.errors import ForceError
from fangpin.force.models import (
    AssetKind,
    AssetReturn,
    FundSource,
    LinkType,
    Project,
    ProjectAsset,
    ProjectBeneficiary,
    ProjectFunding,
    ProjectKind,
    ProjectStatus,
)
from fangpin.force.services._common import (
    STALE,
    _audit,
    _choice,
    _get,
    _household,
    _inside,
    _money,
    _region,
    _require_edit,
    _require_scope,
    _term,
    _text,
)
from fangpin.registry.models import ACTIVE

# --- Projects (项目库) ----------------------------------------------------------------------------


def _funding(funding: Mapping[str, Decimal] | None) -> dict[str, Decimal]:
    """Source → positive amount; each source from :class:`FundSource`."""
    clean: dict[str, Decimal] = {}
    for source, amount in (funding or {}).items():
        _choice(FundSource, source, "资金来源", "funding")
        label = FundSource(source).label
        clean[source] = _money(amount, label=label, field="funding", positive=True)
    return dict(sorted(clean.items()))


def _project_region(actor: Any, region_code: str) -> Region:
    _require_scope(actor, region_code, f"区划“{region_code}”")
    levels = (RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE)
    return _region(region_code, levels, "县、乡镇或村级", "region_code")


def project_create(
    *,
    actor: Any,
    name: str,
    kind: str,
    region_code: str,
    start_date: date,
    end_date: date | None = None,
    status: str = "planned",
    one_village_one_product: bool = False,
    one_county_one_industry: bool = False,
    product: str = "",
    funding: Mapping[str, Decimal] | None = None,
    request: HttpRequest | None = None,
) -> Project:
    """Enter a project into the library, at a county, township or village, with its
    funding by source. A 一村一品 or 一县一业 project names its leading product."""
    region = _project_region(actor, region_code)
    title = _text(Project, "name", name)
    kind = _choice(ProjectKind, kind, "项目类型", "kind")
    status = _choice(ProjectStatus, status, "实施状态", "status")
    _term(start_date, end_date, label="计划完工日期")
    goods = _text(Project, "product", product, required=False)
    if (one_village_one_product or one_county_one_industry) and not goods:
        raise ForceError("product", "一村一品、一县一业项目须填写主导产品", field="product")
    money = _funding(funding)
    with transaction.atomic():
        project = Project.objects.create(
            name=title,
            kind=kind,
            region=region,
            status=status,
            start_date=start_date,
            end_date=end_date,
            one_village_one_product=bool(one_village_one_product),
            one_county_one_industry=bool(one_county_one_industry),
            product=goods,
            created_by_label=actor_label(actor),
        )
        ProjectFunding.objects.bulk_create(
            ProjectFunding(project=project, source=s, amount=a) for s, a in money.items()
        )
        _audit(
            actor,
            "project.create",
            "project",
            project.public_id,
            {
                "name": title,
                "kind": kind,
                "region": region.code,
                "status": status,
                "start_date": start_date,
                "end_date": end_date,
                "product": goods,
                "funding": money,
            },
            request,
        )
    return project


def project_update(
    *,
    actor: Any,
    project_id: UUID,
    expected_version: int,
    status: str | None = None,
    end_date: date | None = None,
    funding: Mapping[str, Decimal] | None = None,
    request: HttpRequest | None = None,
) -> Project:
    """Change a project's status, planned completion or funding (``None``: unchanged; a
    given ``funding`` replaces every source's amount) from the version the caller read."""
    _require_edit(actor)
    project = _get(Project, project_id, "项目")
    _require_scope(actor, project.region_id, "该项目")
    values: dict[str, object] = {}
    if status is not None:
        values["status"] = _choice(ProjectStatus, status, "实施状态", "status")
    if end_date is not None:
        _term(project.start_date, end_date, label="计划完工日期")
        values["end_date"] = end_date
    money = _funding(funding) if funding is not None else None
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        if project.version != expected_version:
            raise ForceError("stale", STALE)
        changes: dict[str, Any] = {
            name: [getattr(project, name), value] for name, value in values.items()
        }
        changed = Project.objects.filter(pk=project.pk, version=expected_version).update(
            version=F("version") + 1, **values
        )
        if not changed:  # the database checks the version again at write time
            raise ForceError("stale", STALE)
        if money is not None:
            before = dict(project.funding.order_by("source").values_list("source", "amount"))
            project.funding.all().delete()
            ProjectFunding.objects.bulk_create(
                ProjectFunding(project=project, source=s, amount=a) for s, a in money.items()
            )
            changes["funding"] = [before, money]
        project.refresh_from_db()
        changes["version"] = project.version
        _audit(actor, "project.update", "project", project.public_id, changes, request)
    return project


def beneficiary_link(
    *,
    actor: Any,
    project_id: UUID,
    household_id: int,
    link_type: str,
    since: date,
    request: HttpRequest | None = None,
) -> ProjectBeneficiary:
    """Link a household of the project's area to the project by one kind of link (利益联结);
    a county project may link any household of the county."""
    _require_edit(actor)
    project = _get(Project, project_id, "项目")
    household = _household(actor, household_id)
    link_type = _choice(LinkType, link_type, "联结方式", "link_type")
    if household.status != ACTIVE:
        raise ForceError("household_inactive", f"农户{household.household_number}已注销")
    if not _inside(household.village_id, project.region_id):
        raise ForceError("household", "该农户不在项目实施地点范围内", field="household_id")
    label = LinkType(link_type).label
    with transaction.atomic():
        if ProjectBeneficiary.objects.filter(
            project=project, household=household, link_type=link_type
        ).exists():
            raise ForceError("already", f"该户已与项目建立{label}利益联结")
        try:
            with transaction.atomic():
                link = ProjectBeneficiary.objects.create(
                    project=project, household=household, link_type=link_type, since=since
                )
        except IntegrityError:
            raise ForceError("already", f"该户已与项目建立{label}利益联结") from None
        _audit(
            actor,
            "project.link",
            "project",
            project.public_id,
            {"household": household.household_number, "link_type": link_type, "since": since},
            request,
        )
    return link


def asset_add(
    *,
    actor: Any,
    project_id: UUID,
    name: str,
    kind: str,
    owner: str,
    manager: str,
    value: Decimal,
    request: HttpRequest | None = None,
) -> ProjectAsset:
    """Record an asset a project created: who owns it, who runs it, its original value."""
    _require_edit(actor)
    project = _get(Project, project_id, "项目")
    _require_scope(actor, project.region_id, "该项目")
    title = _text(ProjectAsset, "name", name)
    kind = _choice(AssetKind, kind, "资产类别", "kind")
    holder = _text(ProjectAsset, "owner", owner)
    runner = _text(ProjectAsset, "manager", manager)
    worth = _money(value, label="资产原值", field="value")
    with transaction.atomic():
        asset = ProjectAsset.objects.create(
            project=project, name=title, kind=kind, owner=holder, manager=runner, value=worth
        )
        _audit(
            actor,
            "asset.add",
            "projectasset",
            asset.public_id,
            {
                "project": project.public_id,
                "name": title,
                "kind": kind,
                "owner": holder,
                "manager": runner,
                "value": worth,
            },
            request,
        )
    return asset


def asset_return_set(
    *,
    actor: Any,
    asset_id: UUID,
    year: int,
    amount: Decimal,
    request: HttpRequest | None = None,
) -> AssetReturn:
    """Record (or correct) an asset's return of a year: from the project's first year to
    this one."""
    _require_edit(actor)
    asset = ProjectAsset.objects.select_related("project").filter(public_id=asset_id).first()
    if asset is None:
        raise ForceError("not_found", "未找到该项目资产")
    _require_scope(actor, asset.project.region_id, "该项目资产")
    first, last = asset.project.start_date.year, timezone.localdate().year
    if isinstance(year, bool) or not isinstance(year, int) or not first <= year <= last:
        raise ForceError("year", f"收益年度应在{first}至{last}之间，实为{year}", field="year")
    money = _money(amount, label="年收益", field="amount")
    with transaction.atomic():
        row = AssetReturn.objects.select_for_update().filter(asset=asset, year=year).first()
        before = row.amount if row is not None else None
        if row is None:
            try:
                with transaction.atomic():
                    row = AssetReturn.objects.create(asset=asset, year=year, amount=money)
            except IntegrityError:
                raise ForceError("stale", STALE) from None
        else:
            row.amount = money
            row.save(update_fields=["amount"])
        _audit(
            actor,
            "asset.return_set",
            "projectasset",
            asset.public_id,
            {"year": year, "amount": [before, money]},
            request,
        )
    return row
