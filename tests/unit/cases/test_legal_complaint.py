"""Legal complaints on a case: filed, then taken up once."""

from __future__ import annotations

import uuid
from datetime import timedelta

from contracts.legal_complaints import (
    LegalAuthority,
    LegalComplaintFiled,
    LegalComplaintTakenUp,
    ProtectionViolation,
)
from services.cases import file_complaint, record_taken_up
from tests.support.deciders import then_only, then_refused, when
from tests.unit.cases.givens import (
    CLOSED,
    NOW,
    STAFF,
    a_case,
    opened,
)


def test_legal_complaint_filed_then_taken_up_once() -> None:
    complaint = uuid.uuid4()
    file = file_complaint.FileComplaint(
        complaint, ProtectionViolation.TRAFFICKING, LegalAuthority.POLICE, NOW, STAFF, NOW
    )
    filed = file_complaint.decide(file, a_case(opened()))
    then_only(filed, LegalComplaintFiled, violation=ProtectionViolation.TRAFFICKING)
    then_refused(when(file_complaint.decide, file, a_case(opened(), *filed)), "complaint_exists")
    then_refused(when(file_complaint.decide, file, a_case(*CLOSED)), "case_closed")
    up = record_taken_up.RecordTakenUp(complaint, LegalAuthority.PROSECUTOR, NOW, STAFF, NOW)
    closed_after = (opened(), *filed, *CLOSED[1:])
    taken = record_taken_up.decide(up, a_case(*closed_after))
    then_only(taken, LegalComplaintTakenUp, authority=LegalAuthority.PROSECUTOR)
    then_refused(
        when(record_taken_up.decide, up, a_case(*closed_after, *taken)),
        "complaint_already_taken_up",
    )
    unknown = record_taken_up.RecordTakenUp(uuid.uuid4(), LegalAuthority.POLICE, NOW, STAFF, NOW)
    then_refused(when(record_taken_up.decide, unknown, a_case(opened())), "complaint_not_found")
    later = record_taken_up.RecordTakenUp(
        complaint, LegalAuthority.POLICE, NOW + timedelta(days=1), STAFF, NOW
    )
    then_refused(
        when(record_taken_up.decide, later, a_case(opened(), *filed)), "taken_up_in_future"
    )
    future = file_complaint.FileComplaint(
        uuid.uuid4(),
        ProtectionViolation.OTHER,
        LegalAuthority.POLICE,
        NOW + timedelta(days=1),
        STAFF,
        NOW,
    )
    then_refused(when(file_complaint.decide, future, a_case(opened())), "filed_in_future")
