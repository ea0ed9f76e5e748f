"""Bulk-load a registry dataset (Parquet files following fangpin.contract) into the database.

This is the path for the synthetic county and for large initial loads: Arrow record batches go
straight into the database — PostgreSQL through ``COPY … FROM STDIN (FORMAT csv)``, SQLite
through one prepared ``executemany`` per batch — inside one transaction, so a failed load
leaves the database exactly as it was. There are no per-row ORM saves.

ID and phone numbers are encrypted on the way in (``_encrypt_pi``): the database receives
tokens, blind indexes and masked display values, never the plaintext. A person's health details
(健康状况, 残疾等级, 残疾类别) are checked (``_check_health``: known codes, a grade exactly for the
disabled, a category exactly with a grade — the rules ``validate_person_input`` applies, which
the database cannot check on ciphertext) and become one token (``_encrypt_health``).

Every household gets an initial status-history row and every person a "register" membership
event, as if each had been created through the services; one audit event records the load.

Monitoring spells and their risks (``monitorings``, ``monitoring_risks``) are keyed by household
number and identification month in the files; the loader maps them to the new ids with Arrow
joins and writes ``Household.monitoring_status`` / ``monitoring_type`` from each household's
current spell as the household rows go in (no UPDATE pass).

Every household and person row also gets its ``public_id`` (SEC-MSK-3): a random version-4
UUID made here in one vectorised step per batch (``_public_ids``), written as 32 hex digits,
which both SQLite's ``char(32)`` and PostgreSQL's ``uuid`` column take.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from fangpin.codes import table as code_table
from fangpin.contract import REGISTRY_TABLES, ContractError, validate_table
from fangpin.core.audit import audit_record
from fangpin.core.models import Region, RegionLevel
from fangpin.core.pi import pi_encrypt
from fangpin.registry.errors import RegistryError
from fangpin.registry.models import (
    HEALTH_CONTEXT,
    HEALTH_PLAINTEXT_LENGTH,
    HOUSEHOLD_PHONE_CONTEXT,
    MONITORED_OPEN,
    NATURAL_DISASTER,
    NOT_MONITORED,
    PERSON_PHONE_CONTEXT,
    RISK_ELIMINATED,
    Household,
    HouseholdCondition,
    HouseholdFinance,
    HouseholdStatusChange,
    MembershipEvent,
    Monitoring,
    MonitoringRisk,
    Person,
    id_number_columns,
    phone_columns,
)

Progress = Callable[[str, int, int], None]

_DB_TABLES = {
    "households": Household._meta.db_table,
    "persons": Person._meta.db_table,
    "finances": HouseholdFinance._meta.db_table,
    "conditions": HouseholdCondition._meta.db_table,
    "status_changes": HouseholdStatusChange._meta.db_table,
    "membership_events": MembershipEvent._meta.db_table,
    "monitorings": Monitoring._meta.db_table,
    "monitoring_risks": MonitoringRisk._meta.db_table,
}


@dataclass(frozen=True, slots=True)
class BulkLoadReport:
    households: int
    persons: int
    finances: int
    conditions: int
    membership_events: int
    status_changes: int
    elapsed_seconds: float
    database: str
    manifest: dict[str, Any] = field(default_factory=dict)
    monitorings: int = 0
    monitoring_risks: int = 0


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_manifest(source_dir: Path) -> dict[str, Any]:
    manifest_path = source_dir / "manifest.json"
    if not manifest_path.exists():
        raise RegistryError(
            "source", f"数据目录 {source_dir} 中没有 manifest.json，不是有效的数据集"
        )
    manifest: dict[str, Any] = json.loads(manifest_path.read_text("utf-8"))
    return manifest


def _registry_file(source_dir: Path, name: str) -> Path:
    path = source_dir / "registry" / f"{name}.parquet"
    if not path.exists():
        raise RegistryError("source", f"数据集缺少文件 {path}")
    return path


def _batches(path: Path, schema: pa.Schema, batch_rows: int) -> Iterator[pa.Table]:
    parquet = pq.ParquetFile(path)
    for batch in parquet.iter_batches(batch_size=batch_rows):
        try:
            yield validate_table(pa.Table.from_batches([batch]), schema)
        except ContractError as exc:
            raise RegistryError("contract", f"{path.name}：{exc.message}") from exc


def _offset(model: type[Household] | type[Person] | type[Monitoring]) -> int:
    value = model.objects.aggregate(top=Max("id"))["top"]
    return int(value or 0)


def _insert(db_table: str, table: pa.Table) -> None:
    """Insert an Arrow table whose column names are the database columns."""
    if table.num_rows == 0:
        return
    columns = ", ".join(f'"{name}"' for name in table.column_names)
    if connection.vendor == "postgresql":
        buffer = io.BytesIO()
        pacsv.write_csv(table, buffer, pacsv.WriteOptions(include_header=False))
        # wrap_database_errors turns psycopg's errors into Django's (IntegrityError, …), as
        # the cursor's own execute() would; COPY goes past that wrapper.
        with (
            connection.wrap_database_errors,
            connection.cursor() as cursor,
            cursor.copy(f'COPY "{db_table}" ({columns}) FROM STDIN (FORMAT csv)') as copy,
        ):
            copy.write(buffer.getvalue())
        return
    # SQLite (and anything else): plain values per column, one executemany per batch.
    prepared = []
    for column in table.columns:
        kind = column.type
        if pa.types.is_decimal(kind):
            column = column.cast(pa.float64())
        elif pa.types.is_date(kind):
            column = column.cast(pa.string())
        elif pa.types.is_timestamp(kind):
            # Django keeps SQLite datetimes as naive UTC text, "YYYY-MM-DD HH:MM:SS.ffffff".
            prepared.append(
                [
                    None if v is None else v.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
                    for v in column.to_pylist()
                ]
            )
            continue
        prepared.append(column.to_pylist())
    placeholders = ", ".join(["%s"] * table.num_columns)
    with connection.cursor() as cursor:
        cursor.executemany(
            f'INSERT INTO "{db_table}" ({columns}) VALUES ({placeholders})',
            list(zip(*prepared, strict=True)),
        )


def _encrypt_pi(table: pa.Table, *, phone_context: str) -> pa.Table:
    """Replace the plaintext ``id_number`` and ``phone`` columns by their encrypted,
    blind-index and masked columns (docs/crypto.md): no plaintext reaches the database.

    A Python loop over the values of the batch: AEAD with a random nonce per value cannot be
    vectorised in Arrow, and each value needs its own token.
    """
    out = table
    if "id_number" in table.column_names:
        types = table.column("id_type").to_pylist()
        numbers = table.column("id_number").to_pylist()
        columns = [id_number_columns(t, n or "") for t, n in zip(types, numbers, strict=True)]
        out = out.drop_columns(["id_number"])
        for name in ("id_number_encrypted", "id_number_index", "id_number_masked"):
            out = out.append_column(name, pa.array([c[name] for c in columns], pa.string()))
    if "phone" in table.column_names:
        phones = [phone_columns(p or "", context=phone_context) for p in table["phone"].to_pylist()]
        out = out.drop_columns(["phone"])
        for name in ("phone_encrypted", "phone_index", "phone_masked"):
            out = out.append_column(name, pa.array([c[name] for c in phones], pa.string()))
    return out


_HEALTH_COLUMNS = ("health", "disability_grade", "disability_category")


def _check_health(path: Path, table: pa.Table) -> None:
    """Refuse unknown health codes and a disability grade or category where it does not belong
    (the rules of ``validation.validate_person_input``). The refusal names person ids only:
    health details do not go into error messages."""
    health, grade, category = (table[name] for name in _HEALTH_COLUMNS)
    disabled_codes = pa.array(
        list(code_table("health").codes_where("needs_disability_grade")), pa.string()
    )
    is_disabled = pc.is_in(health, value_set=disabled_codes)
    has_grade = pc.not_equal(grade, "")
    has_category = pc.not_equal(category, "")
    wrong = pc.or_(
        pc.or_(
            _not_in(health, "health"),
            pc.or_(
                _not_in(grade, "disability_grade", allow_empty=True),
                _not_in(category, "disability_category", allow_empty=True),
            ),
        ),
        pc.or_(pc.not_equal(is_disabled, has_grade), pc.not_equal(has_grade, has_category)),
    )
    _refuse(
        path,
        table.filter(wrong).select(["person_id"]),
        "的健康状况、残疾等级或残疾类别无效或不一致（残疾须有等级和类别，其他不能有）",
    )


def _encrypt_health(table: pa.Table) -> pa.Table:
    """Replace the three health columns by ``health_encrypted``: the canonical padded JSON
    (``models.health_plaintext``) is built with Arrow string kernels, then one AEAD token per
    row (the only Python loop, as for ID numbers). The codes were checked against the code
    tables (digits only), so no JSON escaping is needed."""
    health, grade, category = (table[name] for name in _HEALTH_COLUMNS)
    text = pc.binary_join_element_wise(
        '{"disability_category":"',
        category,
        '","disability_grade":"',
        grade,
        '","health":"',
        health,
        '"}',
        "",
    )
    padded = pc.utf8_rpad(text, width=HEALTH_PLAINTEXT_LENGTH, padding=" ")
    tokens = [pi_encrypt(value, context=HEALTH_CONTEXT) for value in padded.to_pylist()]
    return table.drop_columns(list(_HEALTH_COLUMNS)).append_column(
        "health_encrypted", pa.array(tokens, pa.string())
    )


def _const(value: object, rows: int, kind: pa.DataType) -> pa.Array:
    return pa.array([value] * rows, type=kind)


def _public_ids(rows: int) -> pa.Array:
    """``rows`` random version-4 UUIDs as 32 hex digits, what ``uuid.uuid4().hex`` gives, made
    from one ``os.urandom`` call (0.8 s for 1M rows here against 2.2 s for a uuid4 per row)."""
    raw = np.frombuffer(os.urandom(16 * rows), dtype=np.uint8).reshape(rows, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    text = raw.tobytes().hex()
    return pa.array([text[i : i + 32] for i in range(0, 32 * rows, 32)], pa.string())


def _stamp(rows: int) -> pa.Array:
    return _const(timezone.now(), rows, pa.timestamp("us", tz="UTC"))


def _reset_sequences() -> None:
    if connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT follows the largest inserted id by itself.
    with connection.cursor() as cursor:
        for model in (Household, Person, Monitoring):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{table}"), 1))'
            )


@contextmanager
def _bulk_cache() -> Iterator[None]:
    """On SQLite, a 256 MiB page cache for the load (the default 2 MiB makes index inserts of
    randomly ordered ID numbers thrash), restored afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _check_villages(path: Path) -> None:
    codes = pc.unique(pq.read_table(path, columns=["village_code"]).column(0)).to_pylist()
    known = set(
        Region.objects.filter(
            code__in=codes, level=RegionLevel.VILLAGE, valid_to__isnull=True
        ).values_list("code", flat=True)
    )
    missing = sorted(set(codes) - known)
    if missing:
        shown = "、".join(missing[:10])
        raise RegistryError(
            "village",
            f"数据集中有 {len(missing)} 个村级区划代码未加载或已撤销（如 {shown}），"
            "请先运行 fangpin regions load",
        )


