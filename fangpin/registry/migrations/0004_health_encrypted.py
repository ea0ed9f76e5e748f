"""Health details at rest (SEC-CRY-1, scenario 28): encrypt, then drop the plain columns.

``registry_person.health``, ``disability_grade`` and ``disability_category`` become one AEAD
token, ``health_encrypted`` (context ``registry.person.health``; docs/crypto.md). The data step
reads the plain columns in batches of 2,000 rows by primary key and writes the tokens with the
app's keyring (``fangpin.core.pi``: outside demo and test the keys must be configured, as for
the server). The three check constraints tying a disability grade to the disabled status cannot
be checked on ciphertext and are removed; ``validation.validate_person_input`` and the bulk
loader check those rules before anything is written.

The reverse migration decrypts the tokens back into the plain columns (for a rollback only).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models
from django.db.models import Q

_BATCH = 2000


def _encrypt(apps: Any, schema_editor: Any) -> None:
    from fangpin.registry.models import HealthCodes, health_columns

    person = apps.get_model("registry", "Person")
    last = 0
    while True:
        rows = list(
            person.objects.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "health", "disability_grade", "disability_category")[:_BATCH]
        )
        if not rows:
            return
        for row in rows:
            codes = HealthCodes(row.health, row.disability_grade, row.disability_category)
            row.health_encrypted = health_columns(codes)["health_encrypted"]
        person.objects.bulk_update(rows, ["health_encrypted"], batch_size=500)
        last = rows[-1].pk


def _decrypt(apps: Any, schema_editor: Any) -> None:
    from fangpin.registry.models import health_from_token

    person = apps.get_model("registry", "Person")
    last = 0
    while True:
        rows = list(
            person.objects.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "health_encrypted")[:_BATCH]
        )
        if not rows:
            return
        for row in rows:
            codes = health_from_token(row.health_encrypted)
            row.health, row.disability_grade, row.disability_category = codes
        person.objects.bulk_update(
            rows, ["health", "disability_grade", "disability_category"], batch_size=500
        )
        last = rows[-1].pk


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_list_search_indexes")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="health_encrypted",
            field=models.CharField(
                default="", editable=False, max_length=200, verbose_name="健康状况（密文）"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(_encrypt, _decrypt, elidable=False),
        migrations.RemoveConstraint(model_name="person", name="person_disabled_has_grade"),
        migrations.RemoveConstraint(model_name="person", name="person_grade_only_when_disabled"),
        migrations.RemoveConstraint(
            model_name="person", name="person_disability_category_with_grade"
        ),
        migrations.RemoveField(model_name="person", name="health"),
        migrations.RemoveField(model_name="person", name="disability_grade"),
        migrations.RemoveField(model_name="person", name="disability_category"),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.CheckConstraint(
                condition=~Q(health_encrypted=""), name="person_health_encrypted_present"
            ),
        ),
    ]
