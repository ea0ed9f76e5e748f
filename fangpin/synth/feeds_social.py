"""Feeds about welfare, school and work: 民政 civil affairs, 教育 dropouts, 人社 insurance."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fangpin.synth._arrow import IntArray, concat, day_number, from_pool, money_array, ymd
from fangpin.synth.chunk import HAS_LABOUR, UNEXCUSED_REASONS, Chunk, per_household_any
from fangpin.synth.messy import RawFeed
from fangpin.synth.names import CHINESE_NUMERALS
from fangpin.synth.plan import Plan

__all__ = ["civil_affairs", "education_dropouts", "employment_insurance"]


def _payment_days(plan: Plan) -> IntArray:
    """The 10th of each month inside the feed's period (低保 and 特困 are paid monthly)."""
    ref = plan.config.reference_date
    days = []
    for back in range(13):
        month_index = ref.year * 12 + ref.month - 1 - back
        day = day_number(date(month_index // 12, month_index % 12 + 1, 10))
        if plan.period_start <= day <= plan.reference_day:
            days.append(day)
    return np.array(sorted(days), dtype=np.int64)


def civil_affairs(chunk: Chunk, plan: Plan, rng: np.random.Generator) -> RawFeed:
    """低保/特困 starts, stops and monthly payments and one-off 临时救助 (民政局)."""
    h, m = chunk.households, chunk.persons
    hh = chunk.household
    pay = _payment_days(plan)
    never = plan.reference_day + 1
    death = np.full(m, never, dtype=np.int64)
    death[chunk.extra["deaths"]] = chunk.extra["death_day"]
    monthly = np.rint(chunk.extra["dibao_monthly"] * 100).astype(np.int64)
    # Registry 低保 households: 5% stop during the year (income rose); deaths stop too.
    stop_hh = np.where(rng.random(h) < 0.05, plan.period_start + rng.integers(30, 365, h), never)
    dibao = np.flatnonzero(chunk.is_dibao)
    end = np.minimum(stop_hh[hh[dibao]], death[dibao])
    # Households newly on 低保 this year (the registry does not know yet).
    new_hh = np.zeros(h, dtype=bool)
    new_hh[chunk.extra["new_dibao_households"]] = True
    start_hh = plan.reference_day - rng.integers(15, 181, h)
    newcomers = np.flatnonzero(new_hh[hh] & chunk.active & (death == never))
    tekun = np.flatnonzero(chunk.is_tekun)
    tekun_monthly = np.rint(chunk.extra["tekun_annual"][tekun] / 12 * 100).astype(np.int64)

    parts: list[tuple[IntArray, ...]] = []

    def emit(
        person: IntArray, benefit: int, event: int, day: IntArray, cents: IntArray, reason: IntArray
    ) -> None:
        k = person.size
        parts.append((person, np.full(k, benefit), np.full(k, event), day, cents, reason))

    def payments(
        person: IntArray, first: IntArray, last: IntArray, cents: IntArray, benefit: int
    ) -> None:
        grid = np.repeat(person, pay.size), np.tile(pay, person.size)
        due = (grid[1] >= np.repeat(first, pay.size)) & (grid[1] < np.repeat(last, pay.size))
        emit(
            grid[0][due],
            benefit,
            2,
            grid[1][due],
            np.repeat(cents, pay.size)[due],
            np.full(int(due.sum()), -1),
        )

    # benefit: 0 低保, 1 特困, 2 临时救助; event: 0 start, 1 stop, 2 payment
    payments(dibao, np.full(dibao.size, plan.period_start), end, monthly[hh[dibao]], 0)
    stopped = end < never
    emit(
        dibao[stopped],
        0,
        1,
        np.minimum(end[stopped] + 15, plan.reference_day),
        np.full(int(stopped.sum()), -1),
        np.where(death[dibao[stopped]] < never, 1, 0),
    )
    tekun_end = death[tekun]
    payments(tekun, np.full(tekun.size, plan.period_start), tekun_end, tekun_monthly, 1)
    gone = tekun_end < never
    emit(
        tekun[gone],
        1,
        1,
        np.minimum(tekun_end[gone] + 15, plan.reference_day),
        np.full(int(gone.sum()), -1),
        np.full(int(gone.sum()), 1),
    )
    ill = np.zeros(m, dtype=bool)
    ill[chunk.extra["new_ill"]] = True
    cause = chunk.extra["drop_cause"]
    why = np.where(
        per_household_any(chunk, ill),
        2,
        np.where(
            cause == 2,
            3,
            np.where(~per_household_any(chunk, np.isin(chunk.labour_ability, HAS_LABOUR)), 4, 5),
        ),
    )
    start = start_hh[hh[newcomers]]
    emit(newcomers, 0, 0, start, monthly[hh[newcomers]], why[hh[newcomers]])
    payments(newcomers, start, np.full(newcomers.size, never), monthly[hh[newcomers]], 0)
    # 临时救助: a one-off payment after an illness, a disaster or an accident.
    heads = np.flatnonzero(chunk.slot == 0)
    needy = (cause == 0) | (cause == 2) | (chunk.extra["disaster_damage"] == 2)
    helped = heads[needy[hh[heads]] & (rng.random(heads.size) < 0.8)]
    relief = np.rint(rng.uniform(5, 50, helped.size)) * 10000
    reason = np.where(cause[hh[helped]] == 0, 6, np.where(rng.random(helped.size) < 0.9, 7, 8))
    emit(
        helped,
        2,
        2,
        plan.period_start + rng.integers(30, 365, helped.size),
        relief.astype(np.int64),
        reason,
    )

    person, benefit, event, day, cents, reason_index = (
        np.concatenate([p[i] for p in parts]).astype(np.int64) for i in range(6)
    )
    reasons = ["家庭收入超过低保标准", "死亡", "因病支出型困难", "因灾", "家庭成员无劳动能力",
               "家庭人均收入低于低保标准", "因病", "因灾", "因意外事故"]  # fmt: skip
    reason = pc.if_else(
        pa.array(reason_index >= 0), from_pool(reasons, np.maximum(reason_index, 0)), None
    )
    return RawFeed(
        name="civil_affairs",
        person=person,
        columns={
            "village_code": from_pool([v.code for v in plan.villages], chunk.village[hh[person]]),
            "benefit_type": from_pool(("低保", "特困", "临时救助"), benefit),
            "event": from_pool(("start", "stop", "payment"), event),
            "effective_date": day,
            "amount": money_array(np.maximum(cents, 0), cents >= 0),
            "reason": reason,
        },
        late_columns=("effective_date",),
    )


def _school_grade(age: IntArray) -> tuple[IntArray, list[str]]:
    primary = [f"小学{CHINESE_NUMERALS[i]}年级" for i in range(6)]
    junior = [f"初中{CHINESE_NUMERALS[i]}年级" for i in range(3)]
    index = np.where(age <= 11, np.clip(age - 6, 0, 5), 6 + np.clip(age - 12, 0, 2))
    return index.astype(np.int64), primary + junior


def education_dropouts(chunk: Chunk, plan: Plan, rng: np.random.Generator) -> RawFeed:
    """Children of compulsory-school age out of school, as the education bureau reports them."""
    reason = chunk.out_of_school_reason
    age = chunk.age
    known = np.flatnonzero(
        chunk.active & (age >= 6) & (age <= 15) & np.isin(reason, ["01", "02", *UNEXCUSED_REASONS])
    )
    new = chunk.extra["new_dropouts"]
    person = np.concatenate([known, new]).astype(np.int64)
    code = np.concatenate([reason[known], np.full(new.size, "new")])
    u = rng.random(person.size)
    # status: 0 失学, 1 辍学, 2 休学, 3 送教上门
    status = np.select(
        [code == "01", code == "02", code == "new"],
        [np.where(u < 0.5, 2, 0), np.full(person.size, 3), np.full(person.size, 1)],
        np.where(u < 0.85, 1, 0),
    )
    texts = ["因身体原因不具备学习条件", "重度残疾，送教上门", "厌学", "外出务工", "家庭经济困难"]
    text_index = np.select(
        [code == "01", code == "02", code == "11", code == "12", code == "13", code == "new"],
        [0, 1, 2, 3, 4, rng.integers(2, 6, person.size)],
        5,
    )
    township = from_pool(
        [v.township_name for v in plan.villages], chunk.village[chunk.household[person]]
    )
    village = from_pool(
        [v.short_name for v in plan.villages], chunk.village[chunk.household[person]]
    )
    a = age[person]
    primary_school = pc.if_else(
        pa.array(rng.random(person.size) < 0.5),
        concat(township, "中心完全小学"),
        concat(village, "小学"),
    )
    junior_school = pc.if_else(
        pa.array(rng.random(person.size) < 0.7),
        concat(township, "中学"),
        f"{plan.county_name}民族中学",
    )
    school = pc.if_else(pa.array(a <= 11), primary_school, junior_school)
    grade_index, grades = _school_grade(a)
    enrolled = pa.array(status != 0)
    return RawFeed(
        name="education_dropouts",
        person=person,
        columns={
            "school_name": pc.if_else(enrolled, school, None),
            "grade": pc.if_else(enrolled, from_pool(grades, grade_index), None),
            "status": from_pool(("失学", "辍学", "休学", "送教上门"), status),
            "reported_on": plan.period_start + rng.integers(0, 365, person.size),
            "reason": pc.if_else(
                pa.array(text_index < 5), from_pool([*texts, ""], text_index), None
            ),
        },
        late_columns=("reported_on",),
    )


def employment_insurance(chunk: Chunk, plan: Plan, rng: np.random.Generator) -> RawFeed:
    """Contribution stops, resumptions and unemployment registrations (人社局)."""
    m = chunk.persons
    dead = np.zeros(m, dtype=bool)
    dead[chunk.extra["deaths"]] = True
    migrants = np.flatnonzero(chunk.active & ~dead & (chunk.migrant_months > 0))
    lost = np.zeros(m, dtype=bool)
    lost[chunk.extra["drop_job"]] = True
    others = migrants[~lost[migrants]]
    k = round(0.06 * migrants.size)
    stops_other = np.sort(rng.choice(others, size=min(k, others.size), replace=False)).astype(
        np.int64
    )
    stopped = np.concatenate([chunk.extra["drop_job"], stops_other]).astype(np.int64)
    stop_day = plan.period_start + rng.integers(0, 300, stopped.size)
    resumes = rng.random(stops_other.size) < 0.5
    resume = stops_other[resumes]
    lost_count = chunk.extra["drop_job"].size
    resume_day = stop_day[lost_count:][resumes] + rng.integers(30, 60, resume.size)
    registered = rng.choice(
        migrants, size=min(round(0.01 * migrants.size), migrants.size), replace=False
    )
    unemployed = np.concatenate(
        [chunk.extra["drop_job"][rng.random(lost_count) < 0.8], np.sort(registered)]
    ).astype(np.int64)
    day_of = dict(zip(stopped.tolist(), stop_day.tolist(), strict=True))
    unemployed_day = np.array(
        [day_of.get(p, int(plan.period_start + 30)) for p in unemployed.tolist()], dtype=np.int64
    ) + rng.integers(5, 60, unemployed.size)
    person = np.concatenate([stopped, resume, unemployed])
    event = np.concatenate(
        [np.zeros(stopped.size), np.ones(resume.size), np.full(unemployed.size, 2)]
    ).astype(np.int64)
    day = np.minimum(np.concatenate([stop_day, resume_day, unemployed_day]), plan.reference_day)
    year, month, _ = ymd(day)
    previous = np.where(month == 1, (year - 1) * 100 + 12, year * 100 + month - 1)
    contribution = np.where(event == 1, year * 100 + month, previous)
    employer_index = chunk.employer[person]
    new_employer = rng.integers(0, len(plan.employers), person.size)
    employer_index = np.where(event == 1, new_employer, np.maximum(employer_index, 0))
    known = rng.random(person.size) >= 0.1
    return RawFeed(
        name="employment_insurance",
        person=person,
        columns={
            "event": from_pool(("断缴", "恢复缴费", "失业登记"), event),
            "effective_date": day,
            "employer": pc.if_else(
                pa.array(known), from_pool(plan.employers, employer_index), None
            ),
            "last_contribution_month": pa.array(contribution).cast(pa.string()),
        },
        late_columns=("effective_date",),
    )
