"""Integrity analytics against 数字脱贫 and 算账脱贫 (docs/integrity.md), stored and pushed.

:func:`integrity_run` reads the county's registry (snapshot, pseudonymised), its eliminations,
visit notes and public-welfare posts, runs every detector of :mod:`fangpin.integrity` with the
edition's ``[integrity]`` settings and lines, and stores the findings as one
:class:`IntegrityRun`. Findings are signals for a person to review, never verdicts: the report
shows each with its figures and its reason. :func:`integrity_push` puts the warnings (not the
notes of level info) into the rectification ledger, keyed by year, detector and subject, so
running and pushing again adds nothing twice.

Who may: run with ``findings.write`` or ``screening.run``, push with ``findings.write``, in a
scope that covers the county (a county account or above).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, Final

from django.db import transaction
from django.http import HttpRequest

from fangpin import integrity
from fangpin.core.access import FINDINGS_WRITE, SCREENING_RUN, is_system_actor, user_can
from fangpin.core.audit import actor_label, audit_record
from fangpin.core.models import Region
from fangpin.core.scope import scope_covers
from fangpin.evaluation.errors import EvaluationError
from fangpin.evaluation.integrity_inputs import eliminations_table, posts_table, visits_table
from fangpin.evaluation.models import IntegrityFinding, IntegrityRun, SampledHousehold
from fangpin.evaluation.registry_data import registry_tables
from fangpin.policy import PolicyError, ResolvedEdition, resolve
from fangpin.registry.models import Household
from fangpin.supervision.errors import SupervisionError
from fangpin.supervision.models import Problem
from fangpin.supervision.services import NewProblem, problems_bulk_create

__all__ = ["DIMENSION_OF", "integrity_push", "integrity_run", "integrity_settings"]

PUSH_DEADLINE_DAYS: Final = 30
"""Days the county is given to look into a pushed integrity finding (a design choice)."""

#: The ledger dimension (问题类别) of each detector's findings.
DIMENSION_OF: Final[dict[str, str]] = {
    "BUNCHING": "income",
    "BUNCHING_DENSITY": "income",
    "TRANSFER_DEPENDENCE": "income",
    "ONE_OFF_TRANSFER_EXIT": "income",
    "PAPER_WAGE": "income",
    "PAPER_PRODUCTION": "income",
    "PAPER_POST_WAGE": "income",
    "IDENTICAL_INCOME": "income",
    "DIGIT_PREFERENCE": "files",
    "BENFORD": "files",
    "FAST_ELIMINATION": "procedure",
    "ELIMINATED_BELOW_LINE": "procedure",
    "SAME_DAY_ELIMINATIONS": "procedure",
    "ROUND_QUOTA": "procedure",
    "COPIED_NOTES": "conduct",
    "DECEASED_COUNTED": "files",
    "DECEASED_STILL_ACTIVE": "files",
}

_SETTING_KEYS: Final = (
    "bunching_band_share",
    "bunching_min_households",
    "transfer_share_max",
    "fast_elimination_months",
    "same_day_eliminations_min",
    "identical_income_min_households",
    "quota_shares",
    "quota_tolerance",
    "benford_min_records",
    "copied_note_similarity",
)


def integrity_settings(edition: ResolvedEdition) -> integrity.IntegritySettings:
    """The detectors' thresholds from the edition's ``[integrity]`` and its two lines."""
    section = edition.integrity
    values = {key: getattr(section, key) for key in _SETTING_KEYS}
    return integrity.IntegritySettings(
        **values,
        lines={
            "poverty": float(edition.poverty_line),
            "monitoring": float(edition.monitoring_line),
        },
    )


_REGION_LABEL: Final = re.compile(r"(村|乡镇|县)（(\d{12})）")
_HOUSEHOLD_IDS: Final = re.compile(r"(户[（：])(\d+(?:、\d+)*)")


def _with_names(text: str, names: dict[str, str], numbers: dict[int, str]) -> str:
    """Name what the pure core could only number (it knows codes and row ids, not names):
    「村（433124103204）」 becomes 「响水村（433124103204）」, and households listed by row id
    「户：22、23」 are listed by household number 「户：4331241032040001、…」."""
    text = _REGION_LABEL.sub(lambda m: f"{names.get(m.group(2), m.group(1))}（{m.group(2)}）", text)
    return _HOUSEHOLD_IDS.sub(
        lambda m: m.group(1) + "、".join(numbers.get(int(i), i) for i in m.group(2).split("、")),
        text,
    )


def _county(actor: Any, county_code: str, capabilities: Sequence[str]) -> Region:
    try:
        county = Region.objects.get(code=county_code, level=3)
    except Region.DoesNotExist:
        raise EvaluationError("region", f"“{county_code}”不是已加载的县级区划") from None
    if is_system_actor(actor):
        return county
    if not any(user_can(actor, c) for c in capabilities):
        raise EvaluationError("forbidden", "当前账号无权开展数据真实性检测")
    if not any(scope_covers(actor, county.code, capability=c) for c in capabilities):
        raise EvaluationError("region", "该县不在您的辖区内（需县级及以上账号）")
    return county


def _assessment_dates(county_prefix: str, year: int) -> list[date]:
    """Days an assessment or evaluation was at work in the county: the ledger's 考核 and
    第三方评估 problems and the evaluation surveys of the year."""
    found = Problem.objects.filter(
        region__code__startswith=county_prefix,
        source__in=["assessment", "evaluation"],
        found_on__year=year,
    ).values_list("found_on", flat=True)
    surveyed = SampledHousehold.objects.filter(
        campaign__county__code__startswith=county_prefix, surveyed_on__year=year
    ).values_list("surveyed_on", flat=True)
    return sorted({d for d in [*found, *surveyed] if d is not None})


def integrity_run(
    *, actor: Any, county_code: str, year: int, request: HttpRequest | None = None
) -> IntegrityRun:
    """Run every detector over the county for ``year`` and store the findings."""
    county = _county(actor, county_code, (FINDINGS_WRITE, SCREENING_RUN))
    prefix = county.code[:6]
    try:
        edition = resolve(year, prefix)
    except PolicyError as exc:
        raise EvaluationError("no_data", f"{year}年没有可用的政策版本：{exc}") from exc
    settings = integrity_settings(edition)
    with registry_tables(prefix, actor=actor) as tables:
        try:
            report = integrity.run_all(
                settings=settings,
                year=year,
                households=tables["households"],
                persons=tables["persons"],
                finances=tables["finances"],
                monitorings=tables["monitorings"],
                eliminations=eliminations_table(prefix),
                visits=visits_table(prefix),
                posts=posts_table(prefix, year),
                assessments=_assessment_dates(prefix, year),
            )
        except integrity.IntegrityError as exc:
            raise EvaluationError("no_data", exc.message) from exc
        households = tables["households"].num_rows
    names = dict(Region.objects.filter(code__startswith=prefix).values_list("code", "name"))
    known = set(names)
    numbers = dict(
        Household.objects.filter(village__code__startswith=prefix).values_list(
            "pk", "household_number"
        )
    )
    with transaction.atomic():
        run = IntegrityRun.objects.create(
            county=county,
            year=year,
            edition_id=edition.edition_id,
            settings_used={
                **{k: getattr(settings, k) for k in _SETTING_KEYS},
                "lines": dict(settings.lines),
            },
            summary={
                s.code: {"title": s.title, "ran": s.ran, "findings": s.findings, "note": s.note}
                for s in report.summary
            },
            households=households,
            started_by_label=actor_label(actor),
        )
        IntegrityFinding.objects.bulk_create(
            [
                IntegrityFinding(
                    run=run,
                    detector=f.code,
                    subject_kind=f.subject_kind,
                    subject_id=f.subject_id[:150],
                    region_id=f.region_code if f.region_code in known else county.code,
                    household_id=int(f.subject_id) if f.subject_kind == "household" else None,
                    severity=f.severity,
                    observed=json.loads(f.observed),
                    threshold="" if f.threshold is None else f"{f.threshold:g}",
                    explanation=_with_names(f.explanation, names, numbers),
                )
                for f in report.findings
            ],
            batch_size=1000,
        )
        audit_record(
            actor=actor,
            action="integrity.run",
            object_type="integrity_run",
            object_id=run.public_id,
            changes={
                "county": county.code,
                "year": year,
                "households": households,
                "findings": len(report.findings),
            },
            request=request,
        )
    return run


def integrity_push(
    *,
    actor: Any,
    run: IntegrityRun,
    today: date,
    detectors: Sequence[str] = (),
    request: HttpRequest | None = None,
) -> int:
    """Put the run's warnings (of ``detectors``, or all) into the ledger; return how many
    problems were created (a finding already pushed from any run is skipped)."""
    _county(actor, run.county_id, (FINDINGS_WRITE,))
    findings = run.findings.filter(severity="warning").select_related("region")
    if detectors:
        findings = findings.filter(detector__in=list(detectors))
    items: list[NewProblem] = []
    marked: list[IntegrityFinding] = []
    for finding in findings.order_by("detector", "region_id", "id"):
        key = f"integrity:{run.year}:{finding.detector}:{finding.subject_kind}:{finding.subject_id}"
        finding.problem_key = key[:120]
        marked.append(finding)
        items.append(
            NewProblem(
                origin_key=finding.problem_key,
                origin_rule=f"integrity.{finding.detector}",
                region_code=finding.region_id,
                household_id=finding.household_id,
                description=f"数据真实性疑点（需核实，并非结论）：{finding.explanation}",
                dimension=DIMENSION_OF.get(finding.detector, "files"),
                lead_unit="县乡村振兴局",
            )
        )
    with transaction.atomic():
        try:
            created = problems_bulk_create(
                actor=actor,
                items=items,
                source="data_comparison",
                source_batch=f"数据真实性检测{run.year}",
                found_on=today,
                deadline=today + timedelta(days=PUSH_DEADLINE_DAYS),
                request=request,
            )
        except SupervisionError as exc:
            raise EvaluationError(exc.code, exc.message) from exc
        IntegrityFinding.objects.bulk_update(marked, ["problem_key"], batch_size=1000)
    return len(created)
