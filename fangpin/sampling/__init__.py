"""Third-party evaluation sampling (第三方评估抽样): design, draw, estimates and verdicts.

The exit of a household, village or county was decided by the "three rates and one degree"
(三率一度, DOMAIN.md §6) measured on a stratified two-stage cluster sample. This pure core
plans that sample (:func:`plan_two_stage`), draws it reproducibly from a seed
(:func:`draw_sample`), estimates the rates with design-based standard errors
(:func:`wrong_exit_rate` …), judges them against the policy edition's lines by the whole
confidence interval (:func:`verdict`) and checks exit qualification by incidence
(:func:`exit_qualification`). See docs/sampling.md.

Pure core: numpy, the standard library, :mod:`fangpin.policy` and :mod:`fangpin.regioncode`;
never Django. (``fangpin.ledger.sampling`` is something else: households for unannounced
visits.)
"""

from __future__ import annotations

from fangpin.sampling.draw import draw_sample, draw_villages, first_stage_probabilities
from fangpin.sampling.errors import ERROR_CODES, SamplingError
from fangpin.sampling.estimate import Estimate, SinglePsu, ratio_estimate
from fangpin.sampling.frame import (
    ANHUI_OUTSIDE,
    ANHUI_REGISTER,
    Domain,
    SecondStageRule,
    SelectionMethod,
    SizeMeasure,
    Village,
)
from fangpin.sampling.qualification import (
    ExitQualification,
    ExitRule,
    RegionCount,
    exit_qualification,
    exit_qualifications,
    registry_qualification,
)
from fangpin.sampling.rates import (
    HouseholdRecord,
    approval_rate,
    composite_incidence,
    omission_rate,
    wrong_exit_rate,
)
from fangpin.sampling.sample import (
    Sample,
    SampledHousehold,
    SampledVillage,
    SampleParameters,
    SelectedVillage,
    StratumCount,
)
from fangpin.sampling.size import (
    DesignPlan,
    StratumPlan,
    allocate_villages,
    design_effect,
    plan_two_stage,
    sample_size_proportion,
    z_value,
)
from fangpin.sampling.text import percent
from fangpin.sampling.verdict import (
    Direction,
    Indicator,
    Verdict,
    VerdictStatus,
    indicator_verdict,
    verdict,
)

__all__ = [
    "ANHUI_OUTSIDE",
    "ANHUI_REGISTER",
    "ERROR_CODES",
    "DesignPlan",
    "Direction",
    "Domain",
    "Estimate",
    "ExitQualification",
    "ExitRule",
    "HouseholdRecord",
    "Indicator",
    "RegionCount",
    "Sample",
    "SampleParameters",
    "SampledHousehold",
    "SampledVillage",
    "SamplingError",
    "SecondStageRule",
    "SelectedVillage",
    "SelectionMethod",
    "SinglePsu",
    "SizeMeasure",
    "StratumCount",
    "StratumPlan",
    "Verdict",
    "VerdictStatus",
    "Village",
    "allocate_villages",
    "approval_rate",
    "composite_incidence",
    "design_effect",
    "draw_sample",
    "draw_villages",
    "exit_qualification",
    "exit_qualifications",
    "first_stage_probabilities",
    "indicator_verdict",
    "omission_rate",
    "percent",
    "plan_two_stage",
    "ratio_estimate",
    "registry_qualification",
    "sample_size_proportion",
    "verdict",
    "wrong_exit_rate",
    "z_value",
]
