"""Writes of the assistance force and the industries (帮扶力量与产业项目, issue #10): work teams
and their members, assisting cadres and their households, pairings and their commitments,
projects with their funding, beneficiaries and assets, and consumption-assistance purchases.

Who may write: ``registry.edit`` with a region scope covering the target — the village of a
team, the region of a project, the village of a household (a cadre's assignment, a
beneficiary link) — and the whole county for pairings and their commitments, for registering
cadres and for purchases (county-level arrangements). System actors (:data:`SYSTEM`,
``"system:<what>"``) are not checked. A refusal raises ``ForceError("forbidden")`` before
anything is said about the target, and writes nothing (no ``authz.denied`` event either).

Every write runs in one transaction with its audit event. Terms (任期) keep their rows when
they end: the history of who was stationed where, and who was responsible for a household,
stays readable. Rows edited concurrently (commitments, projects) carry a ``version``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Final, TypeVar
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone

from fangpin.core.access import REGISTRY_EDIT, is_system_actor, user_can
from fangpin.core.audit import actor_label, audit_record
from fangpin.core.models import Region, RegionLevel, User
from fangpin.core.scope import scope_covers
from fangpin.force.errors import ForceError
from fangpin.force.models import (
    AssetKind,
    AssetReturn,
    AssistingCadre,
    CadreAssignment,
    CommitmentItem,
    FundSource,
    LinkType,
    Pairing,
    PairingCommitment,
    PairingKind,
    Project,
    ProjectAsset,
    ProjectBeneficiary,
    ProjectFunding,
    ProjectKind,
    ProjectStatus,
    Purchase,
    TeamMember,
    TeamRole,
    WorkTeam,
)
from fangpin.regioncode import RegionCodeError, subtree_prefix
from fangpin.registry.models import ACTIVE, Household

__all__ = [
    "asset_add",
    "asset_return_set",
    "beneficiary_link",
    "cadre_assign",
    "cadre_create",
    "commitment_set",
    "member_add",
    "member_end",
    "pairing_create",
    "project_create",
    "project_update",
    "purchase_record",
    "team_create",
    "team_end",
]

STALE: Final = "该记录已被他人修改，请刷新后重试"
FIRST_YEAR: Final = 1990  # 东西部扶贫协作 began in 1996; older years are typing mistakes
LAST_YEAR: Final = 2100
_CENT: Final = Decimal("0.01")
_SINGLE_ROLES: Final = (TeamRole.FIRST_SECRETARY, TeamRole.CAPTAIN)
_M = TypeVar("_M", bound=models.Model)


# --- Rights ------------------------------------------------------------------------------------


def _require_edit(actor: Any) -> None:
    """Refuse an actor who may write nowhere (before any lookup)."""
    if not is_system_actor(actor) and not user_can(actor, REGISTRY_EDIT):
        raise ForceError("forbidden", "当前账号无权登记帮扶力量和产业项目")


def _require_scope(actor: Any, region_code: str, what: str) -> None:
    """Refuse a target region outside the actor's ``registry.edit`` scope."""
    _require_edit(actor)
    if not is_system_actor(actor) and not scope_covers(
        actor, region_code, capability=REGISTRY_EDIT
    ):
        raise ForceError("forbidden", f"{what}不在本账号的管辖范围内")


def _region(code: str, levels: tuple[int, ...], label: str, field: str) -> Region:
    region = Region.objects.filter(code=code, level__in=levels).first()
    if region is None:
        raise ForceError("region", f"“{code}”不是已加载的{label}区划", field=field)
    if region.valid_to is not None:
        raise ForceError("region", f"“{code} {region.name}”已撤销", field=field)
    return region


def _county(actor: Any, county_code: str) -> Region:
    """The county, after checking the actor's scope covers all of it."""
    _require_scope(actor, county_code, f"县“{county_code}”")
    return _region(county_code, (RegionLevel.COUNTY,), "县级", "county_code")


