"""Reads of casework: screening runs, clues, their warnings, and each rule's precision.

Selectors never write. Each takes the viewer as ``user`` and starts from the region scope
(:func:`warning_list`, :func:`_clues_for`, :func:`_runs_for` — the one place it is applied):
a clue outside the viewer's scope behaves like one that does not exist (lists leave it out,
detail selectors raise ``DoesNotExist``). The CLI and jobs pass ``SYSTEM``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    ExpressionWrapper,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from fangpin.casework.access import casework_scope_prefix
from fangpin.casework.models import (
    Case,
    CaseDocument,
    CaseTransition,
    Clue,
    ClueStatus,
    Outcome,
    RunStatus,
    ScreeningRun,
    Warning,
)
from fangpin.regioncode import RegionCodeError, parse_code, subtree_prefix
from fangpin.registry.models import ACTIVE, HEAD, Person

__all__ = [
    "APPRAISAL_STEPS",
    "CLUE_FAMILIES",
    "RulePrecision",
    "appraisal_details",
    "case_clues",
    "case_document_get",
    "case_documents",
    "case_get",
    "case_list",
    "case_todo",
    "case_transitions",
    "clue_get",
    "clue_list",
    "clue_warnings",
    "notice_cases",
    "rule_precision",
    "run_get",
    "run_list",
    "run_rule_counts",
    "warning_list",
]

#: The finding families that become clues for the village (quality goes to the ledger).
CLUE_FAMILIES = ("trigger", "classification", "elimination")

#: Outcomes that mean the household really is (or already was) at risk.
REAL_RISK_OUTCOMES = (Outcome.CONFIRMED, Outcome.ALREADY_MONITORED, Outcome.CIVIL_AFFAIRS)


def _ancestor_codes(prefix: str) -> list[str]:
    """The 12-digit codes of the regions above and at ``prefix`` (a subtree prefix)."""
    try:
        info = parse_code(prefix)
    except RegionCodeError:
        return []
    codes = [
        info.province_code,
        info.prefecture_code,
        info.county_code,
        info.township_code,
        info.village_code,
    ]
    return [code for code in codes if code]


def _runs_for(user: Any) -> QuerySet[ScreeningRun]:
    """Runs of a region inside ``user``'s scope, or of a region containing it (a village cadre
    sees the county's runs that produced its clues)."""
    prefix = casework_scope_prefix(user)
    if prefix is None:
        return ScreeningRun.objects.none()
    if prefix == "":
        return ScreeningRun.objects.all()
    return ScreeningRun.objects.filter(
        Q(region_code__startswith=prefix) | Q(region_code__in=_ancestor_codes(prefix))
    )


def warning_list(user: Any) -> QuerySet[Warning]:
    """The warnings of villages inside ``user``'s scope (quality warnings included)."""
    prefix = casework_scope_prefix(user)
    if prefix is None:
        return Warning.objects.none()
    return Warning.objects.filter(village_code__startswith=prefix)


def _clues_for(user: Any) -> QuerySet[Clue]:
    prefix = casework_scope_prefix(user)
    if prefix is None:
        return Clue.objects.none()
    return Clue.objects.filter(village_code__startswith=prefix)


def run_list(user: Any) -> QuerySet[ScreeningRun]:
    """The screening runs ``user`` may see, newest first."""
    return _runs_for(user).select_related("requested_by").order_by("-created_at", "-id")


def run_get(user: Any, public_id: UUID | str) -> ScreeningRun:
    """One run by its public id; ``ScreeningRun.DoesNotExist`` otherwise (views answer 404)."""
    try:
        return _runs_for(user).get(public_id=public_id)
    except (ValueError, TypeError, ValidationError):
        raise ScreeningRun.DoesNotExist from None


@dataclass(frozen=True)
class RuleCount:
    """Findings of one rule in a run, as far as the viewer may count them."""

    code: str
    count: int


