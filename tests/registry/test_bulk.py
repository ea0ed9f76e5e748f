"""registry_bulk_load: a synthetic dataset goes in whole, or not at all."""

from __future__ import annotations

import json
import shutil
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fangpin import income
from fangpin.core.models import AuditEvent, Region
from fangpin.core.regions import regions_load
from fangpin.registry.bulk import _public_ids, registry_bulk_load
from fangpin.registry.errors import RegistryError
from fangpin.registry.masking import mask_id
from fangpin.registry.models import (
    Household,
    HouseholdCondition,
    HouseholdFinance,
    HouseholdStatusChange,
    MembershipEvent,
    Monitoring,
    MonitoringRisk,
    Person,
    identity_index,
)
from fangpin.synth import SynthConfig, VillageSpec, write_parquet
from tests.conftest_regions import REGION_FIXTURE_DIR
from tests.registry.conftest import plain_id

COUNTY = "433124"
MODELS = (
    Household,
    Person,
    HouseholdFinance,
    HouseholdCondition,
    MembershipEvent,
    HouseholdStatusChange,
    Monitoring,
    MonitoringRisk,
)


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (*MODELS, AuditEvent)}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """120 synthetic households over the real villages of 龙潭镇 (433124102)."""
    source = Path(__file__).parents[1] / "fixtures" / "regions" / "villages.csv"
    villages = [
        VillageSpec(
            code=code, name=name.strip('"'), township_code="433124102000", township_name="龙潭镇"
        )
        for code, name, *_ in (line.split(",") for line in source.read_text("utf-8").splitlines())
        if code.startswith("433124102")
    ]
    out = tmp_path_factory.mktemp("bulk") / "dataset"
    config = SynthConfig(seed=7, households=120, year=2024, reference_date=date(2024, 12, 31))
    write_parquet(
        villages, COUNTY, config, out, county_name="花垣县", neighbour_county_codes=["433122"]
    )
    return out


def file_rows(dataset: Path, name: str) -> int:
    return pq.ParquetFile(dataset / "registry" / f"{name}.parquet").metadata.num_rows


def test_loads_every_row_with_history_and_one_audit_event(
    huayuan_regions: Any, dataset: Path
) -> None:
    before = counts()
    report = registry_bulk_load(actor="system:test", source_dir=dataset)

    persons = file_rows(dataset, "persons")
    assert report.households == file_rows(dataset, "households") == 120
    assert report.persons == persons
    assert report.finances == file_rows(dataset, "finances") == 240  # two years each
    assert report.conditions == file_rows(dataset, "conditions") == 120
    after = counts()
    assert after["Household"] - before["Household"] == 120
    assert after["Person"] - before["Person"] == persons
    assert after["MembershipEvent"] - before["MembershipEvent"] == persons
    assert after["HouseholdStatusChange"] - before["HouseholdStatusChange"] == 120
    assert after["AuditEvent"] - before["AuditEvent"] == 1
    event = AuditEvent.objects.get(action="registry.bulk_load")
    spells, risks = file_rows(dataset, "monitorings"), file_rows(dataset, "monitoring_risks")
    assert (spells, risks) == (7, 11)
    assert (report.monitorings, report.monitoring_risks) == (spells, risks)
    assert after["Monitoring"] - before["Monitoring"] == spells
    assert after["MonitoringRisk"] - before["MonitoringRisk"] == risks
    assert event.changes["counts"] == {
        "households": 120,
        "persons": persons,
        "finances": 240,
        "conditions": 120,
        "monitorings": spells,
        "monitoring_risks": risks,
    }
    assert set(event.changes["sha256"]) == {
        "households",
        "persons",
        "finances",
        "conditions",
        "monitorings",
        "monitoring_risks",
    }


def test_loaded_rows_equal_the_files(huayuan_regions: Any, dataset: Path) -> None:
    registry_bulk_load(actor="system:test", source_dir=dataset)
    people = pq.read_table(dataset / "registry" / "persons.parquet").to_pylist()
    first = people[0]
    stored = Person.objects.get(
        id_number_index=identity_index(first["id_type"], first["id_number"]), status="active"
    )
    assert plain_id(stored) == first["id_number"]
    assert stored.id_number_masked == mask_id(first["id_number"])
    assert stored.name == first["name"]
    assert stored.birth_date == first["birth_date"]
    assert stored.relation == first["relation"]
    assert (
        stored.household.household_number
        == (
            pq.read_table(dataset / "registry" / "households.parquet").to_pylist()[
                first["household_id"] - 1
            ]["household_number"]
        )
    )
    # exactly one active head per household
    heads = Person.objects.filter(relation="01", status="active").count()
    assert heads == Household.objects.count() == 120


