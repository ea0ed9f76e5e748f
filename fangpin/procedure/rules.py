"""The procedure rules taken from a policy edition, and day counting in its ``day_kind``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from fangpin.policy import EliminationGuards, ResolvedEdition
from fangpin.workdays import WorkdayCalendar, add_working_days

__all__ = ["DEFAULT_FAST_TRACK_RISKS", "ProcedureRules", "add_days", "notice_end"]

# 先帮后认 is national policy for households at risk "because of disaster" (因灾, DOMAIN.md
# §3.3); the edition has no key for it yet, so this default is the national reading.
DEFAULT_FAST_TRACK_RISKS = frozenset({"NATURAL_DISASTER"})


@dataclass(frozen=True, slots=True)
class ProcedureRules:
    """Everything ``decide`` and ``deadlines`` need from an edition.

    ``fast_track_allowed``, ``fast_track_risks`` and ``approval_after_notice`` are not keys of
    the policy schema yet (see docs/procedure.md); they default to the national reading:
    先帮后认 for natural disasters, and no county approval before the notice has ended and
    every objection is re-checked.
    """

    edition_id: str
    day_kind: str  # "working" or "calendar"
    identification_days: int
    verification_days: int
    elimination_days: int
    notice_days: int
    max_risks: int
    object_types: tuple[tuple[str, str], ...]  # (code, zh)
    risk_types: tuple[tuple[str, str], ...]
    guards: EliminationGuards
    fast_track_allowed: bool = True
    fast_track_risks: frozenset[str] = DEFAULT_FAST_TRACK_RISKS
    approval_after_notice: bool = True
    calendar: WorkdayCalendar | None = None

    @classmethod
    def from_edition(
        cls,
        edition: ResolvedEdition,
        *,
        fast_track_allowed: bool = True,
        fast_track_risks: frozenset[str] = DEFAULT_FAST_TRACK_RISKS,
        approval_after_notice: bool = True,
        calendar: WorkdayCalendar | None = None,
    ) -> ProcedureRules:
        return cls(
            edition_id=edition.edition_id,
            day_kind=edition.day_kind,
            identification_days=edition.identification_days,
            verification_days=edition.verification_days,
            elimination_days=edition.elimination_days,
            notice_days=edition.notice_days,
            max_risks=edition.max_risks_per_household,
            object_types=tuple((i.code, i.zh) for i in edition.object_types),
            risk_types=tuple((i.code, i.zh) for i in edition.risk_types),
            guards=edition.elimination_guards,
            fast_track_allowed=fast_track_allowed,
            fast_track_risks=fast_track_risks,
            approval_after_notice=approval_after_notice,
            calendar=calendar,
        )

    @property
    def is_working(self) -> bool:
        return self.day_kind == "working"

    @property
    def day_unit_zh(self) -> str:
        return "个工作日" if self.is_working else "天"

    def risk_zh(self, code: str) -> str | None:
        return dict(self.risk_types).get(code)


def as_rules(edition: ResolvedEdition | ProcedureRules) -> ProcedureRules:
    return edition if isinstance(edition, ProcedureRules) else ProcedureRules.from_edition(edition)


def add_days(rules: ProcedureRules, start: date, days: int) -> date:
    """The deadline ``days`` days after ``start`` (start not counted), in the edition's kind."""
    if rules.is_working:
        return add_working_days(start, days, calendar=rules.calendar)
    return start + timedelta(days=days)


def notice_end(rules: ProcedureRules, start: date) -> date:
    """The last day of the shortest notice posted on ``start``: ``notice_days`` days, start counted.

    In working-day editions the start counts when it is a working day; a notice posted on a
    rest day starts counting on the next working day.
    """
    return add_days(rules, start - timedelta(days=1), rules.notice_days)
