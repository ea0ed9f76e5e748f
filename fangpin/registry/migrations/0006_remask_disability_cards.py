"""Re-mask disability-certificate numbers (残疾人证, 20 characters): their masked display used to
end with the two digits of the disability category and grade; ``mask_id`` now masks them like
the holder's 18-character ID. Decrypts each such number with the app's keyring (as the server
does), in batches; other rows are untouched. The reverse step is a no-op (the old display leaked).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

_BATCH = 2000


def _remask(apps: Any, schema_editor: Any) -> None:
    from fangpin.core.pi import pi_decrypt
    from fangpin.registry.masking import DISABILITY_CARD_LENGTH, mask_id
    from fangpin.registry.models import ID_NUMBER_CONTEXT

    person = apps.get_model("registry", "Person")
    last = 0
    while True:
        rows = list(
            person.objects.filter(pk__gt=last, id_type="2")
            .order_by("pk")
            .only("pk", "id_number_encrypted", "id_number_masked")[:_BATCH]
        )
        if not rows:
            return
        changed = []
        for row in rows:
            number = pi_decrypt(row.id_number_encrypted, context=ID_NUMBER_CONTEXT)
            if len(number) == DISABILITY_CARD_LENGTH:
                row.id_number_masked = mask_id(number)
                changed.append(row)
        person.objects.bulk_update(changed, ["id_number_masked"], batch_size=500)
        last = rows[-1].pk


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_public_ids")]

    operations = [migrations.RunPython(_remask, migrations.RunPython.noop)]
