"""The notice shown on the public form (告知同意, PIPL Art. 14, 17, 29, 35), as data.

Every declaration records the version it was given under (``consent_version``). Changing the
text means a new version here; old versions stay so that what each household was told can be
shown again. Retention (:data:`KEEP_DAYS_NOT_ACCEPTED`) is what ``declarations_purge`` does.
"""

from __future__ import annotations

from typing import Final

__all__ = ["CONSENT_TEXTS", "CONSENT_VERSION", "KEEP_DAYS_NOT_ACCEPTED", "consent_paragraphs"]

#: How long a declaration that did not become a clue is kept after it was decided.
KEEP_DAYS_NOT_ACCEPTED: Final = 365

CONSENT_VERSION: Final = "2026-12-v1"

CONSENT_TEXTS: Final[dict[str, tuple[str, ...]]] = {
    "2026-12-v1": (
        "收集哪些信息：您填写的姓名、联系电话、身份证号码、所在村、风险类型和困难情况说明；"
        "为防止恶意提交，系统还记录提交时间和经过不可逆处理的来源网络地址。",
        "用途：仅用于防止返贫动态监测——由村、乡镇干部核实您反映的困难，"
        "符合条件的纳入监测并落实帮扶。不用于其他目的，不向社会公开。",
        "谁能看到：负责防止返贫监测的村、乡镇、县级工作人员（帮扶责任人、村委、审核、督查和"
        "部门数据比对人员），只能查看所辖地区的申报；"
        "身份证号码、电话在页面上只显示部分号码。村级公示不会公开身份证号码、手机号码和健康状况。",
        "如何保护：姓名、电话、身份证号码和困难说明加密保存，数据存放在境内。",
        f"保存多久：未转为核实线索的申报，自处理之日起保存{KEEP_DAYS_NOT_ACCEPTED}天后删除；"
        "转为线索的，随监测档案按规定期限保存。",
        "您的权利：可以向村委或拨打12317咨询、查阅、更正或撤回申报。"
        "困难说明中如涉及疾病、残疾等敏感个人信息，请只填写核实所必需的内容。",
    ),
}


def consent_paragraphs(version: str = CONSENT_VERSION) -> tuple[str, ...]:
    """The notice of ``version`` as paragraphs (``KeyError`` for an unknown version)."""
    return CONSENT_TEXTS[version]
