"""feed_import / feed_publish / feed_reject: matching, scope, report, idempotency, atomic swap."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.conf import settings

from fangpin.core.access import SYSTEM
from fangpin.core.audit import audit_record
from fangpin.core.models import AuditEvent, User
from fangpin.feeds import services, storage
from fangpin.feeds.errors import FeedAlreadyImportedError, FeedError
from fangpin.feeds.models import FeedBatch, FeedStatus
from fangpin.feeds.selectors import feed_batch_list, feed_rows_published
from fangpin.registry.models import identity_index
from tests.feeds.conftest import FULL_ID, full_ids_in_parquet, head_id, write_csv
from tests.registry.conftest import World

PERIOD = "2024-06"


def deaths(world: World, *extra: list[Any]) -> list[list[Any]]:
    """Deaths of the heads of 土地村 (in scope), 泸溪县 (outside 花垣县) and one stranger."""
    return [
        ["GASW0000000001", head_id(world, "tudi"), "张三", "2024-05-01", "2024-05-20"],
        ["GASW0000000002", head_id(world, "luxi"), "向东", "2024-05-02", "2024-05-21"],
        ["GASW0000000003", "433124198001010012", "陌生人", "2024-05-03", "2024-05-22"],
        *extra,
    ]


def import_deaths(actor: Any, path: Path, **kwargs: Any) -> FeedBatch:
    return services.feed_import(
        actor=actor, feed="death_records", period=PERIOD, source=path, **kwargs
    )


def feed_files() -> list[str]:
    root = Path(settings.VAR_DIR) / "feeds"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_import_matches_reports_and_stages_without_publishing(
    world: World, officer: User, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "deaths.csv", deaths(world))
    before = AuditEvent.objects.count()

    batch = import_deaths(officer, path)

    assert batch.status == FeedStatus.STAGED
    assert (batch.rows_total, batch.rows_publishable, batch.rows_matched) == (3, 2, 1)
    assert (batch.rows_unmatched, batch.rows_out_of_scope, batch.rows_invalid) == (1, 1, 0)
    assert [(i["row"], i["kind"], i["reason"]) for i in batch.report["issues"]] == [
        (3, "out_of_scope", "辖区外人员"),
        (4, "unmatched", "登记库中无此人（未匹配）"),
    ]
    outside = batch.report["issues"][0]
    assert (outside["column"], outside["value"]) == ("", "")
    assert batch.report["issues"][1]["value"] == "433124********0012"
    assert feed_files() == [f"death_records/{batch.pk}/staged.parquet"]
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.object_id, event.result) == (
        "feeds.import",
        str(batch.pk),
        "success",
    )
    assert event.changes == {
        "feed": "death_records",
        "period": PERIOD,
        "status": "staged",
        "total": 3,
        "publishable": 2,
        "matched": 1,
        "unmatched": 1,
        "invalid": 0,
        "duplicate": 0,
        "out_of_scope": 1,
    }
    assert feed_rows_published(user=officer, feed="death_records", period=PERIOD).num_rows == 0


def test_published_rows_hold_the_match_and_no_plaintext_id(
    world: World, officer: User, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "deaths.csv", deaths(world))

    batch = import_deaths(officer, path, publish=True)

    assert batch.status == FeedStatus.PUBLISHED
    published = storage.batch_dir("death_records", batch.pk) / storage.PUBLISHED
    rows = pq.read_table(published).to_pylist()
    tudi_head = world.households["tudi"].members.get(relation="01")
    assert [(r["row_number"], r["person_id"], r["household_number"]) for r in rows] == [
        (2, tudi_head.pk, world.households["tudi"].household_number),
        (4, None, None),
    ]
    assert rows[0]["id_number_index"] == identity_index("1", head_id(world, "tudi"))
    assert rows[0]["matched_village_code"] == "433124102201"
    assert rows[0]["death_date"] == date(2024, 5, 1)
    assert "id_number" not in rows[0]
    assert full_ids_in_parquet(published) == []
    assert FULL_ID.search(str(batch.report)) is None
    assert feed_files() == [f"death_records/{batch.pk}/published.parquet"]


def test_same_file_again_is_already_imported_and_creates_nothing(
    world: World, officer: User, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "deaths.csv", deaths(world))
    first = import_deaths(officer, path)
    before = (FeedBatch.objects.count(), AuditEvent.objects.count(), feed_files())

    with pytest.raises(FeedAlreadyImportedError) as raised:
        import_deaths(officer, path)

    assert raised.value.code == "duplicate"
    assert raised.value.message.startswith("该文件已导入")
    assert raised.value.batch_id == str(first.pk)
    assert (FeedBatch.objects.count(), AuditEvent.objects.count(), feed_files()) == before


def test_same_file_for_another_period_is_a_new_batch(
    world: World, officer: User, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "deaths.csv", deaths(world))
    import_deaths(officer, path)

    other = services.feed_import(actor=officer, feed="death_records", period="2024-07", source=path)

    assert other.status == FeedStatus.STAGED
    assert FeedBatch.objects.count() == 2


def test_newer_file_supersedes_the_published_batch_on_publish(
    world: World, officer: User, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    old = import_deaths(officer, write_csv(tmp_path / "a.csv", deaths(world)), publish=True)
    newer = import_deaths(officer, write_csv(tmp_path / "b.csv", deaths(world)[:1]))

    assert FeedBatch.objects.get(pk=old.pk).status == FeedStatus.PUBLISHED  # staged: no change

    with django_capture_on_commit_callbacks(execute=True):
        published = services.feed_publish(actor=officer, batch_id=newer.pk)

    old.refresh_from_db()
    assert (published.status, old.status, old.superseded_by_id) == (
        FeedStatus.PUBLISHED,
        FeedStatus.SUPERSEDED,
        newer.pk,
    )
    assert feed_files() == [f"death_records/{newer.pk}/published.parquet"]
    rows = feed_rows_published(user=officer, feed="death_records", period=PERIOD)
    assert rows.column("row_number").to_pylist() == [2]


def test_failure_during_publish_leaves_the_previous_batch_intact(
    world: World, officer: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = import_deaths(officer, write_csv(tmp_path / "a.csv", deaths(world)), publish=True)
    old_file = storage.batch_dir("death_records", old.pk) / storage.PUBLISHED
    old_bytes = old_file.read_bytes()
    newer = import_deaths(officer, write_csv(tmp_path / "b.csv", deaths(world)[:1]))

    def failing_record(**kwargs: Any) -> Any:
        if kwargs["action"] == "feeds.publish" and kwargs.get("result") is None:
            raise OSError("disk full")
        return audit_record(**kwargs)

    monkeypatch.setattr("fangpin.feeds.publishing.audit_record", failing_record)

    with pytest.raises(FeedError) as raised:
        services.feed_publish(actor=officer, batch_id=newer.pk)

    assert raised.value.code == "publish"
    old.refresh_from_db()
    newer.refresh_from_db()
    assert (old.status, old.superseded_by_id) == (FeedStatus.PUBLISHED, None)
    assert newer.status == FeedStatus.REJECTED
    assert old_file.read_bytes() == old_bytes
    assert feed_files() == [f"death_records/{old.pk}/published.parquet"]
    rows = feed_rows_published(user=officer, feed="death_records", period=PERIOD)
    assert rows.column("row_number").to_pylist() == [2, 4]
    failure = AuditEvent.objects.latest("id")
    assert (failure.action, failure.result) == ("feeds.publish", "failure")


def test_failure_while_staging_leaves_no_batch_and_no_file(
    world: World, officer: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_csv(tmp_path / "deaths.csv", deaths(world))

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("killed")

    monkeypatch.setattr("fangpin.feeds.services.audit_record", broken)

    with pytest.raises(RuntimeError):
        import_deaths(officer, path)

    assert FeedBatch.objects.count() == 0
    assert feed_files() == []
    monkeypatch.undo()
    assert import_deaths(officer, path).status == FeedStatus.STAGED  # re-upload succeeds


def test_unreadable_file_is_recorded_as_rejected_and_reported(
    world: World, officer: User, tmp_path: Path
) -> None:
    path = tmp_path / "deaths.csv"
    path.write_text("record_id,name\nGASW1,张三\n", encoding="utf-8")

    with pytest.raises(FeedError) as raised:
        import_deaths(officer, path)

    assert raised.value.code == "columns"
    assert raised.value.message == (
        "缺少必需的列：id_number（身份证号码）、death_date（死亡日期）、reported_on（上报日期）"
    )
    batch = FeedBatch.objects.get()
    assert str(batch.pk) == raised.value.batch_id
    assert batch.status == FeedStatus.REJECTED
    assert batch.report["file_error"]["code"] == "columns"
    assert feed_files() == []
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.result, event.changes["error"]) == (
        "feeds.import",
        "failure",
        "columns",
    )


def test_too_many_invalid_rows_cannot_be_published(
    world: World, officer: User, tmp_path: Path, settings: Any
) -> None:
    settings.FANGPIN_FEEDS_INVALID_ALLOWANCE = 0
    rows = deaths(
        world, ["GASW0000000009", "433124198001010013", "坏号", "2024-05-03", "2024-05-22"]
    )
    batch = import_deaths(officer, write_csv(tmp_path / "d.csv", rows))

    with pytest.raises(FeedError) as raised:
        services.feed_publish(actor=officer, batch_id=batch.pk)

    assert raised.value.code == "quality"
    assert raised.value.message == "无效行占25.0%，超过允许的5%：请更正后重新上传"
    batch.refresh_from_db()
    assert batch.status == FeedStatus.STAGED


def test_reject_deletes_the_staged_rows(
    world: World, officer: User, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    batch = import_deaths(officer, write_csv(tmp_path / "d.csv", deaths(world)))

    with pytest.raises(FeedError):
        services.feed_reject(actor=world.viewers["cadre_tudi"], batch_id=batch.pk)
    with django_capture_on_commit_callbacks(execute=True):
        rejected = services.feed_reject(actor=officer, batch_id=batch.pk, reason="数据有误")

    assert rejected.status == FeedStatus.REJECTED
    assert feed_files() == []
    with pytest.raises(FeedError) as raised:
        services.feed_publish(actor=officer, batch_id=batch.pk)
    assert raised.value.message == "该批次已驳回，不能发布"


def test_village_cadre_may_not_import_and_nothing_changes(world: World, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", deaths(world))

    with pytest.raises(FeedError) as raised:
        import_deaths(world.viewers["cadre_tudi"], path)

    assert raised.value.code == "forbidden"
    assert FeedBatch.objects.count() == 0
    assert feed_files() == []
    denied = AuditEvent.objects.latest("id")
    assert (denied.action, denied.result) == ("authz.denied", "denied")


def test_county_approver_may_import_in_their_county(world: World, tmp_path: Path) -> None:
    batch = import_deaths(
        world.viewers["county_huayuan"], write_csv(tmp_path / "d.csv", deaths(world))
    )

    assert (batch.rows_matched, batch.rows_out_of_scope) == (1, 1)


def test_other_county_batches_and_rows_are_invisible(
    world: World, officer: User, tmp_path: Path
) -> None:
    batch = import_deaths(SYSTEM, write_csv(tmp_path / "d.csv", deaths(world)), publish=True)

    assert batch.rows_out_of_scope == 0
    # The system's batch covers the whole country: officers see only its matched rows in scope.
    wide = feed_rows_published(
        user=world.viewers["officer_xiangxi"], feed="death_records", period=PERIOD
    )
    assert wide.column("row_number").to_pylist() == [2, 3]
    narrow = feed_rows_published(user=officer, feed="death_records", period=PERIOD)
    assert narrow.column("row_number").to_pylist() == [2]
    assert (
        feed_rows_published(
            user=world.viewers["inspector_luxi"], feed="death_records", period=PERIOD
        ).num_rows
        == 0
    )  # no feeds right
    # The batch itself (counts, report) is not listed for the narrower users.
    assert list(feed_batch_list(user=officer)) == []
    assert list(feed_batch_list(user=SYSTEM)) == [batch]


def test_unknown_feed_and_bad_period_are_refused(
    world: World, officer: User, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "d.csv", deaths(world))

    with pytest.raises(FeedError, match="未知的部门数据"):
        services.feed_import(actor=officer, feed="tax", period=PERIOD, source=path)
    with pytest.raises(FeedError) as raised:
        services.feed_import(actor=officer, feed="death_records", period="2024-6", source=path)

    assert raised.value.message == "所属月份“2024-6”格式错误，应为YYYY-MM，如2024-06"
    assert FeedBatch.objects.count() == 0


def _missing_column(world: World, tmp_path: Path) -> Path:
    return write_csv(tmp_path / "m.csv", [["GASW9", "张三"]], headers=["记录编号", "姓名"])


def _binary(world: World, tmp_path: Path) -> Path:
    path = tmp_path / "x.csv"
    path.write_bytes(b"\x00\x01garbage")
    return path


def _truncated(world: World, tmp_path: Path) -> Path:
    full = write_csv(tmp_path / "cut.csv", deaths(world)).read_bytes()
    cut = tmp_path / "cut.csv"
    cut.write_bytes(full[: full.rindex(b",2024-05-03")])  # stops inside the last row
    return cut


@pytest.mark.parametrize(
    ("bad_file", "code"),
    [
        (_missing_column, "columns"),
        (_truncated, "truncated"),
        (_binary, "type"),
    ],
)
def test_a_bad_feed_fails_closed_and_the_published_batch_stays(
    world: World, officer: User, tmp_path: Path, bad_file: Any, code: str
) -> None:
    """SECURITY.md scenario 21: yesterday's published rows stay exactly as they were."""
    good = import_deaths(officer, write_csv(tmp_path / "good.csv", deaths(world)), publish=True)
    published = storage.batch_dir("death_records", good.pk) / storage.PUBLISHED
    before = (published.read_bytes(), feed_files())

    with pytest.raises(FeedError) as raised:
        import_deaths(officer, bad_file(world, tmp_path), publish=True)

    assert raised.value.code == code
    good.refresh_from_db()
    assert good.status == FeedStatus.PUBLISHED
    assert (published.read_bytes(), feed_files()) == before
    assert FeedBatch.objects.exclude(pk=good.pk).get().status == FeedStatus.REJECTED
    rows = feed_rows_published(user=officer, feed="death_records", period=PERIOD)
    assert rows.column("row_number").to_pylist() == [2, 4]


def test_an_id_in_the_file_name_is_masked(world: World, officer: User, tmp_path: Path) -> None:
    path = write_csv(tmp_path / f"{head_id(world, 'tudi')}死亡.csv", deaths(world))

    batch = import_deaths(officer, path)

    assert FULL_ID.search(batch.source_name) is None
    assert batch.source_name.endswith("死亡.csv")
