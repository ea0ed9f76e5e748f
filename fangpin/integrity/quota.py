"""Round quotas (DOMAIN.md §11 [D] signal 8: quota smells).

Provinces once capped the share of monitoring objects (e.g. at 5% or 10% of households); caps
were banned, so a region whose share sits exactly on such a round figure may still be
identifying to a quota. A signal for a person to review, never a verdict: with a few hundred
households some regions land on 5% by chance — the finding asks whether a cap was applied.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fangpin.integrity.frame import Data, groups, region_codes
from fangpin.integrity.model import (
    Code,
    Finding,
    IntegritySettings,
    Severity,
    SubjectKind,
    make_finding,
    ordered,
)
from fangpin.integrity.text import percent, region_label

__all__ = ["QUOTA_MIN_HOUSEHOLDS", "SHARES_SCHEMA", "monitoring_shares", "round_quota"]

#: Regions with fewer households are not judged: one household moves the share too much.
QUOTA_MIN_HOUSEHOLDS = 100

SHARES_SCHEMA = pa.schema(
    [
        pa.field("level", pa.string(), nullable=False),  # village / township / county
        pa.field("region_code", pa.string(), nullable=False),
        pa.field("households", pa.int64(), nullable=False),
        pa.field("monitoring_objects", pa.int64(), nullable=False),
        pa.field("share", pa.float64(), nullable=False),
    ],
    metadata={"table": "monitoring_shares"},
)


def _shares(data: Data) -> pa.Table:
    h = data.active_households
    m = data.tables["monitorings"]
    m = m.filter(
        pc.and_(
            m.column("is_current"),
            pc.less_equal(pc.year(m.column("identified_month")), data.year),
        )
    )
    numbers = h.column("household_number")
    monitored = np.asarray(
        pc.is_in(numbers, value_set=m.column("household_number").combine_chunks()).to_numpy(
            zero_copy_only=False
        ),
        dtype=bool,
    )
    village = np.asarray(h.column("village_code").to_numpy(zero_copy_only=False), dtype=object)
    rows: dict[str, list[object]] = {name: [] for name in SHARES_SCHEMA.names}
    for level in ("village", "township", "county"):
        for code, members in groups(region_codes(village, level)):
            objects = int(np.count_nonzero(monitored[members]))
            rows["level"].append(level)
            rows["region_code"].append(code)
            rows["households"].append(len(members))
            rows["monitoring_objects"].append(objects)
            rows["share"].append(objects / len(members))
    return pa.Table.from_pydict(rows, schema=SHARES_SCHEMA)


def _round_quota(data: Data, settings: IntegritySettings) -> list[Finding]:
    shares = _shares(data).to_pylist()
    findings = []
    for row in shares:
        if row["households"] < QUOTA_MIN_HOUSEHOLDS:
            continue
        near = [
            q for q in settings.quota_shares if abs(row["share"] - q) <= settings.quota_tolerance
        ]
        if not near:
            continue
        quota = min(near, key=lambda q: (abs(row["share"] - q), q))
        level, code = row["level"], row["region_code"]
        findings.append(
            make_finding(
                Code.ROUND_QUOTA,
                SubjectKind(level),
                code,
                code,
                data.year,
                Severity.INFO,
                {
                    "households": row["households"],
                    "monitoring_objects": row["monitoring_objects"],
                    "share": row["share"],
                    "quota": quota,
                },
                settings.quota_tolerance,
                f"{region_label(level, code)}共有农户{row['households']}户，"
                f"监测对象{row['monitoring_objects']}户，占{percent(row['share'], 2)}，"
                f"与{percent(quota, 0)}相差不超过{settings.quota_tolerance * 100:g}个百分点"
                f"（监测对象不得设比例上限，请核实是否按比例控制）",
            )
        )
    return findings


def monitoring_shares(households: pa.Table, monitorings: pa.Table, *, year: int) -> pa.Table:
    """Monitoring objects ÷ active households per village, township and county (SHARES_SCHEMA).

    A monitoring object is an active household with a current spell identified by ``year``
    (risk eliminated or not: it stays a monitoring object). Rows: villages, then townships,
    then counties, each in code order.
    """
    return _shares(Data(year=year, households=households, monitorings=monitorings))


def round_quota(
    households: pa.Table, monitorings: pa.Table, *, settings: IntegritySettings, year: int
) -> list[Finding]:
    """Flag regions of ≥ QUOTA_MIN_HOUSEHOLDS whose monitoring share is a quota ± tolerance.

    Quotas are ``quota_shares`` (5% and 10%), within ``quota_tolerance`` (0.2 percentage
    points). A signal for review, never a verdict.
    """
    return ordered(
        _round_quota(Data(year=year, households=households, monitorings=monitorings), settings)
    )
