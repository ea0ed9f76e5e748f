"""The household registry: fields as in the national system (DOMAIN.md §9.1–9.2, §2.3, §7).

Coded fields hold codes from :mod:`fangpin.codes`; services validate them against the tables.
Invariants are also database constraints, so a bug or a raw SQL write cannot break them; the
services raise a friendly :class:`fangpin.registry.errors.RegistryError` first.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any, NamedTuple

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from fangpin.codes import table
from fangpin.core.models import Region
from fangpin.core.pi import pi_decrypt, pi_encrypt, pi_index
from fangpin.income import COMPONENTS, EXPENSE_FIELDS, MEMO_FIELDS, Category, fields_of
from fangpin.registry.expressions import RoundedMoney, RoundedQuotient
from fangpin.registry.masking import mask_id, mask_phone

ACTIVE = "active"
HEAD = "01"
DISABLED = "40"
#: Monitoring states of a household (code table ``monitoring_status``, DOMAIN.md §5.3).
NOT_MONITORED = "none"
MONITORED_OPEN = "open"
RISK_ELIMINATED = "eliminated"
MONITORING_TYPES = ("UNSTABLE", "MARGINAL", "SUDDEN")
NATURAL_DISASTER = "02"
MAX_RISKS = 5

#: AEAD associated data ("context") of each encrypted column (docs/crypto.md).
ID_NUMBER_CONTEXT = "registry.person.id_number"
PERSON_PHONE_CONTEXT = "registry.person.phone"
HOUSEHOLD_PHONE_CONTEXT = "registry.household.phone"
HEALTH_CONTEXT = "registry.person.health"
#: Blind-index contexts. Types 1 and 2 share one identity (the first 18 characters: an ID card
#: and a disability card of one person are one identity); other types index the full number
#: under a context of their own, so they never collide with a resident identity.
RESIDENT_IDENTITY_CONTEXT = "registry.identity.resident"
PHONE_INDEX_CONTEXT = "registry.phone"
RESIDENT_ID_TYPES = ("1", "2")

# Token: "v1." + cipher + key id + 16-char nonce + ciphertext; 20 chars of ID text → ~100.
_TOKEN_LENGTH = 160
_INDEX_LENGTH = 64  # hex HMAC-SHA256 / HMAC-SM3
# The health JSON is padded to 64 characters (below): token about 150 characters.
_HEALTH_TOKEN_LENGTH = 200
#: Every health plaintext has exactly this length, so the token's length tells nothing (an
#: unpadded "healthy, no grade" JSON would be shorter than a "disabled, grade 1, category 2").
HEALTH_PLAINTEXT_LENGTH = 64


def identity_index(id_type: str, id_number: str) -> str:
    """The keyed blind index of an identity (``id_number`` already normalised)."""
    if id_type in RESIDENT_ID_TYPES:
        return pi_index(id_number[:18], context=RESIDENT_IDENTITY_CONTEXT)
    return pi_index(id_number, context=f"registry.identity.type{id_type}")


def phone_index(phone: str) -> str:
    """The keyed blind index of a normalised phone number (the same for households and people)."""
    return pi_index(phone, context=PHONE_INDEX_CONTEXT)


def id_number_columns(id_type: str, id_number: str) -> dict[str, str]:
    """The stored columns for a normalised ID number: token, identity index, masked display."""
    return {
        "id_number_encrypted": pi_encrypt(id_number, context=ID_NUMBER_CONTEXT),
        "id_number_index": identity_index(id_type, id_number),
        "id_number_masked": mask_id(id_number),
    }


def phone_columns(phone: str, *, context: str) -> dict[str, str]:
    """The stored columns for a normalised phone number (empty stays empty)."""
    return {
        "phone_encrypted": pi_encrypt(phone, context=context),
        "phone_index": phone_index(phone),
        "phone_masked": mask_phone(phone),
    }


class HealthCodes(NamedTuple):
    """A person's health details as codes (健康状况, 残疾等级, 残疾类别; "" when empty)."""

    health: str
    disability_grade: str
    disability_category: str


