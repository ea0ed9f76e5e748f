"""⑬ of ``fangpin demo``: measuring the truth with realistic data.

The county's inspector draws a third-party evaluation sample for the demo year and surveys
nearly all of it: each household's verified income is its registered per-capita net income
with a little survey noise, its checklist the registry's latest, and a handful of households
are found wrongly exited or missed (as real evaluations find: well under 2%); about 95%
approve. A few households are left for a visitor to survey from a phone. The wrong exits and
omissions go into the ledger. The county approver computes the poverty measures, MPI and exit
qualification, and the integrity detectors run over the county; their warnings of three kinds
(eliminated below the line, exits resting on one-off transfers, figures far from Benford's law)
are pushed to the ledger.

The survey answers are synthetic fieldwork: verified income is the registered per-capita net
income ±7%; each checklist item fails at about the rates the 2020 census found (DOMAIN.md §6.3:
well under 1%), a house graded C/D in the registry about half the time (some were rebuilt since
the assessment).
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from fangpin.core.models import User
from fangpin.evaluation.campaigns import (
    SurveyAnswers,
    campaign_create,
    campaign_push_findings,
    suggested_adjudication,
    survey_record,
)
from fangpin.evaluation.estimates import campaign_estimates
from fangpin.evaluation.integrity import integrity_push, integrity_run
from fangpin.evaluation.models import Adjudication, Domain
from fangpin.evaluation.registry_measures import measures_compute
from fangpin.policy import resolve
from fangpin.registry.models import HouseholdCondition, HouseholdFinance, Person

__all__ = ["DEMO_PENDING", "demo_evaluation"]

DEMO_PENDING = 5
"""Sampled households left unsurveyed, for a visitor to try the phone form."""

PUSHED_DETECTORS = ("ELIMINATED_BELOW_LINE", "ONE_OFF_TRANSFER_EXIT", "BENFORD")


def _survey_answers(
    rng: random.Random, unit: Any, year: int, line: Decimal, on: date
) -> SurveyAnswers:
    finance = (
        HouseholdFinance.objects.filter(household_id=unit.household_id, year=year)
        .values_list("per_capita_net_income", "household_size")
        .first()
    )
    condition = (
        HouseholdCondition.objects.filter(household_id=unit.household_id)
        .order_by("-assessed_on")
        .first()
    )
    income, size = finance if finance else (Decimal(0), 1)
    members = list(
        Person.objects.filter(household_id=unit.household_id, status="active").values_list(
            "birth_date", "student_status"
        )
    )
    people = len(members)
    school_age = [
        status
        for born, status in members
        if 6 <= on.year - born.year - ((on.month, on.day) < (born.month, born.day)) <= 15
    ]
    verified = (Decimal(income or 0) * Decimal(str(rng.uniform(0.93, 1.07)))).quantize(
        Decimal("0.01")
    )
    unsafe_house = condition is not None and condition.housing_grade in ("C", "D")
    checks = {
        "food_ok": rng.random() >= 0.004,
        "clothing_ok": rng.random() >= 0.003,
        "education_ok": all(status != "00" for status in school_age) or rng.random() >= 0.2,
        "medical_ok": rng.random() >= 0.003,
        "housing_ok": not (unsafe_house and rng.random() < 0.5),
        "water_ok": rng.random() >= 0.005,
    }
    draft = SurveyAnswers(
        surveyed_on=on,
        people=max(1, people or int(size)),
        per_capita_income=max(Decimal(0), verified),
        adjudication="",
        is_satisfied=rng.random() < 0.95,
        food_ok=checks["food_ok"],
        clothing_ok=checks["clothing_ok"],
        education_ok=checks["education_ok"],
        medical_ok=checks["medical_ok"],
        housing_ok=checks["housing_ok"],
        water_ok=checks["water_ok"],
    )
    suggested = suggested_adjudication(unit, draft, line)
    notes = ""
    if suggested != Adjudication.CORRECT:
        notes = "入户核实：收入或“两不愁三保障”未达标准，与登记情况不符"
    return replace(draft, adjudication=suggested, notes=notes)


def demo_evaluation(*, county: str, year: int, seed: int) -> dict[str, Any]:
    """Run ⑬; return the figures the demo prints (empty without the demo accounts)."""
    inspector = User.objects.filter(username=f"inspector_{county}").first()
    approver = User.objects.filter(username=f"county_{county}").first()
    if inspector is None or approver is None:
        return {}
    rng = random.Random(f"{seed}:evaluation")
    county_code = f"{county}000000"
    today = timezone.localdate()
    campaign = campaign_create(
        actor=inspector,
        name=f"{year}年度第三方评估（演示）",
        county_code=county_code,
        year=year,
        seed=f"{seed}",
    )
    line = Decimal(resolve(year, county).poverty_line)
    units = list(campaign.households.select_related("village").order_by("position"))
    start = today - timedelta(days=14)
    for at, unit in enumerate(units[: max(0, len(units) - DEMO_PENDING)]):
        answers = _survey_answers(rng, unit, year, line, start + timedelta(days=at % 10))
        survey_record(actor=inspector, unit=unit, answers=answers, version=unit.version)
    estimates = campaign_estimates(campaign)
    pushed = campaign_push_findings(actor=inspector, campaign=campaign, today=today)
    measures = measures_compute(actor=approver, county_code=county_code, year=year)
    run = integrity_run(actor=inspector, county_code=county_code, year=year)
    integrity_pushed = integrity_push(
        actor=inspector, run=run, today=today, detectors=PUSHED_DETECTORS
    )
    return {
        "campaign": campaign,
        "villages": campaign.villages.count(),
        "households": len(units),
        "surveyed": estimates.surveyed,
        "rates": estimates.rates,
        "wrongly_exited": estimates.adjudicated.get(Adjudication.WRONGLY_EXITED, 0),
        "missed": estimates.adjudicated.get(Adjudication.MISSED, 0),
        "register": estimates.by_domain.get(Domain.REGISTER, 0),
        "pushed": pushed,
        "measures": measures.result,
        "integrity": run,
        "integrity_findings": run.findings.count(),
        "integrity_pushed": integrity_pushed,
    }
