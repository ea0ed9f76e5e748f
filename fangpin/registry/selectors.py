"""Reads of the registry: households, members, finances, conditions, checklist, timeline.

Selectors never write. Every selector takes the viewer as ``user`` and starts from the region
scope (:func:`_scoped`, the one place it is applied): a household outside the viewer's scope
behaves exactly like one that does not exist — lists leave it out, detail selectors raise
``DoesNotExist``. The CLI and jobs pass ``user=fangpin.core.scope.SYSTEM`` explicitly.

List selectors annotate what a list shows (member count, head name) with subqueries, so a page
costs the same number of queries whatever its size.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from fangpin import codes, conditions, idnumber
from fangpin.core.models import Region
from fangpin.core.pi import pi_decrypt
from fangpin.core.scope import scope_prefix
from fangpin.registry.models import (
    ACTIVE,
    HEAD,
    ID_NUMBER_CONTEXT,
    RESIDENT_ID_TYPES,
    Household,
    HouseholdCondition,
    HouseholdFinance,
    HouseholdStatusChange,
    MembershipEvent,
    Monitoring,
    MonitoringRisk,
    Person,
    identity_index,
    phone_index,
)

__all__ = [
    "OUTSIDE_SCOPE",
    "Checklist",
    "TimelineEntry",
    "active_household_counts",
    "condition_list",
    "finance_list",
    "household_checklist",
    "household_current_condition",
    "household_finance",
    "household_get",
    "household_head",
    "household_list",
    "household_members",
    "household_monitorings",
    "household_timeline",
    "membership_event_list",
    "monitoring_list",
    "person_find_by_id_number",
    "person_get",
    "person_list",
    "related_household_label",
    "status_change_list",
]

_M = TypeVar("_M", bound=Model)

#: A search text that may be a phone number (mobile, or landline with an area code).
_PHONE_LIKE = re.compile(r"1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}")

OUTSIDE_SCOPE = "辖区外农户"
"""Shown instead of the number of a related household outside the viewer's scope."""


def _scope_filter(user: object, through: str = "") -> Q | None:
    """The filter selecting households inside ``user``'s region scope; ``None``: nothing.

    ``through`` is the path from the model to the household ("" for households themselves,
    "household__" for rows that belong to one). The 12-digit village codes of a subtree are a
    contiguous range (prefix + 0…0 to prefix + 9…9), so the filter is an index-friendly range
    rather than a LIKE, on SQLite and PostgreSQL alike.
    """
    prefix = scope_prefix(user)
    if prefix is None:
        return None
    if not prefix:  # the SYSTEM viewer: the whole registry
        return Q()
    bounds = (prefix.ljust(12, "0"), prefix.ljust(12, "9"))
    return Q(**{f"{through}village__code__range": bounds})


def _scoped(queryset: QuerySet[_M], user: object, *, through: str = "") -> QuerySet[_M]:
    """``queryset`` cut to the rows of households inside ``user``'s region scope."""
    scope = _scope_filter(user, through)
    return queryset.none() if scope is None else queryset.filter(scope)


def _households_for(user: object) -> QuerySet[Household]:
    """The one scoped base of household data; the other row types are reached through it."""
    return _scoped(Household.objects.all(), user)


def _persons_for(user: object) -> QuerySet[Person]:
    return _scoped(Person.objects.all(), user, through="household__")


def household_get(
    *, user: object, household_id: int | None = None, public_id: UUID | None = None
) -> Household:
    """The household with its village, by row id or by ``public_id`` (the UUID of web and API
    paths, SEC-MSK-3). Raises ``Household.DoesNotExist`` (also out of scope)."""
    lookup: dict[str, object] = (
        {"pk": household_id} if public_id is None else {"public_id": public_id}
    )
    return _households_for(user).select_related("village").get(**lookup)


def household_row_ids(*, public_ids: Iterable[UUID]) -> dict[UUID, int]:
    """Row ids of the households among ``public_ids`` (absent when missing), for the write
    services, which take row ids and check the scope themselves (auditing a refusal).

    A translation, not a read: it returns nothing about a household, and a write endpoint
    answers a missing and an out-of-scope household alike (the service's ``not_found``).
    """
    wanted = set(public_ids)
    if not wanted:
        return {}
    return dict(Household.objects.filter(public_id__in=wanted).values_list("public_id", "pk"))


