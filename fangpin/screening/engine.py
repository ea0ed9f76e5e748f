"""Run the rules, assemble the findings, and publish them atomically.

::

    data = load_input(Path("var/synth/433124-20241"))
    result = screen(data, resolve(2024, "433124"), month=date(2024, 12, 1))
    publish(result, Path("var/screening/2024-12"))

Each rule's expression is executed once on the backend (``to_pyarrow``); the findings are
concatenated and sorted by (rule_code, household_number) so the output does not depend on
thread scheduling. The run id is a hash of what determines the output, so re-running a month
on the same inputs gives the same id and byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

import fangpin.screening.rules  # noqa: F401  # registers every rule
from fangpin.policy import ResolvedEdition
from fangpin.screening.context import Context
from fangpin.screening.engines import collect, register_arrow
from fangpin.screening.inputs import ScreeningInput
from fangpin.screening.registry import FAMILY_LABELS, RULES, Family, Rule, get_rule
from fangpin.screening.result import RESULT_SCHEMA, RESULT_VERSION, result_json_schema

__all__ = [
    "ENGINE_VERSION",
    "FINDINGS_FILE",
    "RUN_FILE",
    "ScreeningResult",
    "compute_run_id",
    "publish",
    "screen",
]

ENGINE_VERSION = "1"
FINDINGS_FILE = "findings.parquet"
RUN_FILE = "run.json"

Progress = Callable[[str, int, int], None]

_WITHOUT_RUN_ID = RESULT_SCHEMA.remove(RESULT_SCHEMA.get_field_index("run_id"))
_ORDER = (
    "rule_code",
    "household_number",
    "household_id",
    "observed",
    "threshold",
    "sources",
    "reason_zh",
)


@dataclass(frozen=True)
class ScreeningResult:
    run_id: str
    edition: ResolvedEdition
    month: date
    findings: pa.Table
    counts: dict[str, int]  # rule code -> findings, every rule that ran (zeros included)
    file_hashes: dict[str, str]

    def manifest(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "result_version": RESULT_VERSION,
            "engine_version": ENGINE_VERSION,
            "month": f"{self.month:%Y-%m}",
            "edition": self.edition.as_dict(),
            "inputs": dict(sorted(self.file_hashes.items())),
            "rules": [
                {
                    "code": code,
                    "family": str(RULES[code].family),
                    "name_zh": RULES[code].name_zh,
                    "severity": str(RULES[code].severity),
                    "edition_keys": list(RULES[code].edition_keys),
                    "source": RULES[code].source,
                    "findings": count,
                }
                for code, count in self.counts.items()
            ],
            "total_findings": self.findings.num_rows,
            "findings_schema": result_json_schema(),
        }


def compute_run_id(
    edition: ResolvedEdition, month: date, file_hashes: Mapping[str, str], rule_codes: Iterable[str]
) -> str:
    """``<YYYYMM>-<region>-<16 hex>``: SHA-256 over the result and engine versions, the edition
    id, the month, every input file's SHA-256 and the rule codes that ran."""
    payload = json.dumps(
        {
            "result_version": RESULT_VERSION,
            "engine_version": ENGINE_VERSION,
            "edition_id": edition.edition_id,
            "month": f"{month:%Y-%m}",
            "inputs": dict(sorted(file_hashes.items())),
            "rules": sorted(rule_codes),
        },
        sort_keys=True,
    )
    digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
    return f"{month:%Y%m}-{edition.region_code}-{digest}"


def _ordered_rules(codes: Iterable[str] | None) -> list[Rule]:
    order = list(Family)
    chosen = [get_rule(c) for c in codes] if codes is not None else list(RULES.values())
    return sorted(chosen, key=lambda r: (order.index(r.family), r.code))


def _constant(value: str, rows: int) -> pa.Array:
    return pc.fill_null(pa.nulls(rows, pa.string()), value)


def _materialise_trigger_hits(context: Context, trigger_tables: dict[str, pa.Table]) -> None:
    """Store this run's trigger findings on the backend as ``trigger_hits`` (household_id,
    code, name_zh, risk_type) for the classification and elimination families.

    Only when every trigger ran: with a subset of rules the later families recompute the
    triggers themselves (same answer, slower).
    """
    triggers = [r for r in RULES.values() if r.family is Family.TRIGGER]
    if any(r.code not in trigger_tables for r in triggers):
        return
    pieces = [
        pa.table(
            {
                "household_id": trigger_tables[r.code].column("household_id"),
                "code": _constant(r.code, trigger_tables[r.code].num_rows),
                "name_zh": _constant(r.name_zh, trigger_tables[r.code].num_rows),
                "risk_type": _constant(r.risk_type, trigger_tables[r.code].num_rows),
            }
        )
        for r in triggers
    ]
    hits = pa.concat_tables(pieces)
    context.materialised["trigger_hits"] = register_arrow(
        context.data.backend, context.table_name("trigger_hits"), hits
    )


