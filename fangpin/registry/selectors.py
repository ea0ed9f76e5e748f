"""Reads of the registry: households, members, finances, conditions, checklist, timeline.

Selectors never write. List selectors annotate what a list shows (member count, head name)
with subqueries, so a page costs the same number of queries whatever its size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from fangpin import codes, conditions, idnumber
from fangpin.registry.models import (
    ACTIVE,
    HEAD,
    Household,
    HouseholdCondition,
    HouseholdFinance,
    HouseholdStatusChange,
    MembershipEvent,
    Person,
)

__all__ = [
    "Checklist",
    "TimelineEntry",
    "household_checklist",
    "household_current_condition",
    "household_finance",
    "household_get",
    "household_head",
    "household_list",
    "household_members",
    "household_timeline",
    "person_find_by_id_number",
]


def household_get(*, household_id: int) -> Household:
    """The household with its village. Raises ``Household.DoesNotExist``."""
    return Household.objects.select_related("village").get(pk=household_id)


def _active_members_of_outer() -> QuerySet[Person]:
    # order_by(): Person's default ordering would join the household table into the subquery.
    return Person.objects.filter(household=OuterRef("pk"), status=ACTIVE).order_by()


def household_list(
    *,
    village_prefix: str | None = None,
    household_type: str | None = None,
    search: str | None = None,
) -> QuerySet[Household]:
    """Households with ``member_count`` (active members) and ``head_name`` annotated.

    ``village_prefix`` filters by the start of the 12-digit village code (a county's
    "433124", a township's "433124102"). ``search`` matches a household-number prefix, the
    head's name (contains), or exactly a member's ID number (typed or pasted in any form
    :func:`fangpin.idnumber.normalise` accepts).
    """
    member_count = (
        _active_members_of_outer().values("household").annotate(n=Count("pk")).values("n")
    )
    head_name = _active_members_of_outer().filter(relation=HEAD).values("name")[:1]
    qs = (
        Household.objects.select_related("village")
        .annotate(
            member_count=Coalesce(Subquery(member_count, output_field=IntegerField()), Value(0)),
            head_name=Coalesce(Subquery(head_name), Value("")),
        )
        .order_by("household_number")
    )
    if village_prefix:
        qs = qs.filter(village__code__startswith=village_prefix)
    if household_type:
        qs = qs.filter(household_type=household_type)
    text = (search or "").strip()
    if text:
        number = idnumber.normalise(text)
        has_member_id = Exists(_active_members_of_outer().filter(id_number=number))
        qs = qs.filter(
            Q(household_number__startswith=text) | Q(head_name__contains=text) | has_member_id
        )
    return qs


def household_members(*, household_id: int, include_inactive: bool = False) -> QuerySet[Person]:
    """Members ordered head first (by relation code, then birth date)."""
    qs = Person.objects.filter(household_id=household_id)
    if not include_inactive:
        qs = qs.filter(status=ACTIVE)
    return qs.order_by("relation", "birth_date", "pk")


def household_head(*, household_id: int) -> Person | None:
    return Person.objects.filter(household_id=household_id, status=ACTIVE, relation=HEAD).first()


def household_finance(*, household_id: int, year: int) -> HouseholdFinance | None:
    return HouseholdFinance.objects.filter(household_id=household_id, year=year).first()


def household_current_condition(
    *, household_id: int, on: date | None = None
) -> HouseholdCondition | None:
    """The latest assessment (on or before ``on`` when given)."""
    qs = HouseholdCondition.objects.filter(household_id=household_id)
    if on is not None:
        qs = qs.filter(assessed_on__lte=on)
    return qs.order_by("-assessed_on", "-pk").first()


@dataclass(frozen=True, slots=True)
class Checklist:
    """两不愁三保障 and safe drinking water for one household on one day (DOMAIN.md §7)."""

    food: bool
    clothing: bool
    compulsory_education: bool
    medical_insurance: bool
    housing: bool
    water: bool
    failures: list[str] = field(default_factory=list)

    @property
    def all_secured(self) -> bool:
        return not self.failures


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def household_checklist(*, household_id: int, on: date) -> Checklist:
    """Evaluate the household checklist on ``on``.

    Food, clothing, housing and water come from the latest assessment on or before ``on``;
    without one they count as not secured ("尚未核查"). Education and medical insurance are
    computed from the currently active members: every child aged 6–15 on ``on`` is in school
    (student-status attribute ``in_school``) or has an excused out-of-school reason (attribute
    ``excused``: physical reasons, taught at home, already completed); every member is in
    resident or employee basic medical insurance.
    """
    condition = household_current_condition(household_id=household_id, on=on)
    members = list(household_members(household_id=household_id))
    students = codes.table("student_status")
    reasons = codes.table("out_of_school_reason")
    in_school = set(students.codes_where("in_school"))
    excused = set(reasons.codes_where("excused"))

    failures: list[str] = []
    if condition is None:
        food = clothing = housing = water = False
        failures.append("尚未核查吃、穿、住房和饮水情况")
    else:
        food, clothing = condition.food_secure, condition.clothing_secure
        housing = conditions.housing_safe(condition.housing_grade)
        assessment = conditions.WaterAssessment(
            quantity_ok=condition.water_quantity_ok,
            quality_ok=condition.water_quality_ok,
            convenience_ok=condition.water_convenience_ok,
            reliability_ok=condition.water_reliability_ok,
        )
        water = assessment.safe
        if not food:
            failures.append("不愁吃：未达标")
        if not clothing:
            failures.append("不愁穿：未达标")
        if not housing:
            label = codes.table("housing_grade").label(condition.housing_grade)
            failures.append(f"住房安全有保障：住房鉴定为{label}")
        if not water:
            failures.append(f"饮水安全有保障：{'、'.join(assessment.failures())}不达标")

    schooling = [
        conditions.ChildSchooling(
            birth_date=p.birth_date,
            in_school=p.student_status in in_school,
            excused_reason=p.out_of_school_reason in excused,
        )
        for p in members
    ]
    education = conditions.compulsory_education_secured(schooling, on)
    if not education:
        names = "、".join(
            p.name
            for p, child in zip(members, schooling, strict=True)
            if 6 <= _age_on(p.birth_date, on) <= 15
            and not (child.in_school or child.excused_reason)
        )
        failures.append(f"义务教育有保障：适龄儿童{names}失学辍学")
    medical = conditions.medical_insurance_secured(
        p.has_resident_medical or p.has_employee_medical for p in members
    )
    if not medical:
        names = "、".join(
            p.name for p in members if not (p.has_resident_medical or p.has_employee_medical)
        )
        failures.append(f"基本医疗有保障：{names}未参加基本医疗保险")
    return Checklist(
        food=food,
        clothing=clothing,
        compulsory_education=education,
        medical_insurance=medical,
        housing=housing,
        water=water,
        failures=failures,
    )


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One line of a household's history: a membership event or a status change."""

    on: date
    recorded_at: datetime
    kind: str  # "membership" or "status"
    code: str  # the event type, or the new status
    label: str  # Chinese label of the code
    person_id: int | None
    person_name: str
    related_household_number: str
    relation_before: str
    relation_after: str
    note: str


def household_timeline(*, household_id: int) -> list[TimelineEntry]:
    """Membership events and status changes, newest first (by date, then recording order)."""
    event_labels = codes.table("membership_event")
    status_labels = codes.table("household_status")
    events = MembershipEvent.objects.filter(household_id=household_id).select_related(
        "person", "related_household"
    )
    keyed: list[tuple[tuple[date, datetime, int, int], TimelineEntry]] = [
        (
            (e.event_date, e.recorded_at, 1, e.pk),
            TimelineEntry(
                on=e.event_date,
                recorded_at=e.recorded_at,
                kind="membership",
                code=e.event_type,
                label=event_labels.label(e.event_type),
                person_id=e.person_id,
                person_name=e.person.name,
                related_household_number=(
                    e.related_household.household_number if e.related_household else ""
                ),
                relation_before=e.relation_before,
                relation_after=e.relation_after,
                note=e.note,
            ),
        )
        for e in events
    ]
    keyed.extend(
        (
            (s.effective_date, s.recorded_at, 0, s.pk),
            TimelineEntry(
                on=s.effective_date,
                recorded_at=s.recorded_at,
                kind="status",
                code=s.to_status,
                label=status_labels.label(s.to_status),
                person_id=None,
                person_name="",
                related_household_number="",
                relation_before="",
                relation_after="",
                note=s.reason,
            ),
        )
        for s in HouseholdStatusChange.objects.filter(household_id=household_id)
    )
    # Same-day entries keep the order they were recorded in (the row id breaks timestamp ties).
    keyed.sort(key=lambda pair: pair[0], reverse=True)
    return [entry for _key, entry in keyed]


def person_find_by_id_number(*, id_number: str) -> Person | None:
    """The registered (active) person holding ``id_number``; else the latest former holder.

    The input is normalised first (full-width digits, spaces, lower-case x). An 18-character
    number also finds a disability-certificate holder (ID number + 2 digits).
    """
    number = idnumber.normalise(id_number)
    if not number:
        return None
    match = Q(id_number=number)
    if len(number) == 18:
        match |= Q(id_type="2", id_number__startswith=number)
    qs = Person.objects.filter(match).select_related("household")
    return qs.filter(status=ACTIVE).first() or qs.order_by("-updated_at", "-pk").first()
