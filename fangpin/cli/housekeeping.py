"""``fangpin housekeeping``: the daily jobs in one command, for one cron line.

- disable accounts without a login for ``FANGPIN_DORMANT_DAYS`` (SEC-AC-7; audited per account);
- drop bulk-read counter rows older than a day (SEC-AUD-6; the counter is not the audit log);
- delete expired sessions (Django's ``clearsessions``);
- delete self-declarations rejected or marked duplicate more than a year ago;
- discard Excel imports checked more than a week ago and never applied, with their staged rows;
- raise the 督办级别 of overdue problems in the rectification ledger (乡镇 → 县级 → 纪检).

Every step is idempotent: running it twice, or after a missed day, is harmless.
"""

from __future__ import annotations

import typer


def housekeeping_command() -> None:
    """每日例行维护：停用长期未登录账号、清理查看计数、删除过期会话和过期申报、放弃过期的Excel导入、升级逾期问题督办（可重复运行）。"""
    from fangpin.cli import setup_django

    setup_django()
    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from fangpin.core.account_lifecycle import users_disable_dormant
    from fangpin.core.alerts import KEEP, household_reads_purge
    from fangpin.imports.services import KEEP_CHECKED_DAYS, import_batches_expire
    from fangpin.intake.services import declarations_purge
    from fangpin.supervision.services import problems_escalate

    now = timezone.now()
    disabled = users_disable_dormant(actor="system:housekeeping")
    purged = household_reads_purge(before=now - KEEP)
    sessions, _by_model = Session.objects.filter(expire_date__lt=now).delete()
    declarations = declarations_purge(actor="system:housekeeping", now=now)
    imports = import_batches_expire(actor="system:housekeeping", now=now)
    raised = problems_escalate(actor="system:housekeeping", today=timezone.localdate())
    typer.echo(
        f"停用超过 {settings.FANGPIN_DORMANT_DAYS} 天未登录的账号 {len(disabled)} 个；"
        f"清理查看计数 {purged} 条；删除过期会话 {sessions} 个；"
        f"删除处理满一年的不予受理或重复申报 {declarations} 份；"
        f"放弃校验后超过 {KEEP_CHECKED_DAYS} 天未导入的Excel导入 {imports} 批；"
        f"逾期问题升级督办：乡镇 {raised['township']} 个、县级 {raised['county']} 个、"
        f"移交纪检 {raised['discipline']} 个"
    )
