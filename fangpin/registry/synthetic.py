"""Glue between the region table and the pure synthetic generator (fangpin.synth)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from django.conf import settings

from fangpin.core.models import Region, RegionLevel
from fangpin.core.selectors import region_path
from fangpin.registry.errors import RegistryError
from fangpin.synth import SynthConfig, VillageSpec, write_parquet


def default_dataset_dir(county_code: str, seed: int) -> Path:
    return Path(settings.VAR_DIR) / "synth" / f"{county_code}-{seed}"


def synthetic_villages(*, county_code: str) -> tuple[Region, list[VillageSpec], list[str]]:
    """The county, its current villages as generator input, and its neighbour counties' codes.

    Neighbours are the other counties of the same prefecture: the places spouses most often
    marry in from.
    """
    if len(county_code) != 6 or not county_code.isdigit():
        raise RegistryError("county", f"县级区划代码应为 6 位数字，收到“{county_code}”")
    county = Region.objects.filter(code=f"{county_code}000000", level=RegionLevel.COUNTY).first()
    if county is None:
        raise RegistryError(
            "county", f"区划 {county_code} 未加载或不是县级，请先运行 fangpin regions load"
        )
    villages = list(
        Region.objects.filter(
            code__startswith=county_code, level=RegionLevel.VILLAGE, valid_to__isnull=True
        )
        .select_related("parent")
        .order_by("code")
    )
    if not villages:
        raise RegistryError(
            "county",
            f"{county.name}（{county_code}）没有已加载的村级区划，"
            f"请运行 fangpin regions load --under {county_code}",
        )
    # 湖南省湘西土家族苗族自治州花垣县: the address up to the county, before the township.
    path = region_path(code=county.code)
    prefix = "".join(region.name for region in path if region.name != "市辖区")
    specs = [
        VillageSpec(
            code=v.code,
            name=v.name,
            township_code=v.parent.code if v.parent else "",
            township_name=v.parent.name if v.parent else "",
            address_prefix=prefix,
        )
        for v in villages
    ]
    neighbours = list(
        Region.objects.filter(
            code__startswith=county_code[:4], level=RegionLevel.COUNTY, valid_to__isnull=True
        )
        .exclude(code=county.code)
        .values_list("code", flat=True)
    )
    return county, specs, [code[:6] for code in neighbours]


def synthetic_dataset_write(
    *,
    county_code: str,
    households: int,
    seed: int,
    year: int,
    out_dir: Path,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, int]:
    """Generate the county's synthetic registry and department feeds as Parquet in out_dir."""
    county, villages, neighbours = synthetic_villages(county_code=county_code)
    config = SynthConfig(
        seed=seed, households=households, year=year, reference_date=date(year, 12, 31)
    )

    def tick(done: int, total: int) -> None:
        if progress is not None:
            progress("generate", done, total)

    return write_parquet(
        villages,
        county_code,
        config,
        Path(out_dir),
        county_name=county.name,
        neighbour_county_codes=neighbours,
        progress=tick,
    )