def person_row_ids(*, public_ids: Iterable[UUID]) -> dict[UUID, int]:
    """Row ids of the persons among ``public_ids``: see :func:`household_row_ids`."""
    wanted = set(public_ids)
    if not wanted:
        return {}
    return dict(Person.objects.filter(public_id__in=wanted).values_list("public_id", "pk"))


def _active_members_of_outer() -> QuerySet[Person]:
    # order_by(): Person's default ordering would join the household table into the subquery.
    return Person.objects.filter(household=OuterRef("pk"), status=ACTIVE).order_by()


def household_list(
    *,
    user: object,
    village_prefix: str | None = None,
    household_type: str | None = None,
    search: str | None = None,
    monitoring_status: str | None = None,
    monitoring_type: str | None = None,
    risk_type: str | None = None,
    identified_month: date | None = None,
    eliminated_month: date | None = None,
) -> QuerySet[Household]:
    """Households with ``member_count`` (active members) and ``head_name`` annotated.

    ``village_prefix`` filters by the start of the 12-digit village code (a county's
    "433124", a township's "433124102"). ``search`` matches a household-number prefix, the
    head's name (contains), or exactly a member's ID number (typed or pasted in any form
    :func:`fangpin.idnumber.normalise` accepts).
    ``monitoring_status`` (none / open / eliminated) and ``monitoring_type`` filter on the
    household's current spell; ``risk_type`` keeps households whose current spell has that risk.
    ``identified_month`` / ``eliminated_month`` (a month's first day) keep households with a
    spell, current or earlier, identified / eliminated that month: a dashboard's monthly
    count of new and eliminated monitoring objects drills down to the same households.
    """
    member_count = (
        _active_members_of_outer().values("household").annotate(n=Count("pk")).values("n")
    )
    head_name = _active_members_of_outer().filter(relation=HEAD).values("name")[:1]
    qs = (
        _households_for(user)
        .select_related("village")
        .annotate(
            member_count=Coalesce(Subquery(member_count, output_field=IntegerField()), Value(0)),
            head_name=Coalesce(Subquery(head_name), Value("")),
        )
        .order_by("household_number")
    )
    qs = qs.filter(_region_filter(user, village_prefix or ""))
    if household_type:
        qs = qs.filter(household_type=household_type)
    text = (search or "").strip()
    if text:
        if connection.vendor == "postgresql" or not _is_one_village(user, village_prefix):
            qs = qs.filter(pk__in=_search_matches(text))
        else:  # SQLite within one village: testing its few households beats any lookup
            qs = qs.filter(_search_in_rows(text))
    # Monitoring filters (issue #3). Status and type are columns mirroring the current spell;
    # a risk type matches the current spell's risks only (an earlier spell's do not count).
    if monitoring_status:
        qs = qs.filter(monitoring_status=monitoring_status)
    if monitoring_type:
        qs = qs.filter(monitoring_type=monitoring_type)
    if risk_type:
        current_risks = MonitoringRisk.objects.filter(
            monitoring__household=OuterRef("pk"), monitoring__is_current=True, risk_type=risk_type
        )
        qs = qs.filter(Exists(current_risks))
    if identified_month is not None:
        spells = Monitoring.objects.filter(
            household=OuterRef("pk"), identified_month=identified_month
        )
        qs = qs.filter(Exists(spells))
    if eliminated_month is not None:
        spells = Monitoring.objects.filter(
            household=OuterRef("pk"), eliminated_month=eliminated_month
        )
        qs = qs.filter(Exists(spells))
    return qs


def _region_filter(user: object, prefix: str) -> Q:
    """Households under ``prefix`` and the viewer's scope, in the shape the planner needs.

    The scope (:func:`_scoped`) is a range of village codes; beside ``ORDER BY
    household_number LIMIT 51`` PostgreSQL then walks the number index from the start and
    filters out the rest of the county first (0.5 s at 1M households for one village or
    township). So the narrower of ``prefix`` and the scope is restated: one village as an
    equality (the ``(village_code, status, household_number)`` index yields the page in
    order), a township through its regions (a semi-join over a few villages, then a sort).
    A county or wider keeps the range, where the walk is the fast plan.
    """
    scope = scope_prefix(user)
    if scope is None:
        return Q()  # the queryset is already empty
    if prefix.startswith(scope):
        narrowest = prefix
    elif scope.startswith(prefix):
        narrowest = scope
    else:  # disjoint: the scope leaves nothing; keep the plain condition
        return Q(village__code__startswith=prefix)
    if len(narrowest) == 12:
        return Q(village_id=narrowest)
    if len(narrowest) > 6:
        return Q(village_id__in=Region.objects.filter(code__startswith=narrowest).values("code"))
    if narrowest == scope:
        return Q()
    return Q(village__code__range=(narrowest.ljust(12, "0"), narrowest.ljust(12, "9")))


