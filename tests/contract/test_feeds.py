"""The department-feed schemas (fangpin.contract.feeds)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from fangpin.contract import CONTRACT_VERSION, MONEY, ContractError, validate_table
from fangpin.contract.feeds import DISASTER_SUBTYPES, FEED_DEPARTMENTS, FEED_TABLES

FEEDS = {
    "medical_claims": "医疗保障局",
    "civil_affairs": "民政局",
    "education_dropouts": "教育局",
    "housing_assessments": "住房和城乡建设局",
    "disability_registrations": "残疾人联合会",
    "disaster_losses": "应急管理局",
    "employment_insurance": "人力资源和社会保障局",
    "death_records": "公安局",
}


def test_every_feed_has_a_schema_named_after_it_with_its_department() -> None:
    assert FEED_DEPARTMENTS == FEEDS
    for name, schema in FEED_TABLES.items():
        assert schema.metadata[b"table"].decode() == name
        assert schema.metadata[b"contract_version"].decode() == CONTRACT_VERSION


@pytest.mark.parametrize("name", sorted(FEEDS))
def test_record_id_first_then_a_non_null_id_number(name: str) -> None:
    schema = FEED_TABLES[name]
    first = schema.field(0)
    assert first.name in ("record_id", "claim_id")
    assert first.type == pa.string()
    assert not first.nullable
    id_column = (
        "head_id_number" if name in ("housing_assessments", "disaster_losses") else "id_number"
    )
    assert schema.field(id_column).type == pa.string()
    assert not schema.field(id_column).nullable


def test_money_is_exact_and_floats_are_only_areas() -> None:
    for schema in FEED_TABLES.values():
        for field in schema:
            if field.name in ("total_cost", "fund_paid", "compliant_oop", "non_compliant_oop",
                              "amount", "loss_amount"):  # fmt: skip
                assert field.type == MONEY
            if pa.types.is_floating(field.type):
                assert field.name == "crop_loss_mu"
                assert field.nullable


def test_disaster_subtypes_follow_the_domain_list() -> None:
    assert DISASTER_SUBTYPES == {
        "0201": "洪涝",
        "0202": "地质",
        "0203": "旱灾",
        "0204": "生物",
        "0205": "气象",
        "0206": "地震",
        "0299": "其他",
    }


def test_validate_table_rejects_a_feed_with_a_missing_column() -> None:
    schema = FEED_TABLES["death_records"]
    table = pa.table({"record_id": ["GASW0000000001"], "id_number": ["433124193401172763"]})
    with pytest.raises(ContractError) as info:
        validate_table(table, schema)
    assert info.value.code == "columns"
    assert table.num_rows == 1
    assert table.column_names == ["record_id", "id_number"]