def run_rule_counts(user: Any, run: ScreeningRun) -> tuple[list[RuleCount], bool]:
    """Findings per rule of ``run``, largest first, and whether they are the whole run's.

    A viewer whose scope covers the run's region gets the run's own counts, stored when it
    finished (they do not change when a later run of the month takes the warnings over). A
    viewer inside the region (a village cadre reading the county's run) gets the warnings of
    its own villages whose latest run this is — never the region's totals per rule.
    """
    prefix = casework_scope_prefix(user)
    if prefix is None or run.status != RunStatus.SUCCEEDED:
        return [], False
    run_prefix = _subtree(run.region_code)
    if run_prefix.startswith(prefix):
        rows = [RuleCount(code, n) for code, n in (run.rule_counts or {}).items() if n]
        whole = True
    else:
        counted = (
            Warning.objects.filter(last_run=run, village_code__startswith=prefix)
            .order_by()
            .values("rule_code")
            .annotate(n=Count("pk"))
        )
        rows = [RuleCount(row["rule_code"], row["n"]) for row in counted]
        whole = False
    return sorted(rows, key=lambda r: (-r.count, r.code)), whole


def _subtree(region_code: str) -> str:
    try:
        return subtree_prefix(region_code)
    except RegionCodeError:
        return region_code


def clue_list(
    user: Any,
    *,
    status: str | None = None,
    overdue: bool | None = None,
    rule_code: str | None = None,
    village_code: str | None = None,
    month: date | None = None,
) -> QuerySet[Clue]:
    """The clues ``user`` may see, earliest deadline first, with ``warning_count``,
    ``is_overdue`` (pending and past its deadline, counted against today), ``head_name`` (the
    household head's name, for the page to mask) and ``first_reason`` (the reason of the first
    warning by month and rule) annotated — one query.

    ``rule_code`` and ``month`` keep the clues having a warning of that rule / month;
    ``village_code`` is a 12-digit village (or any subtree prefix).
    """
    today = timezone.localdate()
    warning_count = (
        Warning.objects.filter(clue=OuterRef("pk"))
        .order_by()
        .values("clue")
        .annotate(n=Count("pk"))
        .values("n")
    )
    head = Person.objects.filter(
        household=OuterRef("household"), relation=HEAD, status=ACTIVE
    ).values("name")[:1]
    first_reason = (
        Warning.objects.filter(clue=OuterRef("pk"))
        .order_by("month", "rule_code", "id")
        .values("reason_zh")[:1]
    )
    clues = _clues_for(user).annotate(
        warning_count=Coalesce(Subquery(warning_count, output_field=IntegerField()), Value(0)),
        head_name=Coalesce(Subquery(head), Value(""), output_field=CharField()),
        first_reason=Coalesce(Subquery(first_reason), Value(""), output_field=TextField()),
        is_overdue=ExpressionWrapper(
            Q(status=ClueStatus.PENDING, verify_deadline__lt=today),
            output_field=BooleanField(),
        ),
    )
    if status:
        clues = clues.filter(status=status)
    if overdue is True:
        clues = clues.filter(status=ClueStatus.PENDING, verify_deadline__lt=today)
    elif overdue is False:
        clues = clues.exclude(status=ClueStatus.PENDING, verify_deadline__lt=today)
    if village_code:
        clues = clues.filter(village_code__startswith=village_code)
    if rule_code or month:
        having = Warning.objects.filter(clue=OuterRef("pk"))
        if rule_code:
            having = having.filter(rule_code=rule_code)
        if month:
            having = having.filter(month=month.replace(day=1))
        clues = clues.filter(pk__in=having.values("clue"))
    return clues.select_related("household", "verified_by", "case").order_by(
        "verify_deadline", "id"
    )


def clue_get(user: Any, public_id: UUID | str) -> Clue:
    """One clue (annotated like :func:`clue_list`); ``Clue.DoesNotExist`` also out of scope."""
    try:
        return clue_list(user).get(public_id=public_id)
    except (ValueError, TypeError, ValidationError):
        raise Clue.DoesNotExist from None


def clue_warnings(clue: Clue) -> QuerySet[Warning]:
    """The warnings a clue gathers, by rule. The clue was read through a scoped selector."""
    return (
        Warning.objects.filter(clue=clue)
        .select_related("first_run", "last_run", "verified_by")
        .order_by("month", "rule_code", "id")
    )


