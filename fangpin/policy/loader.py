"""Read and validate edition files (TOML, stdlib ``tomllib``) against the schema.

Each file is checked on its own here (syntax, header, keys, types, ranges, fixed fields);
the checks between files (duplicates, loosening) live in :mod:`fangpin.policy.resolve`.
Problems are collected, never raised one by one, so ``fangpin policy check`` shows them all.
"""

from __future__ import annotations

import hashlib
import itertools
import tomllib
from typing import Any

from fangpin.policy.errors import PolicyError
from fangpin.policy.model import NATIONAL, CatalogueItem, Edition, Entry, Level, Value, level_of
from fangpin.policy.schema import (
    CATALOGUE_ITEM_KEYS,
    CATALOGUE_KINDS,
    ENTRY_KEYS,
    FIELDS,
    FIELDS_BY_KEY,
    HEADER_KEYS,
    SECTIONS,
    Direction,
    FieldSpec,
    Kind,
)
from fangpin.regioncode import RegionCodeError, parse_code

__all__ = ["parse_edition"]

_KIND_ZH = {
    Kind.INT: "整数",
    Kind.SHARE: "0 到 1 之间的比例",
    Kind.RATIO: "非负数",
    Kind.BOOL: "true 或 false",
    Kind.TEXT: "非空字符串",
    Kind.ENUM: "字符串",
    Kind.CATALOGUE: "条目列表（每条为 { code = …, zh = … }）",
    Kind.REGIONS: "地区列表（每条为 { code = 区划代码, zh = … }）",
    Kind.SHARES: "比例列表（如 [0.05, 0.10]）",
}
_YEARS = (2000, 2100)


def _is_int(raw: object) -> bool:
    return isinstance(raw, int) and not isinstance(raw, bool)


def _is_number(raw: object) -> bool:
    return isinstance(raw, int | float) and not isinstance(raw, bool)


