"""``fangpin housekeeping``: the daily jobs in one command."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from typer.testing import CliRunner

from fangpin import idnumber
from fangpin.cli import app
from fangpin.core.models import HouseholdRead, Role, User
from fangpin.imports.models import ImportBatch
from fangpin.intake.models import Declaration
from tests.intake.conftest import make_declaration


def test_housekeeping_runs_every_daily_job_and_is_idempotent(
    huayuan_regions: Any, settings: Any
) -> None:
    settings.FANGPIN_DORMANT_DAYS = 90
    now = timezone.now()
    sleeper = User.objects.create_user(username="sleeper", role=Role.VILLAGE_CADRE)
    User.objects.filter(pk=sleeper.pk).update(last_login=now - timedelta(days=91))
    awake = User.objects.create_user(username="awake", role=Role.VILLAGE_CADRE)
    User.objects.filter(pk=awake.pk).update(last_login=now - timedelta(days=3))
    hour = now.replace(minute=0, second=0, microsecond=0)
    HouseholdRead.objects.bulk_create(
        [
            HouseholdRead(user=awake, hour=hour - timedelta(days=2), household_id=1),
            HouseholdRead(user=awake, hour=hour, household_id=2),
        ]
    )
    old = SessionStore()
    old.create()
    Session.objects.filter(session_key=old.session_key).update(expire_date=now - timedelta(1))
    fresh = SessionStore()
    fresh.create()
    stale = make_declaration()  # rejected 366 days ago: its year is up (docs/intake.md)
    Declaration.objects.filter(pk=stale.pk).update(
        status="rejected", decided_at=now - timedelta(days=366), decision_note="不符合条件"
    )
    kept = make_declaration(id_number=idnumber.build("433124", date(1990, 1, 2), 33))
    abandoned = ImportBatch.objects.create(
        entity="finances", mode="upsert", file_name="收支.xlsx", sha256="a" * 64, status="checked"
    )
    ImportBatch.objects.filter(pk=abandoned.pk).update(created_at=now - timedelta(days=8))

    first = CliRunner().invoke(app, ["housekeeping"])
    second = CliRunner().invoke(app, ["housekeeping"])

    assert first.exit_code == second.exit_code == 0, first.output
    assert first.output.strip() == (
        "停用超过 90 天未登录的账号 1 个；清理查看计数 1 条；删除过期会话 1 个；"
        "删除处理满一年的不予受理或重复申报 1 份；放弃校验后超过 7 天未导入的Excel导入 1 批；"
        "逾期问题升级督办：乡镇 0 个、县级 0 个、移交纪检 0 个"
    )
    assert second.output.strip() == (
        "停用超过 90 天未登录的账号 0 个；清理查看计数 0 条；删除过期会话 0 个；"
        "删除处理满一年的不予受理或重复申报 0 份；放弃校验后超过 7 天未导入的Excel导入 0 批；"
        "逾期问题升级督办：乡镇 0 个、县级 0 个、移交纪检 0 个"
    )
    assert list(Declaration.objects.values_list("pk", flat=True)) == [kept.pk]
    assert ImportBatch.objects.get(pk=abandoned.pk).status == "discarded"
    assert list(User.objects.filter(is_active=True).values_list("username", flat=True)) == ["awake"]
    assert list(HouseholdRead.objects.values_list("household_id", flat=True)) == [2]
    assert list(Session.objects.values_list("session_key", flat=True)) == [fresh.session_key]