def health_plaintext(codes: HealthCodes) -> str:
    """The canonical plaintext of a person's health details: compact JSON with sorted keys,
    padded with spaces to :data:`HEALTH_PLAINTEXT_LENGTH` characters."""
    text = json.dumps(codes._asdict(), separators=(",", ":"), sort_keys=True)
    if len(text) > HEALTH_PLAINTEXT_LENGTH:
        raise ValueError("health codes longer than the padded plaintext")
    return text.ljust(HEALTH_PLAINTEXT_LENGTH)


def health_columns(codes: HealthCodes) -> dict[str, str]:
    """The stored column for a person's (validated) health details: one AEAD token."""
    return {"health_encrypted": pi_encrypt(health_plaintext(codes), context=HEALTH_CONTEXT)}


def health_from_token(token: str) -> HealthCodes:
    """Decrypt a ``health_encrypted`` token; a tampered token raises ``CryptoError``."""
    values = json.loads(pi_decrypt(token, context=HEALTH_CONTEXT))
    return HealthCodes(
        health=values["health"],
        disability_grade=values["disability_grade"],
        disability_category=values["disability_category"],
    )


def person_health(person: Person) -> HealthCodes:
    """A person's health details, decrypted for processing inside a service or a test (never
    for display: pages show ``masking.mask_health``; showing them is ``person_reveal_health``)."""
    return health_from_token(person.health_encrypted)


def _public_id_field() -> Any:
    """The opaque address of a row in web and API paths (SEC-MSK-3, ASVS 14.2.1): a random
    UUID, so a URL neither counts the registry nor lets anyone walk to the next row id."""
    return models.UUIDField("公开标识", default=uuid.uuid4, unique=True, editable=False)


class Household(models.Model):
    public_id = _public_id_field()
    household_number = models.CharField("户编号", max_length=32, unique=True)
    village = models.ForeignKey(
        Region,
        verbose_name="所在村",
        on_delete=models.PROTECT,
        related_name="households",
        db_column="village_code",
    )
    natural_village = models.CharField("自然村", max_length=100, blank=True, default="")
    address = models.CharField("住址", max_length=200, blank=True, default="")
    household_type = models.CharField("户类型", max_length=2)
    phone_encrypted = models.CharField(
        "联系电话（密文）", max_length=_TOKEN_LENGTH, blank=True, default="", editable=False
    )
    phone_index = models.CharField(
        "联系电话（检索索引）", max_length=_INDEX_LENGTH, blank=True, default="", editable=False
    )
    phone_masked = models.CharField(
        "联系电话", max_length=20, blank=True, default="", editable=False
    )
    is_relocated = models.BooleanField("易地扶贫搬迁户", default=False)
    relocation_mode = models.CharField("安置方式", max_length=1, blank=True, default="")
    relocation_site = models.CharField("安置点", max_length=200, blank=True, default="")
    status = models.CharField("户状态", max_length=16, default=ACTIVE)
    # The current monitoring state, kept in step with the household's current Monitoring spell
    # (the spells are the record; these two columns make the list filters index-friendly).
    monitoring_status = models.CharField(
        "监测状态", max_length=16, default=NOT_MONITORED, db_default=NOT_MONITORED
    )
    monitoring_type = models.CharField(
        "监测对象类别", max_length=16, blank=True, default="", db_default=""
    )
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "农户"
        verbose_name_plural = "农户"
        ordering = ["household_number"]
        indexes = [
            models.Index(fields=["village", "status"], name="household_village_status"),
            # One village's list in household-number order, straight from the index.
            models.Index(
                fields=["village", "status", "household_number"],
                name="household_village_number",
            ),
            models.Index(fields=["phone_index"], name="household_phone_index"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["active", "cancelled"]), name="household_status_known"
            ),
            models.CheckConstraint(
                condition=Q(is_relocated=False, relocation_mode="", relocation_site="")
                | Q(is_relocated=True, relocation_mode__in=["1", "2"]),
                name="household_relocation_consistent",
            ),
            models.CheckConstraint(
                condition=Q(monitoring_status=NOT_MONITORED, monitoring_type="")
                | Q(
                    monitoring_status__in=[MONITORED_OPEN, RISK_ELIMINATED],
                    monitoring_type__in=MONITORING_TYPES,
                ),
                name="household_monitoring_consistent",
            ),
        ]

    def __str__(self) -> str:
        return self.household_number


