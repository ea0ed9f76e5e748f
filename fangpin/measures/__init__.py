"""Poverty, inequality and multidimensional poverty measures (issue #8), pure numpy.

- :mod:`~fangpin.measures.poverty` — FGT (headcount, gap, severity), Watts, Sen, SST.
- :mod:`~fangpin.measures.inequality` — Gini, Theil T, MLD, Atkinson, Lorenz curve.
- :mod:`~fangpin.measures.profile` — :func:`poverty_profile`, the grouped fast path.
- :mod:`~fangpin.measures.summary` — every income measure per group (``fangpin measure``).
- :mod:`~fangpin.measures.mpi` — Alkire–Foster H, A, M0, M1, M2 with breakdowns.
- :mod:`~fangpin.measures.indicators` — the indicator set (两不愁三保障, water, income), TOML.
- :mod:`~fangpin.measures.households` — the achievement matrix from the registry's Arrow tables.
- :mod:`~fangpin.measures.reading` — the columns of a CSV (UTF-8/GBK) or Parquet file;
  :mod:`~fangpin.measures.labels` — the Chinese column labels.

Conventions (docs/measures.md): poor means income strictly below the line; weights count
persons, so integer weights equal repeated rows; NaN, infinities and negative weights are
errors (:class:`MeasureError`, a stable ``code`` and a Chinese message). Standard library,
numpy, pyarrow, ``fangpin.income`` and ``fangpin.codes`` only; never Django.
"""

from __future__ import annotations

from fangpin.measures.errors import ERROR_CODES, MeasureError
from fangpin.measures.households import (
    ACHIEVEMENT_CODES,
    COMPULSORY_AGES,
    HouseholdAchievements,
    Missing,
    household_achievements,
)
from fangpin.measures.indicators import (
    DEFAULT_INDICATOR_SET,
    DEFAULT_INDICATORS,
    Dimension,
    Indicator,
    IndicatorSet,
    custom_indicator_set,
    load_indicator_set,
)
from fangpin.measures.inequality import atkinson, gini, lorenz, mld, theil
from fangpin.measures.mpi import GroupMpi, MpiResult, deprivation_scores, mpi
from fangpin.measures.poverty import fgt, sen, sst, watts
from fangpin.measures.profile import ProfileRow, poverty_profile
from fangpin.measures.summary import SummaryRow, summary_table

__all__ = [
    "ACHIEVEMENT_CODES",
    "COMPULSORY_AGES",
    "DEFAULT_INDICATORS",
    "DEFAULT_INDICATOR_SET",
    "ERROR_CODES",
    "Dimension",
    "GroupMpi",
    "HouseholdAchievements",
    "Indicator",
    "IndicatorSet",
    "MeasureError",
    "Missing",
    "MpiResult",
    "ProfileRow",
    "SummaryRow",
    "atkinson",
    "custom_indicator_set",
    "deprivation_scores",
    "fgt",
    "gini",
    "household_achievements",
    "load_indicator_set",
    "lorenz",
    "mld",
    "mpi",
    "poverty_profile",
    "sen",
    "sst",
    "summary_table",
    "theil",
    "watts",
]