def _is_one_village(user: object, village_prefix: str | None) -> bool:
    return len(village_prefix or "") == 12 or len(scope_prefix(user) or "") == 12


def _search_in_rows(text: str) -> Q:
    """The same matches as :func:`_search_matches`, tested row by row (needs ``head_name``).

    Used on SQLite within one village: it has no head-name index, so the UNION would scan
    every head of the registry for a few hundred households (docs/benchmarks.md).
    """
    number = idnumber.normalise(text)
    has_member_id = Exists(_active_members_of_outer().filter(id_number_match(number)))
    match = Q(household_number__startswith=text) | Q(head_name__contains=text) | Q(has_member_id)
    phone = "".join(text.split())
    if _PHONE_LIKE.fullmatch(phone):
        index = phone_index(phone)
        has_member_phone = Exists(_active_members_of_outer().filter(phone_index=index))
        match = match | Q(phone_index=index) | Q(has_member_phone)
    return match


def _search_matches(text: str) -> QuerySet[Any]:
    """Ids of the households ``text`` finds, as one UNION of index lookups.

    A household matches by a household-number prefix, its head's name (contains), exactly an
    active member's ID number (any form :func:`fangpin.idnumber.normalise` accepts) or, for a
    phone-shaped text, the household's or an active member's phone. Each branch is answered by
    its own index (the number's pattern index, the head-name grams, the blind indexes), so the
    list joins the few matching ids instead of testing every household in scope against an OR
    of subqueries (seconds at 1M households; docs/benchmarks.md).
    """
    heads = Person.objects.filter(status=ACTIVE, relation=HEAD, name__contains=text)
    grams = _name_grams_match(text)
    if grams is not None:
        heads = heads.filter(grams)
    number = idnumber.normalise(text)
    parts: list[QuerySet[Any]] = [
        Household.objects.filter(household_number__startswith=text).values("pk"),
        heads.values("household_id"),
    ]
    if number:
        members = Person.objects.filter(id_number_match(number), status=ACTIVE)
        parts.append(members.values("household_id"))
    phone = "".join(text.split())
    if _PHONE_LIKE.fullmatch(phone):
        index = phone_index(phone)
        parts.append(Household.objects.filter(phone_index=index).values("pk"))
        parts.append(Person.objects.filter(phone_index=index, status=ACTIVE).values("household_id"))
    first, *rest = (part.order_by() for part in parts)
    return first.union(*rest)


class _NameGramsContain(Func):
    """``fangpin_name_grams(name) @> grams`` (PostgreSQL; migration 0003 defines the function).

    The function returns a name's distinct 1- and 2-character substrings, and a GIN index over
    it for the active heads answers "the name contains these"; pg_trgm cannot, since it finds
    nothing to look up in a two-character Chinese name pattern.
    """

    template = "fangpin_name_grams(%(expressions)s::text[])"
    arg_joiner = ") @> ("
    output_field = BooleanField()


def _name_grams_match(text: str) -> _NameGramsContain | None:
    """A condition every name containing ``text`` meets, answerable by the grams index.

    ``text`` of one or two characters is itself a gram; a longer one needs all its
    two-character pieces (``name__contains`` then checks the order). ``None`` off PostgreSQL.
    """
    if connection.vendor != "postgresql":
        return None
    grams = [text] if len(text) <= 2 else sorted({text[i : i + 2] for i in range(len(text) - 1)})
    return _NameGramsContain(F("name"), Value(grams))


def household_members(
    *, user: object, household_id: int, include_inactive: bool = False
) -> QuerySet[Person]:
    """Members ordered head first (by relation code, then birth date); none out of scope."""
    qs = _persons_for(user).filter(household_id=household_id)
    if not include_inactive:
        qs = qs.filter(status=ACTIVE)
    return qs.order_by("relation", "birth_date", "pk")


def household_head(*, user: object, household_id: int) -> Person | None:
    return (
        _persons_for(user).filter(household_id=household_id, status=ACTIVE, relation=HEAD).first()
    )


