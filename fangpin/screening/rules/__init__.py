"""The rule modules; importing this package registers every rule in :data:`RULES`."""

from fangpin.screening.rules import (
    classification,
    elimination,
    quality,
    quality_elimination,
    triggers_checklist,
    triggers_events,
    triggers_income,
)

__all__ = [
    "classification",
    "elimination",
    "quality",
    "quality_elimination",
    "triggers_checklist",
    "triggers_events",
    "triggers_income",
]
