"""Small sampling frames for the tests (village codes are labels, not region codes)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fangpin.sampling import Village

Lists = dict[str, list[str]]


def frame(spec: Mapping[str, Sequence[tuple[int, int]]]) -> list[Village]:
    """Villages ``<stratum>-<n>`` with (registered, outside) household counts per stratum."""
    return [
        Village(f"{stratum}-{index:02d}", stratum, registered, outside)
        for stratum, counts in spec.items()
        for index, (registered, outside) in enumerate(counts, start=1)
    ]


def household_lists(villages: Sequence[Village]) -> tuple[Lists, Lists]:
    """Household ids ``<village>/r<n>`` (register) and ``<village>/o<n>`` (outside)."""
    register = {v.code: [f"{v.code}/r{j:03d}" for j in range(v.households_in_register)]
                for v in villages}  # fmt: skip
    outside = {v.code: [f"{v.code}/o{j:03d}" for j in range(v.households_outside)]
               for v in villages}  # fmt: skip
    return register, outside


# Three townships: 4, 3 and 6 villages of various sizes.
TOWNSHIPS = {
    "镇甲": [(12, 40), (8, 25), (30, 120), (5, 15)],
    "镇乙": [(20, 60), (3, 9), (15, 1200)],
    "镇丙": [(10, 30), (10, 31), (4, 7), (25, 80), (6, 18), (9, 0)],
}
ALLOCATION = {"镇甲": 2, "镇乙": 2, "镇丙": 3}