def household_finance(*, user: object, household_id: int, year: int) -> HouseholdFinance | None:
    return finance_list(user=user).filter(household_id=household_id, year=year).first()


def household_current_condition(
    *, user: object, household_id: int, on: date | None = None
) -> HouseholdCondition | None:
    """The latest assessment (on or before ``on`` when given)."""
    qs = condition_list(user=user).filter(household_id=household_id)
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


def household_checklist(*, user: object, household_id: int, on: date) -> Checklist:
    """Evaluate the household checklist on ``on``. Raises ``Household.DoesNotExist``.

    Food, clothing, housing and water come from the latest assessment on or before ``on``;
    without one they count as not secured ("尚未核查"). Education and medical insurance are
    computed from the currently active members: every child aged 6–15 on ``on`` is in school
    (student-status attribute ``in_school``) or has an excused out-of-school reason (attribute
    ``excused``: physical reasons, taught at home, already completed); every member is in
    resident or employee basic medical insurance.
    """
    if not _households_for(user).filter(pk=household_id).exists():
        raise Household.DoesNotExist(f"Household {household_id} not found")
    condition = household_current_condition(user=user, household_id=household_id, on=on)
    members = list(household_members(user=user, household_id=household_id))
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
    person_public_id: UUID | None = None  # the person's address in paths and the API


def household_timeline(*, user: object, household_id: int) -> list[TimelineEntry]:
    """Membership events and status changes, newest first (by date, then recording order).

    Empty for a household outside the scope, as for a missing one.
    """
    event_labels = codes.table("membership_event")
    status_labels = codes.table("household_status")
    events = (
        membership_event_list(user=user)
        .filter(household_id=household_id)
        .select_related("person", "related_household")
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
                related_household_number=related_household_label(e),
                relation_before=e.relation_before,
                relation_after=e.relation_after,
                note=e.note,
                person_public_id=e.person.public_id,
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
        for s in status_change_list(user=user).filter(household_id=household_id)
    )
    # Same-day entries keep the order they were recorded in (the row id breaks timestamp ties).
    keyed.sort(key=lambda pair: pair[0], reverse=True)
    return [entry for _key, entry in keyed]


def id_number_match(number: str) -> Q:
    """Persons whose ID number may be ``number`` (already normalised), by blind index.

    An 18-character number matches the identity (an ID card, or a disability card that is the
    ID number + 2 digits); a 20-character one the disability cards of that identity (the two
    suffix digits are inside the ciphertext: :func:`person_find_by_id_number` checks them);
    any number also matches an "other document" of exactly that text.
    """
    if not number:
        return Q(pk__in=[])
    match = Q()
    for id_type in codes.table("id_type").codes():
        if id_type not in RESIDENT_ID_TYPES:
            match |= Q(id_type=id_type, id_number_index=identity_index(id_type, number.upper()))
    if len(number) == 18:
        match |= Q(id_type__in=RESIDENT_ID_TYPES, id_number_index=identity_index("1", number))
    elif len(number) == 20:
        match |= Q(id_type="2", id_number_index=identity_index("2", number))
    return match


def person_find_by_id_number(*, user: object, id_number: str) -> Person | None:
    """The registered (active) person holding ``id_number``; else the latest former holder.

    Only people of households inside ``user``'s scope are found.

    The input is normalised first (full-width digits, spaces, lower-case x). An 18-character
    number also finds a disability-certificate holder (ID number + 2 digits).
    """
    number = idnumber.normalise(id_number)
    if not number:
        return None
    qs = _persons_for(user).filter(id_number_match(number)).select_related("household")
    if len(number) == 20:  # a disability card: the suffix digits must match too
        candidates = [
            p
            for p in qs.order_by("-updated_at", "-pk")
            if p.id_type != "2"
            or pi_decrypt(p.id_number_encrypted, context=ID_NUMBER_CONTEXT) == number
        ]
        active = [p for p in candidates if p.status == ACTIVE]
        chosen = active or candidates
        return chosen[0] if chosen else None
    return qs.filter(status=ACTIVE).first() or qs.order_by("-updated_at", "-pk").first()


def person_get(
    *, user: object, person_id: int | None = None, public_id: UUID | None = None
) -> Person:
    """The person with their household, by row id or by ``public_id`` (SEC-MSK-3). Raises
    ``Person.DoesNotExist`` (also out of scope)."""
    lookup: dict[str, object] = {"pk": person_id} if public_id is None else {"public_id": public_id}
    return _persons_for(user).select_related("household").get(**lookup)


