"""The assistance force and the industries (帮扶力量与产业项目, issue #10, docs/force.md).

- Work teams (驻村工作队) stationed in a village, with their members — the first secretary
  (第一书记), the captain, members — each with a term; a term that ends keeps its row (history).
- Assisting cadres (帮扶责任人) and the households each is responsible for, with terms.
- Pairings (东西部协作, 定点帮扶) between a partner unit and a county, with yearly commitments
  and what was delivered.
- Projects (项目库) with their funding by source, the households that benefit and how
  (利益联结), the assets they created (项目资产) and those assets' yearly returns.
- Benefits paid by a project to a linked household in a year: each flows into the household's
  income of that year exactly once (:mod:`fangpin.force.benefits`).
- Purchases of consumption assistance (消费帮扶) by buyer unit and year.

Money is in yuan (two decimals). Written only by the services; every write is audited.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import models
from django.db.models import F, Q

from fangpin.core.models import Region
from fangpin.registry.models import Household

__all__ = [
    "AssetReturn",
    "AssistingCadre",
    "Benefit",
    "CadreAssignment",
    "Pairing",
    "PairingCommitment",
    "Project",
    "ProjectAsset",
    "ProjectBeneficiary",
    "ProjectFunding",
    "Purchase",
    "TeamMember",
    "WorkTeam",
]


def _public_id() -> models.UUIDField:  # type: ignore[type-arg]
    return models.UUIDField("公开标识", default=uuid.uuid4, unique=True, editable=False)


def _money(label: str) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(label, max_digits=14, decimal_places=2, default=Decimal(0))


def _term_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name=name
    )


class WorkTeam(models.Model):
    """A village work team (驻村工作队) sent by a dispatching unit for a term."""

    public_id = _public_id()
    village = models.ForeignKey(
        Region, verbose_name="驻村", on_delete=models.PROTECT, related_name="+"
    )
    dispatching_unit = models.CharField("派出单位", max_length=100)
    start_date = models.DateField("轮换开始日期")
    end_date = models.DateField("轮换结束日期", null=True, blank=True)
    created_by_label = models.CharField("登记人", max_length=150)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "驻村工作队"
        verbose_name_plural = "驻村工作队"
        ordering = ["village_id", "-start_date"]
        constraints = [_term_constraint("workteam_term")]

    def __str__(self) -> str:
        return f"{self.village_id} {self.dispatching_unit}"


class TeamRole(models.TextChoices):
    FIRST_SECRETARY = "first_secretary", "第一书记"
    CAPTAIN = "captain", "工作队队长"
    MEMBER = "member", "工作队员"


class TeamMember(models.Model):
    """One member of a work team for a term; leaving ends the term, the row stays."""

    team = models.ForeignKey(
        WorkTeam, verbose_name="工作队", on_delete=models.PROTECT, related_name="members"
    )
    name = models.CharField("姓名", max_length=50)
    role = models.CharField("职务", max_length=16, choices=TeamRole.choices)
    unit = models.CharField("工作单位", max_length=100)
    start_date = models.DateField("任期开始")
    end_date = models.DateField("任期结束", null=True, blank=True)

    class Meta:
        verbose_name = "工作队成员"
        verbose_name_plural = "工作队成员"
        ordering = ["team", "role", "start_date", "id"]
        constraints = [_term_constraint("teammember_term")]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"


class AssistingCadre(models.Model):
    """An assisting cadre (帮扶责任人); ``user`` links their account, so their visits count."""

    public_id = _public_id()
    name = models.CharField("姓名", max_length=50)
    unit = models.CharField("工作单位", max_length=100)
    county = models.ForeignKey(
        Region, verbose_name="所在县", on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        "core.User",
        verbose_name="系统账号",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by_label = models.CharField("登记人", max_length=150)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "帮扶责任人"
        verbose_name_plural = "帮扶责任人"
        ordering = ["county_id", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"


class CadreAssignment(models.Model):
    """A cadre responsible for a household from ``start_date`` (to ``end_date``)."""

    cadre = models.ForeignKey(
        AssistingCadre,
        verbose_name="帮扶责任人",
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    household = models.ForeignKey(
        Household, verbose_name="农户", on_delete=models.PROTECT, related_name="cadre_assignments"
    )
    start_date = models.DateField("结对日期")
    end_date = models.DateField("结束日期", null=True, blank=True)

    class Meta:
        verbose_name = "结对帮扶"
        verbose_name_plural = "结对帮扶"
        ordering = ["household", "-start_date"]
        constraints = [
            _term_constraint("cadreassignment_term"),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(end_date__isnull=True),
                name="cadreassignment_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre_id} → {self.household_id}"


class PairingKind(models.TextChoices):
    EAST_WEST = "east_west", "东西部协作"
    DESIGNATED = "designated", "定点帮扶"


class Pairing(models.Model):
    """A partner unit (an eastern city, a central agency) paired with a county."""

    public_id = _public_id()
    kind = models.CharField("类别", max_length=16, choices=PairingKind.choices)
    partner = models.CharField("帮扶方", max_length=100)
    county = models.ForeignKey(
        Region, verbose_name="受帮扶县", on_delete=models.PROTECT, related_name="+"
    )
    start_year = models.PositiveSmallIntegerField("起始年度")
    end_year = models.PositiveSmallIntegerField("结束年度", null=True, blank=True)
    created_by_label = models.CharField("登记人", max_length=150)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "结对帮扶关系"
        verbose_name_plural = "结对帮扶关系"
        ordering = ["county_id", "kind", "partner"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__isnull=True) | Q(end_year__gte=F("start_year")),
                name="pairing_years",
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner} → {self.county_id}"


class CommitmentItem(models.TextChoices):
    FUNDS = "funds", "财政援助资金（元）"
    PROJECTS = "projects", "援建项目（个）"
    JOBS = "jobs", "帮助转移就业（人）"
    PURCHASES = "purchases", "消费帮扶采购（元）"
    CADRES = "cadres", "选派干部人才（人）"


class PairingCommitment(models.Model):
    """What a pairing promised for a year on one item, and what was delivered."""

    pairing = models.ForeignKey(
        Pairing, verbose_name="结对关系", on_delete=models.PROTECT, related_name="commitments"
    )
    year = models.PositiveSmallIntegerField("年度")
    item = models.CharField("事项", max_length=16, choices=CommitmentItem.choices)
    committed = models.DecimalField("协议数", max_digits=14, decimal_places=2)
    delivered = models.DecimalField("完成数", max_digits=14, decimal_places=2, default=Decimal(0))
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "结对帮扶协议事项"
        verbose_name_plural = "结对帮扶协议事项"
        ordering = ["pairing", "year", "item"]
        constraints = [
            models.UniqueConstraint(fields=["pairing", "year", "item"], name="commitment_once"),
            models.CheckConstraint(
                condition=Q(committed__gte=0, delivered__gte=0), name="commitment_nonneg"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_item_display()}"


class ProjectKind(models.TextChoices):
    INDUSTRY = "industry", "产业发展"
    EMPLOYMENT = "employment", "就业项目"
    INFRASTRUCTURE = "infrastructure", "乡村建设（基础设施）"
    PUBLIC_SERVICE = "public_service", "公共服务"
    OTHER = "other", "其他"


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", "入库待实施"
    IN_PROGRESS = "in_progress", "实施中"
    COMPLETED = "completed", "已竣工"
    SUSPENDED = "suspended", "已终止"


class Project(models.Model):
    """A project of the county's project library (项目库)."""

    public_id = _public_id()
    name = models.CharField("项目名称", max_length=200)
    kind = models.CharField("项目类型", max_length=16, choices=ProjectKind.choices)
    region = models.ForeignKey(
        Region, verbose_name="实施地点", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "实施状态", max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    start_date = models.DateField("计划开工")
    end_date = models.DateField("计划完工", null=True, blank=True)
    one_village_one_product = models.BooleanField("一村一品", default=False)
    one_county_one_industry = models.BooleanField("一县一业", default=False)
    product = models.CharField("主导产品", max_length=100, blank=True, default="")
    version = models.PositiveIntegerField("版本", default=1)
    created_by_label = models.CharField("登记人", max_length=150)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "项目"
        verbose_name_plural = "项目"
        ordering = ["-start_date", "name"]
        constraints = [_term_constraint("project_schedule")]

    def __str__(self) -> str:
        return self.name


class FundSource(models.TextChoices):
    CENTRAL_LINKING = "central_linking", "中央衔接资金"
    PROVINCIAL_LINKING = "provincial_linking", "省级衔接资金"
    LOCAL = "local", "市县财政资金"
    EAST_WEST = "east_west", "东西部协作资金"
    DESIGNATED = "designated", "定点帮扶资金"
    SOCIAL = "social", "社会帮扶资金"
    LOAN = "loan", "金融信贷资金"
    SELF = "self", "群众自筹"


LINKING_SOURCES = (FundSource.CENTRAL_LINKING, FundSource.PROVINCIAL_LINKING)
"""The 衔接资金 sources: their share spent on industry is a national target (DOMAIN.md §4.2)."""


class ProjectFunding(models.Model):
    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.PROTECT, related_name="funding"
    )
    source = models.CharField("资金来源", max_length=24, choices=FundSource.choices)
    amount = models.DecimalField("金额（元）", max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = "项目资金"
        verbose_name_plural = "项目资金"
        ordering = ["project", "source"]
        constraints = [
            models.UniqueConstraint(fields=["project", "source"], name="funding_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="funding_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.amount}"


class LinkType(models.TextChoices):
    DIVIDEND = "dividend", "资产收益分红"
    WAGE = "wage", "务工工资"
    LAND_RENT = "land_rent", "土地流转租金"
    PURCHASE = "purchase", "订单收购"


LINK_COMPONENT = {
    LinkType.DIVIDEND: "prop_asset_dividend",
    LinkType.WAGE: "wage_local",
    LinkType.LAND_RENT: "prop_land_rent",
    LinkType.PURCHASE: "prod_other",
}
"""The household income component (fangpin.income) each kind of benefit flows into."""


class ProjectBeneficiary(models.Model):
    """A household linked to a project, and how it benefits (利益联结)."""

    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.PROTECT, related_name="beneficiaries"
    )
    household = models.ForeignKey(
        Household, verbose_name="农户", on_delete=models.PROTECT, related_name="project_links"
    )
    link_type = models.CharField("联结方式", max_length=16, choices=LinkType.choices)
    since = models.DateField("联结日期")

    class Meta:
        verbose_name = "项目受益户"
        verbose_name_plural = "项目受益户"
        ordering = ["project", "household"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "household", "link_type"], name="beneficiary_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.get_link_type_display()}"


class AssetKind(models.TextChoices):
    OPERATING = "operating", "经营性资产"
    PUBLIC_WELFARE = "public_welfare", "公益性资产"
    HOUSEHOLD = "household", "到户类资产"


class ProjectAsset(models.Model):
    """An asset a project created (项目资产): who owns it, who runs it, what it is worth."""

    public_id = _public_id()
    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.PROTECT, related_name="assets"
    )
    name = models.CharField("资产名称", max_length=200)
    kind = models.CharField("资产类别", max_length=16, choices=AssetKind.choices)
    owner = models.CharField("所有权人", max_length=100)
    manager = models.CharField("经营管理主体", max_length=100)
    value = models.DecimalField("资产原值（元）", max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = "项目资产"
        verbose_name_plural = "项目资产"
        ordering = ["project", "name"]
        constraints = [models.CheckConstraint(condition=Q(value__gte=0), name="asset_nonneg")]

    def __str__(self) -> str:
        return self.name


class AssetReturn(models.Model):
    """An asset's return (收益) of a year."""

    asset = models.ForeignKey(
        ProjectAsset, verbose_name="资产", on_delete=models.PROTECT, related_name="returns"
    )
    year = models.PositiveSmallIntegerField("年度")
    amount = models.DecimalField("年收益（元）", max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = "资产收益"
        verbose_name_plural = "资产收益"
        ordering = ["asset", "year"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "year"], name="assetreturn_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="assetreturn_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.amount}"


class Benefit(models.Model):
    """What a project paid a linked household in a year, by kind of link.

    Recording it adds ``amount`` to the household's income component of ``year``
    (:data:`LINK_COMPONENT`) through the registry's finance service, once: one row per
    (project, household, year, kind), and a change moves the component by the difference.
    """

    public_id = _public_id()
    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.PROTECT, related_name="benefits"
    )
    household = models.ForeignKey(
        Household, verbose_name="农户", on_delete=models.PROTECT, related_name="project_benefits"
    )
    year = models.PositiveSmallIntegerField("年度")
    link_type = models.CharField("收益方式", max_length=16, choices=LinkType.choices)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    version = models.PositiveIntegerField("版本", default=1)
    recorded_by_label = models.CharField("登记人", max_length=150)
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "项目收益到户"
        verbose_name_plural = "项目收益到户"
        ordering = ["project", "year", "household"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "household", "year", "link_type"], name="benefit_once"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="benefit_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.household_id} {self.amount}"


class Purchase(models.Model):
    """A consumption-assistance purchase (消费帮扶): a buyer unit bought products of a
    registered household or a co-operative of the county."""

    public_id = _public_id()
    buyer = models.CharField("采购单位", max_length=100)
    county = models.ForeignKey(
        Region, verbose_name="县", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    bought_on = models.DateField("采购日期")
    product = models.CharField("产品", max_length=100)
    household = models.ForeignKey(
        Household,
        verbose_name="供货农户",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="purchases",
    )
    cooperative = models.CharField("供货合作社", max_length=100, blank=True, default="")
    amount = models.DecimalField("金额（元）", max_digits=14, decimal_places=2)
    pairing = models.ForeignKey(
        Pairing,
        verbose_name="结对关系",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="purchases",
    )
    recorded_by_label = models.CharField("登记人", max_length=150)
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "消费帮扶"
        verbose_name_plural = "消费帮扶"
        ordering = ["-bought_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="purchase_positive"),
            models.CheckConstraint(
                condition=(Q(household__isnull=False) & Q(cooperative=""))
                | (Q(household__isnull=True) & ~Q(cooperative="")),
                name="purchase_one_seller",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.buyer} {self.product} {self.amount}"
