"""Reading uploads safely: every attack fixture is made here, refused with its exact code and
message, and an .xlsx is judged on its zip directory before anything parses it."""

from __future__ import annotations

import csv
import json
import pickle
import random
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fangpin.sheets import reading
from fangpin.sheets.reading import (
    FEED_LIMITS,
    IMPORT_LIMITS,
    IMPORT_MAX_BYTES,
    Limits,
    RawTable,
    SheetError,
    check_size,
    check_xlsx_container,
    count_rows,
    detect_format,
    read_table,
)
from tests.sheets.conftest import HEADERS, ROW, declare_size, make_zip, rezip, write_workbook

MB = 1024 * 1024
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><sst>&lol2;</sst>'
)
ENTITY_REFUSED = ("unsafe", "Excel文件含有XML实体声明，文件格式无效")
RATIO_REFUSED = ("unsafe", "Excel文件压缩比异常（疑似压缩炸弹），拒绝打开")


def _refusal(
    path: Path, limits: Limits = IMPORT_LIMITS, sheet: str | None = None
) -> tuple[str, str]:
    with pytest.raises(SheetError) as raised:
        read_table(path, limits=limits, sheet=sheet)
    return raised.value.code, raised.value.message


@pytest.fixture(scope="session")
def zip_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 200 KB on disk declaring 200 MB of sheet XML (zlib of spaces)."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            chunk = b" " * MB
            for _ in range(200):
                member.write(chunk)
    return path


@pytest.fixture
def good_xlsx(tmp_path: Path) -> Path:
    return write_workbook(tmp_path / "good.xlsx", {"成员": [HEADERS, ROW]})


@pytest.fixture
def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything reaches the spreadsheet parser."""
    import python_calamine

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the parser was reached")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", refuse)


def test_limits_for_feeds_and_for_imports() -> None:
    limits = {"feeds": FEED_LIMITS, "imports": IMPORT_LIMITS}

    assert limits == {
        "feeds": Limits(
            max_rows=2_000_000, zip_max_entries=1_000, zip_max_total=500 * MB, zip_max_ratio=200
        ),
        "imports": Limits(
            max_rows=20_000, zip_max_entries=1_000, zip_max_total=100 * MB, zip_max_ratio=100
        ),
    }


def test_an_upload_over_10_mb_is_refused_by_size(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * (IMPORT_MAX_BYTES + 1))
    exact = tmp_path / "ok.csv"
    exact.write_bytes(b"x" * IMPORT_MAX_BYTES)

    with pytest.raises(SheetError) as raised:
        check_size(path, max_bytes=IMPORT_MAX_BYTES)

    assert (raised.value.code, raised.value.message) == (
        "too_large",
        "文件超过大小上限10 MB，请分批上传",
    )
    check_size(exact, max_bytes=IMPORT_MAX_BYTES)  # exactly 10 MB is allowed
    assert IMPORT_MAX_BYTES == 10 * MB


# --- the zip directory ------------------------------------------------------------------------


def test_zip_bomb_is_refused_on_its_ratio_before_parsing(zip_bomb: Path, no_parsing: None) -> None:
    assert zip_bomb.stat().st_size < 300_000

    assert _refusal(zip_bomb) == RATIO_REFUSED
    assert _refusal(zip_bomb, FEED_LIMITS) == RATIO_REFUSED


_BOMB_RUNNER = """
import json, resource, subprocess, sys
child = subprocess.run([sys.executable, "-c", sys.argv[1], sys.argv[2]],
                       capture_output=True, text=True, check=True)
