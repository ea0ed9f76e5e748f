"""SECURITY.md §5 scenarios 13, 14 and 15 over HTTP: hostile files uploaded through the real
import page (``web:imports_upload``) and department-feed page (``web:feeds_upload``).

Every hostile file is refused with its own Chinese message, recorded as a refused (imports) or
rejected (feeds) batch with that message, leaves no file anywhere under VAR_DIR (no upload
copy, no spool, no staged rows) and writes nothing to the registry. The XXE file and the zip
bomb are refused in under a second (a bound, not a benchmark), and reading the zip bomb the way
the import page does grows a subprocess's peak RSS by less than 50 MB.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from fangpin.core.models import AuditEvent, Role, User
from fangpin.feeds.models import FeedBatch
from fangpin.imports.models import ImportBatch, ImportJob
from tests.imports.conftest import headers_of, write_xlsx
from tests.registry import conftest as registry
from tests.registry.conftest import HUAYUAN_COUNTY, TUDI, make_user
from tests.sheets.conftest import declare_size, make_zip, rezip

# The registry's fixtures, re-exported by name so pytest finds them here.
village = registry.village
tudi_cadre = registry.tudi_cadre
counts = registry.counts

MB = 1024 * 1024
ROOT = Path(__file__).resolve().parents[2]
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b"<sst>&lol3;</sst>"
)
XXE_SYSTEM = (
    b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&x;</t></is></c>'
    b"</row></sheetData></worksheet>"
)
XXE = "Excel文件含有XML实体声明，文件格式无效"
RATIO = "Excel文件压缩比异常（疑似压缩炸弹），拒绝打开"
DECLARED_TOTAL = "Excel文件解压后过大（疑似压缩炸弹），拒绝打开"
MANY_ENTRIES = "Excel文件内部条目过多（5000个），拒绝打开"
TRAVERSAL = "Excel文件内部含有非法路径，拒绝打开"
MACRO = "工作簿含有宏（.xlsm），不予导入：请另存为普通.xlsx"
ENCRYPTED = "Excel文件设置了打开密码，请取消密码后重新上传"
PDF = "这是PDF文件，不能导入：请上传CSV、Excel或Parquet文件"
IMPORT_TOO_LARGE = "文件超过大小上限 10 MB：请按村或按乡镇分成几个文件上传"
FEED_TOO_LARGE = "文件超过大小上限10 MB，请分批上传"

HOUSEHOLD_KEYS = [
    "head_id_number",
    "village_code",
    "household_type",
    "registered_on",
    "name",
    "id_number",
    "relation",
]
HEAD_ID = "433124196804120013"


# --- Hostile files, built in the test --------------------------------------------------------


def _good_xlsx(folder: Path) -> Path:
    """A real import workbook (households template headers, one valid row)."""
    row = [HEAD_ID, TUDI, "1", "2024-03-01", "龙再田", HEAD_ID, "01"]
    return write_xlsx(folder / "good.xlsx", headers_of("households", HOUSEHOLD_KEYS), [row])


def billion_laughs(folder: Path) -> Path:
    return rezip(
        _good_xlsx(folder), folder / "laughs.xlsx", {"xl/sharedStrings.xml": BILLION_LAUGHS}
    )


def xxe_in_sheet(folder: Path) -> Path:
    return rezip(_good_xlsx(folder), folder / "xxe.xlsx", {"xl/worksheets/sheet1.xml": XXE_SYSTEM})


def five_thousand_entries(folder: Path) -> Path:
    entries = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}
    entries |= {f"xl/media/x{i}.bin": b"x" for i in range(4_998)}
    return make_zip(folder / "many.xlsx", entries)


def dot_dot_entry(folder: Path) -> Path:
    return rezip(_good_xlsx(folder), folder / "traversal.xlsx", {"../../evil.xml": b"<x/>"})


def macro_workbook(folder: Path) -> Path:
    return rezip(_good_xlsx(folder), folder / "宏.xlsm", {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"})


def encrypted_workbook(folder: Path) -> Path:
    """An OLE compound file whose directory names EncryptionInfo and EncryptedPackage, as
    Excel writes a password-protected .xlsx."""
    path = folder / "加密.xlsx"
    path.write_bytes(
        bytes.fromhex("D0CF11E0A1B11AE1")
        + bytes(504)
        + "EncryptionInfo".encode("utf-16-le")
        + bytes(64)
        + "EncryptedPackage".encode("utf-16-le")
        + bytes(2_048)
    )
    return path


def pdf_renamed(folder: Path) -> Path:
    path = folder / "名单.xlsx"
    path.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n")
    return path


def eleven_mb(folder: Path) -> Path:
    path = folder / "大文件.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"x" * (11 * MB - 4))
    return path


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workbook under 250 KB whose sheet XML declares (and holds) 200 MB of spaces."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            block = b" " * MB
            for _ in range(200):
                member.write(block)
    return path


FILES: dict[str, tuple[Callable[[Path], Path], str, str]] = {
    # name: (builder, SheetError code, message)
    "billion_laughs": (billion_laughs, "unsafe", XXE),
    "xxe_in_sheet": (xxe_in_sheet, "unsafe", XXE),
    "five_thousand_entries": (five_thousand_entries, "unsafe", MANY_ENTRIES),
    "dot_dot_entry": (dot_dot_entry, "unsafe", TRAVERSAL),
    "macro_xlsm": (macro_workbook, "macro", MACRO),
    "encrypted_cfb": (encrypted_workbook, "encrypted", ENCRYPTED),
    "pdf_renamed_xlsx": (pdf_renamed, "type", PDF),
}


# --- Helpers ---------------------------------------------------------------------------------


@pytest.fixture
def officer(village: Any) -> User:
    """The department data officer of 花垣县 (may upload feeds)."""
    return make_user("officer_huayuan", Role.DEPARTMENT_OFFICER, HUAYUAN_COUNTY)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_import(client: Client, path: Path) -> Any:
    return client.post(
        reverse("web:imports_upload"),
        {
            "entity": "households",
            "mode": "create",
            "file": SimpleUploadedFile(path.name, path.read_bytes(), "application/octet-stream"),
        },
    )


def post_feed(client: Client, path: Path) -> Any:
    return client.post(
        reverse("web:feeds_upload"),
        {
            "feed": "death_records",
            "period": "2024-06",
            "file": SimpleUploadedFile(path.name, path.read_bytes(), "application/octet-stream"),
        },
    )


def files_under(folder: Path) -> list[str]:
    """Every file left under ``folder`` (an upload copy, a spool file, staged rows …)."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def registry_counts(take: Callable[[], dict[str, int]]) -> dict[str, int]:
    """The registry tables' row counts (households, persons, events, finances …), not audit."""
    return {k: v for k, v in take().items() if k != "audit"}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_refused_import(response: Any, path: Path, code: str, message: str) -> None:
    """400 with the message on the page; one refused batch holding it; one audit event."""
    assert response.status_code == 400
    assert message in response.content.decode()
    batch = ImportBatch.objects.get(sha256=sha256(path))
    assert (batch.status, batch.sha256, batch.row_count, batch.error_count) == (
        "refused",
        sha256(path),
        0,
        0,
    )
    assert batch.report == {"file_error": {"code": code, "message": message}, "issues": []}
    event = AuditEvent.objects.get(action="registry.import_check", object_id=str(batch.pk))
    assert event.changes == {
        "entity": "households",
        "mode": "create",
        "sha256": sha256(path),
        "status": "refused",
        "file_error": code,
    }