class HouseholdStatusChange(models.Model):
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="status_changes"
    )
    from_status = models.CharField("原状态", max_length=16, blank=True, default="")
    to_status = models.CharField("新状态", max_length=16)
    reason = models.CharField("原因", max_length=200)
    effective_date = models.DateField("生效日期")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "户状态变更"
        verbose_name_plural = "户状态变更"
        ordering = ["household", "id"]

    def __str__(self) -> str:
        statuses = table("household_status")
        before = statuses.label(self.from_status) if self.from_status else "—"
        return f"{self.effective_date} {before} → {statuses.label(self.to_status)}"


class Monitoring(models.Model):
    """One spell of a household as a monitoring object (监测对象, DOMAIN.md §1, §5).

    A spell starts at identification (识别监测时间, a month) and ends when its risk is marked
    eliminated (消除监测时间, with how: 帮扶消除 or 自然消除). A rollback (风险消除回退) reopens
    the spell; a household whose risk returns later gets a new spell. Exactly one spell of a
    household is ``is_current``: the one its ``monitoring_status`` and ``monitoring_type``
    mirror. Months are stored as the first day of the month.
    """

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="monitorings")
    object_type = models.CharField("监测对象类别", max_length=16)
    identified_month = models.DateField("识别监测时间")
    eliminated_month = models.DateField("消除监测时间", null=True, blank=True)
    elimination_mode = models.CharField("风险消除方式", max_length=16, blank=True, default="")
    no_labour_backstop = models.BooleanField("整户无劳动能力兜底保障户", default=False)
    is_current = models.BooleanField("当前记录", default=True)
    version = models.PositiveIntegerField("版本", default=1)
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "监测对象记录"
        verbose_name_plural = "监测对象记录"
        ordering = ["household", "-identified_month"]
        constraints = [
            models.CheckConstraint(
                condition=Q(object_type__in=MONITORING_TYPES), name="monitoring_type_known"
            ),
            models.CheckConstraint(
                condition=Q(eliminated_month__isnull=True, elimination_mode="")
                | Q(
                    eliminated_month__isnull=False,
                    eliminated_month__gte=F("identified_month"),
                    elimination_mode__in=["assisted", "natural"],
                ),
                name="monitoring_elimination_consistent",
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(is_current=True),
                name="monitoring_one_current_per_household",
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(eliminated_month__isnull=True),
                name="monitoring_one_open_per_household",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.identified_month:%Y%m} {table('monitoring_type').label(self.object_type)}"

    @property
    def status(self) -> str:
        return MONITORED_OPEN if self.eliminated_month is None else RISK_ELIMINATED


class MonitoringRisk(models.Model):
    """One of up to five risks of a monitoring spell (致贫/返贫风险1…5, code table 100A27)."""

    monitoring = models.ForeignKey(Monitoring, on_delete=models.PROTECT, related_name="risks")
    position = models.PositiveSmallIntegerField("序号")
    risk_type = models.CharField("风险类型", max_length=4)
    disaster_subtype = models.CharField("因自然灾害子项", max_length=4, blank=True, default="")

    class Meta:
        verbose_name = "致贫返贫风险"
        verbose_name_plural = "致贫返贫风险"
        ordering = ["monitoring", "position"]
        indexes = [models.Index(fields=["risk_type", "monitoring"], name="monitoring_risk_type")]
        constraints = [
            models.UniqueConstraint(
                fields=["monitoring", "position"], name="monitoring_risk_position_unique"
            ),
            models.UniqueConstraint(
                fields=["monitoring", "risk_type"], name="monitoring_risk_type_unique"
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1, position__lte=MAX_RISKS),
                name="monitoring_risk_at_most_five",
            ),
            models.CheckConstraint(
                condition=Q(risk_type=NATURAL_DISASTER) | Q(disaster_subtype=""),
                name="monitoring_risk_subtype_only_for_disaster",
            ),
        ]

    def __str__(self) -> str:
        return table("risk_type").label(self.risk_type)


