"""Poverty measures, MPI and exit qualification of a county's registry for a year
(docs/measures.md, docs/evaluation.md), computed by the pure cores and stored.

:func:`measures_compute` reads the county's registry (snapshot, pseudonymised), builds each
active household's achievements (:func:`fangpin.measures.household_achievements`: per-capita
net income of the year, 两不愁三保障 and drinking water from the latest checklist), and stores
one :class:`MeasureResult`:

- the poverty profile (H, P1, P2, Watts, Sen, SST, Gini, Theil, MLD) by township and for the
  county, against the monitoring line and the poverty line, persons weighted by household size;
- the Lorenz curve of the county (for the chart);
- the Alkire–Foster MPI with the default indicator set, by township, with each indicator's
  contribution;
- exit qualification (DOMAIN.md §6.1–6.2) of each village, township and the county: a person
  counts as poor when their household's per-capita net income is below the poverty line or the
  household lacks any of 两不愁三保障 and safe water (the household exit test, 一超过两不愁三保障);
  the county also gets the registry rule (not above 3%).

Households without a finance row for the year or without a checklist are left out and
counted (never treated as not poor). Computing needs ``registry.view`` over the whole county.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from datetime import date
from typing import Any

import numpy as np
from django.db import transaction
from django.http import HttpRequest

from fangpin import measures, sampling
from fangpin.core.access import REGISTRY_VIEW, is_system_actor
from fangpin.core.audit import actor_label, audit_record
from fangpin.core.models import Region
from fangpin.core.scope import scope_covers
from fangpin.evaluation.errors import EvaluationError
from fangpin.evaluation.models import MeasureResult
from fangpin.evaluation.registry_data import registry_tables
from fangpin.policy import PolicyError, resolve

__all__ = ["measures_compute"]

LORENZ_POINTS = 50


def _county(actor: Any, county_code: str) -> Region:
    try:
        county = Region.objects.get(code=county_code, level=3)
    except Region.DoesNotExist:
        raise EvaluationError("region", f"“{county_code}”不是已加载的县级区划") from None
    if not is_system_actor(actor) and not scope_covers(
        actor, county.code, capability=REGISTRY_VIEW
    ):
        raise EvaluationError("region", "计算贫困测度需要覆盖全县的账号（县级及以上）")
    return county


def _profile(rows: list[measures.SummaryRow], names: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        values = asdict(row)
        code = row.group
        values["group"] = code or ""
        values["name"] = names.get(code + "000", code) if code else "合计"
        out.append(values)
    return out


def _lorenz(incomes: np.ndarray, weights: np.ndarray) -> list[list[float]]:
    shares, cumulative = measures.lorenz(incomes, weights)
    picks = np.unique(np.linspace(0, len(shares) - 1, LORENZ_POINTS + 1).round().astype(int))
    return [[round(float(shares[i]), 4), round(float(cumulative[i]), 4)] for i in picks]


def _qualifications(
    poor: dict[str, int], population: dict[str, int], thresholds: Any
) -> list[dict[str, Any]]:
    rows = []
    for code in sorted(population):
        if population[code] == 0:
            continue
        q = sampling.exit_qualification(
            poor_people=poor.get(code, 0),
            rural_population=population[code],
            region_code=code,
            thresholds=thresholds,
        )
        rows.append(
            {
                "code": code,
                "poor": q.poor_people,
                "population": q.rural_population,
                "incidence": q.incidence,
                "threshold": q.threshold,
                "qualified": q.is_qualified,
                "text": q.text_zh,
            }
        )
    return rows


def measures_compute(
    *, actor: Any, county_code: str, year: int, request: HttpRequest | None = None
) -> MeasureResult:
    """Compute and store the county's measures for ``year`` (see the module docstring)."""
    county = _county(actor, county_code)
    prefix = county.code[:6]
    try:
        edition = resolve(year, prefix)
    except PolicyError as exc:
        raise EvaluationError("no_data", f"{year}年没有可用的政策版本：{exc}") from exc
    monitoring_line, poverty_line = float(edition.monitoring_line), float(edition.poverty_line)
    indicator_set = measures.DEFAULT_INDICATOR_SET
    with registry_tables(prefix, actor=actor) as tables:
        try:
            data = measures.household_achievements(
                tables["households"],
                tables["persons"],
                tables["finances"],
                tables["conditions"],
                year=year,
                line=poverty_line,
                as_of=date(year, 12, 31),
                indicators=indicator_set,
            )
        except measures.MeasureError as exc:
            raise EvaluationError("no_data", exc.message) from exc
    if data.household_ids.size == 0:
        raise EvaluationError(
            "no_data", f"{county.name}{year}年没有同时具备收支和“两不愁三保障”信息的农户"
        )
    codes = indicator_set.codes
    income_at = codes.index("income")
    incomes = data.achievements[:, income_at].astype(np.float64)
    sizes = data.household_sizes.astype(np.float64)
    villages = data.village_codes.astype(str)
    townships = np.array([v[:9] for v in villages], dtype=object)
    names = dict(
        Region.objects.filter(code__startswith=prefix, level__in=[3, 4, 5]).values_list(
            "code", "name"
        )
    )
    profile = {
        "monitoring": _profile(
            measures.summary_table(incomes, monitoring_line, sizes, groups=townships), names
        ),
        "poverty": _profile(
            measures.summary_table(incomes, poverty_line, sizes, groups=townships), names
        ),
    }
    weights = np.array([i.weight for i in indicator_set.indicators], dtype=np.float64)
    result = measures.mpi(
        data.achievements,
        data.cutoffs,
        weights,
        indicator_set.k,
        k_is_share=True,
        person_weights=sizes,
        groups=townships,
        names=indicator_set.labels,
    )
    below = np.asarray(data.achievements < data.cutoffs, dtype=bool)
    deprived: list[bool] = np.any(below, axis=1).tolist()
    poor_people: dict[str, int] = defaultdict(int)
    people: dict[str, int] = defaultdict(int)
    for village, size, is_poor in zip(villages, data.household_sizes, deprived, strict=True):
        for code in (village, village[:9] + "000", prefix + "000000"):
            people[code] += int(size)
            if is_poor:
                poor_people[code] += int(size)
    thresholds = edition.evaluation
    county_code12 = prefix + "000000"
    registry_rule = sampling.registry_qualification(
        registered_poor=poor_people.get(county_code12, 0),
        rural_population=people[county_code12],
        region_code=county_code12,
        thresholds=thresholds,
    )
    payload = {
        "lines": {"poverty": poverty_line, "monitoring": monitoring_line},
        "households": int(data.household_ids.size),
        "persons": int(data.household_sizes.sum()),
        "missing": {
            "no_finance": len(data.missing.no_finance),
            "no_conditions": len(data.missing.no_conditions),
            "households": data.missing.count,
        },
        "profile": profile,
        "lorenz": _lorenz(incomes, sizes),
        "mpi": {
            "indicator_set": indicator_set.title,
            "k_share": result.k_share,
            "H": result.H,
            "A": result.A,
            "M0": result.M0,
            "M1": result.M1,
            "M2": result.M2,
            "indicators": [
                {
                    "label": label,
                    "uncensored": result.uncensored_headcounts[label],
                    "censored": result.censored_headcounts[label],
                    "contribution": result.contributions[label],
                }
                for label in result.names
            ],
            "groups": [
                {
                    "group": g.group,
                    "name": names.get(g.group + "000", g.group),
                    "population_share": g.population_share,
                    "H": g.H,
                    "A": g.A,
                    "M0": g.M0,
                    "contribution": g.contribution,
                }
                for g in result.groups
            ],
        },
        "exit": {
            "villages": [
                {**row, "name": names.get(row["code"], row["code"])}
                for row in _qualifications(
                    poor_people,
                    {c: n for c, n in people.items() if len(c) == 12 and not c.endswith("000")},
                    thresholds,
                )
            ],
            "townships": [
                {**row, "name": names.get(row["code"], row["code"])}
                for row in _qualifications(
                    poor_people,
                    {c: n for c, n in people.items() if c.endswith("000") and c != county_code12},
                    thresholds,
                )
            ],
            "county": {
                **_qualifications(poor_people, {county_code12: people[county_code12]}, thresholds)[
                    0
                ],
                "name": county.name,
                "registry_qualified": registry_rule.is_qualified,
                "registry_text": registry_rule.text_zh,
            },
        },
    }
    with transaction.atomic():
        stored = MeasureResult.objects.create(
            county=county,
            year=year,
            edition_id=edition.edition_id,
            result=payload,
            computed_by_label=actor_label(actor),
        )
        audit_record(
            actor=actor,
            action="measures.compute",
            object_type="measure_result",
            object_id=str(stored.pk),
            changes={"county": county.code, "year": year, "households": payload["households"]},
            request=request,
        )
    return stored
