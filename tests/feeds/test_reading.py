"""Reading department files: each format and encoding, type by content, unsafe files refused."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.conf import settings

from fangpin.contract.feeds import DEATH_RECORDS
from fangpin.core.models import User
from fangpin.feeds import services
from fangpin.feeds.errors import FeedError
from fangpin.feeds.models import FeedBatch
from fangpin.feeds.reading import read_table
from tests.feeds.conftest import DEATH_HEADERS_ZH, head_id, write_csv, write_xlsx
from tests.registry.conftest import World

ROW = ["GASW0000000001", "433124198001010012", "张三", "2024-05-01", "2024-05-20"]


def test_read_csv_in_each_encoding(tmp_path: Path) -> None:
    for encoding, label in [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gbk")]:
        path = write_csv(
            tmp_path / f"{label}.csv", [ROW], headers=DEATH_HEADERS_ZH, encoding=encoding
        )

        table = read_table(path)

        assert (table.source_format, table.encoding) == ("csv", label)
        assert table.headers == DEATH_HEADERS_ZH
        assert table.rows == [ROW]


def test_gbk_bytes_are_really_gbk(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "g.csv", [ROW], headers=DEATH_HEADERS_ZH, encoding="gbk")

    assert path.read_bytes().startswith("记录编号".encode("gbk"))
    assert read_table(path).rows[0][2] == "张三"


def test_read_xlsx_keeps_numbers_as_numbers(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "d.xlsx", [[*ROW[:1], 4.33124198001e17, *ROW[2:]]], headers=DEATH_HEADERS_ZH
    )

    table = read_table(path)

    assert table.source_format == "xlsx"
    assert table.headers == DEATH_HEADERS_ZH
    assert table.rows[0][1] == pytest.approx(4.33124198001e17)
    assert table.rows[0][2] == "张三"


def test_read_parquet(tmp_path: Path) -> None:
    path = tmp_path / "d.parquet"
    pq.write_table(
        pa.table(
            {
                "record_id": ["GASW1"],
                "id_number": [ROW[1]],
                "name": ["张三"],
                "death_date": pa.array([date(2024, 5, 1)], pa.date32()),
                "reported_on": pa.array([date(2024, 5, 20)], pa.date32()),
            },
            schema=DEATH_RECORDS,
        ),
        path,
    )

    table = read_table(path)

    assert table.source_format == "parquet"
    assert table.rows == [["GASW1", ROW[1], "张三", date(2024, 5, 1), date(2024, 5, 20)]]


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (b"%PDF-1.7\n...", "type", "这是PDF文件，不能导入：请上传CSV、Excel或Parquet文件"),
        (b"\x00\x01\x02binary", "type",
         "文件不是CSV文本（含有二进制内容），请上传CSV、Excel或Parquet文件"),
        (b"PAR1\x00\x00truncated", "truncated", "Parquet文件不完整（文件末尾缺失，可能上传中断）"),
        (bytes.fromhex("D0CF11E0A1B11AE1") + "EncryptionInfo".encode("utf-16-le"), "encrypted",
         "Excel文件设置了打开密码，请取消密码后重新上传"),
        (b"a,b\n\xff\xfe\xfa\xfb", "encoding", "无法识别文件编码：请另存为UTF-8或GBK编码的CSV"),
        (b"a,\"b\nc", "truncated", "CSV文件第2行格式错误（引号未闭合，文件可能被截断）"),
    ],
)  # fmt: skip
def test_bad_content_is_refused_whatever_the_name(
    tmp_path: Path, content: bytes, code: str, message: str
) -> None:
    path = tmp_path / "renamed.xlsx"
    path.write_bytes(content)

    with pytest.raises(FeedError) as raised:
        read_table(path)

    assert (raised.value.code, raised.value.message) == (code, message)


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("entries", "code"),
    [
        ({"xl/workbook.xml": b"<w/>", "xl/vbaProject.bin": b"x"}, "macro"),
        ({"word/document.xml": b"<w/>"}, "type"),
        ({"xl/workbook.xml": b"<w/>", "../evil.xml": b"x"}, "unsafe"),
        ({"xl/workbook.xml": b" " * 5_000_000}, "unsafe"),  # ratio > 200: zip bomb
        ({"xl/workbook.xml": b'<!DOCTYPE x [<!ENTITY a "b">]><w/>'}, "unsafe"),
    ],
)
def test_unsafe_or_foreign_zip_is_refused_before_parsing(
    tmp_path: Path, entries: dict[str, bytes], code: str
) -> None:
    with pytest.raises(FeedError) as raised:
        read_table(_zip(tmp_path / "f.xlsx", entries))

    assert raised.value.code == code


def test_a_file_over_the_size_limit_is_refused_and_no_temp_file_is_left(
    world: World, officer: User, tmp_path: Path, settings: Any
) -> None:
    settings.FANGPIN_FEEDS_MAX_BYTES = 100
    path = write_csv(tmp_path / "d.csv", [ROW, ROW])

    with pytest.raises(FeedError) as raised:
        services.feed_import(actor=officer, feed="death_records", period="2024-06", source=path)

    assert (raised.value.code, raised.value.message) == (
        "too_large",
        "文件超过大小上限0 MB，请分批上传",
    )
    assert FeedBatch.objects.count() == 0
    assert list((Path(settings.VAR_DIR) / "feeds" / "uploads").iterdir()) == []


def _death_rows(world: World) -> list[list[Any]]:
    return [
        ["GASW0000000001", head_id(world, "tudi"), "张三", "2024-05-01", "2024-05-20"],
        ["GASW0000000002", "433124198001010012", "陌生人", "2024-05-03", "2024-05-22"],
    ]


@pytest.mark.parametrize("fmt", ["csv-utf8", "csv-utf8-bom", "csv-gbk", "xlsx", "parquet"])
def test_each_format_imports_to_the_same_result(
    world: World, officer: User, tmp_path: Path, fmt: str
) -> None:
    rows = _death_rows(world)
    if fmt.startswith("csv"):
        encoding = {"csv-utf8": "utf-8", "csv-utf8-bom": "utf-8-sig", "csv-gbk": "gbk"}[fmt]
        path = write_csv(tmp_path / "f.dat", rows, headers=DEATH_HEADERS_ZH, encoding=encoding)
    elif fmt == "xlsx":
        path = write_xlsx(tmp_path / "f.dat", rows, headers=DEATH_HEADERS_ZH)
    else:
        path = tmp_path / "f.dat"
        columns = list(zip(*rows, strict=True))
        pq.write_table(
            pa.table(
                {
                    "record_id": list(columns[0]),
                    "id_number": list(columns[1]),
                    "name": list(columns[2]),
                    "death_date": pa.array(
                        [date.fromisoformat(d) for d in columns[3]], pa.date32()
                    ),
                    "reported_on": pa.array(
                        [date.fromisoformat(d) for d in columns[4]], pa.date32()
                    ),
                }
            ),
            path,
        )

    batch = services.feed_import(actor=officer, feed="death_records", period="2024-06", source=path)

    assert (batch.rows_total, batch.rows_matched, batch.rows_unmatched, batch.rows_invalid) == (
        2,
        1,
        1,
        0,
    )
    assert batch.source_format == fmt.split("-")[0]
    assert list((Path(settings.VAR_DIR) / "feeds" / "uploads").iterdir()) == []


def test_an_xlsx_id_stored_as_a_number_is_rejected_with_its_row(
    world: World, officer: User, tmp_path: Path
) -> None:
    rows = [["GASW1", float(head_id(world, "tudi")), "张三", "2024-05-01", "2024-05-20"]]
    path = write_xlsx(tmp_path / "d.xlsx", rows, headers=DEATH_HEADERS_ZH)

    batch = services.feed_import(actor=officer, feed="death_records", period="2024-06", source=path)

    (issue,) = batch.report["issues"]
    assert (issue["row"], issue["column"], issue["kind"]) == (
        2,
        "id_number（身份证号码）",
        "invalid",
    )
    assert issue["reason"].startswith("身份证号码被存成了数字（科学计数法）")
    assert batch.rows_invalid == 1
