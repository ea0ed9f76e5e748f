"""The medical-claims view after its rewrite for speed (issue #4): a repeated stay keeps the
claim with the smallest id and that claim's own amounts; stays that differ stay apart."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.screening.builders import Builder, flagged, number, only

pytestmark = pytest.mark.usefixtures("engine")


def _claims() -> Builder:
    b = Builder()
    # 1: one stay sent three times under three claim ids, the amounts differing: only the
    # smallest id (…011, 12,000 of 30,000 = 40%) counts, not the first row or the largest.
    one = b.clean(1)
    for claim_id, oop in (("YBJS0000000013", "9000"), ("YBJS0000000011", "12000")):
        b.claim(claim_id, one, total="60000", oop=oop)
    b.claim("YBJS0000000012", one, total="60000", oop="5000")
    # 2: two stays of the same person, same discharge day and bill, admitted on different
    # days: two claims, 6,000 + 6,000 = 40%.
    two = b.clean(2)
    b.claim("YBJS0000000021", two, total="20000", oop="6000", admitted=date(2024, 5, 1))
    b.claim("YBJS0000000022", two, total="20000", oop="6000", admitted=date(2024, 5, 2))
    # 3: the same stay twice, the smaller id carrying the smaller amount (11,000: 36.7%).
    three = b.clean(3)
    b.claim("YBJS0000000032", three, total="20000", oop="12000")
    b.claim("YBJS0000000031", three, total="20000", oop="11000")
    return b


def test_a_repeated_stay_keeps_the_smallest_claim_id_and_its_own_amounts() -> None:
    findings = _claims().run("trigger.medical_oop_share", "trigger.large_hospital_bill")

    assert flagged(findings, "trigger.medical_oop_share") == [number(1), number(2)]
    first = only(findings, "trigger.medical_oop_share", 1)
    assert json.loads(first["observed"]) == {
        "compliant_oop": 12000.0,
        "net_income": 30000.0,
        "share": 0.4,
        "claims": 1,
    }
    assert json.loads(first["sources"]) == [
        {"source": "feeds/medical_claims", "keys": ["YBJS0000000011"]}
    ]
    second = only(findings, "trigger.medical_oop_share", 2)
    assert json.loads(second["observed"])["claims"] == 2
    assert json.loads(second["sources"]) == [
        {"source": "feeds/medical_claims", "keys": ["YBJS0000000021", "YBJS0000000022"]}
    ]
    assert flagged(findings, "trigger.large_hospital_bill") == [number(1)]
    bill = only(findings, "trigger.large_hospital_bill", 1)
    assert json.loads(bill["observed"]) == {"largest_bill": 60000.0, "stays_over_limit": 1}
    assert json.loads(bill["sources"]) == [
        {"source": "feeds/medical_claims", "keys": ["YBJS0000000011"]}
    ]
    assert len(findings) == 3