def test_generated_income_matches_the_single_definition(
    huayuan_regions: Any, dataset: Path
) -> None:
    registry_bulk_load(actor="system:test", source_dir=dataset)
    rows = pq.read_table(dataset / "registry" / "finances.parquet").to_pylist()
    for row in rows[:60]:
        derived = income.derive(row, row["household_size"])
        stored = HouseholdFinance.objects.get(
            household__household_number=Household.objects.order_by("id")[
                row["household_id"] - 1
            ].household_number,
            year=row["year"],
        )
        assert stored.net_income == derived.net_income
        assert stored.per_capita_net_income == derived.per_capita_net_income
        assert stored.transfer_income == derived.transfer_income


def test_second_load_into_the_same_registry_is_refused_and_changes_nothing(
    huayuan_regions: Any, dataset: Path
) -> None:
    registry_bulk_load(actor="system:test", source_dir=dataset)
    before = counts()
    with pytest.raises(RegistryError) as caught:
        registry_bulk_load(actor="system:test", source_dir=dataset)
    assert caught.value.code == "integrity"
    assert "未导入任何数据" in caught.value.message
    assert counts() == before


def test_refuses_villages_that_are_not_loaded(db: Any, dataset: Path) -> None:
    before = counts()
    with pytest.raises(RegistryError) as caught:
        registry_bulk_load(actor="system:test", source_dir=dataset)
    assert caught.value.code == "village"
    assert "fangpin regions load" in caught.value.message
    assert counts() == before


def test_refuses_an_abolished_village(huayuan_regions: Any, dataset: Path) -> None:
    code = pq.read_table(dataset / "registry" / "households.parquet").column("village_code")[0]
    Region.objects.filter(code=code.as_py()).update(valid_to=date(2024, 6, 30))
    before = counts()
    with pytest.raises(RegistryError) as caught:
        registry_bulk_load(actor="system:test", source_dir=dataset)
    assert caught.value.code == "village"
    assert code.as_py() in caught.value.message
    assert counts() == before


def test_contract_violation_midway_rolls_back_everything(
    huayuan_regions: Any, dataset: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(dataset, broken)
    finances = pq.read_table(broken / "registry" / "finances.parquet")
    finances = finances.append_column("surprise", pa.array([1] * finances.num_rows))
    pq.write_table(finances, broken / "registry" / "finances.parquet")
    before = counts()
    with pytest.raises(RegistryError) as caught:
        registry_bulk_load(actor="system:test", source_dir=broken)
    assert caught.value.code == "contract"
    assert "surprise" in caught.value.message
    assert counts() == before  # households and persons were inserted, then rolled back


def test_missing_manifest_is_a_clear_error(huayuan_regions: Any, tmp_path: Path) -> None:
    with pytest.raises(RegistryError) as caught:
        registry_bulk_load(actor="system:test", source_dir=tmp_path)
    assert caught.value.code == "source"
    assert "manifest.json" in caught.value.message


def test_ids_are_shifted_past_existing_rows(
    huayuan_regions: Any, dataset: Path, tmp_path: Path
) -> None:
    """A second, different dataset loads after the first without id clashes."""
    registry_bulk_load(actor="system:test", source_dir=dataset)
    first_max = Household.objects.order_by("-id").values_list("id", flat=True)[0]
    other = tmp_path / "other"
    regions_load(source_dir=REGION_FIXTURE_DIR, under="433122", actor="system:test")
    villages = [
        VillageSpec(
            code="433122102200",
            name="龙溪口村",
            township_code="433122102000",
            township_name="达岚镇",
        )
    ]
    config = SynthConfig(seed=99, households=10, year=2024, reference_date=date(2024, 12, 31))
    write_parquet(villages, "433122", config, other, county_name="泸溪县")
    # ID numbers of another county cannot collide with the first dataset's.
    report = registry_bulk_load(actor="system:test", source_dir=other)
    assert report.households == 10
    assert Household.objects.count() == 130
    assert Household.objects.filter(id__gt=first_max).count() == 10
    manifest = json.loads((other / "manifest.json").read_text("utf-8"))
    assert manifest["seed"] == 99
    assert (
        HouseholdFinance.objects.filter(
            household__village_id="433122102200", net_income__isnull=False
        ).count()
        == 20
    )
    assert Decimal(0) <= min(HouseholdFinance.objects.values_list("transfer_income", flat=True))


def test_every_loaded_row_gets_its_own_random_public_id(
    huayuan_regions: Any, dataset: Path
) -> None:
    """SEC-MSK-3: web and API paths address rows by ``public_id``, so the loader writes one."""
    registry_bulk_load(actor="system:test", source_dir=dataset)

    for model, name in ((Household, "households"), (Person, "persons")):
        ids = list(model.objects.values_list("public_id", flat=True))
        assert len(ids) == model.objects.count() == file_rows(dataset, name)
        assert None not in ids
        assert len(set(ids)) == len(ids)
        assert {u.version for u in ids} == {4}
        assert {u.variant for u in ids} == {uuid.RFC_4122}
    # The loaded rows are found by their public id, as a web or API path finds them.
    household = Household.objects.order_by("pk").first()
    assert household is not None
    assert Household.objects.get(public_id=household.public_id).pk == household.pk


def test_public_ids_of_the_loader_are_v4_uuids_in_hex() -> None:
    values = _public_ids(1000).to_pylist()

    assert len(set(values)) == 1000
    assert all(uuid.UUID(v).hex == v and uuid.UUID(v).version == 4 for v in values)
    assert _public_ids(0).to_pylist() == []


def _spell_rows(dataset: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pq.read_table(
        dataset / "registry" / "monitorings.parquet"
    ).to_pylist()
    return rows


def test_loaded_spells_and_risks_equal_the_files(huayuan_regions: Any, dataset: Path) -> None:
    registry_bulk_load(actor="system:test", source_dir=dataset)
    stored = sorted(
        (
            m.household.household_number,
            m.object_type,
            m.identified_month,
            m.eliminated_month,
            m.elimination_mode,
            m.no_labour_backstop,
            m.is_current,
        )
        for m in Monitoring.objects.select_related("household")
    )
    assert stored == sorted(tuple(row.values()) for row in _spell_rows(dataset))
    risks = pq.read_table(dataset / "registry" / "monitoring_risks.parquet").to_pylist()
    stored_risks = sorted(
        (
            r.monitoring.household.household_number,
            r.monitoring.identified_month,
            r.position,
            r.risk_type,
            r.disaster_subtype,
        )
        for r in MonitoringRisk.objects.select_related("monitoring__household")
    )
    assert stored_risks == sorted(tuple(row.values()) for row in risks)


def test_household_status_mirrors_the_current_spell(huayuan_regions: Any, dataset: Path) -> None:
    registry_bulk_load(actor="system:test", source_dir=dataset)
    current = {row["household_number"]: row for row in _spell_rows(dataset) if row["is_current"]}
    expected = {
        number: ("open" if row["eliminated_month"] is None else "eliminated", row["object_type"])
        for number, row in current.items()
    }
    monitored = {
        h.household_number: (h.monitoring_status, h.monitoring_type)
        for h in Household.objects.exclude(monitoring_status="none")
    }
    assert monitored == expected
    assert Household.objects.filter(monitoring_status="none", monitoring_type="").count() == (
        120 - len(expected)
    )


def _broken_copy(dataset: Path, tmp_path: Path, name: str, change: Any) -> Path:
    broken = tmp_path / "broken"
    shutil.copytree(dataset, broken)
    path = broken / "registry" / f"{name}.parquet"
    table = pq.read_table(path)
    rows = table.to_pylist()
    change(rows)
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), path)
    return broken