class _FileCheck:
    """Collects the problems of one file; every message starts with the file and key."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[PolicyError] = []

    def add(self, code: str, key: str, detail: str) -> None:
        where = f"{self.file}：{key}：" if key else f"{self.file}："
        self.errors.append(PolicyError(code, where + detail, file=self.file, key=key))

    def typed(self, key: str, raw: object, kind: Kind) -> bool:
        ok = {
            Kind.INT: _is_int(raw),
            Kind.SHARE: _is_number(raw),
            Kind.RATIO: _is_number(raw),
            Kind.BOOL: isinstance(raw, bool),
            Kind.TEXT: isinstance(raw, str),
            Kind.ENUM: isinstance(raw, str),
            Kind.CATALOGUE: isinstance(raw, list),
            Kind.REGIONS: isinstance(raw, list),
            Kind.SHARES: isinstance(raw, list),
        }[kind]
        if not ok:
            self.add("wrong_type", key, f"应为{_KIND_ZH[kind]}，实为 {raw!r}")
        return ok


def parse_edition(data: bytes, file: str) -> tuple[Edition | None, list[PolicyError]]:
    """Parse one edition file; return the edition (None if unusable) and its problems."""
    check = _FileCheck(file)
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        check.add("toml_syntax", "", f"不是有效的 UTF-8 TOML 文件（{exc}）")
        return None, check.errors

    header = _header(check, raw.get("edition"))
    for name in raw:
        if name != "edition" and name not in SECTIONS:
            check.add("unknown_key", name, "未知的节（schema 中没有此项）")
    if header is None:
        return None, check.errors
    year, region, title, basis, is_example = header
    level = level_of(region)

    entries: dict[str, Entry] = {}
    for section in SECTIONS:
        table = raw.get(section)
        if table is None:
            continue
        if not isinstance(table, dict):
            check.add("wrong_type", section, f"应为表（[{section}]），实为 {table!r}")
            continue
        for name, item in table.items():
            key = f"{section}.{name}"
            spec = FIELDS_BY_KEY.get(key)
            if spec is None:
                check.add("unknown_key", key, "未知的键（schema 中没有此项）")
                continue
            if level is not Level.NATIONAL and spec.direction is Direction.FIXED:
                check.add(
                    "fixed_field",
                    key,
                    f"为固定项（fixed），{level.zh}级版本不得覆盖，只能由国家底线设定",
                )
                continue
            entry = _entry(check, spec, item)
            if entry is not None:
                entries[key] = entry
    if level is Level.NATIONAL:
        for spec in FIELDS:
            present = isinstance(raw.get(spec.section), dict) and spec.name in raw[spec.section]
            if not present:
                check.add("missing_key", spec.key, f"国家底线版本必须设定“{spec.label}”")
    if check.errors:
        return None, check.errors
    edition = Edition(
        year=year,
        region=region,
        title=title,
        basis=basis,
        is_example=is_example,
        file=file,
        sha256=hashlib.sha256(data).hexdigest(),
        entries=entries,
    )
    return edition, []


def _header(check: _FileCheck, table: object) -> tuple[int, str, str, str, bool] | None:
    if table is None:
        check.add("missing_key", "edition", "缺少 [edition] 节（year、region、title、basis）")
        return None
    if not isinstance(table, dict):
        check.add("wrong_type", "edition", f"应为表（[edition]），实为 {table!r}")
        return None
    before = len(check.errors)
    for name in table:
        if name not in HEADER_KEYS:
            check.add("unknown_key", f"edition.{name}", "未知的键（schema 中没有此项）")
    for name, (required, kind) in HEADER_KEYS.items():
        key = f"edition.{name}"
        if name not in table:
            if required:
                check.add("missing_key", key, "缺少此项")
            continue
        if check.typed(key, table[name], kind) and kind is Kind.TEXT and not table[name].strip():
            check.add("bad_value", key, "不能为空")
    if len(check.errors) > before:
        return None
    year: int = table["year"]
    region: str = table["region"]
    if not _YEARS[0] <= year <= _YEARS[1]:
        check.add("bad_value", "edition.year", f"年度 {year} 超出范围（{_YEARS[0]}–{_YEARS[1]}）")
        return None
    if not _region_ok(check, region):
        return None
    return year, region, table["title"], table["basis"], bool(table.get("example", False))


def _region_ok(check: _FileCheck, region: str, key: str = "edition.region") -> bool:
    """``national`` (header only) or the 2-, 4- or 6-digit code of a real province,
    prefecture or county."""
    if region == NATIONAL and key == "edition.region":
        return True
    if not (region.isascii() and region.isdigit() and len(region) in {2, 4, 6}):
        what = "national 或 " if key == "edition.region" else ""
        check.add("bad_region", key, f"“{region}”应为 {what}2/4/6 位区划代码（省/地/县）")
        return False
    try:
        info = parse_code(region)
    except RegionCodeError as exc:
        check.add("bad_region", key, exc.message)
        return False
    if info.level != {2: 1, 4: 2, 6: 3}[len(region)]:
        check.add("bad_region", key, f"“{region}”末两位为 00，请写成更短的上级代码")
        return False
    return True


def _entry(check: _FileCheck, spec: FieldSpec, item: object) -> Entry | None:
    key = spec.key
    if not isinstance(item, dict):
        check.add(
            "wrong_type",
            key,
            f'应写成 {{ value = …, confirmed = true/false, source = "…" }}，实为 {item!r}',
        )
        return None
    ok = True
    for name in item:
        if name not in ENTRY_KEYS:
            check.add("unknown_key", f"{key}.{name}", "未知的键（只能有 value、confirmed、source）")
            ok = False
    for name in ENTRY_KEYS:
        if name not in item:
            check.add("missing_key", f"{key}.{name}", "缺少此项")
            ok = False
    if not ok:
        return None
    confirmed, source = item["confirmed"], item["source"]
    ok = check.typed(f"{key}.confirmed", confirmed, Kind.BOOL)
    if check.typed(f"{key}.source", source, Kind.TEXT) and not source.strip():
        check.add("bad_value", f"{key}.source", "来源不能为空：写明文件、网页或“示例值”")
        ok = False
    value = _value(check, spec, item["value"])
    if value is None or not ok:
        return None
    return Entry(value=value, confirmed=confirmed, source=source)


def _value(check: _FileCheck, spec: FieldSpec, raw: Any) -> Value | None:
    key = f"{spec.key}.value"
    if not check.typed(key, raw, spec.kind):
        return None
    if spec.kind in CATALOGUE_KINDS:
        items = _catalogue(check, key, raw)
        if items is not None and spec.kind is Kind.REGIONS:
            return _regions(check, key, items)
        return items
    if spec.kind is Kind.SHARES:
        return _shares(check, key, raw)
    if spec.kind in {Kind.SHARE, Kind.RATIO}:
        raw = float(raw)
    if spec.kind is Kind.ENUM and raw not in spec.choices:
        check.add("bad_value", key, f"“{raw}”不在可选值 {', '.join(spec.choices)} 中")
        return None
    if spec.kind is Kind.TEXT and not raw.strip():
        check.add("bad_value", key, "不能为空")
        return None
    if _is_number(raw):
        if spec.low is not None and raw < spec.low:
            check.add("bad_value", key, f"{raw} 小于下限 {spec.low:g}")
            return None
        if spec.high is not None and raw > spec.high:
            check.add("bad_value", key, f"{raw} 大于上限 {spec.high:g}")
            return None
    value: Value = raw
    return value


def _regions(
    check: _FileCheck, key: str, items: tuple[CatalogueItem, ...]
) -> tuple[CatalogueItem, ...] | None:
    """Check that every code of a region list is a real province, prefecture or county."""
    ok = True
    for index, item in enumerate(items):
        ok = _region_ok(check, item.code, f"{key}[{index}].code") and ok
    return items if ok else None


def _shares(check: _FileCheck, key: str, raw: list[Any]) -> tuple[float, ...] | None:
    """A non-empty, strictly ascending list of shares strictly between 0 and 1."""
    if not raw:
        check.add("bad_value", key, "列表不能为空")
        return None
    before = len(check.errors)
    for index, item in enumerate(raw):
        where = f"{key}[{index}]"
        if not _is_number(item):
            check.add("wrong_type", where, f"应为 0 到 1 之间的比例，实为 {item!r}")
        elif not 0 < item < 1:
            check.add("bad_value", where, f"{item} 应大于 0 且小于 1")
    if len(check.errors) > before:
        return None
    shares = tuple(float(item) for item in raw)
    if any(b <= a for a, b in itertools.pairwise(shares)):
        check.add("bad_value", key, "比例应从小到大排列且不重复")
        return None
    return shares


def _catalogue(check: _FileCheck, key: str, raw: list[Any]) -> tuple[CatalogueItem, ...] | None:
    if not raw:
        check.add("bad_value", key, "列表不能为空")
        return None
    items: list[CatalogueItem] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        where = f"{key}[{index}]"
        if not isinstance(item, dict):
            check.add("wrong_type", where, f"应为 {{ code = …, zh = … }}，实为 {item!r}")
            continue
        before = len(check.errors)
        for name in item:
            if name not in CATALOGUE_ITEM_KEYS:
                check.add("unknown_key", f"{where}.{name}", "未知的键")
        for name in CATALOGUE_ITEM_KEYS:
            if name in item:
                kind = Kind.BOOL if name == "confirmed" else Kind.TEXT
                check.typed(f"{where}.{name}", item[name], kind)
            elif name in {"code", "zh"}:
                check.add("missing_key", f"{where}.{name}", "缺少此项")
        if len(check.errors) > before:
            continue
        if not (item["code"].strip() and item["zh"].strip()):
            check.add("bad_value", where, "code 和 zh 不能为空")
            continue
        if item["code"] in seen:
            check.add("bad_value", f"{where}.code", f"代码“{item['code']}”重复")
            continue
        seen.add(item["code"])
        items.append(
            CatalogueItem(
                code=item["code"],
                zh=item["zh"],
                en=item.get("en", ""),
                code_table=item.get("code_table", ""),
                confirmed=item.get("confirmed", True),
            )
        )
    if len(items) != len(raw):
        return None
    return tuple(items)
