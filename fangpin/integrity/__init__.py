"""Integrity analytics (数字脱贫, 算账脱贫): detectors whose findings a person reviews.

Pure core (DOMAIN.md §11 [D], issue #8): each detector is a pure function from Arrow tables,
IntegritySettings and a year to a list of :class:`Finding` — a signal for human review with
its figures, the threshold used and a plain-Chinese explanation, never a verdict.
:func:`run_all` runs every detector whose inputs are present. See docs/integrity.md.

Pure core: numpy, pyarrow, the standard library, ``fangpin.income``, ``fangpin.codes`` and
``fangpin.contract``; never Django.
"""

from __future__ import annotations

from fangpin.integrity.bunching import DENSITY_ALPHA, bunching, bunching_density
from fangpin.integrity.contract import ELIMINATIONS, INPUT_SCHEMAS, POSTS, VISITS
from fangpin.integrity.deceased import deceased_counted, deceased_still_active
from fangpin.integrity.digits import DIGIT_ALPHA, benford, digit_preference
from fangpin.integrity.errors import ERROR_CODES, IntegrityError
from fangpin.integrity.frame import ONE_OFF_FIELDS
from fangpin.integrity.model import (
    CODE_ZH,
    FINDINGS_SCHEMA,
    FINDINGS_VERSION,
    MONITORING_LINE,
    Code,
    Finding,
    IntegritySettings,
    Severity,
    SubjectKind,
    findings_table,
)
from fangpin.integrity.notes import copied_notes, normalise_note
from fangpin.integrity.paper import paper_post_wage, paper_production, paper_wage
from fangpin.integrity.quota import SHARES_SCHEMA, monitoring_shares, round_quota
from fangpin.integrity.run import DETECTORS, DetectorSummary, IntegrityReport, run_all
from fangpin.integrity.simultaneity import (
    ASSESSMENT_WINDOW_DAYS,
    identical_income,
    same_day_eliminations,
)
from fangpin.integrity.stats import chi2_sf, density_test
from fangpin.integrity.transfers import one_off_transfer_exit, transfer_dependence
from fangpin.integrity.velocity import eliminated_below_line, fast_elimination

__all__ = [
    "ASSESSMENT_WINDOW_DAYS",
    "CODE_ZH",
    "DENSITY_ALPHA",
    "DETECTORS",
    "DIGIT_ALPHA",
    "ELIMINATIONS",
    "ERROR_CODES",
    "FINDINGS_SCHEMA",
    "FINDINGS_VERSION",
    "INPUT_SCHEMAS",
    "MONITORING_LINE",
    "ONE_OFF_FIELDS",
    "POSTS",
    "SHARES_SCHEMA",
    "VISITS",
    "Code",
    "DetectorSummary",
    "Finding",
    "IntegrityError",
    "IntegrityReport",
    "IntegritySettings",
    "Severity",
    "SubjectKind",
    "benford",
    "bunching",
    "bunching_density",
    "chi2_sf",
    "copied_notes",
    "deceased_counted",
    "deceased_still_active",
    "density_test",
    "digit_preference",
    "eliminated_below_line",
    "fast_elimination",
    "findings_table",
    "identical_income",
    "monitoring_shares",
    "normalise_note",
    "one_off_transfer_exit",
    "paper_post_wage",
    "paper_production",
    "paper_wage",
    "round_quota",
    "run_all",
    "same_day_eliminations",
    "transfer_dependence",
]