def assert_rejected_feed(response: Any, path: Path, code: str, message: str) -> None:
    """400 with the message on the page; one rejected feed batch holding it; audited."""
    assert response.status_code == 400
    assert message in response.content.decode()
    batch = FeedBatch.objects.get(source_sha256=sha256(path))
    assert (batch.status, batch.source_sha256, batch.rows_total, batch.rows_publishable) == (
        "rejected",
        sha256(path),
        0,
        0,
    )
    assert batch.report == {"file_error": {"code": code, "message": message}, "issues": []}
    event = AuditEvent.objects.get(action="feeds.import", object_id=str(batch.pk))
    assert (event.result, event.changes) == (
        "failure",
        {"feed": "death_records", "period": "2024-06", "error": code},
    )


# --- Scenarios 13–15 on the import page ------------------------------------------------------


@pytest.mark.parametrize("name", list(FILES))
def test_hostile_file_on_the_import_page_is_refused_recorded_and_leaves_nothing(
    name: str,
    tudi_cadre: User,
    counts: Callable[[], dict[str, int]],
    tmp_path: Path,
    settings: Any,
) -> None:
    builder, code, message = FILES[name]
    path = builder(tmp_path)
    client = client_for(tudi_cadre)
    before = registry_counts(counts)

    response = post_import(client, path)

    assert_refused_import(response, path, code, message)
    assert ImportJob.objects.count() == 0
    assert registry_counts(counts) == before
    assert files_under(Path(settings.VAR_DIR)) == []


