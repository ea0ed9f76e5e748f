"""Indexes that keep the household list and search fast at 1M households (docs/benchmarks.md).

- ``household_village_number`` (both databases): one village's list in household-number order
  straight from the index.
- ``household_number_pattern``: ``varchar_pattern_ops`` on the household number, so
  ``LIKE 'prefix%'`` uses an index whatever the database collation (with ``C.UTF-8`` or
  ``zh_CN.UTF-8`` the unique index cannot serve a LIKE).
- ``fangpin_name_grams(name)``: a name's distinct 1- and 2-character substrings, and
  ``person_head_name_grams``, a GIN index over it for the active heads only. Head-name search
  (``contains``, usually two Chinese characters) looks the gram up in it; a longer text needs
  all its two-character pieces and ``LIKE`` checks the order. pg_trgm is not used: for a
  pattern of two characters it extracts no trigram and scans the whole index.

The last two are PostgreSQL only (plain SQL, no contrib extension); SQLite gets only the
first (its numbers at 100k households are in docs/benchmarks.md). Building all three on 1M
households takes under a minute.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

CREATE_SQL = [
    """
    CREATE OR REPLACE FUNCTION fangpin_name_grams(name text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
        SELECT coalesce(array_agg(DISTINCT substr(name, i, n)), '{}')
        FROM generate_series(1, char_length(name)) AS i, (VALUES (1), (2)) AS w(n)
        WHERE i + n - 1 <= char_length(name)
    $$
    """,
    "CREATE INDEX IF NOT EXISTS person_head_name_grams ON registry_person "
    "USING gin (fangpin_name_grams(name)) WHERE status = 'active' AND relation = '01'",
    "CREATE INDEX IF NOT EXISTS household_number_pattern ON registry_household "
    "(household_number varchar_pattern_ops)",
]
DROP_SQL = [
    "DROP INDEX IF EXISTS household_number_pattern",
    "DROP INDEX IF EXISTS person_head_name_grams",
    "DROP FUNCTION IF EXISTS fangpin_name_grams(text)",
]


def _run(statements: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_monitoring")]

    operations = [
        migrations.AddIndex(
            model_name="household",
            index=models.Index(
                fields=["village", "status", "household_number"],
                name="household_village_number",
            ),
        ),
        migrations.RunPython(_run(CREATE_SQL), _run(DROP_SQL), elidable=False),
    ]