def screen(
    data: ScreeningInput,
    edition: ResolvedEdition,
    *,
    month: date,
    rule_codes: Iterable[str] | None = None,
    progress: Progress | None = None,
) -> ScreeningResult:
    """Run ``rule_codes`` (default: all) for ``month`` (its first day) under ``edition``."""
    context = Context(data=data, edition=edition, month=month)
    rules = _ordered_rules(rule_codes)
    codes = [r.code for r in rules]
    households = context.data["households"].select(
        "household_id", "household_number", "village_code"
    )
    totals = {family: sum(1 for r in rules if r.family is family) for family in Family}
    done = dict.fromkeys(Family, 0)
    parts: list[pa.Table] = []
    counts: dict[str, int] = {}
    trigger_tables: dict[str, pa.Table] = {}

    for r in rules:
        if r.family is not Family.TRIGGER and "trigger_hits" not in context.materialised:
            _materialise_trigger_hits(context, trigger_tables)
        found = r.build(context).join(households, "household_id")
        # The run id is added after the rules (below): the input files are still being
        # hashed meanwhile (load_input), and it is one constant column.
        expr = found.select(
            edition_id=ibis.literal(edition.edition_id),
            month=ibis.literal(f"{month:%Y-%m}"),
            rule_code=ibis.literal(r.code),
            family=ibis.literal(str(r.family)),
            severity=ibis.literal(str(r.severity)),
            household_id=found.household_id,
            household_number=found.household_number,
            village_code=found.village_code,
            observed=found.observed,
            threshold=found.threshold,
            sources=found.sources,
            reason_zh=found.reason_zh,
        )
        # One query per rule. (A UNION ALL per family was tried for Spark, to pay its per-job
        # overhead once: planning the union took longer than the separate jobs.)
        table = collect(context.data.backend, expr).cast(_WITHOUT_RUN_ID)
        parts.append(table)
        if r.family is Family.TRIGGER:
            trigger_tables[r.code] = table
        counts[r.code] = table.num_rows
        done[r.family] += 1
        if progress is not None:
            progress(FAMILY_LABELS[r.family], done[r.family], totals[r.family])
    run_id = compute_run_id(edition, month, data.file_hashes, codes)
    findings = pa.concat_tables(parts) if parts else _WITHOUT_RUN_ID.empty_table()
    findings = findings.add_column(0, "run_id", _constant(run_id, findings.num_rows))
    # The order is the sort alone, never the backend's row order (DuckDB runs with
    # preserve_insertion_order off; Spark never had one): a rule finds a household at most
    # once, and the other columns only break ties a rule might one day produce.
    findings = findings.cast(RESULT_SCHEMA).sort_by([(name, "ascending") for name in _ORDER])
    findings = findings.combine_chunks().replace_schema_metadata(RESULT_SCHEMA.metadata)
    return ScreeningResult(
        run_id=run_id,
        edition=edition,
        month=month,
        findings=findings,
        counts=counts,
        file_hashes=dict(data.file_hashes),
    )


def _write(result: ScreeningResult, directory: Path) -> None:
    pq.write_table(result.findings, directory / FINDINGS_FILE, compression="zstd")
    (directory / RUN_FILE).write_text(
        json.dumps(result.manifest(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def publish(result: ScreeningResult, out_dir: Path) -> Path:
    """Write ``findings.parquet`` and ``run.json`` into ``out_dir`` atomically.

    Everything is written into a temporary directory beside ``out_dir`` and then renamed into
    place; an earlier result is moved aside first and deleted only after the rename. A run
    killed before the rename leaves the earlier result untouched (plus a ``.tmp-`` directory
    that the next run does not read).
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        staging.chmod(0o755)
        _write(result, staging)
        old: Path | None = None
        if out_dir.exists():
            old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
            shutil.rmtree(old, ignore_errors=True)
            out_dir.rename(old)
        try:
            staging.rename(out_dir)
        except BaseException:
            if old is not None:
                old.rename(out_dir)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir
