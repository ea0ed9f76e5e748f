"""registry_bulk_load: a synthetic dataset goes in whole, or not at all."""

from __future__ import annotations

import json
import shutil
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
from fangpin.registry.bulk import registry_bulk_load
from fangpin.registry.errors import RegistryError
from fangpin.registry.masking import mask_id
from fangpin.registry.models import (
    Household,
    HouseholdCondition,
    HouseholdFinance,
    HouseholdStatusChange,
    MembershipEvent,
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
    assert event.changes["counts"] == {
        "households": 120,
        "persons": persons,
        "finances": 240,
        "conditions": 120,
    }
    assert set(event.changes["sha256"]) == {"households", "persons", "finances", "conditions"}


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