def _set(key: str, value: Any, row: int = 0) -> Any:
    def change(rows: list[dict[str, Any]]) -> None:
        rows[row][key] = value

    return change


@pytest.mark.parametrize(
    ("name", "change", "fragment"),
    [
        ("monitoring_risks", _set("risk_type", "88"), "风险类型未知"),
        ("monitoring_risks", _set("disaster_subtype", "0201"), "monitoring_risk_subtype"),
        ("monitorings", _set("household_number", "433124102200" + "9999"), "不在本数据集中"),
        ("monitorings", _set("identified_month", date(2022, 5, 17)), "不是月初"),
        ("monitorings", _set("object_type", "POOR"), "监测对象类别未知"),
    ],
)
def test_a_bad_monitoring_row_loads_nothing(
    huayuan_regions: Any, dataset: Path, tmp_path: Path, name: str, change: Any, fragment: str
) -> None:
    broken = _broken_copy(dataset, tmp_path, name, change)
    before = counts()
    with pytest.raises(RegistryError) as caught:
        registry_bulk_load(actor="system:test", source_dir=broken)
    assert fragment in caught.value.message
    assert counts() == before
    assert Household.objects.exclude(monitoring_status="none").count() == 0


def test_two_current_spells_of_one_household_load_nothing(
    huayuan_regions: Any, dataset: Path, tmp_path: Path
) -> None:
    """The database refuses it (one current spell per household); nothing stays."""

    def second_current(rows: list[dict[str, Any]]) -> None:
        extra = dict(rows[0], identified_month=date(2021, 3, 1), is_current=True)
        extra["eliminated_month"], extra["elimination_mode"] = date(2021, 10, 1), "assisted"
        rows.append(extra)

    broken = _broken_copy(dataset, tmp_path, "monitorings", second_current)
    before = counts()
    with pytest.raises(RegistryError) as caught:
        registry_bulk_load(actor="system:test", source_dir=broken)
    assert caught.value.code == "integrity"
    assert counts() == before
