"""run_all: every detector with its inputs, the summary, the findings table, and determinism."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from fangpin.integrity import (
    CODE_ZH,
    DETECTORS,
    FINDINGS_SCHEMA,
    FINDINGS_VERSION,
    Code,
    IntegritySettings,
    run_all,
)
from fangpin.synth import SynthConfig, VillageSpec, generate
from tests.integrity.builders import (
    OTHER_VILLAGE,
    SETTINGS,
    YEAR,
    concat,
    elimination,
    eliminations,
    finance,
    finances,
    households,
    monitorings,
    number,
    person,
    persons,
    posts,
    visit,
    visits,
)

NOTE = (
    "入户走访了解到该户家庭收入主要来源于外出务工，两个孩子均在镇中学正常上学，"
    "住房经鉴定安全，饮水有保障，暂无返贫风险。"
)
ASSESSMENTS = (date(2024, 11, 25),)


def _tables() -> dict[str, pa.Table]:
    """One village where most detectors fire, next to a quiet one."""
    ids = range(1, 121)
    money = [finance(h, size=2, wage_local=20000 + 37 * h) for h in range(9, 121)]
    money += [
        finance(1, size=2, wage_local=14360),  # BUNCHING
        finance(2, size=2, tr_pension=12000, wage_local=3000),  # TRANSFER_DEPENDENCE
        finance(3, size=2, wage_local=12000, tr_disaster_relief=3000),  # ONE_OFF
        finance(4, size=1, wage_local=24000),  # PAPER_WAGE (member 41 has no labour)
        finance(5, size=2, prod_crops=5000, wage_public_welfare_post=6000),  # PAPER_*
        finance(6, size=1, wage_local=9100),  # IDENTICAL_INCOME with 7 and 8
        finance(7, size=2, wage_local=18200),
        finance(8, size=3, wage_local=27300),
    ]
    people = [person(10 * h + 1, h) for h in ids if h not in (4, 5)]
    people += [
        person(41, 4, labour="50"),
        person(51, 5, labour="40"),
        person(52, 5, labour="50", status="deceased", death=date(2023, 4, 1)),
        person(9009, 9, death=date(2023, 2, 2)),  # DECEASED_STILL_ACTIVE
    ]
    return {
        "households": concat(households(ids), households(range(200, 210), village=OTHER_VILLAGE)),
        "persons": persons(people),
        "finances": finances(money),
        "monitorings": monitorings([number(h) for h in range(1, 7)]),  # 6 of 120: 5.0%
        "eliminations": eliminations(
            [elimination(h, date(2024, 11, 20)) for h in range(10, 16)]  # SAME_DAY
            + [elimination(16, date(2024, 4, 20), identified=date(2024, 3, 10))]  # FAST
            + [elimination(17, date(2024, 6, 30), income=6800)]  # BELOW_LINE
        ),
        "visits": visits([visit(1, 20, NOTE), visit(2, 21, NOTE), visit(3, 22, "已走访")]),
        "posts": posts([(2, YEAR)]),
    }


TABLES = _tables()


def _run(tables: dict[str, pa.Table]):
    return run_all(settings=SETTINGS, year=YEAR, assessments=ASSESSMENTS, **tables)


def test_run_all_runs_every_detector_and_summarises() -> None:
    report = _run(TABLES)

    counts = {s.code: s.findings for s in report.summary}
    assert counts == {
        "BUNCHING": 1,
        "BUNCHING_DENSITY": 0,
        "TRANSFER_DEPENDENCE": 1,
        "ONE_OFF_TRANSFER_EXIT": 1,
        "PAPER_WAGE": 2,  # 4, and 5 whose post wage is a wage too
        "PAPER_PRODUCTION": 1,
        "PAPER_POST_WAGE": 1,
        "FAST_ELIMINATION": 1,
        "ELIMINATED_BELOW_LINE": 1,
        "SAME_DAY_ELIMINATIONS": 1,
        "IDENTICAL_INCOME": 1,
        "DIGIT_PREFERENCE": 0,
        "BENFORD": 1,  # the village's wages all lie between 20,000 and 25,000
        "COPIED_NOTES": 1,
        "DECEASED_COUNTED": 2,  # 5, and 9 whose active member has a death date
        "DECEASED_STILL_ACTIVE": 1,
        "ROUND_QUOTA": 1,
    }
    assert all(s.ran and s.note == "" for s in report.summary)
    assert [s.title for s in report.summary] == [CODE_ZH[d.code] for d in DETECTORS]
    assert [(f.code, f.subject_id) for f in report.findings] == [
        ("BENFORD", "433124102201"),
        ("BUNCHING", "1"),
        ("COPIED_NOTES", "张三"),
        ("DECEASED_COUNTED", "5"),
        ("DECEASED_COUNTED", "9"),
        ("DECEASED_STILL_ACTIVE", "9"),
        ("ELIMINATED_BELOW_LINE", "17"),
        ("FAST_ELIMINATION", "16"),
        ("IDENTICAL_INCOME", "433124102201"),
        ("ONE_OFF_TRANSFER_EXIT", "3"),
        ("PAPER_POST_WAGE", "5"),
        ("PAPER_PRODUCTION", "5"),
        ("PAPER_WAGE", "4"),
        ("PAPER_WAGE", "5"),
        ("ROUND_QUOTA", "433124102201"),
        ("SAME_DAY_ELIMINATIONS", "433124102201"),
        ("TRANSFER_DEPENDENCE", "2"),
    ]


def test_detectors_without_their_inputs_or_lines_are_skipped_with_a_reason() -> None:
    report = run_all(
        settings=IntegritySettings(lines={"poverty": 4000}),
        year=YEAR,
        households=TABLES["households"],
        finances=TABLES["finances"],
        eliminations=TABLES["eliminations"],
    )

    notes = {s.code: s.note for s in report.summary if not s.ran}
    assert notes == {
        "PAPER_WAGE": "缺少输入表：persons",
        "PAPER_PRODUCTION": "缺少输入表：persons",
        "PAPER_POST_WAGE": "缺少输入表：posts",
        "ELIMINATED_BELOW_LINE": "未设置监测线（lines 中缺少 monitoring）",
        "COPIED_NOTES": "缺少输入表：visits",
        "DECEASED_COUNTED": "缺少输入表：persons",
        "DECEASED_STILL_ACTIVE": "缺少输入表：persons",
        "ROUND_QUOTA": "缺少输入表：monitorings",
    }
    assert all(s.findings == 0 for s in report.summary if not s.ran)


def test_with_no_tables_nothing_runs() -> None:
    report = run_all(settings=IntegritySettings(), year=YEAR)

    assert report.findings == ()
    assert [s.ran for s in report.summary] == [False] * len(DETECTORS)
    assert {s.code for s in report.summary} == {c.value for c in Code}
    assert report.summary[0].note == "缺少输入表：households、finances"


def test_the_findings_table_has_the_versioned_schema() -> None:
    report = _run(TABLES)

    table = report.table()

    assert table.schema == FINDINGS_SCHEMA
    assert table.schema.metadata[b"findings_version"] == FINDINGS_VERSION.encode()
    assert table.num_rows == len(report.findings)
    first = table.slice(1, 1).to_pylist()[0]
    assert first == {
        "code": "BUNCHING",
        "subject_kind": "household",
        "subject_id": "1",
        "region_code": "433124102201",
        "year": 2024,
        "severity": "info",
        "observed": report.findings[1].observed,
        "threshold": 0.05,
        "explanation": "2024年人均纯收入7,180元，仅高于监测线7,100元1.1%（在5%以内）",
    }


def _shuffled(tables: dict[str, pa.Table], rng: random.Random) -> dict[str, pa.Table]:
    result = {}
    for name, table in tables.items():
        order = list(range(table.num_rows))
        rng.shuffle(order)
        result[name] = table.take(pa.array(order, pa.int64()))
    return result


@settings(max_examples=12, deadline=None)
@given(st.randoms(use_true_random=False))
def test_findings_do_not_depend_on_row_order(rng: random.Random) -> None:
    assert _run(_shuffled(TABLES, rng)).findings == _run(TABLES).findings


def test_runs_are_deterministic() -> None:
    assert _run(TABLES) == _run(TABLES)


def test_a_synthetic_county_snapshot_is_read_as_it_is() -> None:
    root = Path(__file__).resolve().parents[1] / "fixtures" / "regions"
    towns = {}
    for line in (root / "streets.csv").read_text("utf-8").splitlines()[1:]:
        code, name, area, *_ = line.split(",")
        if area == "433124":
            towns[code] = name.strip('"')
    villages = []
    for line in (root / "villages.csv").read_text("utf-8").splitlines()[1:]:
        code, name, street, *_ = line.split(",")
        if street in towns:
            villages.append(VillageSpec(code, name.strip('"'), f"{street}000", towns[street]))
    chunks = list(generate(villages, "433124", SynthConfig(households=800), county_name="花垣县"))
    snapshot = {n: pa.concat_tables(c.registry[n] for c in chunks) for n in chunks[0].registry}

    report = run_all(
        settings=SETTINGS,
        year=YEAR,
        households=snapshot["households"],
        persons=snapshot["persons"],
        finances=snapshot["finances"],
        monitorings=snapshot["monitorings"],
    )

    ran = {s.code for s in report.summary if s.ran}
    assert ran == {
        "BUNCHING",
        "BUNCHING_DENSITY",
        "TRANSFER_DEPENDENCE",
        "ONE_OFF_TRANSFER_EXIT",
        "PAPER_WAGE",
        "PAPER_PRODUCTION",
        "IDENTICAL_INCOME",
        "DIGIT_PREFERENCE",
        "BENFORD",
        "DECEASED_COUNTED",
        "DECEASED_STILL_ACTIVE",
        "ROUND_QUOTA",
    }
    assert report.table().schema == FINDINGS_SCHEMA
    assert all(f.year == YEAR and f.explanation for f in report.findings)
    assert {f.region_code[:6] for f in report.findings} <= {"433124"}


def test_empty_tables_run_every_detector_and_find_nothing() -> None:
    report = _run({name: table.slice(0, 0) for name, table in TABLES.items()})

    assert report.findings == ()
    assert all(s.ran for s in report.summary)
