"""Snapshot the registry to the screening input contract: Parquet files read through ADBC.

The inverse of :mod:`fangpin.registry.bulk`: the six registry tables of one region leave the
database as Arrow record batches (ADBC, no ORM loop) and are written, batch by batch, to
``<target>/registry/<table>.parquet`` with exactly the schemas of
:data:`fangpin.contract.REGISTRY_TABLES` — the files ``fangpin screen --input`` reads.
docs/snapshot.md describes what is exported and why.

- **One consistent state.** PostgreSQL: all six queries run on one ADBC connection in one
  ``REPEATABLE READ READ ONLY`` transaction. SQLite: the database is first copied, in one
  read transaction, by the sqlite3 module's online backup (an in-memory database is
  serialised from Django's connection), and ADBC reads the private copy
  (``snapshot_io._sqlite_copy`` says why ADBC must not open the live file).
- **Keys** are the database ids (``household_id``, ``person_id``).
- **No plaintext identity.** ``id_number`` is the person's keyed blind index
  (``Person.id_number_index``), upper-cased: screening upper-cases every ID it compares
  (``fangpin.screening.normalise_id`` on the feed side, ``id_number.upper()`` on the registry
  side), and the feed snapshot upper-cases the same index, so both sides of every join hold the
  identical string whoever reads the files. ``phone`` is the upper-cased phone blind index
  (``""`` stays ``""``, so "has no phone" survives); ``name`` is the pseudonym ``P<person_id>``
  (:func:`person_pseudonyms`). The contract requires the three columns; no rule reads a name.
- **Health** (健康状况, 残疾等级, 残疾类别) is needed by the rules, so ``health_encrypted`` is
  decrypted, one AEAD token per person (random nonces: no batch decryption exists), and the
  canonical JSON is split into the three columns with one Arrow regex kernel per batch. The
  values are never logged and an error names the person id only.
- **Bounded memory.** Batches are regrouped to ``batch_rows`` rows per Parquet row group; no
  table is ever held whole.
- **Atomic.** Everything is written into a temporary sibling directory which replaces
  ``target`` only when complete (``snapshot_io.atomic_directory``): a crash leaves no half
  snapshot, only a hidden ``.<target>.tmp-*`` directory at worst.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final

import pyarrow as pa
import pyarrow.compute as pc

from fangpin.contract import REGISTRY_TABLES
from fangpin.core.pi import pi_decrypt
from fangpin.fieldcrypto import CryptoError
from fangpin.registry.models import (
    HEALTH_CONTEXT,
    Household,
    HouseholdCondition,
    HouseholdFinance,
    Monitoring,
    MonitoringRisk,
    Person,
)
from fangpin.registry.snapshot_io import (
    BATCH_ROWS,
    SnapshotError,
    SnapshotSource,
    atomic_directory,
    audit_snapshot,
    check_region_prefix,
    manifest_base,
    snapshot_source,
    stream_to_parquet,
    write_manifest,
)

__all__ = ["SnapshotError", "person_pseudonyms", "registry_snapshot", "write_registry"]

#: The canonical health plaintext (models.health_plaintext: sorted keys, compact, padded).
_HEALTH_PATTERN: Final = (
    r'^\{"disability_category":"(?P<disability_category>[0-9A-Za-z]*)",'
    r'"disability_grade":"(?P<disability_grade>[0-9A-Za-z]*)",'
    r'"health":"(?P<health>[0-9A-Za-z]*)"\} *$'
)
_HEALTH_COLUMNS: Final = ("health", "disability_grade", "disability_category")


def person_pseudonyms(person_ids: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """``P<person_id>``: the stand-in for a name (the contract requires a name column; no rule
    reads one). The same person gets the same pseudonym in the registry and in every feed."""
    return pc.binary_join_element_wise("P", pc.cast(person_ids, pa.string()), "")


def _upper(table: pa.Table, name: str) -> pa.Table:
    index = table.schema.get_field_index(name)
    return table.set_column(index, name, pc.utf8_upper(table.column(name)))


def _decrypt_health(table: pa.Table) -> pa.Table:
    """Replace ``health_encrypted`` by the three health columns (see the module docstring)."""
    tokens = table.column("health_encrypted").to_pylist()
    try:
        plain = [pi_decrypt(token, context=HEALTH_CONTEXT) for token in tokens]
    except CryptoError as exc:
        ids = table.column("person_id").to_pylist()
        bad = next(i for i, t in zip(ids, tokens, strict=True) if not _decrypts(t))
        raise SnapshotError(
            "health", f"人员 {bad} 的健康状况密文无法解密（{exc.message}），未生成快照"
        ) from None
    parsed = pc.extract_regex(pa.array(plain, pa.string()), _HEALTH_PATTERN)
    del plain
    if parsed.null_count:
        ids = table.column("person_id").filter(pc.is_null(parsed)).to_pylist()
        raise SnapshotError("health", f"人员 {ids[:10]} 的健康状况格式无法识别，未生成快照")
    out = table.drop_columns(["health_encrypted"])
    for name in _HEALTH_COLUMNS:
        out = out.append_column(name, pc.struct_field(parsed, name))
    return out


def _decrypts(token: str) -> bool:
    try:
        pi_decrypt(token, context=HEALTH_CONTEXT)
    except CryptoError:
        return False
    return True


def _persons_transform(table: pa.Table) -> pa.Table:
    table = _decrypt_health(_upper(_upper(table, "id_number"), "phone"))
    index = table.schema.get_field_index("name")
    return table.set_column(index, "name", person_pseudonyms(table.column("person_id")))


# --- the six queries -------------------------------------------------------------------------


def _q(name: str) -> str:
    return f'"{name}"'


def _select(
    source: SnapshotSource,
    schema: pa.Schema,
    alias: str,
    overrides: Mapping[str, str],
    skip: tuple[str, ...] = (),
) -> str:
    """``expr AS "column"`` for each contract column but ``skip``: money as text, SQLite
    nullables as text, database columns named by ``overrides`` where the names differ."""
    parts = []
    for field in schema:
        if field.name in skip:
            continue
        expr = overrides.get(field.name, f"{alias}.{_q(field.name)}")
        if pa.types.is_decimal(field.type):
            expr = source.money(expr)
        elif field.nullable:
            expr = source.nullable(expr)
        parts.append(f"{expr} AS {_q(field.name)}")
    return ", ".join(parts)


def _queries(source: SnapshotSource, region_prefix: str) -> dict[str, str]:
    h, p = _q(Household._meta.db_table), _q(Person._meta.db_table)
    f, c = _q(HouseholdFinance._meta.db_table), _q(HouseholdCondition._meta.db_table)
    m, r = _q(Monitoring._meta.db_table), _q(MonitoringRisk._meta.db_table)
    # check_region_prefix allows digits only: the literal cannot break out of the string.
    scope = f"h.{_q('village_code')} LIKE '{check_region_prefix(region_prefix)}%'"
    s = REGISTRY_TABLES
    return {
        "households": (
            "SELECT "
            + _select(
                source, s["households"], "h", {"household_id": "h.id", "phone": "h.phone_index"}
            )
            + f" FROM {h} h WHERE {scope} ORDER BY h.id"
        ),
        "persons": (
            "SELECT "
            + _select(
                source,
                s["persons"],
                "p",
                {
                    "person_id": "p.id",
                    "id_number": "p.id_number_index",
                    "phone": "p.phone_index",
                },
                skip=_HEALTH_COLUMNS,
            )
            + ", p.health_encrypted AS health_encrypted"
            + f" FROM {p} p JOIN {h} h ON h.id = p.household_id WHERE {scope} ORDER BY p.id"
        ),
        "finances": (
            "SELECT "
            + _select(source, s["finances"], "f", {})
            + f" FROM {f} f JOIN {h} h ON h.id = f.household_id WHERE {scope}"
            " ORDER BY f.household_id, f.year"
        ),
        "conditions": (
            "SELECT "
            + _select(source, s["conditions"], "c", {})
            + f" FROM {c} c JOIN {h} h ON h.id = c.household_id WHERE {scope}"
            " ORDER BY c.household_id, c.assessed_on"
        ),
        "monitorings": (
            "SELECT "
            + _select(source, s["monitorings"], "m", {"household_number": "h.household_number"})
            + f" FROM {m} m JOIN {h} h ON h.id = m.household_id WHERE {scope}"
            " ORDER BY m.household_id, m.identified_month"
        ),
        "monitoring_risks": (
            "SELECT "
            + _select(
                source,
                s["monitoring_risks"],
                "r",
                {
                    "household_number": "h.household_number",
                    "identified_month": "m.identified_month",
                },
            )
            + f" FROM {r} r JOIN {m} m ON m.id = r.monitoring_id"
            f" JOIN {h} h ON h.id = m.household_id"
            f" WHERE {scope} ORDER BY m.household_id, m.identified_month, r.position"
        ),
    }


def _households_transform(table: pa.Table) -> pa.Table:
    return _upper(table, "phone")


_TRANSFORMS: Final[dict[str, Callable[[pa.Table], pa.Table]]] = {
    "households": _households_transform,
    "persons": _persons_transform,
}


def write_registry(
    source: SnapshotSource, directory: Path, *, region_prefix: str, batch_rows: int = BATCH_ROWS
) -> dict[str, int]:
    """Write ``directory/registry/<table>.parquet`` for every registry table; rows per table."""
    counts: dict[str, int] = {}
    for name, sql in _queries(source, region_prefix).items():
        counts[name] = stream_to_parquet(
            source.batches(sql),
            directory / "registry" / f"{name}.parquet",
            REGISTRY_TABLES[name],
            _TRANSFORMS.get(name, lambda table: table),
            batch_rows=batch_rows,
        )
    return counts


def registry_snapshot(
    target: Path,
    *,
    region_prefix: str,
    actor: object = "system:snapshot",
    batch_rows: int = BATCH_ROWS,
) -> dict[str, int]:
    """Write the registry of ``region_prefix`` to ``target`` (``registry/`` + manifest.json).

    Returns rows per table. ``target`` is replaced atomically; nothing is left on failure.
    """
    check_region_prefix(region_prefix)
    target = Path(target)
    with atomic_directory(target) as staging, snapshot_source(staging) as source:
        counts = write_registry(source, staging, region_prefix=region_prefix, batch_rows=batch_rows)
        manifest = {**manifest_base(region_prefix, source.vendor), "rows": counts}
        write_manifest(staging, manifest)
    audit_snapshot(actor, "registry", {**manifest, "target": str(target)})
    return counts
