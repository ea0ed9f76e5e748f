"""The table contract: Arrow schemas of the registry snapshot and the department feeds.

The synthetic generator writes these tables as Parquet; the registry's bulk loader reads them;
screening (and Spark jobs on a cluster) read the same files. Column names equal the database
column names, so a snapshot of the app database has the same shape. Nulls are real Arrow
nulls, never NaN (NaN breaks comparisons on Spark).

Changing a schema means bumping :data:`CONTRACT_VERSION` and updating ``docs/data-contract.md``.
"""

from __future__ import annotations

from fangpin.contract.registry import (
    CONDITIONS,
    CONTRACT_VERSION,
    FINANCES,
    HOUSEHOLDS,
    MONEY,
    MONITORING_RISKS,
    MONITORINGS,
    PERSONS,
    REGISTRY_TABLES,
    ContractError,
    validate_table,
)

__all__ = [
    "CONDITIONS",
    "CONTRACT_VERSION",
    "FINANCES",
    "HOUSEHOLDS",
    "MONEY",
    "MONITORINGS",
    "MONITORING_RISKS",
    "PERSONS",
    "REGISTRY_TABLES",
    "ContractError",
    "validate_table",
]
