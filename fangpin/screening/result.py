"""The result artifact: its Arrow schema (versioned) and its JSON Schema.

One row per (household, rule) finding. Text columns hold JSON (``observed``, ``threshold``,
``sources``) or plain Chinese (``reason_zh``). Changing a column bumps
:data:`RESULT_VERSION` and docs/screening.md.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

__all__ = ["RESULT_COLUMNS", "RESULT_SCHEMA", "RESULT_VERSION", "result_json_schema"]

RESULT_VERSION = "1"

#: (name, Arrow type, meaning)
RESULT_COLUMNS: tuple[tuple[str, pa.DataType, str], ...] = (
    ("run_id", pa.string(), "Deterministic id of the run: month, region and a hash of the inputs"),
    ("edition_id", pa.string(), "Policy edition that ran (fangpin.policy edition_id)"),
    ("month", pa.string(), "Screened month, YYYY-MM"),
    ("rule_code", pa.string(), "Stable rule code, e.g. trigger.income_below_line"),
    ("family", pa.string(), "trigger / classification / elimination / quality"),
    ("severity", pa.string(), "high / medium / low"),
    ("household_id", pa.int64(), "The dataset's household key"),
    ("household_number", pa.string(), "National household number (户编号)"),
    ("village_code", pa.string(), "12-digit village code: where the warning goes"),
    ("observed", pa.string(), "JSON object: the values the rule saw"),
    ("threshold", pa.string(), "JSON object: the edition keys and values it compared with"),
    ("sources", pa.string(), 'JSON array of {"source": "<dir>/<table>", "keys": [...]}'),
    ("reason_zh", pa.string(), "The reason in plain Chinese, for the village cadre"),
)

RESULT_SCHEMA = pa.schema(
    [pa.field(name, dtype, nullable=False) for name, dtype, _ in RESULT_COLUMNS],
    metadata={"artifact": "fangpin.screening.findings", "result_version": RESULT_VERSION},
)


def result_json_schema() -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) of one finding row, for consumers outside Python."""
    types = {pa.string(): "string", pa.int64(): "integer"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://fangpin.invalid/schemas/screening-finding-v{RESULT_VERSION}.json",
        "title": "fangpin screening finding",
        "type": "object",
        "additionalProperties": False,
        "required": [name for name, _, _ in RESULT_COLUMNS],
        "properties": {
            name: {"type": types[dtype], "description": meaning}
            for name, dtype, meaning in RESULT_COLUMNS
        },
    }
