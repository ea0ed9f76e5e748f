"""Request and response shapes. Responses carry codes *and* Chinese labels, masked ID and
phone numbers only (``*_masked``), and money as strings with two decimals.

Inputs forbid unknown fields (SEC-AC-4: ``status``, ``village`` … cannot be smuggled into a
PATCH), bound every string and integer to what the database column holds, and refuse NUL
characters, so a malformed request is a 422, never a database error.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from ninja import Schema
from pydantic import ConfigDict, Field

from fangpin import codes, income
from fangpin.registry.masking import HEALTH_FIELDS, mask_health, mask_id, mask_phone

_NO_NUL = r"^[^\x00]*$"
MAX_ID = 2_147_483_647


def text(max_length: int) -> Any:
    """A string of at most ``max_length`` characters without NUL."""
    return Annotated[str, Field(max_length=max_length, pattern=_NO_NUL)]


Code = Annotated[str, Field(max_length=2, pattern=r"^[0-9A-Za-z]*$")]
# Households and persons are named by their public UUID, in paths and in bodies alike
# (SEC-MSK-3): their row ids never travel in or out of the API.
PublicId = Annotated[UUID, Field(description="公开标识（UUID）")]
Money = Annotated[Decimal, Field(ge=0, le=Decimal("99999999.99"), max_digits=12, decimal_places=2)]


def label(table: str, code: str) -> str:
    """The Chinese label of ``code`` in ``table``; "" for an empty code, the code if unknown."""
    if not code:
        return ""
    try:
        return codes.table(table).label(code)
    except codes.CodeError:
        return code


def masked(obj: Any, field: str) -> str:
    """The display form of ``field`` (``id_number`` or ``phone``): the stored ``*_masked`` column
    when the model has one, else masked here — never the plain value."""
    stored = getattr(obj, f"{field}_masked", None)
    if isinstance(stored, str):
        return stored
    raw = getattr(obj, field, "") or ""
    return mask_id(raw) if field == "id_number" else mask_phone(raw)


def money(value: Decimal | int | None) -> str:
    return format(Decimal(value or 0).quantize(Decimal("0.01")), "f")


# --- Errors -----------------------------------------------------------------------------------


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class InvalidItemOut(Schema):
    field: str
    type: str
    message: str


class InvalidOut(Schema):
    code: Literal["invalid"]
    message: str
    errors: list[InvalidItemOut]


def responses(ok: int, schema: Any) -> dict[int, Any]:
    """The documented answers of an operation: its success plus every error shape."""
    return {
        ok: schema,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: InvalidOut,
    }


# --- Households -------------------------------------------------------------------------------


class HouseholdOut(Schema):
    id: UUID
    household_number: str
    village_code: str
    village_name: str
    natural_village: str
    address: str
    household_type: str
    household_type_label: str
    phone_masked: str
    is_relocated: bool
    relocation_mode: str
    relocation_mode_label: str
    relocation_site: str
    status: str
    status_label: str
    monitoring_status: str  # none / open / eliminated: the current monitoring spell
    monitoring_status_label: str
    monitoring_type: str  # UNSTABLE / MARGINAL / SUDDEN, "" when not monitored
    monitoring_type_label: str
    head_name: str
    member_count: int
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def of(h: Any) -> HouseholdOut:
        return HouseholdOut(
            id=h.public_id,
            household_number=h.household_number,
            village_code=h.village.code,
            village_name=h.village.name,
            natural_village=h.natural_village,
            address=h.address,
            household_type=h.household_type,
            household_type_label=label("household_type", h.household_type),
            phone_masked=masked(h, "phone"),
            is_relocated=h.is_relocated,
            relocation_mode=h.relocation_mode,
            relocation_mode_label=label("relocation_mode", h.relocation_mode),
            relocation_site=h.relocation_site,
            status=h.status,
            status_label=label("household_status", h.status),
            monitoring_status=h.monitoring_status,
            monitoring_status_label=label("monitoring_status", h.monitoring_status),
            monitoring_type=h.monitoring_type,
            monitoring_type_label=label("monitoring_type", h.monitoring_type),
            head_name=getattr(h, "head_name", ""),
            member_count=getattr(h, "member_count", 0),
            version=h.version,
            created_at=h.created_at,
            updated_at=h.updated_at,
        )


class HouseholdPageOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[HouseholdOut]


class HouseholdSearchOut(Schema):
    items: list[HouseholdOut]


class MonitoringRiskOut(Schema):
    position: int  # 1–5 (致贫/返贫风险1…5)
    risk_type: str
    risk_type_label: str
    disaster_subtype: str  # only for risk_type 02 (因自然灾害)
    disaster_subtype_label: str


class MonitoringOut(Schema):
    """A monitoring spell (监测对象记录); months are the first day of the month."""

    object_type: str
    object_type_label: str
    status: str  # open / eliminated
    status_label: str
    identified_month: date
    eliminated_month: date | None
    elimination_mode: str
    elimination_mode_label: str
    no_labour_backstop: bool
    is_current: bool
    risks: list[MonitoringRiskOut]

    @staticmethod
    def of(m: Any) -> MonitoringOut:
        return MonitoringOut(
            object_type=m.object_type,
            object_type_label=label("monitoring_type", m.object_type),
            status=m.status,
            status_label=label("monitoring_status", m.status),
            identified_month=m.identified_month,
            eliminated_month=m.eliminated_month,
            elimination_mode=m.elimination_mode,
            elimination_mode_label=label("elimination_mode", m.elimination_mode),
            no_labour_backstop=m.no_labour_backstop,
            is_current=m.is_current,
            risks=[
                MonitoringRiskOut(
                    position=r.position,
                    risk_type=r.risk_type,
                    risk_type_label=label("risk_type", r.risk_type),
                    disaster_subtype=r.disaster_subtype,
                    disaster_subtype_label=label("disaster_subtype", r.disaster_subtype),
                )
                for r in m.risks.all()
            ],
        )


class HouseholdDetailOut(HouseholdOut):
    """A household with its current monitoring spell (``null`` when never monitored)."""

    monitoring: MonitoringOut | None


class IdSearchIn(Schema):
    model_config = ConfigDict(extra="forbid")
    id_number: text(40)  # type: ignore[valid-type]


# --- Persons ----------------------------------------------------------------------------------

_PERSON_CODED = (
    ("sex", "sex"),
    ("id_type", "id_type"),
    ("relation", "relation"),
    ("ethnicity", "ethnicity"),
    ("education", "education"),
    ("student_status", "student_status"),
    ("out_of_school_reason", "out_of_school_reason"),
    ("health", "health"),
    ("disability_grade", "disability_grade"),
    ("disability_category", "disability_category"),
    ("labour_ability", "labour_ability"),
    ("status", "person_status"),
)

_PERSON_FLAGS = (
    "has_resident_medical",
    "has_employee_medical",
    "has_critical_illness",
    "has_resident_pension",
    "has_employee_pension",
    "is_dibao",
    "is_tekun",
)


_MASKED_HEALTH = "已隐藏：健康信息属敏感个人信息，对所有人员一律显示“已隐藏”"


class PersonOut(Schema):
    """A person; ID and phone numbers masked, health details masked for everyone."""

    id: UUID
    household_id: UUID
    name: str
    id_number_masked: str
    phone_masked: str
    birth_date: date
    death_date: date | None
    migrant_work_months: int
    migrant_employer: str
    version: int
    sex: str
    sex_label: str
    id_type: str
    id_type_label: str
    relation: str
    relation_label: str
    ethnicity: str
    ethnicity_label: str
    education: str
    education_label: str
    student_status: str
    student_status_label: str
    out_of_school_reason: str
    out_of_school_reason_label: str
    health: str = Field(description=_MASKED_HEALTH)
    health_label: str = Field(description=_MASKED_HEALTH)
    disability_grade: str = Field(description=_MASKED_HEALTH)
    disability_grade_label: str = Field(description=_MASKED_HEALTH)
    disability_category: str = Field(description=_MASKED_HEALTH)
    disability_category_label: str = Field(description=_MASKED_HEALTH)
    health_masked: bool = Field(
        description=(
            "健康状况、残疾等级、残疾类别已隐藏"
            "（始终为 true；明文见 POST /persons/{person_id}/reveal）"
        )
    )
    labour_ability: str
    labour_ability_label: str
    status: str
    status_label: str
    has_resident_medical: bool
    has_employee_medical: bool
    has_critical_illness: bool
    has_resident_pension: bool
    has_employee_pension: bool
    is_dibao: bool
    is_tekun: bool

    @staticmethod
    def of(p: Any) -> PersonOut:
        values: dict[str, Any] = {
            "id": p.public_id,
            "household_id": p.household.public_id,
            "name": p.name,
            "id_number_masked": masked(p, "id_number"),
            "phone_masked": masked(p, "phone"),
            "birth_date": p.birth_date,
            "death_date": p.death_date,
            "migrant_work_months": p.migrant_work_months,
            "migrant_employer": p.migrant_employer,
            "version": p.version,
        }
        for field, table in _PERSON_CODED:
            if field in HEALTH_FIELDS:  # sensitive PI, encrypted: masked alike, not decrypted
                values[field] = values[f"{field}_label"] = mask_health()
            else:
                code = getattr(p, field)
                values[field] = code
                values[f"{field}_label"] = label(table, code)
        values["health_masked"] = True
        for flag in _PERSON_FLAGS:
            values[flag] = getattr(p, flag)
        return PersonOut(**values)


class RevealIn(Schema):
    """What to show in clear, and why (the reason is kept in the audit log)."""

    model_config = ConfigDict(extra="forbid")
    field: Literal["id_number", "phone", "health"] = Field(
        description="id_number 证件号码、phone 联系电话、health 健康状况（含残疾等级、类别）"
    )
    reason: str = Field(
        max_length=500, pattern=_NO_NUL, description="查看理由（必填，记入审计日志）"
    )


class HealthOut(Schema):
    health: str
    health_label: str
    disability_grade: str
    disability_grade_label: str
    disability_category: str
    disability_category_label: str


class RevealOut(Schema):
    """The revealed value: ``value`` for a number, ``health`` (and a one-line ``value``) for
    health details."""

    person_id: UUID
    field: str
    value: str
    health: HealthOut | None = None


class PersonIn(Schema):
    """One person as :class:`fangpin.registry.validation.PersonInput` takes it; the plain ID
    number appears only here, in a request body."""

    model_config = ConfigDict(extra="forbid")
    name: text(50)  # type: ignore[valid-type]
    id_number: text(40)  # type: ignore[valid-type]
    relation: Code
    id_type: Code = "1"
    sex: Code | None = None
    birth_date: date | None = None
    ethnicity: Code = "01"
    education: Code = "90"
    student_status: Code = "00"
    out_of_school_reason: Code = ""
    health: Code = "10"
    disability_grade: Code = ""
    disability_category: Code = ""
    labour_ability: Code = "10"
    migrant_work_months: int = Field(0, ge=0, le=255)
    migrant_employer: text(200) = ""  # type: ignore[valid-type]
    phone: text(20) = ""  # type: ignore[valid-type]
    has_resident_medical: bool = False
    has_employee_medical: bool = False
    has_critical_illness: bool = False
    has_resident_pension: bool = False
    has_employee_pension: bool = False
    is_dibao: bool = False
    is_tekun: bool = False


class HouseholdCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")
    village_code: str = Field(pattern=r"^[0-9]{12}$")
    household_type: Code
    head: PersonIn
    members: list[PersonIn] = Field(default_factory=list, max_length=30)
    registered_on: date
    natural_village: text(100) = ""  # type: ignore[valid-type]
    address: text(200) = ""  # type: ignore[valid-type]
    phone: text(20) = ""  # type: ignore[valid-type]
    is_relocated: bool = False
    relocation_mode: Code = ""
    relocation_site: text(200) = ""  # type: ignore[valid-type]
    household_number: text(32) | None = None  # type: ignore[valid-type]


class HouseholdPatchIn(Schema):
    """The editable attributes; ``version`` is the one the client read (409 when stale)."""

    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1, le=MAX_ID)
    natural_village: text(100) | None = None  # type: ignore[valid-type]
    address: text(200) | None = None  # type: ignore[valid-type]
    household_type: Code | None = None
    phone: text(20) | None = None  # type: ignore[valid-type]
    is_relocated: bool | None = None
    relocation_mode: Code | None = None
    relocation_site: text(200) | None = None  # type: ignore[valid-type]


class MemberAddIn(Schema):
    model_config = ConfigDict(extra="forbid")
    person: PersonIn
    event_type: Literal["birth", "move_in", "marriage_in"]
    event_date: date
    from_household_id: PublicId | None = None


class DeathIn(Schema):
    model_config = ConfigDict(extra="forbid")
    death_date: date
    new_head_id: PublicId | None = None


class MoveOutIn(Schema):
    model_config = ConfigDict(extra="forbid")
    event_type: Literal["move_out", "marriage_out"]
    event_date: date
    to_household_id: PublicId | None = None
    new_relation: Code | None = None
    new_head_id: PublicId | None = None


class HeadChangeIn(Schema):
    model_config = ConfigDict(extra="forbid")
    new_head_id: PublicId
    old_head_relation: Code
    relations: dict[UUID, Code] | None = Field(None, max_length=99)
    event_date: date


# --- Finances ---------------------------------------------------------------------------------

_TOTALS = (
    ("wage_income", "工资性收入"),
    ("production_income", "生产经营性收入"),
    ("property_income", "财产性收入"),
    ("transfer_income", "转移性收入"),
    ("net_income", "家庭纯收入"),
    ("per_capita_net_income", "人均纯收入"),
)


def amount_labels() -> dict[str, str]:
    labels = {c.field: c.zh for c in income.COMPONENTS}
    labels.update(dict(income.EXPENSE_FIELDS))
    labels.update(dict(income.MEMO_FIELDS))
    return labels


class AmountOut(Schema):
    field: str
    label: str
    amount: str = Field(pattern=r"^-?[0-9]+\.[0-9]{2}$")


class FinanceOut(Schema):
    id: int  # the yearly record's own row id; it is never part of a path
    household_id: UUID
    year: int
    household_size: int
    amounts: list[AmountOut]
    totals: list[AmountOut]
    version: int

    @staticmethod
    def of(f: Any) -> FinanceOut:
        labels = amount_labels()
        return FinanceOut(
            id=f.pk,
            household_id=f.household.public_id,
            year=f.year,
            household_size=f.household_size,
            amounts=[
                AmountOut(field=name, label=labels[name], amount=money(getattr(f, name)))
                for name in income.all_amount_fields()
            ],
            totals=[
                AmountOut(field=name, label=zh, amount=money(getattr(f, name)))
                for name, zh in _TOTALS
            ],
            version=f.version,
        )


class FinanceIn(Schema):
    """Amounts by field name (numbers or strings, yuan, two decimals at most)."""

    model_config = ConfigDict(extra="forbid")
    amounts: dict[text(40), Money] = Field(default_factory=dict, max_length=40)  # type: ignore[valid-type]
    household_size: int | None = Field(None, ge=0, le=999)
    version: int | None = Field(None, ge=1, le=MAX_ID)


# --- Conditions -------------------------------------------------------------------------------


class ConditionOut(Schema):
    id: int
    assessed_on: date
    food_secure: bool
    clothing_secure: bool
    housing_grade: str
    housing_grade_label: str
    housing_assessor: str
    housing_assessed_on: date | None
    water_source: str
    water_source_label: str
    water_area_type: str
    water_area_type_label: str
    water_litres_per_person_day: int
    water_quantity_ok: bool
    water_quality_ok: bool
    water_convenience_ok: bool
    water_reliability_ok: bool

    @staticmethod
    def of(c: Any) -> ConditionOut:
        return ConditionOut(
            id=c.pk,
            assessed_on=c.assessed_on,
            food_secure=c.food_secure,
            clothing_secure=c.clothing_secure,
            housing_grade=c.housing_grade,
            housing_grade_label=label("housing_grade", c.housing_grade),
            housing_assessor=c.housing_assessor,
            housing_assessed_on=c.housing_assessed_on,
            water_source=c.water_source,
            water_source_label=label("water_source", c.water_source),
            water_area_type=c.water_area_type,
            water_area_type_label=label("water_area_type", c.water_area_type),
            water_litres_per_person_day=c.water_litres_per_person_day,
            water_quantity_ok=c.water_quantity_ok,
            water_quality_ok=c.water_quality_ok,
            water_convenience_ok=c.water_convenience_ok,
            water_reliability_ok=c.water_reliability_ok,
        )


class ChecklistOut(Schema):
    on: date
    food: bool
    clothing: bool
    compulsory_education: bool
    medical_insurance: bool
    housing: bool
    water: bool
    all_secured: bool
    failures: list[str]


class ConditionsOut(Schema):
    current: ConditionOut | None
    checklist: ChecklistOut


class WaterIn(Schema):
    model_config = ConfigDict(extra="forbid")
    area_type: Literal["rich", "short"]
    litres_per_person_day: int = Field(ge=0, le=32767)
    quality_tested: bool = False
    quality_simple_check_ok: bool = False
    is_piped: bool = False
    trip_minutes: int | None = Field(None, ge=0, le=32767)
    horizontal_m: int | None = Field(None, ge=0, le=MAX_ID)
    vertical_m: int | None = Field(None, ge=0, le=MAX_ID)
    cut_days_per_year: int = Field(0, ge=0, le=32767)


class ConditionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    assessed_on: date
    food_secure: bool
    clothing_secure: bool
    housing_grade: Annotated[str, Field(max_length=1, pattern=r"^[A-Za-z]*$")]
    housing_assessor: text(100) = ""  # type: ignore[valid-type]
    housing_assessed_on: date
    water: WaterIn
    water_source: Annotated[str, Field(max_length=1, pattern=r"^[0-9]*$")] = "1"


# --- Timeline and tokens ----------------------------------------------------------------------


class TimelineEntryOut(Schema):
    on: date
    recorded_at: datetime
    kind: str
    code: str
    label: str
    person_id: UUID | None
    person_name: str
    related_household_number: str
    relation_before: str
    relation_before_label: str
    relation_after: str
    relation_after_label: str
    note: str


class ApiTokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
