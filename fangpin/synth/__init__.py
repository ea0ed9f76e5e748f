"""Synthetic county: a realistic registry snapshot and department feeds (pure core).

The CLI and the database loader call exactly this API::

    for result in generate(villages, "433124", SynthConfig(households=20000),
                           county_name="花垣县", neighbour_county_codes=["433101"]):
        result.registry["persons"]   # pyarrow.Table, valid against fangpin.contract
        result.feeds["medical_claims"]

    counts = write_parquet(villages, "433124", config, Path("var/synth/433124-20241"),
                           county_name="花垣县")

Never imports Django; see README.md for what this package owns and may import, and
docs/synth.md for every rate it uses.
"""

from fangpin.synth.config import MessinessRates, SynthConfig, VillageSpec
from fangpin.synth.pipeline import SynthResult, generate
from fangpin.synth.writer import SYNTH_VERSION, write_parquet

__all__ = [
    "SYNTH_VERSION",
    "MessinessRates",
    "SynthConfig",
    "SynthResult",
    "VillageSpec",
    "generate",
    "write_parquet",
]