def _household(actor: Any, household_id: int) -> Household:
    """The household, if inside the actor's scope (missing and outside look alike)."""
    _require_edit(actor)
    household = Household.objects.filter(pk=household_id).first()
    if household is None or not (
        is_system_actor(actor)
        or scope_covers(actor, household.village_id, capability=REGISTRY_EDIT)
    ):
        raise ForceError("forbidden", "该农户不存在或不在本账号的管辖范围内", field="household_id")
    return household


def _inside(code: str, region_code: str) -> bool:
    try:
        return code.startswith(subtree_prefix(region_code))
    except RegionCodeError:
        return False


# --- Values ------------------------------------------------------------------------------------


def _text(model: type[models.Model], field: str, value: str, *, required: bool = True) -> str:
    """``value`` stripped, checked against the model field's length (and presence)."""
    column = model._meta.get_field(field)
    label = str(column.verbose_name)  # type: ignore[union-attr]  # a concrete field here
    limit = column.max_length  # type: ignore[union-attr]
    text = (value or "").strip() if isinstance(value, str) else ""
    if required and not text:
        raise ForceError(field, f"请填写{label}", field=field)
    if limit is not None and len(text) > limit:
        raise ForceError(field, f"{label}不能超过{limit}个字，实为{len(text)}个字", field=field)
    return text


def _choice(choices: type[models.TextChoices], value: str, label: str, field: str) -> str:
    if value not in choices.values:
        raise ForceError(field, f"{label}“{value}”不在码表中", field=field)
    return str(value)


def _money(
    value: object, *, label: str, field: str, max_digits: int = 14, positive: bool = False
) -> Decimal:
    """An amount in yuan with at most two decimals that fits the column; never a float."""
    if isinstance(value, bool | float) or not isinstance(value, Decimal | int | str):
        raise ForceError("amount", f"{label}应为数字，实为“{value!r}”", field=field)
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
        limit = Decimal(10) ** (max_digits - 2)
        if not amount.is_finite() or abs(amount) >= limit:
            raise ForceError("amount", f"{label}“{value}”超出范围", field=field)
        if amount != amount.quantize(_CENT, rounding="ROUND_DOWN"):
            raise ForceError("amount", f"{label}“{value}”最多保留两位小数", field=field)
    except InvalidOperation:
        raise ForceError("amount", f"{label}“{value}”不是有效数字", field=field) from None
    if amount < 0 or (positive and amount == 0):
        raise ForceError(
            "amount", f"{label}应{'大于0' if positive else '不小于0'}，实为{amount}", field=field
        )
    return amount.quantize(_CENT)


def _year(value: int, *, label: str = "年度", field: str = "year") -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not FIRST_YEAR <= value <= LAST_YEAR
    ):
        raise ForceError(
            "year", f"{label}应在{FIRST_YEAR}至{LAST_YEAR}之间，实为{value}", field=field
        )
    return value


def _term(start: date, end: date | None, *, label: str = "结束日期") -> None:
    if end is not None and end < start:
        raise ForceError(
            "end_date",
            f"{label}{end.isoformat()}不能早于开始日期{start.isoformat()}",
            field="end_date",
        )


def _audit(
    actor: Any,
    action: str,
    object_type: str,
    object_id: object,
    changes: dict[str, Any],
    request: HttpRequest | None,
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        changes={k: _plain(v) for k, v in changes.items()},
        request=request,
    )


