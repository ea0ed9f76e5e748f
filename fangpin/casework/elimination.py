"""Risk elimination (风险消除): opening the case, and the household facts its guards check.

The county's approval of an elimination is checked by the edition's guards
(:func:`fangpin.procedure.elimination_guards`, DOMAIN.md §5.1–§5.2). The facts they look at
are read here, from the database, at the approval's date — never typed by the approver:

- **identification month and risk types**: the household's open monitoring spell
  (edition codes: the spell stores the national code table's);
- **measures per risk**: the assistance plan's measures in force on that day
  (:func:`fangpin.assistance.selectors.measures_by_risk`);
- **months of income above the line**: finances are yearly (收支情况), so each consecutive
  latest year, up to the decision's year, whose per-capita net income is at least that
  year's monitoring line counts its twelve months; the first year below the line stops the
  count (the project's reading of "stably above the line", documented in docs/cases.md);
- **三保障 and water**: the household checklist on that day (the latest assessment, the
  members' schooling and insurance);
- **a new risk**: a pending clue, or a warning found 属实 in the months after the
  identification month for a risk the spell does not have;
- **labour**: any active member whose labour ability has ``has_labour`` in the code table.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from fangpin.assistance.selectors import measures_by_risk
from fangpin.casework.cases import (
    actor_for,
    as_procedure_case,
    audit_transition,
    edition_risk_code,
    not_future,
    require_case_scope,
    rules_for,
    store_transition,
)
from fangpin.casework.errors import CaseworkError
from fangpin.casework.models import Case, CaseKind, Clue, ClueStatus, Outcome, Warning
from fangpin.codes import table as code_table
from fangpin.core.access import SYSTEM
from fangpin.core.audit import actor_label, user_or_none
from fangpin.policy import resolve
from fangpin.procedure import (
    ActionKind,
    EliminationStep,
    HouseholdFacts,
    IdentificationStep,
    Level,
    ProcedureError,
    ProcedureRules,
    Transition,
    elimination_guards,
    open_elimination,
)
from fangpin.procedure import (
    Case as ProcedureCase,
)
from fangpin.procedure import (
    CaseKind as ProcedureKind,
)
from fangpin.procedure.guards import GuardResult
from fangpin.procedure.rules import add_days
from fangpin.registry import selectors as registry_selectors
from fangpin.registry.models import ACTIVE, Household, HouseholdFinance, Monitoring, Person
from fangpin.screening.registry import RULES
from fangpin.workdays import WorkdaysError

__all__ = ["elimination_check", "elimination_open", "household_facts"]


def _open_spell(household: Household) -> Monitoring:
    spell = (
        Monitoring.objects.filter(household=household, eliminated_month__isnull=True)
        .prefetch_related("risks")
        .first()
    )
    if spell is None:
        raise CaseworkError("not_monitored", "该户不是在监测中的监测对象，不能提出风险消除")
    return spell


def _months_above_line(household: Household, on: date) -> int:
    county = household.village_id[:6]
    months = 0
    for year, per_capita in (
        HouseholdFinance.objects.filter(household=household, year__lte=on.year)
        .order_by("-year")
        .values_list("year", "per_capita_net_income")
    ):
        if per_capita is None or per_capita < resolve(year, county).monitoring_line:
            break
        months += 12
    return months


def _has_labour(household: Household) -> bool:
    able = set(code_table("labour_ability").codes_where("has_labour"))
    return Person.objects.filter(
        household=household, status=ACTIVE, labour_ability__in=able
    ).exists()


def _has_new_risk(household: Household, spell: Monitoring, risks: set[str]) -> bool:
    """A pending clue, or a trigger found 属实 after the identification month whose risk type
    the spell does not have."""
    if Clue.objects.filter(household=household, status=ClueStatus.PENDING).exists():
        return True
    confirmed = Warning.objects.filter(
        household=household,
        outcome=Outcome.CONFIRMED,
        family="trigger",
        month__gt=spell.identified_month,
    ).values_list("rule_code", flat=True)
    found = {RULES[code].risk_type for code in confirmed if code in RULES}
    return bool(found - risks - {""})


def household_facts(household: Household, on: date, rules: ProcedureRules) -> HouseholdFacts:
    """What the elimination guards check for ``household`` on ``on`` (module docstring)."""
    spell = _open_spell(household)
    table_risks = [r.risk_type for r in spell.risks.order_by("position")]
    pairs = [(table, edition_risk_code(rules, table)) for table in table_risks]
    edition_risks = tuple(edition for _table, edition in pairs if edition is not None)
    # The plan as recorded now, its measures as they stood on ``on`` (a decision may be
    # entered after the day it was taken).
    by_risk = measures_by_risk(household_id=household.pk, on=on, known_on=timezone.localdate())
    measures = {edition: by_risk.get(table, ()) for table, edition in pairs if edition is not None}
    checklist = registry_selectors.household_checklist(
        user=SYSTEM, household_id=household.pk, on=on
    )
    return HouseholdFacts(
        identified_month=spell.identified_month,
        risk_types=edition_risks,
        measures=measures,
        months_income_above_line=_months_above_line(household, on),
        three_guarantees_secured=checklist.compulsory_education
        and checklist.medical_insurance
        and checklist.housing
        and checklist.food
        and checklist.clothing,
        water_secured=checklist.water,
        has_new_risk=_has_new_risk(household, spell, set(table_risks)),
        has_labour=_has_labour(household),
    )


def elimination_check(household: Household, on: date) -> list[GuardResult]:
    """Every guard for ``household`` on ``on``, each with its Chinese explanation (the case
    page shows them to the county before it decides)."""
    rules = rules_for(household.village_id, on)
    return elimination_guards(household_facts(household, on, rules), rules, on)


def _identification_of(household: Household, spell: Monitoring, rules: ProcedureRules) -> Any:
    """The identification case the elimination ends: the stored one that recorded the spell,
    or, for a spell loaded from the national system (no case here), a stand-in holding the
    spell's type, risks and month."""
    stored = Case.objects.filter(
        household=household, kind=CaseKind.IDENTIFICATION, monitoring=spell
    ).first()
    if stored is not None:
        return stored, as_procedure_case(stored)
    risks = tuple(
        code
        for code in (edition_risk_code(rules, r.risk_type) for r in spell.risks.all())
        if code is not None
    )
    stand_in = ProcedureCase(
        case_id=f"monitoring-{spell.pk}",
        household_id=str(household.pk),
        kind=ProcedureKind.IDENTIFICATION,
        step=IdentificationStep.RECORDED,
        opened_on=spell.identified_month,
        edition_id=rules.edition_id,
        # One transition standing for the national system's record of the spell.
        history=(
            Transition(
                seq=1,
                from_step=None,
                to_step=IdentificationStep.RECORDED,
                action=ActionKind.RECORD_OBJECT,
                actor_id="registry",
                actor_level=Level.COUNTY,
                at=spell.identified_month,
                summary="监测对象记录（登记库）",
            ),
        ),
        object_type=spell.object_type,
        risk_types=risks,
        identified_month=spell.identified_month,
    )
    return None, stand_in


