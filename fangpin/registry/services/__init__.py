"""Registry services: every write to households, persons, finances and conditions.

Each function is keyword-only, takes the acting user as ``actor``, runs in one transaction and
writes its audit events in that transaction. Updates take ``expected_version`` and raise
:class:`~fangpin.registry.errors.StaleVersionError` when the row changed meanwhile.

The actor must hold ``registry.edit`` and the target household or village must lie inside their
region scope; otherwise the write is refused exactly like one on a missing object (``not_found``)
and the refusal is audited as ``authz.denied`` (``_access.py``). ``"system:<what>"`` actors
(CLI, jobs) are not checked.

Full ID and phone numbers are stored encrypted (docs/crypto.md); ``person_reveal`` and
``household_reveal_phone`` show one, to a user with ``pi.reveal`` in scope, with a reason,
audited.
"""

from fangpin.registry.services.finance import condition_record, finance_upsert
from fangpin.registry.services.households import (
    household_cancel,
    household_change_head,
    household_create,
    household_split,
    household_update,
)
from fangpin.registry.services.membership import (
    person_add,
    person_correct_id,
    person_move_out,
    person_record_death,
    person_update,
)
from fangpin.registry.services.monitoring import (
    monitoring_eliminate,
    monitoring_record,
    monitoring_rollback,
)
from fangpin.registry.services.reveal import household_reveal_phone, person_reveal

__all__ = [
    "condition_record",
    "finance_upsert",
    "household_cancel",
    "household_change_head",
    "household_create",
    "household_reveal_phone",
    "household_split",
    "household_update",
    "monitoring_eliminate",
    "monitoring_record",
    "monitoring_rollback",
    "person_add",
    "person_correct_id",
    "person_move_out",
    "person_record_death",
    "person_reveal",
    "person_update",
]
