"""Opaque public ids for households and persons (SEC-MSK-3, ASVS 14.2.1).

Web and API paths address a household or a person by ``public_id`` (a random UUID), never by
its row id, so nobody can count the registry or walk from one row to the next. The column is
added nullable, filled with ``uuid4`` per existing row in batches of 5,000 (by primary key,
``bulk_update``), then made unique and non-null. The reverse drops the column.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import migrations, models

_BATCH = 5000


def _fill(apps: Any, schema_editor: Any) -> None:
    for name in ("Household", "Person"):
        model = apps.get_model("registry", name)
        last = 0
        while True:
            rows = list(
                model.objects.filter(pk__gt=last, public_id__isnull=True)
                .order_by("pk")
                .only("pk")[:_BATCH]
            )
            if not rows:
                break
            for row in rows:
                row.public_id = uuid.uuid4()
            model.objects.bulk_update(rows, ["public_id"])
            last = rows[-1].pk


def _field(*, null: bool) -> Any:
    if null:
        return models.UUIDField(null=True, editable=False)
    return models.UUIDField("公开标识", default=uuid.uuid4, unique=True, editable=False)


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_health_encrypted")]

    operations = [
        migrations.AddField("household", "public_id", _field(null=True)),
        migrations.AddField("person", "public_id", _field(null=True)),
        migrations.RunPython(_fill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField("household", "public_id", _field(null=False)),
        migrations.AlterField("person", "public_id", _field(null=False)),
    ]