@dataclass(frozen=True, slots=True)
class RulePrecision:
    """How one rule's warnings turned out when villages verified them.

    ``precision`` = 属实 ÷ verified; ``real_risk_share`` = (属实 + 已在监测 + 转民政) ÷ verified:
    the share that pointed at a household really at risk, even if already known or handed to
    civil affairs. Both ``None`` while nothing is verified.
    """

    rule_code: str
    name_zh: str
    family: str
    warnings: int
    verified: int
    confirmed: int
    unfounded: int
    already_monitored: int
    civil_affairs: int

    @property
    def precision(self) -> float | None:
        return self.confirmed / self.verified if self.verified else None

    @property
    def real_risk_share(self) -> float | None:
        if not self.verified:
            return None
        return (self.confirmed + self.already_monitored + self.civil_affairs) / self.verified

    @property
    def pending(self) -> int:
        return self.warnings - self.verified


def _rule_names() -> dict[str, str]:
    from fangpin.screening.registry import RULES  # the rule metadata, no engine

    return {code: rule.name_zh for code, rule in RULES.items()}


def rule_precision(
    user: Any, *, month_from: date | None = None, month_to: date | None = None
) -> list[RulePrecision]:
    """Per rule, the warnings sent to villages and how verification turned out, worst first.

    Only the families that make clues count (quality warnings are not verified by villages).
    Worst first: lowest precision first, then most 不属实, then most warnings; rules with
    nothing verified yet come last (by warnings). One aggregate query.
    """
    warnings = warning_list(user).filter(family__in=CLUE_FAMILIES)
    if month_from:
        warnings = warnings.filter(month__gte=month_from.replace(day=1))
    if month_to:
        warnings = warnings.filter(month__lte=month_to.replace(day=1))
    rows = (
        warnings.order_by()
        .values("rule_code", "family")
        .annotate(
            total=Count("pk"),
            verified=Count("pk", filter=~Q(outcome="")),
            confirmed=Count("pk", filter=Q(outcome=Outcome.CONFIRMED)),
            unfounded=Count("pk", filter=Q(outcome=Outcome.UNFOUNDED)),
            already_monitored=Count("pk", filter=Q(outcome=Outcome.ALREADY_MONITORED)),
            civil_affairs=Count("pk", filter=Q(outcome=Outcome.CIVIL_AFFAIRS)),
        )
    )
    names = _rule_names()
    result = [
        RulePrecision(
            rule_code=row["rule_code"],
            name_zh=names.get(row["rule_code"], row["rule_code"]),
            family=row["family"],
            warnings=row["total"],
            verified=row["verified"],
            confirmed=row["confirmed"],
            unfounded=row["unfounded"],
            already_monitored=row["already_monitored"],
            civil_affairs=row["civil_affairs"],
        )
        for row in rows
    ]

    def worst_first(item: RulePrecision) -> tuple[int, float, int, int, str]:
        if item.precision is None:
            return (1, 0.0, 0, -item.warnings, item.rule_code)
        return (0, item.precision, -item.unfounded, -item.warnings, item.rule_code)

    return sorted(result, key=worst_first)


# --- Cases (识别认定、风险消除) ----------------------------------------------------------------


def _cases_for(user: Any) -> QuerySet[Case]:
    prefix = casework_scope_prefix(user)
    if prefix is None:
        return Case.objects.none()
    return Case.objects.filter(village_code__startswith=prefix)


def _head_name() -> Subquery:
    return Subquery(
        Person.objects.filter(household=OuterRef("household"), relation=HEAD, status=ACTIVE).values(
            "name"
        )[:1]
    )


def case_list(
    user: Any,
    *,
    kind: str | None = None,
    is_open: bool | None = None,
    overdue: bool | None = None,
    pending_level: int | None = None,
    village_code: str | None = None,
) -> QuerySet[Case]:
    """The cases ``user`` may see, open ones by their deadline first, with ``head_name`` and
    ``is_overdue`` (open and past the whole limit, or still waiting for the home
    verification past its limit; counted against today) annotated — one query.

    ``pending_level`` keeps the cases waiting for that level (5 village, 4 township,
    3 county): a user's to-do list.
    """
    today = timezone.localdate()
    late = Q(due_on__lt=today) | Q(step="clue_received", verify_due__lt=today)
    cases = _cases_for(user).annotate(
        head_name=Coalesce(_head_name(), Value(""), output_field=CharField()),
        is_overdue=ExpressionWrapper(Q(is_open=True) & late, output_field=BooleanField()),
    )
    if kind:
        cases = cases.filter(kind=kind)
    if is_open is not None:
        cases = cases.filter(is_open=is_open)
    if overdue is True:
        cases = cases.filter(Q(is_open=True) & late)
    elif overdue is False:
        cases = cases.exclude(Q(is_open=True) & late)
    if pending_level is not None:
        cases = cases.filter(pending_level=pending_level)
    if village_code:
        cases = cases.filter(village_code__startswith=village_code)
    return cases.select_related("household").order_by("-is_open", "due_on", "id")