report = json.loads(child.stdout)
report["children_maxrss_kb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps(report))
"""
_BOMB_READER = """
import json, resource, sys, time
from pathlib import Path
from fangpin.sheets.reading import IMPORT_LIMITS, SheetError, read_table
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
try:
    read_table(Path(sys.argv[1]), limits=IMPORT_LIMITS)
    code = ""
except SheetError as exc:
    code = exc.code
print(json.dumps({"code": code, "seconds": time.perf_counter() - started,
                  "baseline_kb": baseline}))
"""


def test_zip_bomb_is_refused_in_under_a_second_with_little_memory(zip_bomb: Path) -> None:
    """SECURITY.md scenario 14, in a subprocess: its peak RSS (RUSAGE_CHILDREN, read by a
    runner whose only child is the reader) grows less than 50 MB over the imported baseline."""
    runner = subprocess.run(
        [sys.executable, "-c", _BOMB_RUNNER, _BOMB_READER, str(zip_bomb)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    report = json.loads(runner.stdout)

    assert report["code"] == "unsafe"
    assert report["seconds"] < 1.0
    assert report["children_maxrss_kb"] - report["baseline_kb"] < 50 * 1024


def test_declared_total_over_100_mb_is_refused_for_imports_only(
    tmp_path: Path, no_parsing: None
) -> None:
    # 1.1 MB stored, 101 MB declared: ratio 92 is under both limits, the total only under 500 MB.
    path = make_zip(
        tmp_path / "big.xlsx",
        {"xl/workbook.xml": b"<workbook/>", "xl/media/image1.png": bytes(1_100_000)},
        zipfile.ZIP_STORED,
    )
    declare_size(path, "xl/media/image1.png", 101 * MB)

    assert _refusal(path) == ("unsafe", "Excel文件解压后过大（疑似压缩炸弹），拒绝打开")
    check_xlsx_container(path, limits=FEED_LIMITS)  # the feed limits let it through


def test_ratio_over_100_is_refused_for_imports_but_not_feeds(
    tmp_path: Path, no_parsing: None
) -> None:
    path = make_zip(
        tmp_path / "ratio.xlsx",
        {"xl/workbook.xml": b"<workbook/>", "xl/media/image1.png": bytes(10_000)},
        zipfile.ZIP_STORED,
    )
    declare_size(path, "xl/media/image1.png", 1_500_000)  # ratio 150

    assert _refusal(path) == RATIO_REFUSED
    check_xlsx_container(path, limits=FEED_LIMITS)  # the feed limits let it through


def test_five_thousand_tiny_entries_are_refused(tmp_path: Path, no_parsing: None) -> None:
    entries = {"xl/workbook.xml": b"<workbook/>"}
    entries |= {f"xl/media/x{i}.bin": b"x" for i in range(4_999)}
    path = make_zip(tmp_path / "many.xlsx", entries)

    assert _refusal(path) == ("unsafe", "Excel文件内部条目过多（5000个），拒绝打开")


def test_exactly_a_thousand_entries_pass_the_entry_check(tmp_path: Path) -> None:
    entries = {"xl/workbook.xml": b"<workbook/>"}
    entries |= {f"xl/media/x{i}.bin": b"x" for i in range(999)}

    path = make_zip(tmp_path / "k.xlsx", entries)

    with zipfile.ZipFile(path) as archive:
        assert len(archive.infolist()) == 1_000
    check_xlsx_container(path, limits=IMPORT_LIMITS)  # raises SheetError when refused


@pytest.mark.parametrize("name", ["../evil.xml", "xl/../../evil.xml", "/etc/evil.xml", "\\evil"])
def test_path_traversal_names_are_refused(tmp_path: Path, name: str, no_parsing: None) -> None:
    path = make_zip(tmp_path / "t.xlsx", {"xl/workbook.xml": b"<workbook/>", name: b"x"})

    assert _refusal(path) == ("unsafe", "Excel文件内部含有非法路径，拒绝打开")


def test_macro_workbook_is_refused(tmp_path: Path, good_xlsx: Path, no_parsing: None) -> None:
    path = rezip(good_xlsx, tmp_path / "m.xlsm", {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"})

    assert _refusal(path) == ("macro", "工作簿含有宏（.xlsm），不予导入：请另存为普通.xlsx")


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path: Path, no_parsing: None) -> None:
    path = make_zip(tmp_path / "doc.xlsx", {"word/document.xml": b"<document/>"})

    assert _refusal(path) == ("type", "文件是压缩包而不是Excel工作簿（.xlsx），不能导入")


@pytest.mark.parametrize("part", ["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"])
def test_entity_declarations_are_refused_before_parsing(
    tmp_path: Path, good_xlsx: Path, part: str, no_parsing: None
) -> None:
    path = rezip(good_xlsx, tmp_path / "xxe.xlsx", {part: BILLION_LAUGHS})

    assert _refusal(path) == ENTITY_REFUSED


@pytest.mark.parametrize(
    "content",
    [
        b"<?xml version='1.0'?><!--"
        + random.Random(0).randbytes(MB).hex().encode()  # 2 MB that do not compress away
        + b'--><!DOCTYPE s SYSTEM "file:///etc/passwd"><s/>',
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE s [<!ENTITY e "x">]><s/>'.encode(
            "utf-16-le"
        ),
        b'<?xml version="1.0"?><!doctype s><s/>',
        b'<Relationships><!ENTITY e SYSTEM "http://x/"></Relationships>',
    ],
    ids=["deep-in-the-part", "utf-16", "lower-case", "entity-without-doctype"],
)
def test_entity_declarations_are_found_anywhere_in_any_part(
    tmp_path: Path, good_xlsx: Path, content: bytes, no_parsing: None
) -> None:
    path = rezip(good_xlsx, tmp_path / "xxe.xlsx", {"xl/_rels/workbook.xml.rels": content})

    assert _refusal(path) == ENTITY_REFUSED


def test_a_cut_short_xlsx_is_corrupt(tmp_path: Path, good_xlsx: Path) -> None:
    path = tmp_path / "cut.xlsx"
    path.write_bytes(good_xlsx.read_bytes()[:2_000])

    assert _refusal(path) == ("corrupt", "Excel文件已损坏或不完整（可能上传中断）")


def test_encrypted_xlsx_in_a_cfb_container_is_refused(tmp_path: Path, no_parsing: None) -> None:
    path = tmp_path / "secret.xlsx"
    path.write_bytes(
        bytes.fromhex("D0CF11E0A1B11AE1")
        + bytes(504)
        + "EncryptionInfo".encode("utf-16-le")
        + bytes(64)
        + "EncryptedPackage".encode("utf-16-le")
    )

    assert _refusal(path) == ("encrypted", "Excel文件设置了打开密码，请取消密码后重新上传")


def test_a_cfb_file_that_is_not_a_workbook_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(1024))

    assert _refusal(path) == ("corrupt", "Excel工作簿（.xls）已损坏或格式无效，无法读取")


# --- type by content --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (b"", "empty", "文件为空"),
        (b"%PDF-1.7\n1 0 obj", "type", "这是PDF文件，不能导入：请上传CSV、Excel或Parquet文件"),
        (b"\x00\x01binary", "type",
         "文件不是CSV文本（含有二进制内容），请上传CSV、Excel或Parquet文件"),
        (b"PAR1\x00\x00cut", "truncated", "Parquet文件不完整（文件末尾缺失，可能上传中断）"),
        (b"a,b\n\xff\xfe\xfa\xfb", "encoding", "无法识别文件编码：请另存为UTF-8或GBK编码的CSV"),
        (b"\xef\xbb\xbfa,b\n\xff\xfe", "encoding", "文件声明为UTF-8但含有无效字节，无法读取"),
        (b'a,"b\nc', "truncated", "CSV文件第2行格式错误（引号未闭合，文件可能被截断）"),
        (b"\n\n", "empty", "文件为空"),
        (b",,\n1,2,3\n", "columns", "文件第1行没有列名（表头）"),
    ],
)  # fmt: skip
def test_bad_content_is_refused_whatever_the_name(
    tmp_path: Path, content: bytes, code: str, message: str
) -> None:
    path = tmp_path / "renamed.xlsx"
    path.write_bytes(content)

    assert _refusal(path) == (code, message)


@pytest.mark.parametrize(
    ("content", "kind"),
    [(b"PAR1....PAR1", "parquet"), (b"PK\x03\x04rest", "xlsx"),
     (bytes.fromhex("D0CF11E0A1B11AE1"), "xls"), ("姓名\n".encode(), "csv")],
)  # fmt: skip
def test_detect_format_by_content(tmp_path: Path, content: bytes, kind: str) -> None:
    path = tmp_path / "file.pdf"
    path.write_bytes(content)

    assert detect_format(path) == kind


# --- CSV --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "label"), [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gbk")]
)
def test_csv_in_each_encoding(tmp_path: Path, encoding: str, label: str) -> None:
    path = tmp_path / "d.csv"
    path.write_text(",".join(HEADERS) + "\r\n" + ",".join(ROW) + "\r\n", encoding=encoding)

    table = read_table(path, limits=IMPORT_LIMITS)

    assert table == RawTable(
        headers=HEADERS, rows=[ROW], source_format="csv", encoding=label, truncated_row=None
    )


def test_gbk_csv_with_a_character_outside_gbk_reads_as_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_bytes("姓名\r\n张䶮\r\n".encode("gb18030"))

    table = read_table(path, limits=IMPORT_LIMITS)

    assert (table.encoding, table.rows) == ("gbk", [["张䶮"]])


def test_tab_separated_text_is_read(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("\t".join(HEADERS) + "\n" + "\t".join(ROW) + "\n", encoding="utf-8")

    assert read_table(path, limits=IMPORT_LIMITS).rows == [ROW]


def test_csv_cut_short_mid_row_is_marked_truncated(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    path.write_text(",".join(HEADERS) + "\n" + ",".join(ROW) + "\n433124,李", encoding="utf-8")

    table = read_table(path, limits=IMPORT_LIMITS)

    assert table.truncated_row == 3
    assert table.rows == [ROW, ["433124", "李"]]


def test_blank_csv_cells_are_none_and_trailing_blank_lines_dropped(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("a,b\n1, \n\n,,\n", encoding="utf-8")

    assert read_table(path, limits=IMPORT_LIMITS).rows == [["1", None]]


def _csv_rows(path: Path, count: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows([ROW] * count)
    return path


def test_twenty_thousand_csv_rows_are_read(tmp_path: Path) -> None:
    table = read_table(_csv_rows(tmp_path / "ok.csv", 20_000), limits=IMPORT_LIMITS)

    assert len(table.rows) == 20_000


def test_twenty_thousand_and_one_csv_rows_are_refused(tmp_path: Path) -> None:
    assert _refusal(_csv_rows(tmp_path / "big.csv", 20_001)) == (
        "too_many_rows",
        "文件有20,001行，超过单个文件的上限20,000行，请分批上传",
    )


# --- Excel ------------------------------------------------------------------------------------


def test_xlsx_rows_with_native_values(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "d.xlsx", {"成员": [HEADERS, ["433124198001010012", "张三", 3.0], [" ", None]]}
    )

    table = read_table(path, limits=IMPORT_LIMITS)

    assert table == RawTable(
        headers=HEADERS, rows=[["433124198001010012", "张三", 3.0]], source_format="xlsx"
    )


def test_an_id_typed_as_a_number_reads_as_a_float(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "n.xlsx", {"成员": [HEADERS, [433124198001010012, "张三"]]})

    assert read_table(path, limits=IMPORT_LIMITS).rows == [[4.3312419800101e17, "张三", None]]


def test_a_named_sheet_is_read(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "two.xlsx", {"填写说明": [["说明"], ["第一行"]], "成员": [HEADERS, ROW]}
    )

    assert read_table(path, limits=IMPORT_LIMITS).headers == ["说明"]
    assert read_table(path, limits=IMPORT_LIMITS, sheet="成员").rows == [ROW]


def test_a_missing_named_sheet_is_refused(tmp_path: Path, good_xlsx: Path) -> None:
    assert _refusal(good_xlsx, sheet="户") == ("sheet", "工作簿中没有名为“户”的工作表")


def test_an_empty_sheet_is_refused(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "e.xlsx", {"成员": []})

    assert _refusal(path) == ("empty", "工作表为空")


def _xlsx_rows(path: Path, count: int) -> Path:
    return write_workbook(path, {"成员": [HEADERS] + [ROW] * count}, constant_memory=True)


def test_twenty_thousand_xlsx_rows_are_read(tmp_path: Path) -> None:
    table = read_table(_xlsx_rows(tmp_path / "ok.xlsx", 20_000), limits=IMPORT_LIMITS)

    assert (len(table.rows), table.rows[-1]) == (20_000, ROW)


def test_twenty_thousand_and_one_xlsx_rows_are_refused(tmp_path: Path) -> None:
    assert _refusal(_xlsx_rows(tmp_path / "big.xlsx", 20_001)) == (
        "too_many_rows",
        "文件有20,001行，超过单个文件的上限20,000行，请分批上传",
    )


# --- Parquet, counting, the error itself ----------------------------------------------------


def test_parquet_is_read_and_its_row_count_limited(tmp_path: Path) -> None:
    path = tmp_path / "d.parquet"
    pq.write_table(pa.table({"id": ["a", "b"], "day": [date(2024, 5, 1), None]}), path)

    assert read_table(path, limits=IMPORT_LIMITS).rows == [["a", date(2024, 5, 1)], ["b", None]]
    small = Limits(max_rows=1, zip_max_entries=1, zip_max_total=1, zip_max_ratio=1)
    assert _refusal(path, small) == (
        "too_many_rows",
        "文件有2行，超过单个文件的上限1行，请分批上传",
    )


def test_count_rows_estimates_without_reading(tmp_path: Path, zip_bomb: Path) -> None:
    parquet = tmp_path / "d.parquet"
    pq.write_table(pa.table({"id": ["a", "b", "c"]}), parquet)

    assert count_rows(_csv_rows(tmp_path / "d.csv", 7)) == 7
    assert count_rows(_xlsx_rows(tmp_path / "d.xlsx", 5)) == 5
    assert count_rows(parquet) == 3
    assert count_rows(zip_bomb) == 0
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert count_rows(empty) == 0


def test_sheet_error_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(SheetError("unsafe", "拒绝")))

    assert (type(error), error.code, error.message, str(error)) == (
        SheetError,
        "unsafe",
        "拒绝",
        "拒绝",
    )


def test_reading_imports_no_django() -> None:
    code = (
        "import sys, fangpin.sheets.reading, fangpin.sheets.normalise, fangpin.sheets.template,"
        " fangpin.sheets.errorbook, fangpin.sheets.writer;"
        " print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )

    assert done.stdout.strip() == "[]"
    assert reading.__name__ == "fangpin.sheets.reading"
