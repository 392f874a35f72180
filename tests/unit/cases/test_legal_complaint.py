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
from services.cases import legal_complaint
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
    file = legal_complaint.FileComplaint(
        complaint, ProtectionViolation.TRAFFICKING, LegalAuthority.POLICE, NOW, STAFF, NOW
    )
    filed = legal_complaint.file(file, a_case(opened()))
    then_only(filed, LegalComplaintFiled, violation=ProtectionViolation.TRAFFICKING)
    then_refused(when(legal_complaint.file, file, a_case(opened(), *filed)), "complaint_exists")
    then_refused(when(legal_complaint.file, file, a_case(*CLOSED)), "case_closed")
    up = legal_complaint.RecordTakenUp(complaint, LegalAuthority.PROSECUTOR, NOW, STAFF, NOW)
    closed_after = (opened(), *filed, *CLOSED[1:])
    taken = legal_complaint.taken_up(up, a_case(*closed_after))
    then_only(taken, LegalComplaintTakenUp, authority=LegalAuthority.PROSECUTOR)
    then_refused(
        when(legal_complaint.taken_up, up, a_case(*closed_after, *taken)),
        "complaint_already_taken_up",
    )
    unknown = legal_complaint.RecordTakenUp(uuid.uuid4(), LegalAuthority.POLICE, NOW, STAFF, NOW)
    then_refused(when(legal_complaint.taken_up, unknown, a_case(opened())), "complaint_not_found")
    later = legal_complaint.RecordTakenUp(
        complaint, LegalAuthority.POLICE, NOW + timedelta(days=1), STAFF, NOW
    )
    then_refused(
        when(legal_complaint.taken_up, later, a_case(opened(), *filed)), "taken_up_in_future"
    )
    future = legal_complaint.FileComplaint(
        uuid.uuid4(),
        ProtectionViolation.OTHER,
        LegalAuthority.POLICE,
        NOW + timedelta(days=1),
        STAFF,
        NOW,
    )
    then_refused(when(legal_complaint.file, future, a_case(opened())), "filed_in_future")
