"""Load a directory of editions, check them against each other, and resolve a year and region.

**Resolution rule.** For ``resolve(year, region)`` each level — national, province (first 2
digits), prefecture (first 4), county (first 6) — contributes its *latest edition whose year is
at most the requested year*; levels without one are skipped. The national floor is required:
no national edition at or before the year is the error ``no_edition``. Values are applied from
the national floor down, each lower level replacing only the keys it sets. An override so
carries forward into later years until its region ships a newer file, and the explanation
shows which file (and so which year) every value came from.

**Tightening** is checked when the directory is loaded, for every year an override would be
used in, against the chain above it in that year; a looser value is the error ``loosening``
naming the key, both values and both files. ``resolve`` therefore never meets a loosening.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fangpin.policy.errors import PolicyError, PolicyValidationError
from fangpin.policy.format import format_value
from fangpin.policy.loader import parse_edition
from fangpin.policy.model import NATIONAL, CatalogueItem, Edition, Level
from fangpin.policy.resolved import ResolvedEdition, ResolvedValue
from fangpin.policy.schema import CATALOGUE_KINDS, FIELDS_BY_KEY, LIMITS, Direction
from fangpin.regioncode import RegionCodeError, parse_code

__all__ = ["DEFAULT_DIRECTORY", "EditionSet", "default_editions", "load_editions", "resolve"]

DEFAULT_DIRECTORY = Path(__file__).resolve().parent / "editions"


@dataclass(frozen=True, slots=True)
class EditionSet:
    """All editions of one directory, already checked file by file and against each other."""

    directory: str
    editions: tuple[Edition, ...]

    def select(self, region: str, year: int) -> Edition | None:
        """The latest edition of ``region`` whose year is at most ``year``."""
        found = [e for e in self.editions if e.region == region and e.year <= year]
        return max(found, key=lambda e: e.year) if found else None

    @property
    def national_years(self) -> tuple[int, ...]:
        return tuple(sorted(e.year for e in self.editions if e.region == NATIONAL))

    def resolve(self, year: int, region_code: str) -> ResolvedEdition:
        """Resolve the edition in force for ``year`` in ``region_code`` (6 or 12 digits)."""
        regions = _regions_of(region_code)
        national = self.select(NATIONAL, year)
        if national is None:
            years = self.national_years
            earliest = f"（最早为 {years[0]} 年）" if years else ""
            raise PolicyError("no_edition", f"没有 {year} 年或更早的国家底线政策版本{earliest}")
        chain = [national]
        for region in regions:
            edition = self.select(region, year)
            if edition is not None:
                chain.append(edition)
        values, errors = _apply(chain)
        if errors:  # load_editions checked every chain; reaching this means a bug there
            raise PolicyValidationError(errors)
        digest = hashlib.sha256("\n".join(e.sha256 for e in chain).encode()).hexdigest()
        return ResolvedEdition(
            year=year,
            region_code=region_code,
            edition_id=f"{year}/{region_code}@{digest[:12]}",
            chain=tuple(chain),
            values=values,
        )


def _regions_of(region_code: str) -> list[str]:
    """Province, prefecture and county prefixes of a 6- or 12-digit code (those that exist)."""
    code = region_code.strip() if isinstance(region_code, str) else ""
    if not (code.isascii() and code.isdigit() and len(code) in {6, 12}):
        raise PolicyError("bad_region", f"区划代码“{region_code}”应为 6 位或 12 位数字")
    try:
        info = parse_code(code)
    except RegionCodeError as exc:
        raise PolicyError("bad_region", exc.message) from exc
    regions = [code[:2]]
    if info.prefecture_code:
        regions.append(code[:4])
    if info.county_code:
        regions.append(code[:6])
    return regions


def _ancestors(region: str) -> list[str]:
    return [region[:n] for n in (2, 4) if n < len(region)]


def _rank(value: object) -> float:
    if isinstance(value, bool | int | float):
        return float(value)
    raise TypeError(f"not an ordered value: {value!r}")  # the schema forbids this


def _apply(chain: Sequence[Edition]) -> tuple[dict[str, ResolvedValue], list[PolicyError]]:
    """Apply editions from the national floor down; report every lower value that loosens.

    When nothing loosens, the resolved values are also checked against ``schema.LIMITS``.
    """
    values: dict[str, ResolvedValue] = {}
    errors: list[PolicyError] = []
    for edition in chain:
        for key, entry in edition.entries.items():
            spec = FIELDS_BY_KEY[key]
            upper = values.get(key)
            if upper is not None and spec.direction in {Direction.MIN, Direction.MAX}:
                new, old = _rank(entry.value), _rank(upper.value)
                looser = new < old if spec.direction is Direction.MIN else new > old
                if looser:
                    way = "调高" if spec.direction is Direction.MIN else "调低"
                    errors.append(
                        PolicyError(
                            "loosening",
                            f"{edition.file}：{key}：{edition.level.zh}级版本设为 "
                            f"{format_value(spec, entry.value)}，比上级 {upper.file} 的 "
                            f"{format_value(spec, upper.value)} 宽松；“{spec.label}”只能"
                            f"{way}（{spec.direction}）",
                            file=edition.file,
                            key=key,
                        )
                    )
                    continue
            confirmed = entry.confirmed
            if spec.kind in CATALOGUE_KINDS and isinstance(entry.value, tuple):
                confirmed = confirmed and all(
                    item.confirmed for item in entry.value if isinstance(item, CatalogueItem)
                )
            values[key] = ResolvedValue(
                key=key,
                value=entry.value,
                confirmed=confirmed,
                source=entry.source,
                level=edition.level,
                file=edition.file,
                edition_year=edition.year,
            )
    if not errors:
        errors.extend(_check_limits(values, chain[-1].file if chain else ""))
    return values, errors


def _check_limits(values: dict[str, ResolvedValue], file: str) -> list[PolicyError]:
    """Refuse a resolved value above the value that caps it (``schema.LIMITS``).

    ``file`` is the lowest file of the chain: the one whose author must fix it (shorten the
    key, or not shorten its ceiling below it).
    """
    errors: list[PolicyError] = []
    for key, ceiling_key in LIMITS:
        value, ceiling = values.get(key), values.get(ceiling_key)
        if value is None or ceiling is None or _rank(value.value) <= _rank(ceiling.value):
            continue
        spec, ceiling_spec = FIELDS_BY_KEY[key], FIELDS_BY_KEY[ceiling_key]
        errors.append(
            PolicyError(
                "exceeds_limit",
                f"{file}：{key}：“{spec.label}”为 {value.display}（{value.file}），超过"
                f"“{ceiling_spec.label}” {ceiling.display}（{ceiling.file}）；不得超过后者",
                file=file,
                key=key,
            )
        )
    return errors


def _check_overrides(editions: tuple[Edition, ...]) -> list[PolicyError]:
    """Check every override against the chain above it, in every year it would be used."""
    full = EditionSet(directory="", editions=editions)
    years = sorted({e.year for e in editions})
    errors: dict[str, PolicyError] = {}
    for edition in editions:
        if edition.level is Level.NATIONAL:
            for error in _apply([edition])[1]:  # a floor alone must respect LIMITS too
                errors.setdefault(error.message, error)
            continue
        for year in (y for y in years if y >= edition.year):
            if full.select(edition.region, year) is not edition:
                break  # a newer file of the same region takes over from here
            national = full.select(NATIONAL, year)
            if national is None:
                message = (
                    f"{edition.file}：edition.year：没有不晚于 {edition.year} 年的国家底线版本，"
                    "下级版本无从比较"
                )
                errors[message] = PolicyError(
                    "no_edition", message, file=edition.file, key="edition.year"
                )
                continue
            chain = [national]
            for region in _ancestors(edition.region):
                above = full.select(region, year)
                if above is not None:
                    chain.append(above)
            chain.append(edition)
            for error in _apply(chain)[1]:
                errors.setdefault(error.message, error)
    return list(errors.values())


def load_editions(directory: str | Path | None = None) -> EditionSet:
    """Load and validate every ``*.toml`` edition under ``directory`` (default: shipped ones).

    Raises :class:`PolicyValidationError` carrying every problem found, not just the first.
    """
    root = Path(directory) if directory is not None else DEFAULT_DIRECTORY
    if not root.is_dir():
        raise PolicyValidationError(
            [PolicyError("no_directory", f"政策版本目录“{root}”不存在", file=str(root))]
        )
    paths = sorted(root.rglob("*.toml"))
    if not paths:
        raise PolicyValidationError(
            [
                PolicyError(
                    "no_directory", f"目录“{root}”中没有政策版本文件（*.toml）", file=str(root)
                )
            ]
        )
    errors: list[PolicyError] = []
    seen: dict[tuple[int, str], Edition] = {}
    editions: list[Edition] = []
    for path in paths:
        file = path.relative_to(root).as_posix()
        edition, problems = parse_edition(path.read_bytes(), file)
        errors.extend(problems)
        if edition is None:
            continue
        first = seen.get((edition.year, edition.region))
        if first is not None:
            errors.append(
                PolicyError(
                    "duplicate_edition",
                    f"{file}：edition：与 {first.file} 重复（都是 {edition.year} 年 "
                    f"{edition.region} 的版本）",
                    file=file,
                    key="edition",
                )
            )
            continue
        seen[(edition.year, edition.region)] = edition
        editions.append(edition)
    errors.extend(_check_overrides(tuple(editions)))
    if errors:
        raise PolicyValidationError(errors)
    return EditionSet(directory=str(root), editions=tuple(editions))


@cache
def default_editions() -> EditionSet:
    """The shipped editions, loaded once per process."""
    return load_editions()


def resolve(year: int, region_code: str, *, editions: EditionSet | None = None) -> ResolvedEdition:
    """Resolve the edition in force for ``year`` in ``region_code`` (see the module docstring)."""
    return (editions or default_editions()).resolve(year, region_code)
