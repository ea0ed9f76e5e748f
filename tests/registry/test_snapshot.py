"""registry_snapshot: the registry of one region leaves the database as contract Parquet files.

A small registry is built by hand as contract tables and loaded with the bulk loader (the
snapshot's inverse); the snapshot must give back exactly those rows, for the region only,
with database ids, blind indexes instead of ID and phone numbers, pseudonyms instead of
names and the decrypted health details. On PostgreSQL the tests commit
(``transaction=True``): the snapshot reads through its own ADBC connection, which sees only
committed rows. The in-memory SQLite test database is serialised from Django's connection,
test transaction included (a database file is copied by the backup API: see its test).
"""

from __future__ import annotations

import json
from contextlib import closing
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.db import connection

from fangpin import idnumber, income
from fangpin.contract import REGISTRY_TABLES, validate_table
from fangpin.core.models import AuditEvent, Region
from fangpin.registry import snapshot, snapshot_io
from fangpin.registry.bulk import registry_bulk_load
from fangpin.registry.models import Household, Person, identity_index, person_health, phone_index
from fangpin.registry.snapshot import SnapshotError, registry_snapshot
from tests.registry.conftest import DOUWANG, LUXI_VILLAGE, TUDI

pytestmark = pytest.mark.django_db(transaction=connection.vendor == "postgresql")

COUNTY = "433124"
ZHANG = idnumber.build("433124", date(1980, 5, 1), 11)
LI = idnumber.build("433124", date(1982, 8, 9), 22)
GRANDPA = idnumber.build("433124", date(1940, 2, 3), 31)
WU = idnumber.build("433124", date(1975, 12, 30), 41)
WU_CARD = WU + "11"  # 残疾人证号: the ID number + category 1 + grade 1
WANG = idnumber.build("433122", date(1970, 1, 1), 51)
PHONES = ("13812345678", "13712345678", "13900001111")
NAMES = ("张三", "李梅", "张老汉", "吴六", "王五")
PLAINTEXT = (ZHANG, LI, GRANDPA, WU, WANG, *PHONES, *NAMES)
MONEY = Decimal("0.00")


def _household(hid: int, village: str, **values: Any) -> dict[str, Any]:
    return {
        "household_id": hid,
        "household_number": f"{village}{hid:04d}",
        "village_code": village,
        "natural_village": "上寨",
        "address": f"上寨{hid}号",
        "household_type": "1",
        "phone": "",
        "is_relocated": False,
        "relocation_mode": "",
        "relocation_site": "",
        "status": "active",
    } | values


def _person(pid: int, hid: int, name: str, number: str, **values: Any) -> dict[str, Any]:
    return {
        "person_id": pid,
        "household_id": hid,
        "name": name,
        "sex": "1",
        "id_type": "1",
        "id_number": number,
        "birth_date": idnumber.parse(number[:18]).birth_date,
        "relation": "01",
        "ethnicity": "01",
        "education": "40",
        "student_status": "00",
        "out_of_school_reason": "",
        "health": "10",
        "disability_grade": "",
        "disability_category": "",
        "labour_ability": "20",
        "migrant_work_months": 0,
        "migrant_employer": "",
        "phone": "",
        "has_resident_medical": True,
        "has_employee_medical": False,
        "has_critical_illness": True,
        "has_resident_pension": True,
        "has_employee_pension": False,
        "is_dibao": False,
        "is_tekun": False,
        "status": "active",
        "death_date": None,
    } | values


def _finance(hid: int, year: int, size: int, **amounts: str) -> dict[str, Any]:
    row: dict[str, Any] = {"household_id": hid, "year": year, "household_size": size}
    row |= dict.fromkeys(income.all_amount_fields(), MONEY)
    return row | {name: Decimal(value) for name, value in amounts.items()}


