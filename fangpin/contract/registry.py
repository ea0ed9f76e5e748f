"""Arrow schemas of the registry tables: households, persons, finances, conditions, and the
monitoring spells with their risks (monitorings, monitoring_risks)."""

from __future__ import annotations

import pyarrow as pa

from fangpin.income import all_amount_fields

CONTRACT_VERSION = "2"  # 2: monitorings and monitoring_risks

#: Money: yuan with two decimals, exact.
MONEY = pa.decimal128(12, 2)

HOUSEHOLDS = pa.schema(
    [
        pa.field("household_id", pa.int64(), nullable=False),
        pa.field("household_number", pa.string(), nullable=False),
        pa.field("village_code", pa.string(), nullable=False),
        pa.field("natural_village", pa.string(), nullable=False),
        pa.field("address", pa.string(), nullable=False),
        pa.field("household_type", pa.string(), nullable=False),
        pa.field("phone", pa.string(), nullable=False),
        pa.field("is_relocated", pa.bool_(), nullable=False),
        pa.field("relocation_mode", pa.string(), nullable=False),
        pa.field("relocation_site", pa.string(), nullable=False),
        pa.field("status", pa.string(), nullable=False),
    ],
    metadata={"table": "households", "contract_version": CONTRACT_VERSION},
)

PERSONS = pa.schema(
    [
        pa.field("person_id", pa.int64(), nullable=False),
        pa.field("household_id", pa.int64(), nullable=False),
        pa.field("name", pa.string(), nullable=False),
        pa.field("sex", pa.string(), nullable=False),
        pa.field("id_type", pa.string(), nullable=False),
        pa.field("id_number", pa.string(), nullable=False),
        pa.field("birth_date", pa.date32(), nullable=False),
        pa.field("relation", pa.string(), nullable=False),
        pa.field("ethnicity", pa.string(), nullable=False),
        pa.field("education", pa.string(), nullable=False),
        pa.field("student_status", pa.string(), nullable=False),
        pa.field("out_of_school_reason", pa.string(), nullable=False),
        pa.field("health", pa.string(), nullable=False),
        pa.field("disability_grade", pa.string(), nullable=False),
        pa.field("disability_category", pa.string(), nullable=False),
        pa.field("labour_ability", pa.string(), nullable=False),
        pa.field("migrant_work_months", pa.int16(), nullable=False),
        pa.field("migrant_employer", pa.string(), nullable=False),
        pa.field("phone", pa.string(), nullable=False),
        pa.field("has_resident_medical", pa.bool_(), nullable=False),
        pa.field("has_employee_medical", pa.bool_(), nullable=False),
        pa.field("has_critical_illness", pa.bool_(), nullable=False),
        pa.field("has_resident_pension", pa.bool_(), nullable=False),
        pa.field("has_employee_pension", pa.bool_(), nullable=False),
        pa.field("is_dibao", pa.bool_(), nullable=False),
        pa.field("is_tekun", pa.bool_(), nullable=False),
        pa.field("status", pa.string(), nullable=False),
        pa.field("death_date", pa.date32(), nullable=True),
    ],
    metadata={"table": "persons", "contract_version": CONTRACT_VERSION},
)

FINANCES = pa.schema(
    [
        pa.field("household_id", pa.int64(), nullable=False),
        pa.field("year", pa.int16(), nullable=False),
        pa.field("household_size", pa.int16(), nullable=False),
        *[pa.field(name, MONEY, nullable=False) for name in all_amount_fields()],
    ],
    metadata={"table": "finances", "contract_version": CONTRACT_VERSION},
)