class Person(models.Model):
    public_id = _public_id_field()
    household = models.ForeignKey(
        Household, verbose_name="所在户", on_delete=models.PROTECT, related_name="members"
    )
    name = models.CharField("姓名", max_length=50)
    sex = models.CharField("性别", max_length=1)
    id_type = models.CharField("证件类型", max_length=1, default="1")
    id_number_encrypted = models.CharField(
        "证件号码（密文）", max_length=_TOKEN_LENGTH, editable=False
    )
    id_number_index = models.CharField(
        "证件号码（检索索引）", max_length=_INDEX_LENGTH, editable=False
    )
    id_number_masked = models.CharField("证件号码", max_length=24, editable=False)
    birth_date = models.DateField("出生日期")
    relation = models.CharField("与户主关系", max_length=2)
    ethnicity = models.CharField("民族", max_length=2, default="01")
    education = models.CharField("文化程度", max_length=2, default="90")
    student_status = models.CharField("在校生状况", max_length=2, default="00")
    out_of_school_reason = models.CharField("失辍学原因", max_length=2, blank=True, default="")
    # 健康状况, 残疾等级 and 残疾类别 in one AEAD token (health_plaintext; docs/crypto.md). The
    # rules between them (a disabled person has a grade, a grade has a category) cannot be
    # checked on ciphertext: validation.validate_person_input and the bulk loader check them.
    health_encrypted = models.CharField(
        "健康状况（密文）", max_length=_HEALTH_TOKEN_LENGTH, editable=False
    )
    labour_ability = models.CharField("劳动技能", max_length=2, default="10")
    migrant_work_months = models.PositiveSmallIntegerField("务工时间（月）", default=0)
    migrant_employer = models.CharField("务工单位", max_length=200, blank=True, default="")
    phone_encrypted = models.CharField(
        "联系电话（密文）", max_length=_TOKEN_LENGTH, blank=True, default="", editable=False
    )
    phone_index = models.CharField(
        "联系电话（检索索引）", max_length=_INDEX_LENGTH, blank=True, default="", editable=False
    )
    phone_masked = models.CharField(
        "联系电话", max_length=20, blank=True, default="", editable=False
    )
    has_resident_medical = models.BooleanField("参加城乡居民基本医疗保险", default=False)
    has_employee_medical = models.BooleanField("参加职工基本医疗保险", default=False)
    has_critical_illness = models.BooleanField("参加大病保险", default=False)
    has_resident_pension = models.BooleanField("参加城乡居民基本养老保险", default=False)
    has_employee_pension = models.BooleanField("参加职工基本养老保险", default=False)
    is_dibao = models.BooleanField("享受低保", default=False)
    is_tekun = models.BooleanField("特困供养", default=False)
    status = models.CharField("人员状态", max_length=16, default=ACTIVE)
    death_date = models.DateField("死亡日期", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "家庭成员"
        verbose_name_plural = "家庭成员"
        ordering = ["household", "relation", "birth_date"]
        indexes = [
            models.Index(fields=["id_number_index"], name="person_id_number_index"),
            models.Index(fields=["phone_index"], name="person_phone_index"),
            models.Index(fields=["household", "status"], name="person_household_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=Q(status=ACTIVE),
                name="person_unique_id_among_registered",
                violation_error_message="该证件号码已被另一名在册人员使用",
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(status=ACTIVE, relation=HEAD),
                name="household_at_most_one_head",
                violation_error_message="一户只能有一名户主",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "deceased", "moved_out"]),
                name="person_status_known",
            ),
            models.CheckConstraint(
                condition=(Q(status="deceased") & Q(death_date__isnull=False))
                | (~Q(status="deceased") & Q(death_date__isnull=True)),
                name="person_death_date_iff_deceased",
            ),
            models.CheckConstraint(
                condition=Q(migrant_work_months__lte=12), name="person_work_months_max_12"
            ),
            models.CheckConstraint(
                condition=~Q(health_encrypted=""), name="person_health_encrypted_present"
            ),
            models.CheckConstraint(
                condition=Q(death_date__isnull=True) | Q(death_date__gte=F("birth_date")),
                name="person_death_not_before_birth",
            ),
            models.CheckConstraint(condition=Q(sex__in=["1", "2"]), name="person_sex_known"),
        ]

    def __str__(self) -> str:
        return self.name


