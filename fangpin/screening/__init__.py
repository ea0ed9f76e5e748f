"""Monthly screening (部门筛查预警): the rules as Ibis expressions, on DuckDB (default) or Spark.

Pure core: Ibis, pyarrow and the other pure cores (contract, policy, codes, income), never
Django. Input is the dataset directory of the table contract; output is a versioned result
artifact (``findings.parquet`` + ``run.json``). See docs/screening.md.
"""

from fangpin.screening.context import Context, normalise_id, parse_month
from fangpin.screening.engine import (
    ENGINE_VERSION,
    FINDINGS_FILE,
    RUN_FILE,
    ScreeningResult,
    compute_run_id,
    publish,
    screen,
)
from fangpin.screening.engines import ENGINES, spark_available, spark_session
from fangpin.screening.errors import ScreeningError
from fangpin.screening.inputs import (
    INPUT_FILES,
    ScreeningInput,
    connect,
    input_from_arrow,
    load_input,
)
from fangpin.screening.registry import FAMILY_LABELS, RULES, Family, Rule, Severity, get_rule
from fangpin.screening.result import (
    RESULT_COLUMNS,
    RESULT_SCHEMA,
    RESULT_VERSION,
    result_json_schema,
)

__all__ = [
    "ENGINES",
    "ENGINE_VERSION",
    "FAMILY_LABELS",
    "FINDINGS_FILE",
    "INPUT_FILES",
    "RESULT_COLUMNS",
    "RESULT_SCHEMA",
    "RESULT_VERSION",
    "RULES",
    "RUN_FILE",
    "Context",
    "Family",
    "Rule",
    "ScreeningError",
    "ScreeningInput",
    "ScreeningResult",
    "Severity",
    "compute_run_id",
    "connect",
    "get_rule",
    "input_from_arrow",
    "load_input",
    "normalise_id",
    "parse_month",
    "publish",
    "result_json_schema",
    "screen",
    "spark_available",
    "spark_session",
]
