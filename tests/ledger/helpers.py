"""A finding of an unannounced visit in 土地村, for the ledger tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from fangpin.ledger import Dimension, Problem, Source

TUDI = "433124102201"
FOUND = date(2026, 3, 2)


def finding(**changes: Any) -> Problem:
    problem = Problem(
        source=Source.UNANNOUNCED_VISIT,
        source_batch="2026年第1轮暗访",
        found_on=FOUND,
        region_code=TUDI,
        dimension=Dimension.HOUSING,
        description="龙再田户住房为C级危房，仍在居住",
        lead_unit="花垣县住房和城乡建设局",
        deadline=date(2026, 3, 22),
        responsible_units=("龙潭镇人民政府",),
        responsible_person="石建国",
        evidence=("暗访照片 IMG_0312.jpg",),
        household_ids=(17,),
    )
    return replace(problem, **changes)