def _plain(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _get(model: type[_M], public_id: UUID, label: str) -> _M:
    try:
        row = model._default_manager.filter(public_id=public_id).first()
    except (ValueError, ValidationError):  # not a UUID at all
        row = None
    if row is None:
        raise ForceError("not_found", f"未找到该{label}")
    return row


# --- Work teams (驻村工作队) --------------------------------------------------------------------


def team_create(
    *,
    actor: Any,
    village_code: str,
    dispatching_unit: str,
    start_date: date,
    request: HttpRequest | None = None,
) -> WorkTeam:
    """Station a work team in a village from ``start_date``. A village has at most one team
    at a time: a team whose term reaches ``start_date`` must be ended first."""
    _require_scope(actor, village_code, f"村“{village_code}”")
    _region(village_code, (RegionLevel.VILLAGE,), "村级", "village_code")
    unit = _text(WorkTeam, "dispatching_unit", dispatching_unit)
    with transaction.atomic():
        village = Region.objects.select_for_update().get(code=village_code)  # teams in turn
        current = (
            WorkTeam.objects.filter(village=village)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=start_date))
            .order_by("start_date")
            .first()
        )
        if current is not None:
            raise ForceError(
                "team_overlap",
                f"{village.name}已有驻村工作队（{current.dispatching_unit}，"
                f"{current.start_date.isoformat()}起），任期与新工作队重叠，请先结束原工作队",
                field="start_date",
            )
        team = WorkTeam.objects.create(
            village=village,
            dispatching_unit=unit,
            start_date=start_date,
            created_by_label=actor_label(actor),
        )
        _audit(
            actor,
            "workteam.create",
            "workteam",
            team.public_id,
            {"village": village.code, "dispatching_unit": unit, "start_date": start_date},
            request,
        )
    return team


def team_end(
    *, actor: Any, team_id: UUID, end_date: date, request: HttpRequest | None = None
) -> WorkTeam:
    """End a team's term, and the term of every member still serving on ``end_date``."""
    _require_edit(actor)
    found = _get(WorkTeam, team_id, "驻村工作队")
    _require_scope(actor, found.village_id, "该驻村工作队")
    with transaction.atomic():
        team = WorkTeam.objects.select_for_update().get(pk=found.pk)
        if team.end_date is not None:
            raise ForceError("already", f"该工作队已于{team.end_date.isoformat()}结束轮换")
        _term(team.start_date, end_date)
        serving = list(
            team.members.filter(Q(end_date__isnull=True) | Q(end_date__gt=end_date)).order_by("id")
        )
        late = next((m for m in serving if m.start_date > end_date), None)
        if late is not None:
            raise ForceError(
                "end_date",
                f"成员{late.name}的任期{late.start_date.isoformat()}才开始，晚于结束日期"
                f"{end_date.isoformat()}",
                field="end_date",
            )
        TeamMember.objects.filter(pk__in=[m.pk for m in serving]).update(end_date=end_date)
        team.end_date = end_date
        team.save(update_fields=["end_date"])
        _audit(
            actor,
            "workteam.end",
            "workteam",
            team.public_id,
            {"end_date": end_date, "members_ended": [m.pk for m in serving]},
            request,
        )
    return team


def member_add(
    *,
    actor: Any,
    team_id: UUID,
    name: str,
    role: str,
    unit: str,
    start_date: date,
    request: HttpRequest | None = None,
) -> TeamMember:
    """Add a member to a serving team. A team has at most one first secretary and one
    captain at a time: the predecessor's term must end before ``start_date``."""
    _require_edit(actor)
    found = _get(WorkTeam, team_id, "驻村工作队")
    _require_scope(actor, found.village_id, "该驻村工作队")
    person = _text(TeamMember, "name", name)
    role = _choice(TeamRole, role, "职务", "role")
    employer = _text(TeamMember, "unit", unit)
    with transaction.atomic():
        team = WorkTeam.objects.select_for_update().get(pk=found.pk)  # members in turn
        if team.end_date is not None:
            raise ForceError(
                "ended", f"该工作队已于{team.end_date.isoformat()}结束轮换，不能再增加成员"
            )
        if start_date < team.start_date:
            raise ForceError(
                "start_date",
                f"任期开始日期不能早于工作队轮换开始日期{team.start_date.isoformat()}",
                field="start_date",
            )
        if role in _SINGLE_ROLES:
            holder = (
                team.members.filter(role=role)
                .filter(Q(end_date__isnull=True) | Q(end_date__gte=start_date))
                .first()
            )
            if holder is not None:
                raise ForceError(
                    "role_taken",
                    f"该工作队已有在任{TeamRole(role).label}{holder.name}，请先结束其任期",
                    field="role",
                )
        member = TeamMember.objects.create(
            team=team, name=person, role=role, unit=employer, start_date=start_date
        )
        _audit(
            actor,
            "teammember.add",
            "teammember",
            member.pk,
            {
                "team": team.public_id,
                "name": person,
                "role": role,
                "unit": employer,
                "start_date": start_date,
            },
            request,
        )
    return member


