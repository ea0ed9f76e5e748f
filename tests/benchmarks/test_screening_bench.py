"""The screening benchmark's hand-written variants (raw SQL, pandas, per-row loop) flag exactly
the households the Ibis rules flag, on a tiny hand-built dataset."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from benchmarks.screening import (
    CORE_RULES,
    INCOME,
    MEDICAL,
    compare,
    core_loop,
    core_pandas,
    hits_from_rows,
    ibis_hits,
    pandas_frames,
    run_sql,
    verdicts,
)
from tests.screening.builders import EDITION, MONTH, YEAR, Builder


def _dataset() -> Builder:
    b = Builder()
    heads = {hid: b.clean(hid) for hid in range(1, 9)}
    # 1: net 14,199.98 for two → 7,099.99 a head, below the 7,100 line.
    b.rows["finances"] = [f for f in b.rows["finances"] if f["household_id"] != 1]
    b.finance(1, YEAR - 1, 2, wage_local="14199.98")
    b.finance(1, YEAR, 2, wage_local="14199.98")
    # 2: 14,200 less 0.01 of expenses for two → 7,099.995 a head, below.
    b.rows["finances"] = [f for f in b.rows["finances"] if f["household_id"] != 2]
    b.finance(2, YEAR - 1, 2, wage_local="14200")
    b.finance(2, YEAR, 2, wage_local="14200", production_expenses="0.01")
    # 8: exactly on the line (14,200 for two) → not below.
    b.rows["finances"] = [f for f in b.rows["finances"] if f["household_id"] != 8]
    b.finance(8, YEAR - 1, 2, wage_local="14200")
    b.finance(8, YEAR, 2, wage_local="14200")
    # 3: exactly 40% of 30,000 with a messy ID number → medical share.
    messy = " " + heads[3].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "\u3000"
    b.claim("C3", messy, total="20000", oop="12000")
    # 4: 11,999.99 → not flagged.
    b.claim("C4", heads[4], total="20000", oop="11999.99")
    # 5: discharged before the window → not flagged.
    b.claim("C5", heads[5], total="90000", oop="40000", discharged=date(2023, 11, 30))
    # 6: one stay sent twice and again under a new id counts once (8,000 < 12,000).
    for claim_id in ("C6", "C6", "C7"):
        b.claim(claim_id, heads[6], total="10000", oop="8000")
    # 7: an inactive household is screened by neither rule.
    b.rows["households"][6]["status"] = "cancelled"
    b.rows["finances"] = [f for f in b.rows["finances"] if f["household_id"] != 7]
    b.finance(7, YEAR, 1, wage_local="100")
    b.claim("C8", heads[7], total="50000", oop="40000")
    return b


EXPECTED = {INCOME: {1, 2}, MEDICAL: {3}}


def test_ibis_rules_flag_the_expected_households() -> None:
    from fangpin.screening import connect, input_from_arrow, screen

    b = _dataset()
    result = screen(
        input_from_arrow(b.tables(), connect()), EDITION, month=MONTH, rule_codes=list(CORE_RULES)
    )

    assert ibis_hits(result.findings) == EXPECTED


def test_raw_sql_flags_the_same_households() -> None:
    connection = duckdb.connect()
    for name, table in _dataset().tables().items():
        connection.register(name, table)

    assert run_sql(connection, EDITION, MONTH) == EXPECTED


def test_pandas_flags_the_same_households() -> None:
    assert core_pandas(pandas_frames(_dataset().tables()), EDITION, MONTH) == EXPECTED


def test_loop_flags_the_same_households() -> None:
    assert core_loop(_dataset().rows, EDITION, MONTH) == EXPECTED


def test_compare_fails_loudly_on_a_difference_and_restricts_to_a_sample() -> None:
    compare(EXPECTED, {INCOME: {2}, MEDICAL: set()}, "loop", only={2, 5})
    with pytest.raises(
        SystemExit, match=r"pandas disagrees on trigger.income_below_line: 1 missing"
    ):
        compare(EXPECTED, {INCOME: {1}, MEDICAL: {3}}, "pandas")


def test_hits_from_rows_ignores_other_rules() -> None:
    rows = [(INCOME, 5), ("trigger.income_drop", 6), (MEDICAL, 7)]

    assert hits_from_rows(rows) == {INCOME: {5}, MEDICAL: {7}}


def test_verdicts_report_the_targets() -> None:
    results = {
        "sql": {"compute_seconds": 1.0, "seconds": 1.0},
        "ibis_core": {"compute_seconds": 1.0, "seconds": 1.2},
        "pandas": {"compute_seconds": 1.0, "seconds": 6.0},
        "ibis_full": {"seconds": 5.0, "peak_rss_mib": 900.0},
    }

    assert verdicts(results, 1_000_000) == [
        "Targets at 1,000,000 persons:",
        "- Ibis on DuckDB within 1.3× of raw SQL (incl. reading the files): 1.20× — met.",
        "- Ibis ≥ 3× faster than pandas (incl. reading the files): 5.00× — met.",
        "- 10M persons screened (all rules) in under a minute: not measured at 10M; 5.0 s here,"
        " ~50 s if linear — on track (not measured).",
        "- Memory bounded: DuckDB memory_limit 2GB (spills to a temp directory beyond it); full "
        "DuckDB run peak RSS 900.0 MiB at this size (compare sizes to judge growth).",
    ]


def test_verdicts_judge_the_ten_million_target_only_when_measured() -> None:
    results = {"ibis_full": {"seconds": 139.6, "peak_rss_mib": 8995.9}}

    assert verdicts(results, 9_984_101)[1] == (
        "- 10M persons screened (all rules) in under a minute: 139.6 s measured at this size"
        " — not met."
    )