def _condition(hid: int, **values: Any) -> dict[str, Any]:
    return {
        "household_id": hid,
        "assessed_on": date(2024, 6, 30),
        "food_secure": True,
        "clothing_secure": True,
        "housing_grade": "B",
        "housing_assessor": "花垣县住房和城乡建设局",
        "housing_assessed_on": date(2024, 3, 1),
        "water_source": "1",
        "water_area_type": "rich",
        "water_litres_per_person_day": 60,
        "water_quality_tested": True,
        "water_quality_simple_check_ok": False,
        "water_is_piped": True,
        "water_trip_minutes": None,
        "water_horizontal_m": None,
        "water_vertical_m": None,
        "water_cut_days_per_year": 0,
        "water_quantity_ok": True,
        "water_quality_ok": True,
        "water_convenience_ok": True,
        "water_reliability_ok": True,
    } | values


def _spell(number: str, identified: date, **values: Any) -> dict[str, Any]:
    return {
        "household_number": number,
        "object_type": "MARGINAL",
        "identified_month": identified,
        "eliminated_month": None,
        "elimination_mode": "",
        "no_labour_backstop": False,
        "is_current": True,
    } | values


def _risk(number: str, identified: date, position: int, risk: str, sub: str = "") -> dict:
    return {
        "household_number": number,
        "identified_month": identified,
        "position": position,
        "risk_type": risk,
        "disaster_subtype": sub,
    }


H1, H2, H3 = f"{TUDI}0001", f"{DOUWANG}0002", f"{LUXI_VILLAGE}0003"

#: The hand-built registry: households 1 and 2 in 花垣县 (土地村, 豆旺村), 3 in 泸溪县.
ROWS: dict[str, list[dict[str, Any]]] = {
    "households": [
        _household(1, TUDI, phone=PHONES[0]),
        _household(
            2,
            DOUWANG,
            household_type="2",
            is_relocated=True,
            relocation_mode="1",
            relocation_site="县城安置点",
        ),
        _household(3, LUXI_VILLAGE, phone=PHONES[2]),
    ],
    "persons": [
        _person(
            1,
            1,
            NAMES[0],
            ZHANG,
            migrant_work_months=8,
            migrant_employer="长沙某厂",
            phone=PHONES[1],
        ),
        _person(
            2,
            1,
            NAMES[1],
            LI,
            sex="2",
            relation="10",
            health="40",
            disability_grade="2",
            disability_category="4",
            labour_ability="40",
            is_dibao=True,
        ),
        _person(
            3,
            1,
            NAMES[2],
            GRANDPA,
            relation="60",
            health="30",
            status="deceased",
            death_date=date(2024, 6, 1),
            labour_ability="50",
        ),
        _person(
            4,
            2,
            NAMES[3],
            WU_CARD,
            id_type="2",
            health="40",
            disability_grade="1",
            disability_category="1",
            is_tekun=True,
            labour_ability="50",
        ),
        _person(5, 3, NAMES[4], WANG, health="20"),
    ],
    "finances": [
        _finance(1, 2023, 3, wage_migrant="30000.50", tr_dibao="3600.00"),
        _finance(1, 2024, 2, wage_migrant="28000.25", compliant_oop_spending="4200.10"),
        _finance(2, 2024, 1, tr_tekun="7200.00", prod_crops="0.05"),
        _finance(3, 2024, 1, wage_local="12000.00"),
    ],
    "conditions": [
        _condition(1),
        _condition(
            2,
            housing_grade="C",
            water_is_piped=False,
            water_trip_minutes=25,
            water_horizontal_m=900,
            water_vertical_m=120,
            water_convenience_ok=False,
        ),
        _condition(3),
    ],
    "monitorings": [
        _spell(
            H1,
            date(2022, 3, 1),
            eliminated_month=date(2023, 1, 1),
            elimination_mode="assisted",
            is_current=False,
            object_type="UNSTABLE",
        ),
        _spell(H1, date(2024, 5, 1), object_type="SUDDEN"),
        _spell(H3, date(2024, 2, 1)),
    ],
    "monitoring_risks": [
        _risk(H1, date(2022, 3, 1), 1, "01"),
        _risk(H1, date(2024, 5, 1), 1, "02", "0201"),
        _risk(H1, date(2024, 5, 1), 2, "04"),
        _risk(H3, date(2024, 2, 1), 1, "01"),
    ],
}


def _tables() -> dict[str, pa.Table]:
    return {
        name: validate_table(pa.Table.from_pylist(ROWS[name]), REGISTRY_TABLES[name])
        for name in REGISTRY_TABLES
    }


def write_dataset(directory: Path) -> Path:
    for name, table in _tables().items():
        (directory / "registry").mkdir(parents=True, exist_ok=True)
        pq.write_table(table, directory / "registry" / f"{name}.parquet")
    (directory / "manifest.json").write_text(json.dumps({"reference_date": "2024-12-31"}))
    return directory


@pytest.fixture
def loaded(village: Region, tmp_path: Path) -> dict[str, int]:
    """The hand-built registry in the database; returns the id offsets the loader applied."""
    Region.objects.create(code="433122100000", name="泸溪镇", level=4, parent_id="433122000000")
    Region.objects.create(code=LUXI_VILLAGE, name="泸溪村", level=5, parent_id="433122100000")
    registry_bulk_load(actor="system:test", source_dir=write_dataset(tmp_path / "dataset"))
    return {
        "household": Household.objects.get(household_number=H1).pk - 1,
        "person": Person.objects.get(id_number_index=identity_index("1", ZHANG)).pk - 1,
    }


def expected(offsets: dict[str, int]) -> dict[str, list[dict[str, Any]]]:
    """The hand-built rows of 花垣县 as the snapshot must give them back."""
    hh, pp = offsets["household"], offsets["person"]
    out: dict[str, list[dict[str, Any]]] = {}
    out["households"] = [
        row
        | {
            "household_id": row["household_id"] + hh,
            "phone": phone_index(row["phone"]).upper(),
        }
        for row in ROWS["households"][:2]
    ]
    out["persons"] = [
        row
        | {
            "person_id": row["person_id"] + pp,
            "household_id": row["household_id"] + hh,
            "name": f"P{row['person_id'] + pp}",
            "id_number": identity_index(row["id_type"], row["id_number"]).upper(),
            "phone": phone_index(row["phone"]).upper(),
        }
        for row in ROWS["persons"][:4]
    ]
    for name in ("finances", "conditions"):
        out[name] = [
            row | {"household_id": row["household_id"] + hh}
            for row in ROWS[name]
            if row["household_id"] != 3
        ]
    for name in ("monitorings", "monitoring_risks"):
        out[name] = [row for row in ROWS[name] if row["household_number"] != H3]
    return out


def test_snapshot_gives_back_exactly_the_rows_of_the_region(
    loaded: dict[str, int], tmp_path: Path
) -> None:
    target = tmp_path / "snap"
    counts = registry_snapshot(target, region_prefix=COUNTY)
    want = expected(loaded)
    assert counts == {name: len(rows) for name, rows in want.items()}
    assert counts == {
        "households": 2,
        "persons": 4,
        "finances": 3,
        "conditions": 2,
        "monitorings": 2,
        "monitoring_risks": 3,
    }
    for name, schema in REGISTRY_TABLES.items():
        table = pq.read_table(target / "registry" / f"{name}.parquet")
        assert table.schema.equals(schema), name  # exactly the contract, field by field
        validate_table(table, schema)
        assert table.to_pylist() == want[name], name


