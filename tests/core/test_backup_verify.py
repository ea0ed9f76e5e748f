"""The restore drill's view of the models: which columns are encrypted, under which context."""

from __future__ import annotations

from fangpin.core.backup_verify import EncryptedColumn, encrypted_columns
from fangpin.intake import models as intake
from fangpin.registry import models as registry


def test_encrypted_columns_carry_the_contexts_the_apps_encrypt_with() -> None:
    """The drill derives each context from the column's name; the apps define them as constants.

    A new encrypted column whose context breaks the convention fails here, not in a drill.
    """
    assert encrypted_columns() == (
        EncryptedColumn(
            "intake_declaration", "difficulty_encrypted", "id", intake.DIFFICULTY_CONTEXT
        ),
        EncryptedColumn(
            "intake_declaration", "id_number_encrypted", "id", intake.ID_NUMBER_CONTEXT
        ),
        EncryptedColumn("intake_declaration", "name_encrypted", "id", intake.NAME_CONTEXT),
        EncryptedColumn("intake_declaration", "phone_encrypted", "id", intake.PHONE_CONTEXT),
        EncryptedColumn(
            "registry_household", "phone_encrypted", "id", registry.HOUSEHOLD_PHONE_CONTEXT
        ),
        EncryptedColumn("registry_person", "health_encrypted", "id", registry.HEALTH_CONTEXT),
        EncryptedColumn("registry_person", "id_number_encrypted", "id", registry.ID_NUMBER_CONTEXT),
        EncryptedColumn("registry_person", "phone_encrypted", "id", registry.PERSON_PHONE_CONTEXT),
    )