class MembershipEvent(models.Model):
    """One change of household membership: the household's history of who belonged, and why."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="membership_events"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="membership_events")
    event_type = models.CharField("变动类型", max_length=16)
    event_date = models.DateField("变动日期")
    related_household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="关联户",
    )
    relation_before = models.CharField("原与户主关系", max_length=2, blank=True, default="")
    relation_after = models.CharField("现与户主关系", max_length=2, blank=True, default="")
    note = models.CharField("说明", max_length=200, blank=True, default="")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "成员变动"
        verbose_name_plural = "成员变动"
        ordering = ["household", "event_date", "id"]

    def __str__(self) -> str:
        return f"{self.event_date} {table('membership_event').label(self.event_type)}"


def _money_field(label: str) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(label, max_digits=12, decimal_places=2, default=Decimal(0))


def _sum_of(field_names: tuple[str, ...]) -> models.Expression:
    """``F(a) + F(b) + …`` as a balanced tree; every caller passes at least two fields.

    A left-deep chain of 21 terms nests too deeply for SQLite's parser ("parser stack
    overflow" on SQLite < 3.46, where Django wraps each decimal operation in a CAST); a
    balanced tree nests only log2(n) levels.
    """
    if len(field_names) < 2:
        raise ValueError("_sum_of needs at least two fields")
    terms: list[Any] = [F(name) for name in field_names]
    while len(terms) > 1:
        paired = [terms[i] + terms[i + 1] for i in range(0, len(terms) - 1, 2)]
        if len(terms) % 2:
            paired.append(terms[-1])
        terms = paired
    expr: models.Expression = terms[0]
    return expr


def _net_income_expression() -> models.Expression:
    # PostgreSQL forbids a generated column referring to another, so each generated column
    # sums the stored components directly. All of them come from fangpin.income.
    expr = _sum_of(tuple(c.field for c in COMPONENTS))
    for name, _label in EXPENSE_FIELDS:
        expr = expr - F(name)
    return expr


def _generated_money() -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(max_digits=14, decimal_places=2)


class HouseholdFinance(models.Model):
    """One household's income and spending for one year (收支情况).

    Category totals, net income and per-capita net income are generated by the database from
    the components, using the single definition in :mod:`fangpin.income`.
    """

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="finances")
    year = models.PositiveSmallIntegerField("年度")
    household_size = models.PositiveSmallIntegerField("家庭人口")
    for _component in COMPONENTS:
        locals()[_component.field] = _money_field(_component.zh)
    for _name, _label in EXPENSE_FIELDS + MEMO_FIELDS:
        locals()[_name] = _money_field(_label)
    del _component, _name, _label
    wage_income = models.GeneratedField(
        expression=RoundedMoney(_sum_of(fields_of(Category.WAGE))),
        output_field=_generated_money(),
        db_persist=True,
        verbose_name="工资性收入",
    )
    production_income = models.GeneratedField(
        expression=RoundedMoney(_sum_of(fields_of(Category.PRODUCTION))),
        output_field=_generated_money(),
        db_persist=True,
        verbose_name="生产经营性收入",
    )
    property_income = models.GeneratedField(
        expression=RoundedMoney(_sum_of(fields_of(Category.PROPERTY))),
        output_field=_generated_money(),
        db_persist=True,
        verbose_name="财产性收入",
    )
    transfer_income = models.GeneratedField(
        expression=RoundedMoney(_sum_of(fields_of(Category.TRANSFER))),
        output_field=_generated_money(),
        db_persist=True,
        verbose_name="转移性收入",
    )
    net_income = models.GeneratedField(
        expression=RoundedMoney(_net_income_expression()),
        output_field=_generated_money(),
        db_persist=True,
        verbose_name="家庭纯收入",
    )
    per_capita_net_income = models.GeneratedField(
        expression=RoundedQuotient(_net_income_expression(), F("household_size")),
        output_field=_generated_money(),
        db_persist=True,
        verbose_name="家庭人均纯收入",
    )
    version = models.PositiveIntegerField("版本", default=1)
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "家庭收支"
        verbose_name_plural = "家庭收支"
        ordering = ["household", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="finance_one_per_year"),
            models.CheckConstraint(
                condition=Q(household_size__gte=1), name="finance_household_size_positive"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2010, year__lte=2100), name="finance_year_plausible"
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__gte": 0}), name=f"finance_{name}_not_negative"
                )
                for name in [c.field for c in COMPONENTS]
                + [n for n, _ in EXPENSE_FIELDS + MEMO_FIELDS]
            ],
        ]

    def __str__(self) -> str:
        return f"{self.year}年收支"


class HouseholdCondition(models.Model):
    """The household checklist at one assessment: 两不愁三保障 and safe drinking water (§7).

    Rows are appended, never overwritten: the latest by ``assessed_on`` is the current state.
    The four water results are computed by :mod:`fangpin.conditions` from the measurements.
    """

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="conditions")
    assessed_on = models.DateField("核查日期")
    food_secure = models.BooleanField("不愁吃", default=True)
    clothing_secure = models.BooleanField("不愁穿", default=True)
    housing_grade = models.CharField("住房安全等级", max_length=1)
    housing_assessor = models.CharField("鉴定单位", max_length=100, blank=True, default="")
    housing_assessed_on = models.DateField("鉴定日期", null=True, blank=True)
    water_source = models.CharField("饮用水来源", max_length=1, default="1")
    water_area_type = models.CharField("水资源条件", max_length=5, default="rich")
    water_litres_per_person_day = models.PositiveSmallIntegerField("人均日供水量（升）")
    water_quality_tested = models.BooleanField("水质经检测合格", default=False)
    water_quality_simple_check_ok = models.BooleanField("水质简易检查合格", default=False)
    water_is_piped = models.BooleanField("自来水入户", default=False)
    water_trip_minutes = models.PositiveSmallIntegerField("单次取水往返时间（分钟）", null=True)
    water_horizontal_m = models.PositiveIntegerField("取水水平距离（米）", null=True)
    water_vertical_m = models.PositiveIntegerField("取水垂直高差（米）", null=True)
    water_cut_days_per_year = models.PositiveSmallIntegerField("年停水或缺水天数", default=0)
    water_quantity_ok = models.BooleanField("水量达标")
    water_quality_ok = models.BooleanField("水质达标")
    water_convenience_ok = models.BooleanField("用水方便程度达标")
    water_reliability_ok = models.BooleanField("供水保证率达标")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "两不愁三保障及饮水安全"
        verbose_name_plural = "两不愁三保障及饮水安全"
        ordering = ["household", "-assessed_on"]
        get_latest_by = "assessed_on"
        constraints = [
            models.UniqueConstraint(
                fields=["household", "assessed_on"], name="condition_one_per_day"
            ),
            models.CheckConstraint(
                condition=Q(housing_grade__in=["A", "B", "C", "D"]),
                name="condition_housing_grade_known",
            ),
            models.CheckConstraint(
                condition=Q(water_cut_days_per_year__lte=366),
                name="condition_water_cut_days_max_366",
            ),
            models.CheckConstraint(
                condition=~Q(housing_assessor="") & Q(housing_assessed_on__isnull=False),
                name="condition_housing_grade_assessed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessed_on} 核查"

    @property
    def housing_safe(self) -> bool:
        return self.housing_grade in ("A", "B")

    @property
    def water_safe(self) -> bool:
        return (
            self.water_quantity_ok
            and self.water_quality_ok
            and self.water_convenience_ok
            and self.water_reliability_ok
        )
