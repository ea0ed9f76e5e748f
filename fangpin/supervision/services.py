"""Writes of the ledger: record a problem, and decide on it (start, report fixed, close,
return). Every write checks the capability and the region scope, runs the pure core
(:mod:`fangpin.ledger`) and appends an audit event in the same transaction.

Who may do what:

- record a problem: ``findings.write`` (inspectors, evaluators) or ``registry.edit`` (village,
  township and county staff recording their own checks), inside their scope;
- start and report a fix: ``registry.edit`` inside the scope (the responsible unit's cadres);
- close (销号) or return (退回): ``findings.write`` or ``registry.edit`` inside the scope, and
  never whoever reported the fix (the core refuses ``self_close``).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from fangpin import ledger
from fangpin.core.access import FINDINGS_WRITE, REGISTRY_EDIT, is_system_actor, user_can
from fangpin.core.audit import actor_label, audit_record, user_or_none
from fangpin.core.models import Region
from fangpin.core.scope import scope_covers
from fangpin.regioncode import subtree_prefix
from fangpin.registry.models import Household, Person
from fangpin.supervision.errors import SupervisionError
from fangpin.supervision.models import (
    InspectionPlan,
    ListedRegion,
    ListingStatus,
    ListingTarget,
    PlanHousehold,
    Problem,
    ProblemEntry,
)
from fangpin.supervision.selectors import as_core, open_problems, problem_get

__all__ = [
    "ACTIONS",
    "NewProblem",
    "listing_create",
    "listing_delist",
    "listing_target_done",
    "plan_create",
    "problem_create",
    "problem_decide",
    "problems_bulk_create",
    "problems_escalate",
]

#: The decisions and the capabilities that may take them (any one of them).
ACTIONS: Final[dict[str, tuple[str, ...]]] = {
    "start": (REGISTRY_EDIT,),
    "report_fixed": (REGISTRY_EDIT,),
    "close": (FINDINGS_WRITE, REGISTRY_EDIT),
    "return": (FINDINGS_WRITE, REGISTRY_EDIT),
}
_RECORD: Final = (FINDINGS_WRITE, REGISTRY_EDIT)


def _may(actor: Any, capabilities: Sequence[str], region_code: str) -> bool:
    if is_system_actor(actor):
        return True
    return any(
        user_can(actor, c) and scope_covers(actor, region_code, capability=c) for c in capabilities
    )


def _ledger_error(exc: ledger.LedgerError) -> SupervisionError:
    return SupervisionError(exc.code, exc.message)


def problem_create(
    *,
    actor: Any,
    source: str,
    found_on: date,
    region_code: str,
    dimension: str,
    description: str,
    lead_unit: str,
    deadline: date,
    source_batch: str = "",
    responsible_units: Sequence[str] = (),
    responsible_person: str = "",
    measures: str = "",
    evidence: Sequence[str] = (),
    household_ids: Sequence[int] = (),
    person_ids: Sequence[int] = (),
    request: HttpRequest | None = None,
) -> Problem:
    """Record a problem (待整改). Households must lie inside its region and the scope; the
    persons it concerns must be members of those households."""
    if not is_system_actor(actor) and not any(user_can(actor, c) for c in _RECORD):
        raise SupervisionError("forbidden", "当前账号无权登记整改问题")
    region = Region.objects.filter(code=region_code).first()
    if region is None or not _may(actor, _RECORD, region_code):
        raise SupervisionError("region", f"区划“{region_code}”不存在或不在您的辖区内")
    try:
        core = ledger.new_problem(
            ledger.Problem(
                source=ledger.Source(source),
                source_batch=source_batch.strip()[:100],
                found_on=found_on,
                region_code=region_code,
                dimension=ledger.Dimension(dimension),
                description=description,
                lead_unit=lead_unit,
                deadline=deadline,
                responsible_units=tuple(u.strip() for u in responsible_units if u.strip()),
                responsible_person=responsible_person.strip()[:50],
                measures=measures.strip(),
                evidence=tuple(e.strip() for e in evidence if e.strip()),
            )
        )
    except ValueError as exc:
        if isinstance(exc, ledger.LedgerError):
            raise _ledger_error(exc) from exc
        raise SupervisionError("bad_problem", "问题来源或问题类别不在码表中") from exc
    ids = sorted(set(household_ids))
    households = list(Household.objects.filter(pk__in=ids).only("pk", "village_id"))
    prefix = subtree_prefix(region_code)
    if len(households) != len(ids) or any(not h.village_id.startswith(prefix) for h in households):
        raise SupervisionError("household", "涉及的农户须在问题所在区划内")
    people = sorted(set(person_ids))
    members = set(
        Person.objects.filter(pk__in=people, household_id__in=ids).values_list("pk", flat=True)
    )
    if len(members) != len(people):
        raise SupervisionError("person", "涉及的人员须是所列农户的成员")
    with transaction.atomic():
        row = Problem.objects.create(
            source=core.source.value,
            source_batch=core.source_batch,
            found_on=core.found_on,
            region=region,
            dimension=core.dimension.value,
            description=core.description,
            evidence=list(core.evidence),
            lead_unit=core.lead_unit,
            responsible_units=list(core.responsible_units),
            responsible_person=core.responsible_person,
            measures=core.measures,
            deadline=core.deadline,
            created_by=user_or_none(actor),
            created_by_label=actor_label(actor),
        )
        row.households.set(households)
        row.persons.set(people)
        audit_record(
            actor=actor,
            action="problem.create",
            object_type="problem",
            object_id=row.public_id,
            changes={
                "source": row.source,
                "region": region_code,
                "dimension": row.dimension,
                "deadline": row.deadline.isoformat(),
                "households": ids,
                "persons": people,
            },
            request=request,
        )
    return row


def _action(kind: str, actor: str, on: date, note: str, evidence: Sequence[str]) -> ledger.Action:
    if kind == "start":
        return ledger.Start(actor, on, note)
    if kind == "report_fixed":
        return ledger.ReportFixed(actor, on, note, tuple(evidence))
    if kind == "close":
        return ledger.Close(actor, on, note)
    return ledger.Return(actor, on, note)


def problem_decide(
    *,
    actor: Any,
    public_id: Any,
    action: str,
    on: date,
    expected_version: int,
    note: str = "",
    evidence: Sequence[str] = (),
    request: HttpRequest | None = None,
) -> Problem:
    """Take one decision on a problem read at ``expected_version``; return it updated.

    Refuses (nothing written) without the right, outside the scope (``not_found``), on a
    stale version (409), or as the core refuses. Of two concurrent decisions on the same
    version exactly one is stored (the entry's unique sequence).
    """
    if action not in ACTIONS:
        raise SupervisionError("wrong_status", f"未知的办理操作“{action}”")
    try:
        row = problem_get(user=actor, public_id=public_id)
    except Problem.DoesNotExist:
        raise SupervisionError("not_found", "未找到该问题") from None
    if not _may(actor, ACTIONS[action], row.region_id):
        raise SupervisionError("forbidden", "当前账号无权办理该问题的这一步")
    label = actor_label(actor)
    with transaction.atomic():
        current = Problem.objects.select_for_update().get(pk=row.pk)
        if current.version != expected_version:
            raise SupervisionError("stale", "该问题已被他人办理，请刷新后重试")
        try:
            after = ledger.decide(as_core(current), _action(action, label, on, note, evidence))
        except ledger.LedgerError as exc:
            raise _ledger_error(exc) from exc
        entry = after.history[-1]
        try:
            with transaction.atomic():
                ProblemEntry.objects.create(
                    problem=current,
                    seq=current.version,
                    action=entry.action,
                    actor=user_or_none(actor),
                    actor_label=label,
                    on=entry.on,
                    from_status=entry.from_status.value,
                    to_status=entry.to_status.value,
                    note=entry.note,
                    evidence=list(entry.evidence),
                )
        except IntegrityError:
            raise SupervisionError("stale", "该问题已被他人办理，请刷新后重试") from None
        current.status = after.status.value
        current.fixed_by = after.fixed_by
        current.closure_evidence = list(after.closure_evidence)
        current.closed_by = after.closed_by
        current.closed_on = after.closed_on
        current.version += 1
        current.save(
            update_fields=[
                "status",
                "fixed_by",
                "closure_evidence",
                "closed_by",
                "closed_on",
                "version",
            ]
        )
        audit_record(
            actor=actor,
            action=f"problem.{action}",
            object_type="problem",
            object_id=current.public_id,
            changes={
                "status": [entry.from_status.value, entry.to_status.value],
                "on": on.isoformat(),
            },
            request=request,
        )
    return current


@dataclass(frozen=True, slots=True)
class NewProblem:
    """One problem of a bulk push: one household's (or one region's) finding, keyed so a
    re-run skips it."""

    origin_key: str
    origin_rule: str
    region_code: str  # the household's village, or the region the finding is about
    household_id: int | None  # None: a finding about a region or a cadre, not one household
    description: str
    dimension: str
    lead_unit: str


def problems_bulk_create(
    *,
    actor: Any,
    items: Sequence[NewProblem],
    source: str,
    source_batch: str,
    found_on: date,
    deadline: date,
    parent: Problem | None = None,
    request: HttpRequest | None = None,
) -> list[Problem]:
    """Record many problems at once (the screening push, 举一反三); return those created.

    Items whose ``origin_key`` is already in the ledger are skipped, so a re-run never
    duplicates. Every region must lie inside the actor's scope (``findings.write`` or
    ``registry.edit``); every finding is checked by the core. One audit event covers the push.
    """
    if not is_system_actor(actor) and not any(user_can(actor, c) for c in _RECORD):
        raise SupervisionError("forbidden", "当前账号无权登记整改问题")
    outside = sorted({i.region_code for i in items if not _may(actor, _RECORD, i.region_code)})
    if outside:
        raise SupervisionError("region", f"区划“{outside[0]}”不在您的辖区内")
    keys = [i.origin_key for i in items]
    known = set(Problem.objects.filter(origin_key__in=keys).values_list("origin_key", flat=True))
    fresh: dict[str, NewProblem] = {}
    for item in items:
        if item.origin_key not in known:
            fresh.setdefault(item.origin_key, item)
    rows: list[Problem] = []
    label = actor_label(actor)
    for item in fresh.values():
        try:
            core = ledger.new_problem(
                ledger.Problem(
                    source=ledger.Source(source),
                    source_batch=source_batch,
                    found_on=found_on,
                    region_code=item.region_code,
                    dimension=ledger.Dimension(item.dimension),
                    description=item.description,
                    lead_unit=item.lead_unit,
                    deadline=deadline,
                )
            )
        except ledger.LedgerError as exc:
            raise _ledger_error(exc) from exc
        rows.append(
            Problem(
                source=core.source.value,
                source_batch=core.source_batch,
                found_on=core.found_on,
                region_id=item.region_code,
                dimension=core.dimension.value,
                description=core.description,
                lead_unit=core.lead_unit,
                deadline=core.deadline,
                origin_rule=item.origin_rule,
                origin_key=item.origin_key,
                parent=parent,
                created_by=user_or_none(actor),
                created_by_label=label,
            )
        )
    if not rows:
        return []
    with transaction.atomic():
        # A push running at the same time may have stored some keys since the check above:
        # those rows are skipped here, not an error (the key is unique).
        Problem.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        through = Problem.households.through
        by_key = {i.origin_key: i.household_id for i in fresh.values()}
        linked = {k: h for k, h in by_key.items() if h is not None}
        stored = dict(
            Problem.objects.filter(origin_key__in=list(by_key)).values_list("origin_key", "pk")
        )
        through.objects.bulk_create(
            [through(problem_id=stored[k], household_id=h) for k, h in linked.items()],
            batch_size=1000,
            ignore_conflicts=True,
        )
        audit_record(
            actor=actor,
            action="problem.bulk_create",
            object_type="problem",
            object_id=str(parent.public_id) if parent else source_batch[:64],
            changes={
                "source": source,
                "batch": source_batch,
                "created": len(rows),
                "skipped": len(items) - len(rows),
                "parent": str(parent.public_id) if parent else None,
            },
            request=request,
        )
    return list(Problem.objects.filter(origin_key__in=list(by_key)).order_by("id"))


_LEVELS: Final = ("", "township", "county", "discipline")


def problems_escalate(
    *, actor: Any, today: date, rules: ledger.EscalationRules | None = None
) -> dict[str, int]:
    """Raise the 督办级别 of every overdue problem whose lateness reached a higher level
    (``fangpin housekeeping``, daily); return how many went to each level. Only a system
    actor may; each raise is audited (``problem.escalate``); a level never goes down.
    Idempotent: run twice the same day, the second run changes nothing."""
    if not is_system_actor(actor):
        raise SupervisionError("forbidden", "只有系统任务可以升级督办")
    raised = {"township": 0, "county": 0, "discipline": 0}
    overdue = Problem.objects.filter(
        status__in=[s.value for s in ledger.TO_FIX], deadline__lt=today
    ).exclude(escalation="discipline")
    for row in overdue.only("pk", "public_id", "status", "deadline", "escalation"):
        late = ledger.days_late(ledger.Status(row.status), row.deadline, today)
        level = ledger.level_for(late, rules)
        if level is None or _LEVELS.index(level.value) <= _LEVELS.index(row.escalation):
            continue
        with transaction.atomic():
            changed = Problem.objects.filter(pk=row.pk, escalation=row.escalation).update(
                escalation=level.value
            )
            if not changed:
                continue
            audit_record(
                actor=actor,
                action="problem.escalate",
                object_type="problem",
                object_id=row.public_id,
                changes={
                    "escalation": [row.escalation, level.value],
                    "days_overdue": late,
                },
            )
        raised[level.value] += 1
    return raised


def _draw_villages(actor: Any, count: int, seed: str) -> list[str]:
    """``count`` villages drawn at random (from ``seed``) among the planner's county's."""
    home = "" if is_system_actor(actor) else (getattr(actor, "home_region_id", "") or "")
    if not home or len(subtree_prefix(home)) != 6:
        raise SupervisionError("plan", "随机抽村只适用于县级账号，请直接选择要暗访的村")
    pool = sorted(
        Region.objects.filter(code__startswith=subtree_prefix(home), level=5).values_list(
            "code", flat=True
        )
    )
    rng = random.Random(f"{seed}:villages")
    return sorted(rng.sample(pool, min(count, len(pool))))


def plan_create(
    *,
    actor: Any,
    name: str,
    village_codes: Sequence[str],
    seed: str = "",
    registered_per_village: int = 20,
    others_per_village: int = 5,
    village_count: int = 0,
    request: HttpRequest | None = None,
) -> InspectionPlan:
    """Plan an unannounced visit (暗访): draw each village's households by the rules, never
    one an earlier plan of the county visited. With no villages chosen, a county's planner may
    have ``village_count`` of its villages drawn at random too (same seed). For
    ``findings.write`` (inspectors) only: a visit announced to those visited is no longer
    unannounced."""
    if not is_system_actor(actor) and not user_can(actor, FINDINGS_WRITE):
        raise SupervisionError("forbidden", "当前账号无权制定暗访计划")
    title = (name or "").strip()[:100]
    if not title:
        raise SupervisionError("plan", "请填写暗访批次名称")
    seed = (seed or "").strip()[:64] or uuid.uuid4().hex[:12]
    codes = sorted(set(village_codes))
    if not codes and village_count > 0:
        codes = _draw_villages(actor, village_count, seed)
    if not codes:
        raise SupervisionError("plan", "请至少选择一个村，或填写随机抽取的村数")
    villages = {r.code: r for r in Region.objects.filter(code__in=codes, level=5)}
    outside = [c for c in codes if c not in villages or not _may(actor, (FINDINGS_WRITE,), c)]
    if outside:
        raise SupervisionError("region", f"村“{outside[0]}”不存在或不在您的辖区内")
    counties = {c[:6] + "000000" for c in codes}
    if len(counties) != 1:
        raise SupervisionError("plan", "一次暗访计划只能选择同一个县的村")
    county = Region.objects.get(code=counties.pop())
    try:
        rules = ledger.SamplingRules(registered_per_village, others_per_village)
    except ValueError as exc:
        raise SupervisionError("plan", str(exc)) from exc
    visited = PlanHousehold.objects.filter(plan__county=county).values_list(
        "household_id", flat=True
    )
    candidates: dict[str, list[ledger.Candidate]] = {c: [] for c in codes}
    for pk, village, kind, monitoring in Household.objects.filter(
        village_id__in=codes, status="active"
    ).values_list("pk", "village_id", "household_type", "monitoring_status"):
        registered = kind == "1" or monitoring != "none"
        candidates[village].append(ledger.Candidate(pk, registered))
    samples = ledger.sample_visits(candidates, seed=seed, rules=rules, visited=list(visited))
    registered_ids = {
        c.household_id for group in candidates.values() for c in group if c.registered
    }
    shortfall = {
        s.village_code: {"registered": s.registered_short, "others": s.others_short}
        for s in samples
        if s.registered_short or s.others_short
    }
    with transaction.atomic():
        plan = InspectionPlan.objects.create(
            name=title,
            county=county,
            seed=seed,
            registered_per_village=rules.registered_per_village,
            others_per_village=rules.others_per_village,
            shortfall=shortfall,
            created_by=user_or_none(actor),
            created_by_label=actor_label(actor),
        )
        PlanHousehold.objects.bulk_create(
            [
                PlanHousehold(
                    plan=plan,
                    household_id=household_id,
                    village_code=s.village_code,
                    registered=household_id in registered_ids,
                    position=at,
                )
                for s in samples
                for at, household_id in enumerate(s.household_ids, start=1)
            ]
        )
        audit_record(
            actor=actor,
            action="inspection_plan.create",
            object_type="inspection_plan",
            object_id=plan.public_id,
            changes={
                "villages": codes,
                "households": sum(len(s.household_ids) for s in samples),
                "seed": seed,
                "shortfall": shortfall,
            },
            request=request,
        )
    return plan


def listing_create(
    *,
    actor: Any,
    region_code: str,
    title: str,
    listed_on: date,
    deadline: date,
    targets: Sequence[tuple[str, str, date]],
    request: HttpRequest | None = None,
) -> ListedRegion:
    """挂牌督战: list a region in scope with its target items (item, dimension, deadline)."""
    if not is_system_actor(actor) and not user_can(actor, FINDINGS_WRITE):
        raise SupervisionError("forbidden", "当前账号无权挂牌督战")
    region = Region.objects.filter(code=region_code).first()
    if region is None or not _may(actor, (FINDINGS_WRITE,), region_code):
        raise SupervisionError("region", f"区划“{region_code}”不存在或不在您的辖区内")
    name = (title or "").strip()[:100]
    if not name:
        raise SupervisionError("listing", "请填写督战名称")
    if deadline < listed_on:
        raise SupervisionError("listing", "督战期限不能早于挂牌日期")
    items = [(i.strip()[:200], d, day) for i, d, day in targets if i.strip()]
    if not items:
        raise SupervisionError("listing", "请至少填写一项督战事项")
    for _item, dimension, day in items:
        if dimension not in {d.value for d in ledger.Dimension}:
            raise SupervisionError("listing", f"问题类别“{dimension}”不在码表中")
        if day < listed_on or day > deadline:
            raise SupervisionError("listing", "督战事项的完成期限须在挂牌日期和督战期限之间")
    with transaction.atomic():
        listing = ListedRegion.objects.create(
            region=region,
            title=name,
            listed_on=listed_on,
            deadline=deadline,
            created_by_label=actor_label(actor),
        )
        ListingTarget.objects.bulk_create(
            [
                ListingTarget(listing=listing, item=i, dimension=d, deadline=day)
                for i, d, day in items
            ]
        )
        audit_record(
            actor=actor,
            action="listing.create",
            object_type="listing",
            object_id=listing.public_id,
            changes={
                "region": region_code,
                "deadline": deadline.isoformat(),
                "targets": len(items),
            },
            request=request,
        )
    return listing


def listing_target_done(
    *, actor: Any, target_id: int, on: date, note: str, request: HttpRequest | None = None
) -> ListingTarget:
    """Mark one target item done (staff of the region, or the supervisors), with what was
    done. Done is final: a second mark is refused (409)."""
    target = ListingTarget.objects.select_related("listing").filter(pk=target_id).first()
    if target is None or not _may(actor, (FINDINGS_WRITE, REGISTRY_EDIT), target.listing.region_id):
        raise SupervisionError("not_found", "未找到该督战事项")
    text = (note or "").strip()[:500]
    if not text:
        raise SupervisionError("note_required", "请填写完成情况")
    if target.listing.status != ListingStatus.ACTIVE:
        raise SupervisionError("already_closed", "该区划已摘牌")
    with transaction.atomic():
        changed = ListingTarget.objects.filter(pk=target.pk, done_on__isnull=True).update(
            done_on=on, done_by=actor_label(actor), note=text
        )
        if not changed:
            raise SupervisionError("stale", "该事项已确认完成")
        audit_record(
            actor=actor,
            action="listing.target_done",
            object_type="listing",
            object_id=target.listing.public_id,
            changes={"target": target.pk, "item": target.item, "on": on.isoformat()},
            request=request,
        )
    target.refresh_from_db()
    return target


def listing_delist(
    *, actor: Any, public_id: Any, on: date, request: HttpRequest | None = None
) -> ListedRegion:
    """摘牌: only when every target item is done and the region has no open problem (清零)."""
    listing = ListedRegion.objects.filter(public_id=public_id).first()
    if listing is None:
        raise SupervisionError("not_found", "未找到该挂牌督战")
    if not _may(actor, (FINDINGS_WRITE,), listing.region_id):
        raise SupervisionError("forbidden", "当前账号无权摘牌")
    if listing.status != ListingStatus.ACTIVE:
        raise SupervisionError("already_closed", "该区划已摘牌")
    undone = listing.targets.filter(done_on__isnull=True).count()
    if undone:
        raise SupervisionError("listing", f"还有 {undone} 项督战事项未完成，不能摘牌")
    count = open_problems(listing.region_id).count()
    if count:
        raise SupervisionError("listing", f"辖区内还有 {count} 个问题未销号（未清零），不能摘牌")
    with transaction.atomic():
        changed = ListedRegion.objects.filter(pk=listing.pk, status=ListingStatus.ACTIVE).update(
            status=ListingStatus.DELISTED, delisted_on=on, delisted_by=actor_label(actor)
        )
        if not changed:
            raise SupervisionError("stale", "该区划已摘牌")
        audit_record(
            actor=actor,
            action="listing.delist",
            object_type="listing",
            object_id=listing.public_id,
            changes={"on": on.isoformat()},
            request=request,
        )
    listing.refresh_from_db()
    return listing