CONDITIONS = pa.schema(
    [
        pa.field("household_id", pa.int64(), nullable=False),
        pa.field("assessed_on", pa.date32(), nullable=False),
        pa.field("food_secure", pa.bool_(), nullable=False),
        pa.field("clothing_secure", pa.bool_(), nullable=False),
        pa.field("housing_grade", pa.string(), nullable=False),
        pa.field("housing_assessor", pa.string(), nullable=False),
        pa.field("housing_assessed_on", pa.date32(), nullable=False),
        pa.field("water_source", pa.string(), nullable=False),
        pa.field("water_area_type", pa.string(), nullable=False),
        pa.field("water_litres_per_person_day", pa.int16(), nullable=False),
        pa.field("water_quality_tested", pa.bool_(), nullable=False),
        pa.field("water_quality_simple_check_ok", pa.bool_(), nullable=False),
        pa.field("water_is_piped", pa.bool_(), nullable=False),
        pa.field("water_trip_minutes", pa.int16(), nullable=True),
        pa.field("water_horizontal_m", pa.int32(), nullable=True),
        pa.field("water_vertical_m", pa.int32(), nullable=True),
        pa.field("water_cut_days_per_year", pa.int16(), nullable=False),
        pa.field("water_quantity_ok", pa.bool_(), nullable=False),
        pa.field("water_quality_ok", pa.bool_(), nullable=False),
        pa.field("water_convenience_ok", pa.bool_(), nullable=False),
        pa.field("water_reliability_ok", pa.bool_(), nullable=False),
    ],
    metadata={"table": "conditions", "contract_version": CONTRACT_VERSION},
)

#: Spells of a household as a monitoring object (监测对象, DOMAIN.md §1, §5). Keyed by the
#: national household number (户编号) as in the national system's exports, so a real export can
#: be loaded next to the registry. Months are the first day of the month (识别/消除监测时间 are
#: ``YYYYMM`` in the national system). Exactly one spell per monitored household is current.
MONITORINGS = pa.schema(
    [
        pa.field("household_number", pa.string(), nullable=False),
        pa.field("object_type", pa.string(), nullable=False),  # UNSTABLE / MARGINAL / SUDDEN
        pa.field("identified_month", pa.date32(), nullable=False),
        pa.field("eliminated_month", pa.date32(), nullable=True),  # null: risk not eliminated
        pa.field("elimination_mode", pa.string(), nullable=False),  # "" / assisted / natural
        pa.field("no_labour_backstop", pa.bool_(), nullable=False),
        pa.field("is_current", pa.bool_(), nullable=False),
    ],
    metadata={"table": "monitorings", "contract_version": CONTRACT_VERSION},
)

#: Up to five risks per spell (致贫/返贫风险1…5, code table ``risk_type``), the spell named by
#: (household_number, identified_month); ``disaster_subtype`` only for risk ``02``.
MONITORING_RISKS = pa.schema(
    [
        pa.field("household_number", pa.string(), nullable=False),
        pa.field("identified_month", pa.date32(), nullable=False),
        pa.field("position", pa.int8(), nullable=False),  # 1–5
        pa.field("risk_type", pa.string(), nullable=False),
        pa.field("disaster_subtype", pa.string(), nullable=False),  # "" unless risk_type 02
    ],
    metadata={"table": "monitoring_risks", "contract_version": CONTRACT_VERSION},
)

#: File stem -> schema, in load order (parents first).
REGISTRY_TABLES: dict[str, pa.Schema] = {
    "households": HOUSEHOLDS,
    "persons": PERSONS,
    "finances": FINANCES,
    "conditions": CONDITIONS,
    "monitorings": MONITORINGS,
    "monitoring_risks": MONITORING_RISKS,
}


class ContractError(ValueError):
    """A table does not match its contract."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def validate_table(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Check columns, types and non-null columns; return the table cast to the exact schema.

    Extra columns are an error (a renamed column must not be dropped silently).
    """
    name = (schema.metadata or {}).get(b"table", b"?").decode()
    missing = [f.name for f in schema if f.name not in table.column_names]
    extra = [c for c in table.column_names if c not in schema.names]
    if missing or extra:
        raise ContractError(
            "columns",
            f"表 {name} 的列与约定不符：缺少 {missing or '无'}，多出 {extra or '无'}",
        )
    table = table.select(schema.names)
    # Nulls first: casting a null into a non-nullable field raises a bare ValueError.
    for field in schema:
        if not field.nullable and table.column(field.name).null_count:
            raise ContractError(
                "nulls",
                f"表 {name} 的列 {field.name} 不允许为空，却有 "
                f"{table.column(field.name).null_count} 个空值",
            )
    try:
        table = table.cast(schema)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise ContractError("types", f"表 {name} 的列类型与约定不符：{exc}") from exc
    return table
