"""Chinese column labels of the measures, by field name: one wording for the command and pages.

Each is a tuple of (field, label) in display order; the field names are those of
:class:`~fangpin.measures.SummaryRow`, :class:`~fangpin.measures.GroupMpi` and
:meth:`~fangpin.measures.MpiResult.indicator_rows` (plus ``column``, the input column).
"""

from __future__ import annotations

__all__ = ["INDICATOR_LABELS", "MPI_GROUP_LABELS", "SUMMARY_LABELS", "TOTAL_LABEL"]

Labels = tuple[tuple[str, str], ...]

TOTAL_LABEL = "合计"

SUMMARY_LABELS: Labels = (
    ("group", "分组"),
    ("population", "人口"),
    ("poor", "贫困人口"),
    ("headcount", "贫困发生率 H"),
    ("gap", "贫困深度 P1"),
    ("severity", "贫困强度 P2"),
    ("watts", "Watts"),
    ("sen", "Sen"),
    ("sst", "SST"),
    ("gini", "基尼系数"),
    ("theil", "泰尔指数 T"),
    ("mld", "平均对数偏差"),
    ("atkinson_1", "阿特金森 ε=1"),
    ("atkinson_2", "阿特金森 ε=2"),
    ("mean_income", "人均收入"),
)

MPI_GROUP_LABELS: Labels = (
    ("group", "分组"),
    ("population", "人口"),
    ("population_share", "人口占比"),
    ("poor", "多维贫困人口"),
    ("H", "多维贫困发生率 H"),
    ("A", "平均剥夺份额 A"),
    ("M0", "M0"),
    ("contribution", "对 M0 贡献率"),
)

INDICATOR_LABELS: Labels = (
    ("indicator", "指标"),
    ("column", "列"),
    ("cutoff", "临界值"),
    ("weight", "权重"),
    ("uncensored_headcount", "剥夺率"),
    ("censored_headcount", "删减后剥夺率"),
    ("contribution", "对 M0 贡献率"),
)