def member_end(
    *, actor: Any, member_id: int, end_date: date, request: HttpRequest | None = None
) -> TeamMember:
    """End one member's term (the row stays)."""
    _require_edit(actor)
    found = TeamMember.objects.select_related("team").filter(pk=member_id).first()
    if found is None:
        raise ForceError("not_found", "未找到该工作队成员")
    _require_scope(actor, found.team.village_id, "该工作队成员")
    with transaction.atomic():
        member = TeamMember.objects.select_for_update().select_related("team").get(pk=found.pk)
        if member.end_date is not None:
            raise ForceError("already", f"{member.name}的任期已于{member.end_date.isoformat()}结束")
        _term(member.start_date, end_date, label="任期结束日期")
        member.end_date = end_date
        member.save(update_fields=["end_date"])
        _audit(
            actor,
            "teammember.end",
            "teammember",
            member.pk,
            {"team": member.team.public_id, "name": member.name, "end_date": end_date},
            request,
        )
    return member


# --- Assisting cadres (帮扶责任人) ---------------------------------------------------------------


def cadre_create(
    *,
    actor: Any,
    county_code: str,
    name: str,
    unit: str,
    username: str = "",
    request: HttpRequest | None = None,
) -> AssistingCadre:
    """Register an assisting cadre of a county; ``username`` links their active account
    (its home region inside the county), so what they do under it counts as theirs."""
    county = _county(actor, county_code)
    person = _text(AssistingCadre, "name", name)
    employer = _text(AssistingCadre, "unit", unit)
    account = None
    login = (username or "").strip()
    if login:
        account = User.objects.filter(username=login, is_active=True).first()
        if account is None or not _inside(account.home_region_id or "", county.code):
            raise ForceError(
                "user", f"账号“{login}”不存在、已停用或不属于{county.name}", field="username"
            )
        holder = AssistingCadre.objects.filter(user=account).first()
        if holder is not None:
            raise ForceError(
                "user", f"账号“{login}”已关联帮扶责任人{holder.name}", field="username"
            )
    with transaction.atomic():
        cadre = AssistingCadre.objects.create(
            name=person,
            unit=employer,
            county=county,
            user=account,
            created_by_label=actor_label(actor),
        )
        _audit(
            actor,
            "cadre.create",
            "assistingcadre",
            cadre.public_id,
            {"county": county.code, "name": person, "unit": employer, "username": login},
            request,
        )
    return cadre


