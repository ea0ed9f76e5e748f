"""A tiny hand-built dataset: every contract table, rows added per test.

A household made with ``clean()`` trips no rule: one head aged 44 with ordinary labour, safe
house and water, income well above the line in both years and rising. Tests then add exactly
the facts a rule looks for, and assert exactly which households it flags.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa
from ibis.backends import BaseBackend

from fangpin.contract import REGISTRY_TABLES
from fangpin.contract.feeds import FEED_TABLES
from fangpin.income import all_amount_fields
from fangpin.policy import ResolvedEdition, resolve
from fangpin.screening import connect, input_from_arrow, screen

#: National floor only (Beijing 东城区 has no override): line 7,100, medical share 40%,
#: single bill 50,000, income drop 20%, rigid spending 1.0 × last year, 3 months' stop.
EDITION: ResolvedEdition = resolve(2024, "110101")
MONTH = date(2024, 12, 1)
VILLAGE = "110101001001"
YEAR = 2024

#: The backend ``Builder.run`` screens on; the ``engine`` fixture (conftest.py) switches it.
BACKEND: Callable[[], BaseBackend] = connect


def number(hid: int) -> str:
    return f"{VILLAGE}{hid:04d}"


def id_number(pid: int, birth: date = date(1980, 1, 1)) -> str:
    return f"110101{birth:%Y%m%d}{pid:04d}"


@dataclass
class Builder:
    rows: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {name: [] for name in (*REGISTRY_TABLES, *FEED_TABLES)}
    )

    # --- registry ---------------------------------------------------------------------------

    def household(self, hid: int, *, household_type: str = "2", phone: str = "13800000000") -> None:
        self.rows["households"].append(
            {
                "household_id": hid,
                "household_number": number(hid),
                "village_code": VILLAGE,
                "natural_village": "一组",
                "address": "某村一组",
                "household_type": household_type,
                "phone": phone,
                "is_relocated": False,
                "relocation_mode": "",
                "relocation_site": "",
                "status": "active",
            }
        )

    def person(
        self,
        hid: int,
        pid: int,
        *,
        relation: str = "01",
        birth: date = date(1980, 1, 1),
        labour: str = "10",
        health: str = "10",
        disability_grade: str = "",
        student: str = "00",
        out_of_school_reason: str = "",
        migrant_months: int = 0,
        employer: str = "",
        resident_medical: bool = True,
        employee_medical: bool = False,
        dibao: bool = False,
        tekun: bool = False,
        status: str = "active",
        death_date: date | None = None,
        id_no: str | None = None,
    ) -> str:
        ident = id_no or id_number(pid, birth)
        self.rows["persons"].append(
            {
                "person_id": pid,
                "household_id": hid,
                "name": f"成员{pid}",
                "sex": "1",
                "id_type": "1",
                "id_number": ident,
                "birth_date": birth,
                "relation": relation,
                "ethnicity": "01",
                "education": "60",
                "student_status": student,
                "out_of_school_reason": out_of_school_reason,
                "health": health,
                "disability_grade": disability_grade,
                "disability_category": "",
                "labour_ability": labour,
                "migrant_work_months": migrant_months,
                "migrant_employer": employer,
                "phone": "",
                "has_resident_medical": resident_medical,
                "has_employee_medical": employee_medical,
                "has_critical_illness": resident_medical,
                "has_resident_pension": False,
                "has_employee_pension": False,
                "is_dibao": dibao,
                "is_tekun": tekun,
                "status": status,
                "death_date": death_date,
            }
        )
        return ident

    def finance(self, hid: int, year: int, size: int, **amounts: str | int) -> None:
        row: dict[str, Any] = {"household_id": hid, "year": year, "household_size": size}
        for name in all_amount_fields():
            row[name] = Decimal(str(amounts.pop(name, 0)))
        assert not amounts, f"unknown amount fields {amounts}"
        self.rows["finances"].append(row)

    def conditions(
        self,
        hid: int,
        *,
        assessed_on: date = date(2024, 6, 1),
        housing_grade: str = "A",
        housing_assessed_on: date = date(2023, 5, 1),
        food: bool = True,
        water: dict[str, bool] | None = None,
    ) -> None:
        flags = {"quantity": True, "quality": True, "convenience": True, "reliability": True}
        flags.update(water or {})
        self.rows["conditions"].append(
            {
                "household_id": hid,
                "assessed_on": assessed_on,
                "food_secure": food,
                "clothing_secure": True,
                "housing_grade": housing_grade,
                "housing_assessor": "某县住房和城乡建设局",
                "housing_assessed_on": housing_assessed_on,
                "water_source": "1",
                "water_area_type": "rich",
                "water_litres_per_person_day": 80,
                "water_quality_tested": True,
                "water_quality_simple_check_ok": True,
                "water_is_piped": True,
                "water_trip_minutes": None,
                "water_horizontal_m": None,
                "water_vertical_m": None,
                "water_cut_days_per_year": 2,
                **{f"water_{k}_ok": v for k, v in flags.items()},
            }
        )

    def spell(
        self,
        hid: int,
        *,
        object_type: str = "MARGINAL",
        identified: date = date(2023, 1, 1),
        eliminated: date | None = None,
        mode: str = "",
        backstop: bool = False,
        current: bool = True,
        risks: tuple[str, ...] = ("01",),
    ) -> None:
        self.rows["monitorings"].append(
            {
                "household_number": number(hid),
                "object_type": object_type,
                "identified_month": identified,
                "eliminated_month": eliminated,
                "elimination_mode": mode,
                "no_labour_backstop": backstop,
                "is_current": current,
            }
        )
        for position, risk in enumerate(risks, start=1):
            self.rows["monitoring_risks"].append(
                {
                    "household_number": number(hid),
                    "identified_month": identified,
                    "position": position,
                    "risk_type": risk,
                    "disaster_subtype": "0201" if risk == "02" else "",
                }
            )

    def clean(
        self, hid: int, *, household_type: str = "2", this_year: int = 30000, last_year: int = 28000
    ) -> str:
        """A household that trips no rule; returns the head's ID number."""
        self.household(hid, household_type=household_type)
        head = self.person(hid, hid * 10)
        self.finance(hid, YEAR - 1, 1, wage_local=last_year)
        self.finance(hid, YEAR, 1, wage_local=this_year)
        self.conditions(hid)
        return head

    # --- feeds ------------------------------------------------------------------------------

    def feed(self, feed_name: str, /, **row: Any) -> None:
        schema = FEED_TABLES[feed_name]
        full = {f.name: row.pop(f.name, None) for f in schema}
        for f in schema:
            if pa.types.is_decimal(f.type) and isinstance(full[f.name], str):
                full[f.name] = Decimal(full[f.name])
        assert not row, f"unknown columns {row}"
        self.rows[feed_name].append(full)

    def claim(
        self,
        claim_id: str,
        ident: str,
        *,
        total: str,
        oop: str,
        discharged: date = date(2024, 5, 10),
        admitted: date | None = None,
    ) -> None:
        total_d, oop_d = Decimal(total), Decimal(oop)
        self.feed(
            "medical_claims",
            claim_id=claim_id,
            id_number=ident,
            name="某",
            admission_date=admitted or discharged,
            discharge_date=discharged,
            hospital_name="县人民医院",
            hospital_level="二级",
            diagnosis_category="大病",
            total_cost=total_d,
            fund_paid=total_d - oop_d,
            compliant_oop=oop_d,
            non_compliant_oop=Decimal(0),
            settled_on=discharged,
        )

    # --- output -----------------------------------------------------------------------------

    def tables(self) -> dict[str, pa.Table]:
        schemas = {**REGISTRY_TABLES, **FEED_TABLES}
        return {
            name: pa.Table.from_pylist(rows, schema=schemas[name])
            for name, rows in self.rows.items()
        }

    def run(
        self, *codes: str, edition: ResolvedEdition = EDITION, month: date = MONTH
    ) -> list[dict[str, Any]]:
        """Run the given rules; the findings as dicts sorted by (rule, household)."""
        result = screen(
            input_from_arrow(self.tables(), BACKEND()),
            edition,
            month=month,
            rule_codes=codes or None,
        )
        rows: list[dict[str, Any]] = result.findings.to_pylist()
        return rows


def flagged(findings: list[dict[str, Any]], code: str) -> list[str]:
    """Household numbers flagged by ``code``, in output order."""
    return [f["household_number"] for f in findings if f["rule_code"] == code]


def only(findings: list[dict[str, Any]], code: str, hid: int) -> dict[str, Any]:
    rows = [f for f in findings if f["rule_code"] == code and f["household_number"] == number(hid)]
    assert len(rows) == 1, rows
    return rows[0]