def case_get(user: Any, public_id: UUID | str) -> Case:
    """One case (annotated like :func:`case_list`); ``Case.DoesNotExist`` also out of scope."""
    try:
        return case_list(user).get(public_id=public_id)
    except (ValueError, TypeError, ValidationError):
        raise Case.DoesNotExist from None


def case_transitions(case: Case) -> QuerySet[CaseTransition]:
    """The case's decisions in order, with who took them."""
    return case.transitions.select_related("actor").order_by("seq")


def case_clues(case: Case) -> QuerySet[Clue]:
    """The clues merged into the case, oldest first."""
    return case.clues.order_by("received_on", "id")


#: Steps whose details carry the proposed type and risks (民主评议).
APPRAISAL_STEPS = ("appraised", "elimination_appraised")


def _latest_details(**where: Any) -> Subquery:
    """The details of the case's latest transition matching ``where`` (JSON, or NULL)."""
    return Subquery(
        CaseTransition.objects.filter(case=OuterRef("pk"), **where)
        .order_by("-seq")
        .values("details")[:1],
        output_field=JSONField(),
    )


def appraisal_details(case: Case) -> dict[str, Any]:
    """The details the village appraisal recorded last (proposed type and risks), or {}."""
    found = (
        case.transitions.filter(to_step__in=APPRAISAL_STEPS)
        .order_by("-seq")
        .values_list("details", flat=True)
        .first()
    )
    return dict(found or {})


def notice_cases(user: Any, village_code: str, on: date) -> QuerySet[Case]:
    """The cases of one village whose public notice (公示) runs on ``on``, by household number,
    with ``head_name``, ``member_count`` (active members), ``appraisal`` (the latest
    appraisal's details: proposed type and risks) and ``notice_details`` (the notice's: the
    supervision phone) annotated — what the printed notice lists, in one query. Nothing else
    of the household is read."""
    members = (
        Person.objects.filter(household=OuterRef("household"), status=ACTIVE)
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        _cases_for(user)
        .filter(village_code=village_code, notice_start__lte=on, notice_end__gte=on)
        .annotate(
            head_name=Coalesce(_head_name(), Value(""), output_field=CharField()),
            member_count=Coalesce(Subquery(members, output_field=IntegerField()), Value(0)),
            appraisal=_latest_details(to_step__in=APPRAISAL_STEPS),
            notice_details=_latest_details(action="post_notice"),
        )
        .select_related("household")
        .order_by("kind", "household__household_number", "id")
    )


def case_todo(user: Any, level: int) -> tuple[int, int]:
    """(cases waiting for ``level`` in ``user``'s scope, how many of them are overdue) — the
    reminder on the home page. Two counts in one query."""
    today = timezone.localdate()
    late = Q(due_on__lt=today) | Q(step="clue_received", verify_due__lt=today)
    counts = (
        _cases_for(user)
        .filter(is_open=True, pending_level=level)
        .aggregate(waiting=Count("pk"), overdue=Count("pk", filter=late))
    )
    return int(counts["waiting"] or 0), int(counts["overdue"] or 0)


def case_documents(case: Case) -> QuerySet[CaseDocument]:
    """The files uploaded with the case's steps, in step order."""
    return case.documents.order_by("seq", "id")


def case_document_get(user: Any, public_id: UUID | str) -> CaseDocument:
    """One uploaded file of a case in ``user``'s scope; ``DoesNotExist`` otherwise."""
    try:
        return CaseDocument.objects.select_related("case").get(
            public_id=public_id, case__in=_cases_for(user)
        )
    except (ValueError, TypeError, ValidationError):
        raise CaseDocument.DoesNotExist from None