def cadre_assign(
    *,
    actor: Any,
    cadre_id: UUID,
    household_id: int,
    start_date: date,
    request: HttpRequest | None = None,
) -> CadreAssignment:
    """Make ``cadre_id`` responsible for a household from ``start_date``. The household's
    current assignment, if any, ends the day before (its row stays: history)."""
    _require_edit(actor)
    household = _household(actor, household_id)
    cadre = _get(AssistingCadre, cadre_id, "帮扶责任人")
    if not _inside(household.village_id, cadre.county_id):
        raise ForceError("household", "该农户不在帮扶责任人所在县", field="household_id")
    if household.status != ACTIVE:
        raise ForceError("household_inactive", f"农户{household.household_number}已注销")
    with transaction.atomic():
        Household.objects.select_for_update().filter(pk=household.pk).first()  # in turn
        history = list(CadreAssignment.objects.filter(household=household).order_by("start_date"))
        current = next((a for a in history if a.end_date is None), None)
        if current is not None and current.cadre_id == cadre.pk:
            raise ForceError("already", f"{cadre.name}已是该户的帮扶责任人")
        last = max((a.end_date or a.start_date for a in history), default=None)
        if last is not None and start_date <= last:
            raise ForceError(
                "start_date",
                f"结对日期须晚于该户上一次结对的日期{last.isoformat()}",
                field="start_date",
            )
        if current is not None:
            current.end_date = start_date - timedelta(days=1)
            current.save(update_fields=["end_date"])
        try:
            with transaction.atomic():
                assignment = CadreAssignment.objects.create(
                    cadre=cadre, household=household, start_date=start_date
                )
        except IntegrityError:  # another assignment of this household won the race
            raise ForceError("stale", STALE) from None
        _audit(
            actor,
            "cadre.assign",
            "cadreassignment",
            assignment.pk,
            {
                "cadre": cadre.public_id,
                "household": household.household_number,
                "start_date": start_date,
                "ended": current.pk if current is not None else None,
            },
            request,
        )
    return assignment


# --- Pairings (东西部协作, 定点帮扶) -------------------------------------------------------------


def pairing_create(
    *,
    actor: Any,
    kind: str,
    partner: str,
    county_code: str,
    start_year: int,
    end_year: int | None = None,
    request: HttpRequest | None = None,
) -> Pairing:
    """Record a partner unit paired with a county for some years (the same partner, kind
    and county cannot be paired twice over the same years)."""
    county = _county(actor, county_code)
    kind = _choice(PairingKind, kind, "帮扶类别", "kind")
    unit = _text(Pairing, "partner", partner)
    _year(start_year, label="起始年度", field="start_year")
    if end_year is not None:
        _year(end_year, label="结束年度", field="end_year")
        if end_year < start_year:
            raise ForceError("end_year", "结束年度不能早于起始年度", field="end_year")
    with transaction.atomic():
        overlap = Pairing.objects.filter(kind=kind, partner=unit, county=county).filter(
            Q(end_year__isnull=True) | Q(end_year__gte=start_year)
        )
        if end_year is not None:
            overlap = overlap.filter(start_year__lte=end_year)
        if overlap.exists():
            raise ForceError(
                "already", f"{unit}与{county.name}在这些年度已有{PairingKind(kind).label}关系"
            )
        pairing = Pairing.objects.create(
            kind=kind,
            partner=unit,
            county=county,
            start_year=start_year,
            end_year=end_year,
            created_by_label=actor_label(actor),
        )
        _audit(
            actor,
            "pairing.create",
            "pairing",
            pairing.public_id,
            {"kind": kind, "partner": unit, "county": county.code, "years": [start_year, end_year]},
            request,
        )
    return pairing