def test_ids_are_upper_case_blind_indexes_and_match_the_database(
    loaded: dict[str, int], tmp_path: Path
) -> None:
    registry_snapshot(tmp_path / "snap", region_prefix=COUNTY)
    persons = pq.read_table(tmp_path / "snap" / "registry" / "persons.parquet").to_pylist()
    stored = {p.pk: p.id_number_index for p in Person.objects.all()}
    for row in persons:
        assert row["id_number"] == stored[row["person_id"]].upper()
        assert len(row["id_number"]) == 64
        assert row["id_number"] == row["id_number"].upper() != row["id_number"].lower()
    # The disability card (type 2) shares its holder's resident identity (first 18 chars).
    wu = next(row for row in persons if row["id_type"] == "2")
    assert wu["id_number"] == identity_index("1", WU).upper()


def test_health_details_are_decrypted_exactly(loaded: dict[str, int], tmp_path: Path) -> None:
    registry_snapshot(tmp_path / "snap", region_prefix=COUNTY)
    persons = pq.read_table(tmp_path / "snap" / "registry" / "persons.parquet").to_pylist()
    got = {
        row["person_id"]: (row["health"], row["disability_grade"], row["disability_category"])
        for row in persons
    }
    want = {
        p.pk: tuple(person_health(p))
        for p in Person.objects.filter(household__village__code__startswith=COUNTY)
    }
    assert got == want
    assert sorted(got.values()) == [
        ("10", "", ""),
        ("30", "", ""),
        ("40", "1", "1"),
        ("40", "2", "4"),
    ]


def test_a_household_of_another_county_is_absent(loaded: dict[str, int], tmp_path: Path) -> None:
    registry_snapshot(tmp_path / "snap", region_prefix=COUNTY)
    registry = tmp_path / "snap" / "registry"
    households = pq.read_table(registry / "households.parquet").to_pylist()
    assert {row["village_code"] for row in households} == {TUDI, DOUWANG}
    for name in ("monitorings", "monitoring_risks"):
        assert H3 not in pq.read_table(registry / f"{name}.parquet")["household_number"].to_pylist()
    luxi_id = Household.objects.get(household_number=H3).pk
    for name in ("persons", "finances", "conditions"):
        assert (
            luxi_id not in pq.read_table(registry / f"{name}.parquet")["household_id"].to_pylist()
        )
    # A village prefix narrows further; 泸溪县 alone gives its one household.
    assert registry_snapshot(tmp_path / "tudi", region_prefix=TUDI)["households"] == 1
    assert registry_snapshot(tmp_path / "luxi", region_prefix="433122")["persons"] == 1


def _plaintext_hits(directory: Path) -> list[str]:
    """Plaintext names, ID and phone numbers in the files: in the raw bytes, and in every
    decoded value (the pages are compressed, which could hide a value from the byte scan)."""
    hits = []
    for path in sorted(directory.rglob("*")):
        if not path.is_file():
            continue
        raw = path.read_bytes()
        hits += [f"{path.name}: bytes" for text in PLAINTEXT if text.encode() in raw]
        if path.suffix == ".parquet":
            uncompressed = pq.read_table(path)
            for column in uncompressed.columns:
                for value in column.to_pylist():
                    hits += [f"{path.name}: value" for text in PLAINTEXT if text in str(value)]
    return hits


def test_no_plaintext_name_phone_or_id_in_the_snapshot(
    loaded: dict[str, int], tmp_path: Path
) -> None:
    registry_snapshot(tmp_path / "snap", region_prefix=COUNTY)
    assert _plaintext_hits(tmp_path / "snap") == []
    # The scan finds them when they are there: the loaded dataset holds all of them.
    assert len(_plaintext_hits(tmp_path / "dataset")) >= len(PLAINTEXT)


def test_manifest_and_audit_event(loaded: dict[str, int], tmp_path: Path) -> None:
    before = AuditEvent.objects.count()
    counts = registry_snapshot(tmp_path / "snap", region_prefix=COUNTY)
    manifest = json.loads((tmp_path / "snap" / "manifest.json").read_text("utf-8"))
    assert manifest["source"] == "database"
    assert manifest["region_prefix"] == COUNTY
    assert manifest["contract_version"] == "2"
    assert manifest["rows"] == counts
    assert sorted(p.name for p in (tmp_path / "snap").iterdir()) == ["manifest.json", "registry"]
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.object_type, event.object_id) == (
        "snapshot.registry",
        "snapshot",
        COUNTY,
    )
    assert event.changes["rows"] == counts


