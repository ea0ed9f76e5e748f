"""Paper income: income with nothing in the register to earn it (DOMAIN.md §11 [D] signal 3).

National rules 5_12_006 and 4_11_014 (DOMAIN.md §9.3) check that wage and post income are
backed by a work record. Signals for a person to review, never verdicts: the register can be
incomplete (a member's work not recorded) while the income is real.

The registry has no land or livestock records, so production income is checked against the
only proxy it has — a living member with labour ability. This is weak: an elderly couple may
rent out land, hire help or keep a few pigs. A finding asks for a visit, nothing more.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fangpin.codes import table as code_table
from fangpin.income import Category
from fangpin.integrity.frame import Data, Ints, lookup
from fangpin.integrity.model import (
    Code,
    Finding,
    IntegritySettings,
    Severity,
    SubjectKind,
    make_finding,
    ordered,
)
from fangpin.integrity.text import fen_to_yuan, yuan

__all__ = ["paper_post_wage", "paper_production", "paper_wage"]

POST_FIELD = "wage_public_welfare_post"


def _members(data: Data) -> tuple[Ints, np.ndarray, np.ndarray]:
    """Living members, any-labour and any-work flags aligned with the income frame."""
    frame, members = data.income, data.members
    pos, found = lookup(members.household_id, frame.household_id)
    living = np.where(found, members.living[pos], 0)
    labour = found & members.any_labour[pos]
    work = found & members.any_work[pos]
    return living, labour, work


def _no_labour_labels() -> str:
    labels = code_table("labour_ability")
    return "或".join(labels.label(c) for c in labels.codes_where("has_labour", False))


def _paper_wage(data: Data, settings: IntegritySettings) -> list[Finding]:
    frame = data.income
    wage = frame.category[Category.WAGE]
    living, labour, work = _members(data)
    findings = []
    for i in np.flatnonzero((wage > 0) & ~labour & ~work):
        amount = fen_to_yuan(wage[i])
        findings.append(
            make_finding(
                Code.PAPER_WAGE,
                SubjectKind.HOUSEHOLD,
                frame.household_id[i],
                str(frame.village_code[i]),
                data.year,
                Severity.WARNING,
                {"wage_income": amount, "living_members": living[i]},
                None,
                f"{data.year}年工资性收入{yuan(amount)}，但家中在册成员（{living[i]}人）"
                f"无人有务工月数、务工单位或劳动能力",
            )
        )
    return findings


def _paper_production(data: Data, settings: IntegritySettings) -> list[Finding]:
    frame = data.income
    production = frame.category[Category.PRODUCTION]
    living, labour, _ = _members(data)
    no_labour = _no_labour_labels()
    findings = []
    for i in np.flatnonzero((production > 0) & ~labour):
        amount = fen_to_yuan(production[i])
        findings.append(
            make_finding(
                Code.PAPER_PRODUCTION,
                SubjectKind.HOUSEHOLD,
                frame.household_id[i],
                str(frame.village_code[i]),
                data.year,
                Severity.WARNING,
                {"production_income": amount, "living_members": living[i]},
                None,
                f"{data.year}年生产经营性收入{yuan(amount)}，但家中在册成员（{living[i]}人）"
                f"均无劳动能力（{no_labour}）；系统中没有土地、畜禽记录可核对，请入户核实",
            )
        )
    return findings


def _paper_post_wage(data: Data, settings: IntegritySettings) -> list[Finding]:
    frame = data.income
    posts = data.tables["posts"]
    held = posts.filter(pc.equal(posts.column("year"), data.year)).column("household_id")
    holders = np.unique(np.asarray(held.to_numpy(zero_copy_only=False), dtype=np.int64))
    _, has_post = lookup(holders, frame.household_id)
    wage = frame.component[POST_FIELD]
    findings = []
    for i in np.flatnonzero((wage > 0) & ~has_post):
        amount = fen_to_yuan(wage[i])
        findings.append(
            make_finding(
                Code.PAPER_POST_WAGE,
                SubjectKind.HOUSEHOLD,
                frame.household_id[i],
                str(frame.village_code[i]),
                data.year,
                Severity.WARNING,
                {"post_wage": amount},
                None,
                f"{data.year}年公益岗位工资{yuan(amount)}，但当年没有该户的公益岗位安排记录",
            )
        )
    return findings


def paper_wage(
    households: pa.Table,
    persons: pa.Table,
    finances: pa.Table,
    *,
    settings: IntegritySettings,
    year: int,
) -> list[Finding]:
    """Flag wage income > 0 where no living member has work months, an employer or labour.

    A signal for review, never a verdict: local day labour often goes unrecorded.
    """
    data = Data(year=year, households=households, persons=persons, finances=finances)
    return ordered(_paper_wage(data, settings))


def paper_production(
    households: pa.Table,
    persons: pa.Table,
    finances: pa.Table,
    *,
    settings: IntegritySettings,
    year: int,
) -> list[Finding]:
    """Flag production income > 0 where no living member has labour ability (a weak proxy).

    A signal for review, never a verdict: see the module docstring for its limits.
    """
    data = Data(year=year, households=households, persons=persons, finances=finances)
    return ordered(_paper_production(data, settings))


def paper_post_wage(
    households: pa.Table,
    finances: pa.Table,
    posts: pa.Table,
    *,
    settings: IntegritySettings,
    year: int,
) -> list[Finding]:
    """Flag public-welfare-post wages > 0 with no post of the household in ``posts`` that year.

    A signal for review, never a verdict: the post may be recorded under another household
    (a member who split off) or not yet entered as a measure.
    """
    data = Data(year=year, households=households, finances=finances, posts=posts)
    return ordered(_paper_post_wage(data, settings))