def commitment_set(
    *,
    actor: Any,
    pairing_id: UUID,
    year: int,
    item: str,
    committed: Decimal,
    delivered: Decimal,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> PairingCommitment:
    """Record what a pairing promised on one item for a year and what was delivered. The
    first call creates the row; a later one updates it and needs the ``expected_version``
    it read."""
    _require_edit(actor)
    pairing = _get(Pairing, pairing_id, "结对关系")
    _require_scope(actor, pairing.county_id, "该结对关系所在县")
    _year(year)
    if year < pairing.start_year or (pairing.end_year is not None and year > pairing.end_year):
        raise ForceError(
            "year",
            f"{year}年不在结对关系的年度（{pairing.start_year}—{pairing.end_year or ''}）之内",
            field="year",
        )
    item = _choice(CommitmentItem, item, "协议事项", "item")
    promised = _money(committed, label="协议数", field="committed")
    done = _money(delivered, label="完成数", field="delivered")
    with transaction.atomic():
        row = (
            PairingCommitment.objects.select_for_update()
            .filter(pairing=pairing, year=year, item=item)
            .first()
        )
        if row is None:
            if expected_version is not None:  # edited a row that is not there (any more)
                raise ForceError("stale", STALE)
            try:
                with transaction.atomic():
                    row = PairingCommitment.objects.create(
                        pairing=pairing, year=year, item=item, committed=promised, delivered=done
                    )
            except IntegrityError:  # created meanwhile by someone else
                raise ForceError("stale", STALE) from None
            before: list[object] = [None, None]
        else:
            if expected_version is None:
                raise ForceError(
                    "version_required",
                    "该事项已登记，修改时必须提供版本号",
                    field="expected_version",
                )
            before = [row.committed, row.delivered]
            changed = PairingCommitment.objects.filter(pk=row.pk, version=expected_version).update(
                committed=promised, delivered=done, version=F("version") + 1
            )
            if not changed:
                raise ForceError("stale", STALE)
            row.refresh_from_db()
        _audit(
            actor,
            "commitment.set",
            "pairing",
            pairing.public_id,
            {
                "year": year,
                "item": item,
                "committed": [before[0], promised],
                "delivered": [before[1], done],
                "version": row.version,
            },
            request,
        )
    return row


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


# --- Consumption assistance (消费帮扶) -----------------------------------------------------------


def purchase_record(
    *,
    actor: Any,
    county_code: str,
    buyer: str,
    year: int,
    bought_on: date,
    product: str,
    amount: Decimal,
    household_id: int | None = None,
    cooperative: str = "",
    pairing_id: UUID | None = None,
    request: HttpRequest | None = None,
) -> Purchase:
    """Record a buyer unit's purchase from exactly one seller of the county: a registered
    household or a co-operative; ``pairing_id`` credits it to a pairing of that county."""
    county = _county(actor, county_code)
    unit = _text(Purchase, "buyer", buyer)
    goods = _text(Purchase, "product", product)
    _year(year)
    if bought_on.year != year:
        raise ForceError(
            "bought_on", f"采购日期{bought_on.isoformat()}不在{year}年度内", field="bought_on"
        )
    money = _money(amount, label="采购金额", field="amount", positive=True)
    coop = _text(Purchase, "cooperative", cooperative, required=False)
    if (household_id is None) == (not coop):
        raise ForceError(
            "seller", "供货方须是一个农户或一个合作社（二者选一）", field="household_id"
        )
    household = None
    if household_id is not None:
        household = Household.objects.filter(pk=household_id).first()
        if household is None or not _inside(household.village_id, county.code):
            raise ForceError(
                "household", f"供货农户不是{county.name}的登记农户", field="household_id"
            )
    pairing = None
    if pairing_id is not None:
        pairing = Pairing.objects.filter(public_id=pairing_id, county=county).first()
        if pairing is None:
            raise ForceError("pairing", f"未找到{county.name}的该结对关系", field="pairing_id")
        if year < pairing.start_year or (pairing.end_year is not None and year > pairing.end_year):
            raise ForceError("year", f"{year}年不在该结对关系的年度之内", field="year")
    with transaction.atomic():
        purchase = Purchase.objects.create(
            buyer=unit,
            county=county,
            year=year,
            bought_on=bought_on,
            product=goods,
            household=household,
            cooperative=coop,
            amount=money,
            pairing=pairing,
            recorded_by_label=actor_label(actor),
        )
        _audit(
            actor,
            "purchase.record",
            "purchase",
            purchase.public_id,
            {
                "county": county.code,
                "buyer": unit,
                "year": year,
                "bought_on": bought_on,
                "product": goods,
                "amount": money,
                "household": household.household_number if household else None,
                "cooperative": coop,
                "pairing": pairing.public_id if pairing else None,
            },
            request,
        )
    return purchase