def elimination_open(
    *,
    actor: Any,
    household: Household,
    on: date | None = None,
    summary: str = "",
    request: HttpRequest | None = None,
) -> Case:
    """Propose the elimination of ``household``'s risk (提出风险消除): a new elimination case
    for its open monitoring spell. Refuses ``forbidden``, ``not_monitored``, ``already_open``
    (409), ``bad_date``, ``deadline``."""
    require_case_scope(actor, household.village_id, "case.eliminate", request)
    procedure_actor = actor_for(actor)
    on = on or timezone.localdate()
    not_future(on)
    rules = rules_for(household.village_id, on)
    with transaction.atomic():
        spell = _open_spell(household)
        stored, identification = _identification_of(household, spell, rules)
        try:
            due_on = add_days(rules, on, rules.elimination_days)
        except WorkdaysError as error:
            raise CaseworkError("deadline", f"无法计算办理期限：{error.message}") from None
        row = Case(
            household=household,
            village_code=household.village_id,
            kind=CaseKind.ELIMINATION,
            step=EliminationStep.PROPOSED.value,
            opened_on=on,
            edition_id=rules.edition_id,
            opened_by=user_or_none(actor),
            pending_level=5,
            due_on=due_on,
            identification=stored,
            monitoring=spell,
            object_type=spell.object_type,
            risk_types=list(identification.risk_types),
            identified_month=spell.identified_month,
        )
        try:
            opened = open_elimination(
                case_id=str(row.public_id),
                identification=identification,
                actor=procedure_actor,
                on=on,
                edition=rules,
                summary=summary.strip(),
            )
        except ProcedureError as error:
            raise CaseworkError(error.code, error.message) from None
        row.version = opened.version
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            raise CaseworkError("already_open", "该户已有办理中的风险消除案件") from None
        transition = opened.history[-1]
        store_transition(row, transition, user_or_none(actor), actor_label(actor), {})
        audit_transition(actor, row, transition, (0, opened.version), {}, request)
    return row
