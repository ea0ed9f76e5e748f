"""The schema of an edition file: every key, its type, its Chinese label and its direction.

The direction says what a lower level (province, prefecture, county) may do with a value the
level above set:

- ``min``: may only go **up** (the monitoring line, notice days, elimination guards — higher
  means more households protected or a stricter exit);
- ``max``: may only go **down** (deadlines, trigger thresholds — lower means faster, or more
  households caught);
- ``fixed``: cannot be overridden at all (national code lists, the 2010 base line);
- ``free``: may be set to anything valid (local lists, the wording of the income window).

For the evaluation thresholds (DOMAIN.md §6) "stricter" means a harder exit: a lower ceiling on
错退率, 漏评率 and 贫困发生率, a higher floor on 群众认可度, a higher confidence level (a wider
interval passes less). For the integrity signals (§11) it means catching more: a wider bunching
band, a lower share, count or similarity that triggers, a longer "too fast" window, and a lower
minimum of records for a statistical test (a county cannot switch a test off for itself by
raising the minimum above its own size). For the assistance force (帮扶力量) it means closer
care: fewer households per assisting cadre, more visits to each a month.

Booleans compare ``false < true``, so a ``min`` boolean may be switched on below but never off.
A national floor must set every key; an override sets only the keys it changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "CATALOGUE_ITEM_KEYS",
    "CATALOGUE_KINDS",
    "ENTRY_KEYS",
    "FIELDS",
    "FIELDS_BY_KEY",
    "HEADER_KEYS",
    "LIMITS",
    "SECTIONS",
    "Direction",
    "FieldSpec",
    "Kind",
]


class Kind(StrEnum):
    INT = "int"  # whole number (yuan, months, days, counts)
    SHARE = "share"  # a share of income, 0 ≤ x ≤ 1 (int or float in the file)
    RATIO = "ratio"  # a non-negative multiple (may exceed 1)
    BOOL = "bool"
    TEXT = "text"  # non-empty string
    ENUM = "enum"  # one of ``choices``
    CATALOGUE = "catalogue"  # non-empty list of { code, zh, en?, code_table?, confirmed? }
    REGIONS = "regions"  # a catalogue whose codes are real 2-, 4- or 6-digit region codes
    SHARES = "shares"  # non-empty list of distinct shares, each 0 < x < 1, ascending


class Direction(StrEnum):
    MIN = "min"
    MAX = "max"
    FIXED = "fixed"
    FREE = "free"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    key: str
    kind: Kind
    direction: Direction
    label: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()

    @property
    def section(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.key.split(".", 1)[1]


_I, _S, _R, _B, _T, _E, _C, _G, _L = (
    Kind.INT,
    Kind.SHARE,
    Kind.RATIO,
    Kind.BOOL,
    Kind.TEXT,
    Kind.ENUM,
    Kind.CATALOGUE,
    Kind.REGIONS,
    Kind.SHARES,
)
_MIN, _MAX, _FIXED, _FREE = Direction.MIN, Direction.MAX, Direction.FIXED, Direction.FREE

FIELDS: tuple[FieldSpec, ...] = (
    # §2.1 national poverty line
    FieldSpec("poverty_line.amount", _I, _MIN, "扶贫标准（现价）", "元/人·年", low=0),
    FieldSpec(
        "poverty_line.base_amount_2010", _I, _FIXED, "扶贫标准（2010年不变价）", "元/人·年", low=0
    ),
    # §2.2–2.3 monitoring range and its income window
    FieldSpec("monitoring.income_line", _I, _MIN, "监测收入线（监测范围）", "元/人·年", low=0),
    FieldSpec("monitoring.income_window_months", _I, _FREE, "收入计算周期", "月", low=1, high=24),
    FieldSpec("monitoring.income_window_rule", _T, _FREE, "收入计算周期口径"),
    FieldSpec(
        "monitoring.net_of_compliant_oop", _B, _MIN, "人均纯收入扣除合规自付支出后比对监测线"
    ),
    # §2.4 risk triggers (lower threshold = more households caught, so only down)
    FieldSpec(
        "triggers.medical_oop_share", _S, _MAX, "合规自付医疗费用占家庭纯收入比例", "比例", 0, 1
    ),
    FieldSpec("triggers.income_drop_share", _S, _MAX, "收入大幅缩减（较上年降幅）", "比例", 0, 1),
    FieldSpec("triggers.single_hospital_bill", _I, _MAX, "单次住院费用", "元", low=0),
    FieldSpec(
        "triggers.rigid_spending_vs_last_year_income",
        _R,
        _MAX,
        "刚性支出与上年度收入之比",
        "倍",
        low=0,
    ),
    FieldSpec("triggers.social_insurance_stop_months", _I, _MAX, "社保连续停缴", "月", low=1),
    # §1 monitoring-object types
    FieldSpec("objects.types", _C, _FIXED, "监测对象类型"),
    # §2.4 risk types
    FieldSpec("risks.types", _C, _FIXED, "致贫/返贫风险类型"),
    FieldSpec("risks.max_per_household", _I, _FIXED, "每户最多登记风险数", "项", low=1),
    FieldSpec("risks.disaster_subtypes", _C, _FREE, "因自然灾害子项"),
    # §4.1 measure catalogue
    FieldSpec("measures.categories", _C, _FIXED, "帮扶措施类别"),
    # §3.3 time limits
    FieldSpec("procedure.day_kind", _E, _FIXED, "时限计日方式", choices=("working", "calendar")),
    FieldSpec("procedure.identification_days", _I, _MAX, "识别认定时限（线索到认定）", "日", low=1),
    # Verification (入户核实) is the first step of identification, so it may not end later:
    # resolve refuses a verification_days above identification_days (see LIMITS below).
    FieldSpec("procedure.verification_days", _I, _MAX, "入户核实时限（预警到核实）", "日", low=1),
    FieldSpec("procedure.elimination_days", _I, _MAX, "风险消除办理时限", "日", low=1),
    FieldSpec("procedure.notice_days", _I, _MIN, "村级公示天数（不少于）", "日", low=1),
    # §5 elimination guards (each clause configurable; only stricter below)
    FieldSpec(
        "elimination.min_months_since_identification",
        _I,
        _MIN,
        "识别后满（月）方可消除",
        "月",
        low=0,
    ),
    FieldSpec(
        "elimination.min_measures_for_risk", _I, _MIN, "针对风险的帮扶措施（至少）", "项", low=0
    ),
    FieldSpec("elimination.min_income_stable_months", _I, _MIN, "收入稳定（至少）", "月", low=0),
    FieldSpec("elimination.require_income_above_line", _B, _MIN, "人均纯收入须稳定高于监测线"),
    FieldSpec("elimination.require_three_guarantees", _B, _MIN, "三保障须巩固"),
    FieldSpec("elimination.require_water", _B, _MIN, "饮水安全须巩固"),
    FieldSpec("elimination.require_no_new_risk", _B, _MIN, "须无新增风险"),
    FieldSpec(
        "elimination.block_whole_household_no_labour", _B, _MIN, "整户无劳动能力户暂不标注消除"
    ),
    # §6 exit standards and third-party evaluation (三率一度); rates must be *below* a max
    # and approval *at least* the min (fangpin.sampling.verdict)
    FieldSpec("evaluation.wrong_exit_rate_max", _S, _MAX, "错退率（须低于）", "比例", 0, 1),
    FieldSpec("evaluation.omission_rate_max", _S, _MAX, "漏评率（须低于）", "比例", 0, 1),
    FieldSpec("evaluation.approval_rate_min", _S, _MIN, "群众认可度（不低于）", "比例", 0, 1),
    FieldSpec(
        "evaluation.incidence_max", _S, _MAX, "贫困发生率（村、县退出，须低于）", "比例", 0, 1
    ),
    FieldSpec(
        "evaluation.incidence_max_west", _S, _MAX, "贫困发生率（西部地区，须低于）", "比例", 0, 1
    ),
    FieldSpec(
        "evaluation.registry_incidence_max",
        _S,
        _MAX,
        "退出年度系统内贫困发生率（不得高于）",
        "比例",
        0,
        1,
    ),
    FieldSpec("evaluation.western_region_prefixes", _G, _FIXED, "适用西部标准的地区"),
    # A confidence level of 1 would make every interval infinite.
    FieldSpec("evaluation.confidence_level", _S, _MIN, "评估置信水平", "比例", 0.5, 0.999),
    # §11 [D] automated integrity signals (warnings for a person to review, never verdicts).
    # The bounds keep every edition inside what fangpin.integrity.IntegritySettings accepts.
    FieldSpec(
        "integrity.bunching_band_share", _S, _MIN, "收入聚集带宽（线上比例）", "比例", 0.001, 0.5
    ),
    FieldSpec("integrity.bunching_min_households", _I, _MAX, "聚集检验最少户数", "户", low=1),
    FieldSpec("integrity.transfer_share_max", _S, _MAX, "转移性收入占纯收入比例", "比例", 0.01, 1),
    FieldSpec("integrity.fast_elimination_months", _I, _MIN, "识别后过快消除（月内）", "月", low=1),
    FieldSpec(
        "integrity.same_day_eliminations_min", _I, _MAX, "同村同日集中消除（不少于）", "户", low=2
    ),
    FieldSpec(
        "integrity.identical_income_min_households", _I, _MAX, "收入完全相同（不少于）", "户", low=2
    ),
    FieldSpec("integrity.quota_shares", _L, _FIXED, "疑似名额比例"),
    FieldSpec("integrity.quota_tolerance", _S, _MIN, "名额比例容差", "比例", 0, 0.05),
    FieldSpec("integrity.benford_min_records", _I, _MAX, "首位数字检验最少记录数", "条", low=10),
    FieldSpec("integrity.copied_note_similarity", _S, _MAX, "记录雷同相似度", "比例", 0.5, 1),
    # The assisting cadres' duty of care (帮扶责任人, DOMAIN.md §0 不摘帮扶, §4.2) [D]: no
    # national source gives a number; provinces set them (commonly 5 households or fewer).
    FieldSpec(
        "force.max_households_per_cadre", _I, _MAX, "每名帮扶责任人联系户数（不超过）", "户", low=1
    ),
    FieldSpec("force.visits_per_month", _I, _MIN, "帮扶责任人每月走访每户（不少于）", "次", low=0),
)

FIELDS_BY_KEY: dict[str, FieldSpec] = {spec.key: spec for spec in FIELDS}

# Keys whose resolved value may not exceed another key's resolved value: (key, ceiling key).
# Checked on every resolved chain (national floors alone too), since a county that shortens
# the ceiling must shorten the key with it.
LIMITS: tuple[tuple[str, str], ...] = (
    ("procedure.verification_days", "procedure.identification_days"),
    # The western incidence line relaxes the general one (3% vs 2%, DOMAIN.md §6.1), never
    # the other way round: a western county that lowers it lowers the general line with it.
    ("evaluation.incidence_max", "evaluation.incidence_max_west"),
)
SECTIONS: tuple[str, ...] = tuple(dict.fromkeys(spec.section for spec in FIELDS))

# Keys of the [edition] header: name → (required, kind).
HEADER_KEYS: dict[str, tuple[bool, Kind]] = {
    "year": (True, Kind.INT),
    "region": (True, Kind.TEXT),
    "title": (True, Kind.TEXT),
    "basis": (True, Kind.TEXT),
    "example": (False, Kind.BOOL),
}
# Keys of one value entry: { value = …, confirmed = …, source = "…" }.
ENTRY_KEYS = ("value", "confirmed", "source")
# Kinds whose value is a tuple of CatalogueItem.
CATALOGUE_KINDS = frozenset({Kind.CATALOGUE, Kind.REGIONS})
# Keys of one catalogue item; ``code`` and ``zh`` are required.
CATALOGUE_ITEM_KEYS = ("code", "zh", "en", "code_table", "confirmed")


def _check_schema() -> None:
    """Refuse a schema whose direction cannot be compared (lists and text are not ordered)."""
    for spec in FIELDS:
        ordered = spec.kind in {Kind.INT, Kind.SHARE, Kind.RATIO, Kind.BOOL}
        if spec.direction in {Direction.MIN, Direction.MAX} and not ordered:
            raise AssertionError(f"{spec.key}: {spec.direction} needs an ordered kind")
        if (spec.kind is Kind.ENUM) != bool(spec.choices):
            raise AssertionError(f"{spec.key}: choices go with enum fields only")


_check_schema()