def person_list(*, user: object) -> QuerySet[Person]:
    """Every person (any status) of the households in scope, with their household."""
    return _persons_for(user).select_related("household")


def finance_list(*, user: object) -> QuerySet[HouseholdFinance]:
    """Yearly income and spending rows of the households in scope."""
    return _scoped(HouseholdFinance.objects.all(), user, through="household__")


def condition_list(*, user: object) -> QuerySet[HouseholdCondition]:
    """Checklist assessments of the households in scope."""
    return _scoped(HouseholdCondition.objects.all(), user, through="household__")


def membership_event_list(*, user: object) -> QuerySet[MembershipEvent]:
    """Membership events recorded in the households in scope (the event's own household).

    ``related_household_in_scope`` tells whether the household a member came from or went to
    is visible too; when it is not, pages show "辖区外农户" instead of its number.
    """
    qs = _scoped(MembershipEvent.objects.all(), user, through="household__")
    related = _scope_filter(user, "related_household__")
    visible: Any = Value(True) if related is None or not related else related
    return qs.annotate(
        related_household_in_scope=ExpressionWrapper(visible, output_field=BooleanField())
    )


def related_household_label(event: MembershipEvent) -> str:
    """The related household's number, "辖区外农户" outside the scope, "" when there is none.

    ``event`` must come from :func:`membership_event_list` (with ``related_household``).
    """
    if event.related_household_id is None:
        return ""
    if getattr(event, "related_household_in_scope", False):
        return event.related_household.household_number if event.related_household else ""
    return OUTSIDE_SCOPE


def status_change_list(*, user: object) -> QuerySet[HouseholdStatusChange]:
    """Status changes of the households in scope."""
    return _scoped(HouseholdStatusChange.objects.all(), user, through="household__")


def household_monitorings(*, user: object, household_id: int) -> list[Monitoring]:
    """The household's monitoring spells, newest first, each with its risks in position order.

    Raises ``Household.DoesNotExist`` for a household that does not exist or is out of scope
    (a household in scope that was never monitored gives ``[]``). Two queries either way: the
    spells (with the scope), then their risks, or the household when there are no spells.
    """
    spells = list(
        _scoped(Monitoring.objects.filter(household_id=household_id), user, through="household__")
        .order_by("-identified_month", "-id")
        .prefetch_related("risks")
    )
    if not spells and not _households_for(user).filter(pk=household_id).exists():
        raise Household.DoesNotExist
    return spells


def monitoring_list(*, user: object) -> QuerySet[Monitoring]:
    """Monitoring spells of the households in scope, with their risks (the admin's inline)."""
    return _scoped(Monitoring.objects.all(), user, through="household__").prefetch_related("risks")


def active_household_counts(*, user: object, width: int) -> dict[str, int]:
    """Active households in ``user``'s scope per child region: the first ``width`` digits of
    the village code → count (the home page's numbers; docs/web.md).

    One query grouped by village, folded into child regions here. Counting a county of 1M
    households still takes a few hundred ms, so a result of at least
    :data:`HOME_COUNTS_CACHED_FROM` households is kept :data:`HOME_COUNTS_SECONDS` under the
    viewer's scope prefix: viewers with the same scope see the same counts, no viewer another's.
    """
    prefix = scope_prefix(user)
    key = f"fangpin:home-counts:{prefix}:{width}"
    if prefix is not None:
        cached: dict[str, int] | None = cache.get(key)
        if cached is not None:
            return cached
    grouped = (
        _households_for(user)
        .filter(status=ACTIVE)
        .order_by()
        .values("village_id")
        .annotate(n=Count("pk"))
    )
    counts: dict[str, int] = {}
    for row in grouped:
        child = row["village_id"][:width]
        counts[child] = counts.get(child, 0) + row["n"]
    if prefix is not None and sum(counts.values()) >= HOME_COUNTS_CACHED_FROM:
        cache.set(key, counts, HOME_COUNTS_SECONDS)
    return counts


HOME_COUNTS_CACHED_FROM = 10_000
"""Home counts over at least this many households are cached (tests and villages never are)."""
HOME_COUNTS_SECONDS = 60
"""How long cached home counts live: a write shows on a large region's home within a minute."""
