"""Policy editions (政策版本): the dated, regional rules and thresholds of the mechanism.

Every threshold, list and time limit of DOMAIN.md §1–§6 (and the parameters of the §11
integrity signals, and the assisting cadres' load and visits) changes by year and may be
tightened by a province, prefecture or county, so none of them is a constant in code. They live
in versioned TOML files under ``editions/`` (one per year and region), checked against
:mod:`fangpin.policy.schema` when loaded.
:func:`resolve` gives the values in force for a year and a region code, each with its
provenance: confirmed or not, source, level and file.

Pure core: standard library and :mod:`fangpin.regioncode` only, never Django.
"""

from __future__ import annotations

from fangpin.policy.errors import ERROR_CODES, PolicyError, PolicyValidationError
from fangpin.policy.format import format_value
from fangpin.policy.model import CatalogueItem, Edition, Entry, Level
from fangpin.policy.resolve import (
    DEFAULT_DIRECTORY,
    EditionSet,
    default_editions,
    load_editions,
    resolve,
)
from fangpin.policy.resolved import ExplainRow, ResolvedEdition, ResolvedValue
from fangpin.policy.schema import FIELDS, FIELDS_BY_KEY, Direction, FieldSpec, Kind
from fangpin.policy.sections import (
    EliminationGuards,
    EvaluationThresholds,
    ForceThresholds,
    IntegrityThresholds,
)

__all__ = [
    "DEFAULT_DIRECTORY",
    "ERROR_CODES",
    "FIELDS",
    "FIELDS_BY_KEY",
    "CatalogueItem",
    "Direction",
    "Edition",
    "EditionSet",
    "EliminationGuards",
    "Entry",
    "EvaluationThresholds",
    "ExplainRow",
    "FieldSpec",
    "ForceThresholds",
    "IntegrityThresholds",
    "Kind",
    "Level",
    "PolicyError",
    "PolicyValidationError",
    "ResolvedEdition",
    "ResolvedValue",
    "default_editions",
    "format_value",
    "load_editions",
    "resolve",
]
