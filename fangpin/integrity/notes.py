"""Copied visit notes (DOMAIN.md §11 [D] signal 5: copied notes; 形式主义, 精准填表).

A visit note copied from household to household suggests a visit that was written, not made.
Notes are normalised (NFKC, letters and digits only, lower case), cut into character 3-grams
and compared by Jaccard similarity. Identical normalised texts are grouped directly; near
copies are found with MinHash signatures and locality-sensitive hashing (NOTE_BANDS bands of
NOTE_ROWS rows: a pair at similarity 0.9 becomes a candidate with probability 0.9998), and
every candidate pair is checked exactly, so no pair below the threshold is ever reported.

A signal for a person to review, never a verdict: a template agreed in the county, or a
standard sentence about a policy, makes honest notes look alike.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from fangpin.integrity.frame import Data
from fangpin.integrity.model import (
    Code,
    Finding,
    IntegritySettings,
    Severity,
    SubjectKind,
    make_finding,
    ordered,
)
from fangpin.integrity.text import common_region, join_ids, percent

__all__ = ["MIN_NOTE_CHARS", "NOTE_BANDS", "NOTE_ROWS", "copied_notes", "normalise_note"]

#: Notes shorter than this after normalisation ("已走访", "情况正常") are too short to judge.
MIN_NOTE_CHARS = 15
NOTE_BANDS = 10
NOTE_ROWS = 5
_SHINGLE = 3
_SEED = 20240808  # fixed: the same notes always give the same signatures
_EXAMPLE_CHARS = 40
_NOT_WORD = re.compile(r"[\W_]+")


def normalise_note(text: str) -> str:
    """NFKC, lower case, letters and digits only: punctuation, spacing and width never count."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).lower())


def _shingles(text: str) -> frozenset[str]:
    return frozenset(text[i : i + _SHINGLE] for i in range(len(text) - _SHINGLE + 1))


