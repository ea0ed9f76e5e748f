"""The rectification ledger (整改台账): problems tracked to closure (对账销号, 清零).

Pure core over immutable values (DOMAIN.md §8): the problem record (:mod:`.model`), its life
from open to closed with an independent check (:func:`decide`), overdue problems and their
escalation, the 清零 tally by region, dimension and source (:mod:`.oversight`), and the
households of an unannounced visit (:func:`sample_visits`). The Django app storing problems,
their pages and exports is issue #7's next step. See docs/ledger.md.

Pure core: standard library only; never Django.
"""

from __future__ import annotations

from fangpin.ledger.errors import CONFLICT_CODES, ERROR_CODES, LedgerError
from fangpin.ledger.machine import Action, Close, ReportFixed, Return, Start, decide, new_problem
from fangpin.ledger.model import (
    DIMENSION_ZH,
    SOURCE_ZH,
    STATUS_ZH,
    Dimension,
    Entry,
    Problem,
    Source,
    Status,
)
from fangpin.ledger.oversight import (
    ESCALATION_ZH,
    TO_FIX,
    Escalation,
    EscalationRules,
    Tally,
    days_late,
    days_overdue,
    escalation,
    is_zeroed,
    level_for,
    region_at,
    tally,
)
from fangpin.ledger.questions import VISIT_QUESTIONS
from fangpin.ledger.sampling import Candidate, SamplingRules, VillageSample, sample_visits

__all__ = [
    "CONFLICT_CODES",
    "DIMENSION_ZH",
    "ERROR_CODES",
    "ESCALATION_ZH",
    "SOURCE_ZH",
    "STATUS_ZH",
    "TO_FIX",
    "VISIT_QUESTIONS",
    "Action",
    "Candidate",
    "Close",
    "Dimension",
    "Entry",
    "Escalation",
    "EscalationRules",
    "LedgerError",
    "Problem",
    "ReportFixed",
    "Return",
    "SamplingRules",
    "Source",
    "Start",
    "Status",
    "Tally",
    "VillageSample",
    "days_late",
    "days_overdue",
    "decide",
    "escalation",
    "is_zeroed",
    "level_for",
    "new_problem",
    "region_at",
    "sample_visits",
    "tally",
]