def test_zip_bomb_and_xxe_on_the_import_page_are_refused_in_under_a_second(
    zip_bomb: Path, tudi_cadre: User, counts: Callable[[], dict[str, int]], tmp_path: Path
) -> None:
    client = client_for(tudi_cadre)
    client.get(reverse("web:imports_upload"))  # the first request's one-off costs aside
    before = registry_counts(counts)
    assert zip_bomb.stat().st_size < 250_000

    started = time.perf_counter()
    bomb = post_import(client, zip_bomb)
    bomb_seconds = time.perf_counter() - started
    assert_refused_import(bomb, zip_bomb, "unsafe", RATIO)
    xxe = billion_laughs(tmp_path)
    started = time.perf_counter()
    laughs = post_import(client, xxe)
    xxe_seconds = time.perf_counter() - started

    assert_refused_import(laughs, xxe, "unsafe", XXE)
    assert ImportBatch.objects.count() == 2
    assert bomb_seconds < 1.0
    assert xxe_seconds < 1.0
    assert registry_counts(counts) == before


def test_declared_size_over_100_mb_is_refused_before_any_parser_reads_it(
    tudi_cadre: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """101 MB declared at ratio 92 passes the feeds' looser container limits; the import page
    must judge it by the import limits before anything (its row estimate included) parses it."""
    import python_calamine

    path = make_zip(
        tmp_path / "big.xlsx",
        {"xl/workbook.xml": b"<workbook/>", "xl/media/image1.png": bytes(1_100_000)},
        zipfile.ZIP_STORED,
    )
    declare_size(path, "xl/media/image1.png", 101 * MB)
    opened: list[str] = []

    def record(cls: Any, source: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(str(source))
        raise AssertionError("the parser was reached")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", classmethod(record))

    response = post_import(client_for(tudi_cadre), path)

    assert_refused_import(response, path, "unsafe", DECLARED_TOTAL)
    assert opened == []
    assert files_under(Path(settings.VAR_DIR)) == []


def test_an_11_mb_upload_is_413_and_leaves_no_file_anywhere(
    tudi_cadre: User, counts: Callable[[], dict[str, int]], tmp_path: Path, settings: Any
) -> None:
    django_temp = tmp_path / "django-upload-tmp"
    django_temp.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(django_temp)  # where Django spools a large request
    path = eleven_mb(tmp_path)
    client = client_for(tudi_cadre)  # logging in is audited: count after it
    before = counts()

    response = post_import(client, path)

    assert response.status_code == 413
    assert IMPORT_TOO_LARGE in response.content.decode()
    assert ImportBatch.objects.count() == 0  # refused before it is read: no batch, no audit
    assert counts() == before
    assert files_under(Path(settings.VAR_DIR)) == []
    assert files_under(django_temp) == []


_BOMB_RUNNER = """
import json, resource, subprocess, sys
child = subprocess.run([sys.executable, "-c", sys.argv[1], sys.argv[2]],
                       capture_output=True, text=True, check=True)
report = json.loads(child.stdout)
report["children_maxrss_kb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps(report))
"""
#: What the import page does with an upload before any database work: the row estimate that
#: picks a background check, then the reader under the import limits.
_UPLOAD_READER = """
import json, os, resource, sys, time
from pathlib import Path
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangpin.settings")
import django
django.setup()
from fangpin.imports import jobs
from fangpin.imports.services import LIMITS
from fangpin.sheets.reading import SheetError, read_table
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
background = jobs.needs_background(Path(sys.argv[1]))
try:
    read_table(Path(sys.argv[1]), limits=LIMITS)
    code = ""
except SheetError as exc:
    code = exc.code
print(json.dumps({"code": code, "background": background,
                  "seconds": time.perf_counter() - started, "baseline_kb": baseline}))
"""


def test_zip_bomb_read_as_the_import_page_does_grows_peak_memory_under_50_mb(
    zip_bomb: Path, tmp_path: Path
) -> None:
    """In a subprocess whose runner has no other child, so RUSAGE_CHILDREN is the reader's."""
    env = {"FANGPIN_MODE": "test", "FANGPIN_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    runner = subprocess.run(
        [sys.executable, "-c", _BOMB_RUNNER, _UPLOAD_READER, str(zip_bomb)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    report = json.loads(runner.stdout)

    assert (report["code"], report["background"]) == ("unsafe", False)
    assert report["seconds"] < 1.0
    assert report["children_maxrss_kb"] - report["baseline_kb"] < 50 * 1024


# --- The same files on the department-feed page ----------------------------------------------


@pytest.mark.parametrize("name", list(FILES))
def test_hostile_file_on_the_feed_page_is_rejected_recorded_and_leaves_nothing(
    name: str,
    officer: User,
    counts: Callable[[], dict[str, int]],
    tmp_path: Path,
    settings: Any,
) -> None:
    builder, code, message = FILES[name]
    path = builder(tmp_path)
    before = registry_counts(counts)

    response = post_feed(client_for(officer), path)

    assert_rejected_feed(response, path, code, message)
    assert registry_counts(counts) == before
    assert files_under(Path(settings.VAR_DIR)) == []


def test_zip_bomb_on_the_feed_page_is_rejected_in_under_a_second(
    zip_bomb: Path, officer: User, settings: Any
) -> None:
    client = client_for(officer)
    client.get(reverse("web:feeds_upload"))

    started = time.perf_counter()
    response = post_feed(client, zip_bomb)
    seconds = time.perf_counter() - started

    assert_rejected_feed(response, zip_bomb, "unsafe", RATIO)
    assert seconds < 1.0
    assert files_under(Path(settings.VAR_DIR)) == []


def test_a_feed_over_its_size_limit_is_refused_and_leaves_no_file(
    officer: User, tmp_path: Path, settings: Any
) -> None:
    """Feeds allow 200 MB (docs/feeds.md); with the limit set to 10 MB an 11 MB file is
    refused while it is copied: 400 (not 413, unlike imports), no batch, no file."""
    settings.FANGPIN_FEEDS_MAX_BYTES = 10 * MB
    django_temp = tmp_path / "django-upload-tmp"
    django_temp.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(django_temp)
    path = eleven_mb(tmp_path)
    client = client_for(officer)
    audit = AuditEvent.objects.count()

    response = post_feed(client, path)

    assert response.status_code == 400
    assert FEED_TOO_LARGE in response.content.decode()
    assert FeedBatch.objects.count() == 0
    assert AuditEvent.objects.count() == audit
    assert files_under(Path(settings.VAR_DIR)) == []
    assert files_under(django_temp) == []