def _signatures(texts: list[str]) -> npt.NDArray[np.uint64]:
    """MinHash signatures of the texts' 3-gram sets, NOTE_BANDS × NOTE_ROWS columns per text.

    A 3-gram is coded exactly as its three code points packed into 63 bits (21 bits each),
    computed for every text at once (every text has at least MIN_NOTE_CHARS characters). Each
    "permutation" is a multiply-shift hash (odd a, any b; 64-bit wrap-around, top 32 bits).
    """
    perms = NOTE_BANDS * NOTE_ROWS
    rng = np.random.default_rng(_SEED)
    a = rng.integers(0, 1 << 63, perms, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = rng.integers(0, 1 << 63, perms, dtype=np.uint64)
    points = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    ends = np.repeat(np.cumsum(lengths), lengths)
    starts = np.flatnonzero(np.arange(len(points), dtype=np.int64) + _SHINGLE <= ends)
    codes = (points[starts] << np.uint64(42)) | (points[starts + 1] << np.uint64(21))
    codes |= points[starts + 2]
    offsets = np.concatenate(([0], np.cumsum(lengths - (_SHINGLE - 1))[:-1]))
    signature = np.empty((len(texts), perms), dtype=np.uint64)
    shift = np.uint64(32)
    with np.errstate(over="ignore"):
        for k in range(perms):
            signature[:, k] = np.minimum.reduceat((codes * a[k] + b[k]) >> shift, offsets)
    return signature


class _Union:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            self.parent[max(ri, rj)] = min(ri, rj)


def _jaccard(x: frozenset[str], y: frozenset[str]) -> float:
    return len(x & y) / len(x | y)


def _buckets(signature: npt.NDArray[np.uint64]) -> list[list[int]]:
    """Texts sharing all NOTE_ROWS values of some band: the candidate groups, in a fixed order."""
    found: list[list[int]] = []
    for band in range(NOTE_BANDS):
        block = np.ascontiguousarray(signature[:, band * NOTE_ROWS : (band + 1) * NOTE_ROWS])
        keys = block.view(np.dtype((np.void, block.dtype.itemsize * NOTE_ROWS))).ravel()
        _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
        shared = np.flatnonzero(counts[inverse] > 1)  # texts in a bucket with another
        if len(shared) == 0:
            continue
        order = shared[np.argsort(inverse[shared], kind="stable")]
        sizes = np.unique(inverse[order], return_counts=True)[1]
        found.extend(members.tolist() for members in np.split(order, np.cumsum(sizes)[:-1]))
    return found


def _clusters(texts: list[str], threshold: float) -> tuple[list[list[int]], dict[int, float]]:
    """Groups of text indices linked by similarity ≥ threshold, and each group's lowest link.

    Groups are keyed by their smallest index (the union-find root).
    """
    shingles: dict[int, frozenset[str]] = {}

    def shingles_of(i: int) -> frozenset[str]:
        if i not in shingles:
            shingles[i] = _shingles(texts[i])
        return shingles[i]

    links = _Union(len(texts))
    lowest: dict[int, float] = {}
    for members in _buckets(_signatures(texts)) if len(texts) > 1 else []:
        for pos, i in enumerate(members):
            for j in members[pos + 1 :]:
                ri, rj = links.find(i), links.find(j)
                if ri == rj:
                    continue
                similarity = _jaccard(shingles_of(i), shingles_of(j))
                if similarity >= threshold:
                    low = min(similarity, lowest.get(ri, 1.0), lowest.get(rj, 1.0))
                    links.union(i, j)
                    lowest[links.find(i)] = low
    groups: dict[int, list[int]] = {}
    for i in range(len(texts)):
        groups.setdefault(links.find(i), []).append(i)
    return list(groups.values()), {root: lowest.get(root, 1.0) for root in groups}


@dataclass(frozen=True, slots=True)
class _Note:
    visit_id: int
    household_id: int
    village_code: str
    visitor: str
    text: str


def _copied_notes(data: Data, settings: IntegritySettings) -> list[Finding]:
    v = data.tables["visits"]
    v = v.filter(pc.equal(pc.year(v.column("visited_on")), data.year))
    by_text: dict[str, list[_Note]] = {}
    for row in v.select(
        ["visit_id", "household_id", "village_code", "visitor", "notes"]
    ).to_pylist():
        text = normalise_note(row["notes"])
        if len(text) >= MIN_NOTE_CHARS:
            by_text.setdefault(text, []).append(
                _Note(
                    row["visit_id"],
                    row["household_id"],
                    row["village_code"],
                    row["visitor"],
                    row["notes"],
                )
            )
    texts = sorted(by_text)  # sorted: the result never depends on the input's row order
    clusters, lowest = _clusters(texts, settings.copied_note_similarity)
    findings = []
    for cluster in clusters:
        notes = sorted((n for i in cluster for n in by_text[texts[i]]), key=lambda n: n.visit_id)
        if len({n.household_id for n in notes}) < 2:
            continue
        similarity = lowest[min(cluster)] if len(cluster) > 1 else 1.0
        visitors = sorted({n.visitor for n in notes})
        for visitor in visitors:
            own = [n for n in notes if n.visitor == visitor]
            example = own[0].text.strip()
            if len(example) > _EXAMPLE_CHARS:
                example = example[:_EXAMPLE_CHARS] + "……"
            households = sorted({n.household_id for n in own})
            others = [w for w in visitors if w != visitor]
            text = (
                f"走访人“{visitor}”{data.year}年对{len(households)}户（{join_ids(households)}）"
                f"的走访记录与同组记录几乎相同（文字相似度不低于"
                f"{percent(settings.copied_note_similarity, 0)}，同组共"
                f"{len({n.household_id for n in notes})}户），例如：“{example}”"
            )
            if others:
                text += f"；同组还有走访人{'、'.join(f'“{w}”' for w in others)}的记录"
            findings.append(
                make_finding(
                    Code.COPIED_NOTES,
                    SubjectKind.CADRE,
                    visitor,
                    common_region(n.village_code for n in own),
                    data.year,
                    Severity.WARNING,
                    {
                        "visit_ids": [n.visit_id for n in own],
                        "household_ids": households,
                        "group_households": sorted({n.household_id for n in notes}),
                        "group_visits": len(notes),
                        "other_visitors": others,
                        "similarity_min": similarity,
                    },
                    settings.copied_note_similarity,
                    text,
                )
            )
    return findings


def copied_notes(visits: pa.Table, *, settings: IntegritySettings, year: int) -> list[Finding]:
    """Flag visitors whose notes of ``year`` nearly repeat notes of other households.

    Notes are linked when the Jaccard similarity of their character 3-grams is at least
    ``copied_note_similarity``; a linked group spanning ≥ 2 households gives one finding per
    visitor in it. Notes under MIN_NOTE_CHARS characters are ignored. A signal for review,
    never a verdict.
    """
    return ordered(_copied_notes(Data(year=year, visits=visits), settings))