def test_a_failure_midway_leaves_the_previous_snapshot_untouched(
    loaded: dict[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "snap"
    registry_snapshot(target, region_prefix=COUNTY)
    before = {p.relative_to(target): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    original = snapshot.stream_to_parquet

    def failing(batches: Any, path: Path, *args: Any, **kwargs: Any) -> int:
        if path.name == "conditions.parquet":
            raise RuntimeError("disk full")
        return original(batches, path, *args, **kwargs)

    monkeypatch.setattr(snapshot, "stream_to_parquet", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        registry_snapshot(target, region_prefix=COUNTY)
    after = {p.relative_to(target): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dataset", "snap", "var"]  # no staging


@pytest.mark.parametrize("prefix", ["", "4331", "43312x", "433124'--", "4331240000001"])
def test_refuses_a_bad_region_prefix_and_writes_nothing(
    loaded: dict[str, int], tmp_path: Path, prefix: str
) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(SnapshotError) as caught:
        registry_snapshot(tmp_path / "snap", region_prefix=prefix)
    assert caught.value.code == "region"
    assert "6至12位数字" in caught.value.message
    assert not (tmp_path / "snap").exists()
    assert AuditEvent.objects.count() == before


def test_an_empty_region_gives_empty_files_with_the_schema(
    loaded: dict[str, int], tmp_path: Path
) -> None:
    counts = registry_snapshot(tmp_path / "snap", region_prefix="433125")
    assert counts == dict.fromkeys(REGISTRY_TABLES, 0)
    for name, schema in REGISTRY_TABLES.items():
        table = pq.read_table(tmp_path / "snap" / "registry" / f"{name}.parquet")
        assert table.num_rows == 0
        assert table.schema.equals(schema)


def test_small_row_groups_stream_the_same_rows(loaded: dict[str, int], tmp_path: Path) -> None:
    registry_snapshot(tmp_path / "whole", region_prefix=COUNTY)
    registry_snapshot(tmp_path / "small", region_prefix=COUNTY, batch_rows=1)
    for name in REGISTRY_TABLES:
        whole = pq.read_table(tmp_path / "whole" / "registry" / f"{name}.parquet")
        small = pq.ParquetFile(tmp_path / "small" / "registry" / f"{name}.parquet")
        assert small.metadata.num_row_groups == whole.num_rows
        assert small.read().equals(whole)


def _grades(target: Path) -> list[str]:
    return pq.read_table(target / "registry" / "conditions.parquet")["housing_grade"].to_pylist()


def _write_during_snapshot(monkeypatch: pytest.MonkeyPatch, write: Any) -> None:
    """Run ``write`` (a committed change) right after the households file is written."""
    original = snapshot.stream_to_parquet

    def then_write(batches: Any, path: Path, *args: Any, **kwargs: Any) -> int:
        rows = original(batches, path, *args, **kwargs)
        if path.name == "households.parquet":
            write()
        return rows

    monkeypatch.setattr(snapshot, "stream_to_parquet", then_write)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite file database: SQLite pass")
def test_a_sqlite_file_is_read_read_only_in_one_transaction(
    loaded: dict[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The production path: a WAL database file, copied in one read transaction by the sqlite3
    module's backup and read by ADBC from the copy. A write committed while the snapshot runs
    is not in it. (Before the copy, ADBC read the live file in a BEGIN: this test saw the write
    — two copies of SQLite in one process do not see each other's locks.)"""
    import sqlite3

    registry_snapshot(tmp_path / "memory", region_prefix=COUNTY)
    database = tmp_path / "fangpin.sqlite3"
    database.write_bytes(connection.connection.serialize())
    with closing(sqlite3.connect(database)) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
    monkeypatch.setitem(connection.settings_dict, "NAME", database)

    before = database.read_bytes()
    registry_snapshot(tmp_path / "file", region_prefix=COUNTY)
    # Read-only: not a byte of the database changed, nothing went into its write-ahead log
    # (a WAL reader creates the -shm index and an empty -wal; both are SQLite's, not data).
    assert database.read_bytes() == before
    wal = tmp_path / "fangpin.sqlite3-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    for name in REGISTRY_TABLES:
        assert pq.read_table(tmp_path / "file" / "registry" / f"{name}.parquet").equals(
            pq.read_table(tmp_path / "memory" / "registry" / f"{name}.parquet")
        ), name

    def write() -> None:
        with closing(sqlite3.connect(database)) as other, other:
            other.execute("UPDATE registry_householdcondition SET housing_grade = 'D'")

    _write_during_snapshot(monkeypatch, write)
    registry_snapshot(tmp_path / "during", region_prefix=COUNTY)

    assert _grades(tmp_path / "during") == ["B", "C"]
    with closing(sqlite3.connect(database)) as check:
        grades = check.execute("SELECT DISTINCT housing_grade FROM registry_householdcondition")
        assert grades.fetchall() == [("D",)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL: PostgreSQL pass")
def test_postgresql_reads_all_tables_from_one_snapshot(
    loaded: dict[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def write() -> None:  # autocommit: the test is transactional on PostgreSQL
        with connection.cursor() as cursor:
            cursor.execute("UPDATE registry_householdcondition SET housing_grade = 'D'")

    _write_during_snapshot(monkeypatch, write)
    registry_snapshot(tmp_path / "snap", region_prefix=COUNTY)

    assert _grades(tmp_path / "snap") == ["B", "C"]
    registry_snapshot(tmp_path / "after", region_prefix=COUNTY)
    assert _grades(tmp_path / "after") == ["D", "D"]


def test_a_health_token_that_fails_to_decrypt_names_the_person_only(
    loaded: dict[str, int], tmp_path: Path
) -> None:
    """A token moved from another column (the ID number's) fails authentication: nothing is
    written, and the message names the person id, never a value."""
    li = Person.objects.get(id_number_index=identity_index("1", LI))
    Person.objects.filter(pk=li.pk).update(health_encrypted=li.id_number_encrypted)
    before = AuditEvent.objects.count()
    with pytest.raises(SnapshotError) as caught:
        registry_snapshot(tmp_path / "snap", region_prefix=COUNTY)
    assert caught.value.code == "health"
    assert caught.value.message.startswith(f"人员 {li.pk} 的健康状况密文无法解密")
    assert LI not in caught.value.message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dataset", "var"]
    # Nothing but the tamper alerts (scenario 28): the system's own record of the bad token.
    added = list(AuditEvent.objects.order_by("pk")[before:])
    assert len(added) == 2  # the snapshot reads the token, then reads it again to name the person
    assert {(e.action, e.actor_label, e.result, e.object_id) for e in added} == {
        ("crypto.tamper", "system:fieldcrypto", "failure", "registry.person.health")
    }


def test_the_postgresql_uri_carries_the_django_settings() -> None:
    uri = snapshot_io._postgres_uri(
        {
            "NAME": "fang pin",
            "USER": "app",
            "PASSWORD": "p@ss:w/rd",
            "HOST": "db.internal",
            "PORT": "6432",
            "OPTIONS": {"options": "-c jit=off", "sslmode": "require", "isolation_level": 2},
        }
    )
    assert uri == (
        "postgresql://app:p%40ss%3Aw%2Frd@db.internal:6432/fang%20pin"
        "?options=-c%20jit%3Doff&sslmode=require"
    )
    assert snapshot_io._postgres_uri({"NAME": "test"}) == "postgresql:///test"