_NO_HOUSEHOLDS = pa.table(
    {"household_number": pa.array([], pa.string()), "household_id": pa.array([], pa.int64())}
)


def _whole(path: Path, schema: pa.Schema, batch_rows: int) -> pa.Table:
    """A small table (the monitoring files: a few percent of households) read at once."""
    parts = list(_batches(path, schema, batch_rows))
    return pa.concat_tables(parts) if parts else schema.empty_table()


def _refuse(path: Path, rows: pa.Table, message: str) -> None:
    if rows.num_rows:
        first = rows.slice(0, 1).to_pylist()[0]
        shown = "，".join(f"{k}={v}" for k, v in first.items())
        raise RegistryError("contract", f"{path.name}：{rows.num_rows} 行{message}（如 {shown}）")


def _not_first_of_month(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.fill_null(pc.not_equal(pc.day(column), 1), False)


def _not_in(column: pa.ChunkedArray, table_name: str, *, allow_empty: bool = False) -> Any:
    codes = list(code_table(table_name).codes()) + ([""] if allow_empty else [])
    return pc.invert(pc.is_in(column, value_set=pa.array(codes, pa.string())))


def _read_monitorings(
    files: dict[str, Path], batch_rows: int
) -> tuple[pa.Table, pa.Table, pa.Table]:
    """Both monitoring files, checked where the database cannot check (codes, months, one
    current spell per monitored household); the spells gain the household's status."""
    path, risk_path = files["monitorings"], files["monitoring_risks"]
    spells = _whole(path, REGISTRY_TABLES["monitorings"], batch_rows)
    risks = _whole(risk_path, REGISTRY_TABLES["monitoring_risks"], batch_rows)
    for column in ("identified_month", "eliminated_month"):
        _refuse(path, spells.filter(_not_first_of_month(spells[column])), f"的 {column} 不是月初")
    _refuse(
        path, spells.filter(_not_in(spells["object_type"], "monitoring_type")), "监测对象类别未知"
    )
    _refuse(risk_path, risks.filter(_not_in(risks["risk_type"], "risk_type")), "风险类型未知")
    _refuse(
        risk_path,
        risks.filter(_not_in(risks["disaster_subtype"], "disaster_subtype", allow_empty=True)),
        "因自然灾害子项未知",
    )
    _refuse(
        risk_path,
        risks.filter(
            pc.and_(
                pc.equal(risks["risk_type"], NATURAL_DISASTER),
                pc.equal(risks["disaster_subtype"], ""),
            )
        ),
        "为因自然灾害却没有子项",
    )
    numbers = pc.unique(spells["household_number"])
    current = spells.filter(spells["is_current"])
    without = pc.invert(pc.is_in(numbers, value_set=current["household_number"]))
    _refuse(path, pa.table({"household_number": numbers.filter(without)}), "的农户没有当前记录")
    status = pc.if_else(pc.is_null(current["eliminated_month"]), MONITORED_OPEN, RISK_ELIMINATED)
    current = pa.table(
        {
            "household_number": current["household_number"],
            "monitoring_status": status,
            "monitoring_type": current["object_type"],
        }
    )
    return spells, risks, current


def _with_monitoring(rows: pa.Table, current: pa.Table) -> pa.Table:
    """Household rows with the status and type of their current spell (none: not monitored)."""
    joined = rows.join(current, keys="household_number", join_type="left outer")
    status = pc.fill_null(joined["monitoring_status"], NOT_MONITORED)
    kind = pc.fill_null(joined["monitoring_type"], "")
    joined = joined.drop_columns(["monitoring_status", "monitoring_type"])
    return joined.append_column("monitoring_status", status).append_column("monitoring_type", kind)


def _insert_monitorings(
    files: dict[str, Path], spells: pa.Table, risks: pa.Table, household_ids: pa.Table
) -> tuple[int, int]:
    """Insert the spells (ids past the largest existing one) and their risks."""
    joined = spells.join(household_ids, keys="household_number", join_type="left outer")
    _refuse(
        files["monitorings"],
        joined.filter(pc.is_null(joined["household_id"])).select(["household_number"]),
        "的户编号不在本数据集中",
    )
    n = joined.num_rows
    offset = _offset(Monitoring)
    ids = pa.array(range(offset + 1, offset + n + 1), pa.int64())
    rows = joined.drop_columns(["household_number"]).append_column("id", ids)
    rows = rows.append_column("version", _const(1, n, pa.int32()))
    rows = rows.append_column("recorded_at", _stamp(n)).append_column("updated_at", _stamp(n))
    _insert(_DB_TABLES["monitorings"], rows)
    keys = joined.select(["household_number", "identified_month"]).append_column(
        "monitoring_id", ids
    )
    linked = risks.join(keys, keys=["household_number", "identified_month"], join_type="left outer")
    _refuse(
        files["monitoring_risks"],
        linked.filter(pc.is_null(linked["monitoring_id"])).select(
            ["household_number", "identified_month"]
        ),
        "找不到对应的监测记录（户编号与识别监测时间）",
    )
    _insert(
        _DB_TABLES["monitoring_risks"],
        linked.select(["monitoring_id", "position", "risk_type", "disaster_subtype"]),
    )
    return n, linked.num_rows


def registry_bulk_load(
    *,
    actor: object,
    source_dir: Path,
    batch_rows: int = 50_000,
    progress: Progress | None = None,
) -> BulkLoadReport:
    """Load ``source_dir/registry/*.parquet`` into the registry in one transaction.

    File ids are shifted past the largest ids already in the database, so a dataset can be
    loaded into a registry that already holds households. A person whose ID number is already
    registered and active makes the whole load fail, with nothing written.
    """
    started = time.perf_counter()
    source_dir = Path(source_dir)
    manifest = _read_manifest(source_dir)
    files = {name: _registry_file(source_dir, name) for name in REGISTRY_TABLES}
    totals = {name: pq.ParquetFile(path).metadata.num_rows for name, path in files.items()}
    _check_villages(files["households"])
    registered_on = date.fromisoformat(str(manifest.get("reference_date", date.today())))
    spells, risks, current = _read_monitorings(files, batch_rows)
    counts = dict.fromkeys(REGISTRY_TABLES, 0)
    number_maps: list[pa.Table] = []  # household_number -> new id, per batch
    events = 0

    def tick(name: str, done: int) -> None:
        if progress is not None:
            progress(name, done, totals[name])

    try:
        with _bulk_cache(), transaction.atomic():
            household_offset = _offset(Household)
            person_offset = _offset(Person)

            for table in _batches(files["households"], REGISTRY_TABLES["households"], batch_rows):
                n = table.num_rows
                ids = pc.add(table.column("household_id"), household_offset)
                rows = table.drop_columns(["household_id"]).append_column("id", ids)
                rows = rows.append_column("public_id", _public_ids(n))
                rows = rows.append_column("version", _const(1, n, pa.int32()))
                rows = rows.append_column("created_at", _stamp(n))
                rows = rows.append_column("updated_at", _stamp(n))
                rows = _with_monitoring(rows, current)
                number_maps.append(
                    pa.table({"household_number": table["household_number"], "household_id": ids})
                )
                rows = _encrypt_pi(rows, phone_context=HOUSEHOLD_PHONE_CONTEXT)
                _insert(_DB_TABLES["households"], rows)
                history = pa.table(
                    {
                        "household_id": ids,
                        "from_status": _const("", n, pa.string()),
                        "to_status": table.column("status"),
                        "reason": _const("初始登记（批量导入）", n, pa.string()),
                        "effective_date": _const(registered_on, n, pa.date32()),
                        "recorded_at": _stamp(n),
                    }
                )
                _insert(_DB_TABLES["status_changes"], history)
                counts["households"] += n
                tick("households", counts["households"])

            for table in _batches(files["persons"], REGISTRY_TABLES["persons"], batch_rows):
                n = table.num_rows
                _check_health(files["persons"], table)
                ids = pc.add(table.column("person_id"), person_offset)
                household_ids = pc.add(table.column("household_id"), household_offset)
                rows = table.drop_columns(["person_id", "household_id"])
                rows = rows.append_column("id", ids).append_column("household_id", household_ids)
                rows = rows.append_column("public_id", _public_ids(n))
                rows = rows.append_column("version", _const(1, n, pa.int32()))
                rows = rows.append_column("created_at", _stamp(n))
                rows = rows.append_column("updated_at", _stamp(n))
                rows = _encrypt_health(_encrypt_pi(rows, phone_context=PERSON_PHONE_CONTEXT))
                _insert(_DB_TABLES["persons"], rows)
                membership = pa.table(
                    {
                        "household_id": household_ids,
                        "person_id": ids,
                        "event_type": _const("register", n, pa.string()),
                        "event_date": _const(registered_on, n, pa.date32()),
                        "relation_before": _const("", n, pa.string()),
                        "relation_after": table.column("relation"),
                        "note": _const("初始登记（批量导入）", n, pa.string()),
                        "recorded_at": _stamp(n),
                    }
                )
                _insert(_DB_TABLES["membership_events"], membership)
                events += n
                counts["persons"] += n
                tick("persons", counts["persons"])

            for name in ("finances", "conditions"):
                for table in _batches(files[name], REGISTRY_TABLES[name], batch_rows):
                    n = table.num_rows
                    rows = table.set_column(
                        0, "household_id", pc.add(table.column("household_id"), household_offset)
                    )
                    if name == "finances":
                        rows = rows.append_column("version", _const(1, n, pa.int32()))
                        rows = rows.append_column("recorded_at", _stamp(n))
                        rows = rows.append_column("updated_at", _stamp(n))
                    else:
                        rows = rows.append_column("recorded_at", _stamp(n))
                    _insert(_DB_TABLES[name], rows)
                    counts[name] += n
                    tick(name, counts[name])

            counts["monitorings"], counts["monitoring_risks"] = _insert_monitorings(
                files,
                spells,
                risks,
                pa.concat_tables(number_maps) if number_maps else _NO_HOUSEHOLDS,
            )
            tick("monitorings", counts["monitorings"])
            _reset_sequences()
            audit_record(
                actor=actor,
                action="registry.bulk_load",
                object_type="dataset",
                object_id=str(manifest.get("seed", source_dir.name)),
                changes={
                    "counts": counts,
                    "membership_events": events,
                    "manifest": manifest,
                    "sha256": {name: _sha256(path) for name, path in files.items()},
                },
            )
    except IntegrityError as exc:
        raise RegistryError(
            "integrity",
            "数据集与登记库中已有数据冲突（如证件号码已被在册人员使用、户编号重复或一户多名户主），"
            f"未导入任何数据。数据库报告：{exc}",
        ) from exc

    return BulkLoadReport(
        households=counts["households"],
        persons=counts["persons"],
        finances=counts["finances"],
        conditions=counts["conditions"],
        membership_events=events,
        status_changes=counts["households"],
        elapsed_seconds=round(time.perf_counter() - started, 3),
        database=connection.vendor,
        manifest=manifest,
        monitorings=counts["monitorings"],
        monitoring_risks=counts["monitoring_risks"],
    )


__all__ = ["BulkLoadReport", "registry_bulk_load"]
