"""The personal-information inventory (个人信息清单, SEC-MIN-1, PIPL Art. 51, GB/T 35273 5.2).

Every model field holding personal information is listed here with why it is collected, its
class (sensitive personal information in the sense of PIPL Art. 28, or general), how it is
protected and how long it is kept. ``tests/core/test_pi_dictionary.py`` walks every model and
fails when a field that looks like personal information (by name or Chinese label) is in neither
:data:`PI_REGISTRY` nor :data:`NOT_PI` — so nobody adds such a field without deciding, here, what
it is. ``fangpin pi inventory`` prints the table for a personal-information impact assessment.

Keys are ``app_label.Model.field``; ``app_label.Model.*`` covers every field of a model.
Strings only: the core never imports the other apps.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["NOT_PI", "PI_REGISTRY", "PiEntry"]

SENSITIVE = "sensitive"  # 敏感个人信息 (PIPL Art. 28)
GENERAL = "general"

_REGISTRY_RETENTION = "在册期间及注销后保存；保存期限任务尚未实现（REL-RET-1），目前不删除"
_ACCOUNT_RETENTION = "账号存续期间；停用后保留以备审计"
_AUDIT_RETENTION = "至少 180 天（网络安全法第二十一条），按 fangpin audit purge 清理"


@dataclass(frozen=True, slots=True)
class PiEntry:
    purpose: str  # 处理目的
    category: str  # SENSITIVE or GENERAL
    protection: str  # how it is stored and shown
    retention: str  # 保存期限


def _person(
    purpose: str, protection: str = "明文存储，辖区内可见", *, sensitive: bool = False
) -> PiEntry:
    return PiEntry(purpose, SENSITIVE if sensitive else GENERAL, protection, _REGISTRY_RETENTION)


_ENCRYPTED = (
    "AES-256-GCM/SM4-GCM 加密存储；检索用keyed盲索引；页面、接口、日志只显示掩码；"
    "查看明文需权限和理由并审计"
)

PI_REGISTRY: dict[str, PiEntry] = {
    # Households (registry)
    "registry.Household.address": _person("入户核实、帮扶联系"),
    "registry.Household.natural_village": _person("入户核实、帮扶联系"),
    "registry.Household.phone_encrypted": _person("帮扶联系", _ENCRYPTED),
    "registry.Household.phone_index": _person("按电话检索（不可逆）", "HMAC 盲索引"),
    "registry.Household.phone_masked": _person("显示", "仅掩码（138****5678）"),
    "registry.Household.relocation_site": _person("易地扶贫搬迁后续扶持"),
    # Persons (registry)
    "registry.Person.name": _person("识别家庭成员"),
    "registry.Person.sex": _person("人口统计、政策适用"),
    "registry.Person.birth_date": _person("年龄判断（义务教育、劳动力、养老）"),
    "registry.Person.ethnicity": _person("民族政策适用"),
    "registry.Person.relation": _person("家庭关系、户主认定"),
    "registry.Person.id_type": _person("证件类型（残疾人证亦为证件）", sensitive=True),
    "registry.Person.id_number_encrypted": _person(
        "唯一识别、部门数据比对", _ENCRYPTED, sensitive=True
    ),
    "registry.Person.id_number_index": _person(
        "按证件号码检索、去重（不可逆）", "HMAC 盲索引", sensitive=True
    ),
    "registry.Person.id_number_masked": _person(
        "显示", "仅掩码（433124********123X）", sensitive=True
    ),
    "registry.Person.phone_encrypted": _person("帮扶联系", _ENCRYPTED),
    "registry.Person.phone_index": _person("按电话检索（不可逆）", "HMAC 盲索引"),
    "registry.Person.phone_masked": _person("显示", "仅掩码"),
    "registry.Person.health_encrypted": _person(
        "因病因残风险识别、医疗保障政策落实", _ENCRYPTED, sensitive=True
    ),
    "registry.Person.*": _person(
        "两不愁三保障核查（教育、劳动能力、务工、参保、低保特困）；敏感字段另列"
    ),
    "registry.MembershipEvent.*": _person("家庭成员变动记录"),
    "registry.HouseholdFinance.*": _person("收入监测、风险识别（家庭收支属个人财务信息）"),
    "registry.HouseholdCondition.*": _person("两不愁三保障及饮水安全核查"),
    "registry.Monitoring.*": _person("监测对象识别与风险消除", sensitive=True),
    "registry.MonitoringRisk.*": _person("致贫返贫风险类型（含因病、因残）", sensitive=True),
    # Casework: a warning's observed values and reason name a household's income, medical costs
    # and risks; a clue records the village's verification of them.
    "casework.Warning.*": _person("部门筛查预警核实（观测值含收支、医疗费用）", sensitive=True),
    "casework.Clue.*": _person("风险线索核实", sensitive=True),
    # Cases: the identification and elimination of a household, with what each step recorded
    # (collection form, data comparison, appraisal minutes, objections) and who decided.
    "casework.Case.*": _person("识别认定与风险消除程序", sensitive=True),
    "casework.CaseTransition.*": _person(
        "程序每一步的办理记录（信息采集、数据比对、评议记录）", sensitive=True
    ),
    "casework.CaseObjection.*": _person("公示异议及复核", sensitive=True),
    # The ledger's problems may describe a household's situation in free text (description,
    # evidence, measures) and name who handled them: treated as the registry's data.
    "supervision.Problem.*": _person("督查发现问题整改（对账销号）", sensitive=True),
    "supervision.ProblemEntry.*": _person("整改办理记录（整改情况、核实意见）", sensitive=True),
    # Third-party evaluation: the sample names households and the survey records what the
    # evaluator found in the home (income, 两不愁三保障, 错退/漏评, approval, notes); integrity
    # findings explain a household's figures. Seen only by evaluators (samples) or in scope.
    "evaluation.SampledHousehold.*": _person(
        "第三方评估入户核查（收入、两不愁三保障、错退漏评认定、认可度）", sensitive=True
    ),
    "evaluation.IntegrityFinding.*": _person(
        "数据真实性疑点（涉及农户的收入数字与说明，需人工核实）", sensitive=True
    ),
    # The assistance force: the names of team members and assisting cadres (officials, named in
    # their work, shown in scope), a household's cadre and the money a project paid it.
    "force.TeamMember.name": _person("驻村工作队成员姓名（公职人员履职信息）"),
    "force.AssistingCadre.name": _person("帮扶责任人姓名（公职人员履职信息）"),
    "force.CadreAssignment.*": _person("帮扶责任人结对到户"),
    "force.ProjectBeneficiary.*": _person("项目利益联结到户"),
    "force.Benefit.*": _person("项目收益到户（计入家庭收支）"),
    "force.Purchase.*": _person("消费帮扶采购（可含供货农户）"),
    "casework.CaseDocument.*": _person(
        "签字的承诺授权书等案件材料（文件存于服务器，辖区内可下载，不进日志）", sensitive=True
    ),
    # Self-declarations (intake): what a household typed in the public form.
    "intake.Declaration.*": PiEntry(
        "农户自主申报：核实困难、回访申报人",
        SENSITIVE,
        "姓名、电话、证件号码、困难说明加密存储；证件号码、电话有keyed盲索引；页面只显示掩码；"
        "来源IP仅存keyed哈希",
        "不予受理或重复的申报处理后365天删除；转为线索的随监测档案保存",
    ),
    # Assistance (一户一策): measures name a household's risks (illness, disability) and the
    # help it gets; visits record what a cadre found at home, with photos of it.
    "assistance.Plan.*": _person("帮扶计划（一户一策）"),
    "assistance.Measure.*": _person(
        "帮扶措施落实与风险消除判断（含因病、因残措施、受益成员、帮扶责任人姓名）", sensitive=True
    ),
    "assistance.MeasureRevision.*": _person(
        "帮扶措施变更记录（可追溯任一日期的计划；含经办人）", sensitive=True
    ),
    "assistance.Visit.*": _person(
        "走访记录（走访情况可含健康、收入信息；含走访人）", sensitive=True
    ),
    "assistance.VisitPhoto.*": _person(
        "走访照片元数据；照片文件存于 VAR_DIR/uploads/visits，仅辖区内有权限者经页面读取",
        sensitive=True,
    ),
    # Accounts and logs (core, api)
    "core.User.username": PiEntry("登录", GENERAL, "明文", _ACCOUNT_RETENTION),
    "core.User.first_name": PiEntry("显示经办人", GENERAL, "明文", _ACCOUNT_RETENTION),
    "core.User.last_name": PiEntry("显示经办人", GENERAL, "明文", _ACCOUNT_RETENTION),
    "core.User.email": PiEntry("账号联系（可不填）", GENERAL, "明文", _ACCOUNT_RETENTION),
    "core.User.password": PiEntry("登录鉴别", SENSITIVE, "Argon2id 哈希", _ACCOUNT_RETENTION),
    "core.PasswordHistory.hash": PiEntry(
        "防止重复使用旧密码", SENSITIVE, "Argon2id 哈希，仅保留最近 5 个", _ACCOUNT_RETENTION
    ),
    "core.AuditEvent.ip": PiEntry(
        "安全审计（来源地址）", GENERAL, "明文，仅审计员可见", _AUDIT_RETENTION
    ),
    "core.AuditEvent.actor_label": PiEntry(
        "安全审计（经办人）", GENERAL, "明文，仅审计员可见", _AUDIT_RETENTION
    ),
    "feeds.FeedBatch.source_name": PiEntry(
        "部门数据文件名", GENERAL, "文件名中的证件号码、手机号已掩码", "随批次保存"
    ),
    "feeds.FeedImportJob.source_name": PiEntry(
        "部门数据文件名", GENERAL, "文件名中的证件号码、手机号已掩码", "随任务保存"
    ),
    "imports.ImportBatch.file_name": PiEntry(
        "Excel导入文件名", GENERAL, "文件名中的证件号码、手机号已掩码", "随导入批次保存"
    ),
    "imports.ImportJob.file_name": PiEntry(
        "Excel导入文件名", GENERAL, "文件名中的证件号码、手机号已掩码", "随任务保存"
    ),
}

#: Fields that look like personal information by name or label but are not, and why.
NOT_PI: dict[str, str] = {
    "core.Region.name": "行政区划名称，公开信息",
    "core.User.password_changed_at": "密码修改时间，不含密码",
    "core.AuditEvent.hash": "审计链哈希，不含个人信息",
    "registry.Household.village": "所在村的区划代码，公开信息",
    "casework.ScreeningRun.year": "筛查所用收入年度（年份），不含个人信息",
    "api.ApiToken.name": "令牌用途名称（如“乡镇数据对接”）",
    "core.ExportRequest.list_name": "导出的清单名称（如 households），固定词",
    "supervision.InspectionPlan.name": "暗访批次名称（如“2026年第1轮暗访”）",
    "supervision.InspectionPlan.registered_per_village": "每村抽取户数（数字）",
    "supervision.InspectionPlan.others_per_village": "每村抽取户数（数字）",
    "supervision.PlanHousehold.village_code": "所在村的区划代码，公开信息",
    "evaluation.Campaign.name": "评估批次名称（如“2024年度第三方评估”）",
    "force.WorkTeam.village": "驻村所在村的区划代码，公开信息",
    "force.Project.name": "项目名称（如“黄牛养殖专业合作社”），公开信息",
    "force.Project.one_village_one_product": "一村一品标记，不含个人信息",
    "force.ProjectAsset.name": "资产名称（如“冷库”），不含个人信息",
    "evaluation.SampledVillage.village": "样本村的区划代码，公开信息",
    "evaluation.SampledVillage.stratum_villages": "层内村数（数字）",
}
